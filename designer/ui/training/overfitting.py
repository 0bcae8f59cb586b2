"""The overfitting flag on the loss plot: a shaded region from the epoch where
the validation loss began to rise while the training loss kept falling, and a
label with the gap between them and what to do.

The verdict is designer.insight.diagnosis.find_overfitting on the run's epoch
metrics (so the flag needs no probe); a run that does not overfit clears it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtGui import QColor

from designer.insight.diagnosis import TrainingProblem, find_overfitting
from designer.train import EpochMetrics

SHADE = QColor(227, 160, 8, 40)  # the design warning's amber, faint
EDGE = QColor(183, 121, 31)
REMEDIES = "more data · Dropout · weight decay · early stopping · a smaller network"


class OverfittingFlag:
    """The shaded region and label on ``plot`` (the loss plot), for one run at a time."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.problem: TrainingProblem | None = None
        self.gap = 0.0
        self.region = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(SHADE), pen=pg.mkPen(EDGE, width=1))
        self.region.setZValue(-10)
        self.label = pg.TextItem(anchor=(0, 0), color=EDGE, fill=pg.mkBrush(255, 255, 255, 220))
        self._shown = False
        plot.vb.sigRangeChanged.connect(self._place_label)

    @property
    def text(self) -> str:
        return self.label.toPlainText() if self._shown else ""

    def update(self, epochs: Sequence[EpochMetrics]) -> TrainingProblem | None:
        """Show the flag when ``epochs`` overfit, clear it when they do not; the problem found, if any."""
        problem = find_overfitting(epochs) if epochs else None
        if problem is None:
            self.clear()
            return None
        last = epochs[-1]
        self.problem = problem
        self.gap = float(last.val_loss - last.train_loss) if last.val_loss is not None else 0.0
        self.region.setRegion((problem.epoch - 1, last.epoch))
        self.label.setText(
            f"Overfitting from epoch {problem.epoch}: validation loss {self.gap:.3g} above training at epoch {last.epoch}\ntry: {REMEDIES}"
        )
        if not self._shown:
            self.plot.addItem(self.region, ignoreBounds=True)
            self.plot.addItem(self.label, ignoreBounds=True)
            self._shown = True
        self._place_label()
        return problem

    def clear(self) -> None:
        self.problem = None
        if self._shown:
            self.plot.removeItem(self.region)
            self.plot.removeItem(self.label)
            self._shown = False

    def _place_label(self, *_: object) -> None:
        if not self._shown or self.problem is None:
            return
        (_, _), (_, top) = self.plot.vb.viewRange()
        self.label.setPos(self.problem.epoch - 1, top)
