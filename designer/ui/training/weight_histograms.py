"""Weight histograms over epochs for one node: a heat map, epochs across and
the node's fixed bins up (designer.insight.probes.WeightHistogramProbe), the
count of each bin on a log scale in the sequential white-to-red scale of the
gradient flow. The node is chosen in the box above or by selecting it on the
canvas.

The probes' time budget takes a histogram at some epoch ends only: each
epoch's column shows the newest histogram taken by then, so the axis reads
in epochs. The view is set to those epochs and the node's bins only when
they change (a new histogram, another node), not through pyqtgraph's auto
range, which measured the image again at every update.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget

from designer.insight.probes import WeightHistograms
from designer.ui.canvas.gradient_flow import magnitude_rgb
from designer.ui.training.plotting import BACKGROUND, EmptyNote, EpochAxis, TimedLayoutWidget, style_plot


class WeightHistogramView(QWidget):
    """The chosen node's parameter histograms over the epochs (0: the initialisation)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.node_box = QComboBox(self)
        self.node_box.setToolTip("The node whose weights are shown (or select it on the canvas)")
        self.node_box.currentTextChanged.connect(lambda _: self._draw())
        self.canvas = TimedLayoutWidget(self)
        self.canvas.setBackground(BACKGROUND)
        self.plot = style_plot(self.canvas.addPlot(row=0, col=0, axisItems={"bottom": EpochAxis("bottom")}), "weights", "epoch")
        self.node_box.setToolTip(
            "The node whose parameters are shown, one histogram per epoch (0: at the start); "
            "the count in each bin white to red on a log scale. Selecting a node on the canvas chooses it too."
        )
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.plot.disableAutoRange()
        layout.addWidget(self.node_box)
        layout.addWidget(self.canvas, 1)
        self.empty = EmptyNote(self.canvas, "Each layer's weights, epoch by epoch, appear here while a run trains")
        self.samples: list[WeightHistograms] = []
        self._shown: tuple[float, float, float, float] | None = None  # the view's range now

    @property
    def node(self) -> str:
        return self.node_box.currentText()

    def clear_run(self) -> None:
        self.samples = []
        self.node_box.blockSignals(True)
        self.node_box.clear()
        self.node_box.blockSignals(False)
        self.image.clear()
        self.empty.show()

    def add_samples(self, samples: Sequence[WeightHistograms]) -> None:
        if not samples:
            return
        self.empty.hide()
        if not self.samples:
            self.node_box.blockSignals(True)
            self.node_box.addItems(list(samples[0].nodes))
            self.node_box.blockSignals(False)
        self.samples.extend(samples)
        self._draw()

    def select(self, node: str) -> None:
        """Show ``node`` when it has weights."""
        index = self.node_box.findText(node)
        if index >= 0:
            self.node_box.setCurrentIndex(index)

    def matrix(self) -> np.ndarray:
        """(bins, histograms) counts of the chosen node, one column per histogram taken; empty without samples."""
        node = self.node
        columns = [s.of(node)[1] for s in self.samples if node in s.nodes]
        return np.stack(columns, axis=1) if columns else np.zeros((0, 0))

    def _draw(self) -> None:
        counts = self.matrix()
        if not counts.size:
            self.image.clear()
            return
        edges = self.samples[0].of(self.node)[0]
        taken = np.array([s.epoch for s in self.samples if self.node in s.nodes])
        # The probes' time budget skips epochs: each epoch's column shows the newest histogram taken by then,
        # so the axis reads in epochs (a column per histogram put epoch 10 where epoch 900 was).
        first, last = int(taken[0]), int(taken[-1])
        newest = np.searchsorted(taken, np.arange(first, last + 1), side="right") - 1
        shade = np.log1p(counts) / max(np.log1p(counts.max()), 1e-12)
        self.image.setImage(magnitude_rgb(shade[:, newest]), autoLevels=False)
        self.image.setRect(QRectF(first - 0.5, float(edges[0]), float(len(newest)), float(edges[-1] - edges[0])))
        shown = (first - 0.5, last + 0.5, float(edges[0]), float(edges[-1]))
        if shown != self._shown:  # a new histogram (a few per run, within the probes' budget) or another node
            self._shown = shown
            self.plot.setRange(xRange=shown[:2], yRange=shown[2:])
