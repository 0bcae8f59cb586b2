"""Per-layer gradient norms over the run (pyqtgraph): one curve per
parameterised node, log y, coloured by depth (viridis: the first layers
dark, the last bright), with a legend. Beside the loss curves, on the same
epoch axis; points arrive in the run's paced updates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from designer.insight.probes import GradientSample
from designer.ui.training.plotting import BACKGROUND, LogAxis, TimedLayoutWidget, style_plot


class GradientPlot(TimedLayoutWidget):
    """The norm of each node's parameter gradients at every sampled step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground(BACKGROUND)
        self.plot = style_plot(self.addPlot(row=0, col=0, axisItems={"left": LogAxis("left")}), "gradient norm", "epoch")
        self.plot.setLogMode(y=True)
        self.setToolTip("The norm of each layer's parameter gradients at the sampled steps, on a log scale (first layers dark, last bright)")
        self.legend = self.plot.addLegend(offset=(-4, 4), labelTextSize="7pt", verSpacing=-6, brush=pg.mkBrush(255, 255, 255, 200))
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.x: list[float] = []
        self.values: dict[str, list[float]] = {}
        self.batches_per_epoch = 0

    def clear_run(self, batches_per_epoch: int = 0) -> None:
        for curve in self.curves.values():
            self.plot.removeItem(curve)
        self.legend.clear()
        self.curves, self.x, self.values = {}, [], {}
        self.batches_per_epoch = batches_per_epoch

    def add_samples(self, samples: Sequence[GradientSample]) -> None:
        """Append the samples' norms; one setData per curve."""
        if not samples:
            return
        for sample in samples:
            if not self.curves:
                self._make_curves(sample)
            per = self.batches_per_epoch
            self.x.append(sample.epoch - 1 + (sample.batch - 1) / per if per else float(sample.epoch))
            for nid in self.curves:
                i = sample.nodes.index(nid)
                value = float(sample.grad_norm[i])
                self.values[nid].append(value if math.isfinite(value) and value > 0 else np.nan)
        x = np.asarray(self.x)
        for nid, curve in self.curves.items():
            curve.setData(x, np.asarray(self.values[nid]), connect="finite")

    def latest(self) -> dict[str, float]:
        """Each node's newest norm."""
        return {nid: values[-1] for nid, values in self.values.items() if values}

    def _make_curves(self, sample: GradientSample) -> None:
        nodes = [nid for i, nid in enumerate(sample.nodes) if math.isfinite(sample.grad_norm[i])]
        colours = pg.colormap.get("viridis").getLookupTable(0.0, 0.9, max(2, len(nodes)))
        for k, nid in enumerate(nodes):
            curve = self.plot.plot(pen=pg.mkPen(tuple(int(c) for c in colours[k][:3]), width=1.6), name=nid)
            self.curves[nid] = curve
            self.values[nid] = []
