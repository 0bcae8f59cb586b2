"""The learning-rate finder in the window (Train > Find learning rate…).

The dialog runs designer.train.lr_find.find_lr on a worker thread on a
snapshot of the project: a fresh module, the rate rising exponentially over a
few hundred batches. A forward pre-hook on that module counts the batches for
the progress bar and ends the sweep at the next batch when Cancel is pressed.
The loss is plotted against the rate (log x) with the suggestion marked;
Apply sets training.learning_rate to it as one undo step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from designer.document import Document
from designer.document.workers import Cancelled, Worker, cancel_requested, report_progress
from designer.project import Project, dumps, loads
from designer.ui.training.devices import wait_for_warm_up, warm_up_first
from designer.ui.training.plotting import AXIS, plot_widget

if TYPE_CHECKING:
    from designer.train.lr_find import LrFindResult

SUGGESTION = "#b7791f"


def sweep(project: Project) -> LrFindResult:
    """The finder on ``project`` (worker thread): progress as (done, steps); Cancelled when asked."""
    import torch

    wait_for_warm_up()

    from designer.train import TrainSettings, load_bundle, prepare
    from designer.train.lr_find import default_steps, find_lr

    settings = TrainSettings.from_mapping(project.training)
    bundle = load_bundle(project)
    compiled = prepare(project, bundle)
    steps = default_steps(len(bundle.train.x), settings.batch_size)
    torch.manual_seed(settings.seed)
    module = compiled.new_module()
    done = [0]

    def count(_module: object, _inputs: object) -> None:
        if module.training:  # the sweep's batches, not any evaluation
            if cancel_requested():
                raise Cancelled()
            done[0] += 1
            if done[0] % 5 == 0:
                report_progress((done[0], steps))

    module.register_forward_pre_hook(count)
    return find_lr(compiled, bundle, settings, steps=steps, module=module)


class LrFinderDialog(QDialog):
    """Sweep, show, apply: see the module docstring."""

    ended = Signal(bool)  # the sweep is over: True with a result, False when it failed or was cancelled

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Find a learning rate")
        self.document = document
        self.result: LrFindResult | None = None
        self.worker: Worker | None = None
        layout = QVBoxLayout(self)
        self.status = QLabel("Training a fresh copy of the design while the learning rate grows…", self)
        self.status.setWordWrap(True)
        # Room for the result's two lines from the start: a label that grew in the shown dialog
        # squeezed the plot under its minimum, and the buttons covered its axis.
        self.status.setMinimumHeight(2 * self.status.fontMetrics().lineSpacing())
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.progress = QProgressBar(self)
        self.plot = plot_widget(self, "loss", "learning rate (log)")
        self.plot.setLogMode(x=True)
        self.plot.setMinimumSize(460, 280)
        self.raw = self.plot.plot(pen=pg.mkPen(200, 200, 200, width=1))
        self.smooth = self.plot.plot(pen=pg.mkPen("#1f77b4", width=2))
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen(SUGGESTION, width=1.5, style=Qt.PenStyle.DashLine))
        buttons = QDialogButtonBox(self)
        self.apply_button = QPushButton("Apply", self)
        self.apply_button.setEnabled(False)
        self.apply_button.setToolTip("Set training.learning_rate to the suggestion (Undo restores the old rate)")
        self.apply_button.clicked.connect(self.apply)
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.ApplyRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self.cancel)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.close)
        for widget in (self.status, self.progress, self.plot, buttons):
            layout.addWidget(widget)

    @property
    def suggestion(self) -> float | None:
        """The suggested rate, rounded to two significant digits (as applied)."""
        return float(f"{self.result.suggestion:.2g}") if self.result is not None else None

    def start(self) -> Worker:
        snapshot = loads(dumps(self.document.project))
        snapshot.path = self.document.path
        self.progress.setRange(0, 0)
        self.worker = Worker(lambda: sweep(snapshot), "learning-rate finder", parent=self)
        self.worker.progressed.connect(self._on_progress)
        self.worker.succeeded.connect(self._on_result)
        self.worker.failed.connect(lambda exc: self._on_end(f"The sweep failed: {exc}"))
        self.worker.cancelled.connect(lambda: self._on_end("Cancelled."))
        self.worker.finished.connect(self._on_finished)
        warm_up_first()
        self.worker.start()
        return self.worker

    def _on_finished(self) -> None:
        self.worker = None  # the worker goes once its end is delivered
        self.ended.emit(self.result is not None)

    def cancel(self) -> None:
        if self.worker is not None and self.worker.is_running:
            self.worker.cancel()
            self.status.setText("Stopping at the next batch…")

    def apply(self) -> bool:
        """Set the suggestion as the training learning rate (one undo step)."""
        value = self.suggestion
        if value is None:
            return False
        try:
            self.document.set_setting("training", "learning_rate", value)
        except Exception as exc:  # a locked document (a run in progress) or a refused value: said, not raised
            self.status.setText(f"Could not apply {value:g}: {exc}")
            return False
        self.status.setText(f"The learning rate is now {value:g} (Edit > Undo restores the old one).")
        return True

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.worker is not None and self.worker.is_running:
            self.worker.cancel()
            self.worker.wait(30)
        super().closeEvent(event)

    def _on_progress(self, value: object) -> None:
        done, steps = value  # type: ignore[misc]
        self.progress.setRange(0, steps)
        self.progress.setValue(done)

    def _on_result(self, result: LrFindResult) -> None:
        self.result = result
        self.raw.setData(result.lrs, result.losses)
        self.smooth.setData(result.lrs, result.smoothed)
        self.marker.setPos(np.log10(result.suggestion))
        self.plot.addItem(self.marker)
        label = pg.TextItem(f"suggested {self.suggestion:g}", color=SUGGESTION, anchor=(0, 1))
        label.setPos(np.log10(result.suggestion), float(np.nanmax(result.smoothed)))
        self.plot.addItem(label)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        current = self.document.project.training.get("learning_rate")
        self._on_end(
            f"Suggested learning rate: {self.suggestion:g}, where the smoothed loss falls fastest "
            f"(lowest loss at {result.lowest_lr:.2g}; now {current:g}). {len(result.lrs)} batches"
            + (", stopped where the loss diverged." if result.diverged else "."),
            styled=True,
        )
        self.apply_button.setEnabled(True)

    def _on_end(self, text: str, styled: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("" if styled else f"color: {AXIS};")
        self.cancel_button.setEnabled(False)
        if self.result is None:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
