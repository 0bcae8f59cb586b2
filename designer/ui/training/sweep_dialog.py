"""The Sweep dialog: what to vary (the same ``NAME=SPEC`` lines as ``designer
sweep --param``), how many trials and processes, then the sweep runs as a
``designer sweep`` process beside the window. Its trials are recorded runs:
they appear in the runs list as they finish. At the end the best trial's
values can be applied to the design, as one undo step."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from PySide6.QtCore import QProcess, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from designer.document import Document
from designer.runs.formatting import metric_text
from designer.runs.sweep_params import SweepError, check_params, parse_param
from designer.ui.training.runs import RunHistory, RunRecord

EXAMPLE = "training.learning_rate=log:1e-4:1e-1\ntraining.batch_size=16,32,64"


def apply_values(document: Document, values: dict[str, Any], text: str) -> None:
    """Set training settings and node parameters in ``document``: one undo step."""
    training = {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("training.")}
    with document.macro(text):
        if training:
            document.set_settings("training", training, text)
        for name, value in values.items():
            node, _, key = name.partition(".")
            if node != "training":
                document.set_param(node, key, value)


def best_trial(history: RunHistory, study: str) -> RunRecord | None:
    """The study's best completed trial among the history's runs."""
    trials = [r for r in history.runs if (r.sweep or {}).get("study") == study and not (r.sweep or {}).get("pruned")]
    scored = [r for r in trials if isinstance((r.sweep or {}).get("value"), (int, float))]
    if not scored:
        return None
    minimise = scored[0].sweep.get("objective") == "loss" or scored[0].metric_name != "accuracy"
    return (min if minimise else max)(scored, key=lambda r: r.sweep["value"])


class SweepDialog(QDialog):
    applied = Signal(str)  # a message for the panel

    def __init__(self, document: Document, history: RunHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document, self.history = document, history
        self.process: QProcess | None = None
        self._partial = ""  # the sweep's output after its last newline: a line comes in pieces
        self.study = ""
        self.setWindowTitle(f"Sweep {document.title}")
        self.resize(760, 620)
        column = QVBoxLayout(self)
        column.addWidget(QLabel(
            "One line per value to vary: <tt>training.SETTING</tt> or <tt>NODE.PARAMETER</tt> = "
            "<tt>8,16,32</tt> · <tt>log:1e-4:1e-1</tt> · <tt>float:0:0.5</tt> · <tt>int:8:64</tt> · a single value (fixed)", self))  # fmt: skip
        self.params = QPlainTextEdit(self)
        self.params.setPlainText(EXAMPLE)
        column.addWidget(self.params, 1)
        form = QFormLayout()
        self.trials = QSpinBox(self)
        self.trials.setRange(1, 10_000)
        self.trials.setValue(12)
        self.jobs = QSpinBox(self)
        self.jobs.setRange(1, max(1, os.cpu_count() or 1))
        self.jobs.setValue(min(2, self.jobs.maximum()))
        self.sampler = QComboBox(self)
        self.sampler.addItems(["tpe", "random", "grid"])
        self.prune = QCheckBox("stop poor trials early (median pruner)", self)
        self.prune.setChecked(True)
        form.addRow("Trials", self.trials)
        form.addRow("Processes", self.jobs)
        form.addRow("Sampler", self.sampler)
        form.addRow("", self.prune)
        column.addLayout(form)
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        column.addWidget(self.log, 2)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.result)
        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start", self)
        self.stop_button = QPushButton("Stop", self)
        self.apply_button = QPushButton("Apply best to the design", self)
        self.apply_button.setToolTip("Set the best trial's values in the design and its settings (one undo step)")
        close = QPushButton("Close", self)
        for button in (self.start_button, self.stop_button, self.apply_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        column.addLayout(buttons)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.apply_button.clicked.connect(self.apply_best)
        close.clicked.connect(self.close)
        self._update_buttons()

    # ------------------------------------------------------------ running
    def arguments(self) -> list[str] | None:
        """The ``designer sweep`` arguments, or None (with the reason shown) when the lines do not fit the design."""
        lines = [line.strip() for line in self.params.toPlainText().splitlines() if line.strip()]
        try:
            params = [parse_param(line) for line in lines]
            if not any(not p.fixed for p in params):
                raise SweepError("give at least one line with several values or a range")
            check_params(self.document.project, params)
        except SweepError as exc:
            self._show_error(str(exc))
            return None
        args = ["sweep", str(self.document.path), *[item for line in lines for item in ("--param", line)]]
        args += ["--trials", str(self.trials.value()), "--jobs", str(self.jobs.value()), "--sampler", self.sampler.currentText()]
        args += [] if self.prune.isChecked() else ["--no-prune"]
        return args + ["--study", self.study]

    def start(self) -> bool:
        if self.process is not None:
            return False
        if self.document.path is None or self.document.modified:
            self._show_error("Save the design first: the sweep trains the saved file.")
            return False
        self.study = f"{self.document.path.stem}-{time.strftime('%Y%m%d-%H%M%S')}"
        args = self.arguments()
        if args is None:
            return False
        self.log.clear()
        self._partial = ""
        self.result.setText(f"Sweeping ({self.study})…")
        process = self.process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.readyReadStandardOutput.connect(self._on_output)
        process.finished.connect(self._on_finished)
        process.start(sys.executable, ["-m", "designer", *args])
        self._update_buttons()
        return True

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()

    def _on_output(self) -> None:
        """Whole lines into the log: output arrives in pieces of any size, and each piece
        appended as it came split lines and left empty ones between the trials."""
        if self.process is not None:
            chunk = bytes(self.process.readAllStandardOutput().data()).decode("utf-8", "replace")
            lines, self._partial = whole_lines(self._partial, chunk)
            for line in lines:
                self.log.appendPlainText(line)

    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._on_output()
        if self._partial:  # a last line without its newline
            self.log.appendPlainText(self._partial)
            self._partial = ""
        self.process = None
        self.history.refresh()
        best = best_trial(self.history, self.study)
        if best is None:
            self.result.setText("No trial completed." if code else "The sweep ended without a completed trial.")
        else:
            values = ", ".join(f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}" for k, v in best.sweep["params"].items())
            self.result.setText(f"<b>Best</b>: {best.label} (trial {best.sweep['trial']}), {metric_text(best.metric_name, best.best_metric)}: {values}")
        self._update_buttons()

    def apply_best(self) -> bool:
        best = best_trial(self.history, self.study) if self.study else None
        if best is None or self.document.locked:
            return False
        apply_values(self.document, dict(best.sweep["params"]), f"Apply sweep trial {best.sweep['trial']}")
        self.applied.emit(f"Applied {best.label}'s values (trial {best.sweep['trial']}); Undo takes them back.")
        return True

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.process is not None:
            self.process.terminate()
            self.process.waitForFinished(10_000)
        super().closeEvent(event)

    def _show_error(self, message: str) -> None:
        self.result.setText(f"<span style='color:#d73a49'>{message}</span>")

    def _update_buttons(self) -> None:
        running = self.process is not None
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.apply_button.setEnabled(not running and bool(self.study) and best_trial(self.history, self.study) is not None)


def whole_lines(partial: str, chunk: str) -> tuple[list[str], str]:
    """The complete lines of ``partial + chunk``, and what follows the last newline."""
    *lines, rest = (partial + chunk).split("\n")
    return lines, rest
