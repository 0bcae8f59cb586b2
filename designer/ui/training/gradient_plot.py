"""Per-layer gradient norms over the run (pyqtgraph): one curve per
parameterised node, log y, coloured by depth (viridis: the first layers
dark, the last bright), with a legend under the plot (in as many columns as
the width takes: inside the plot it covered the curves of a narrow panel).
Beside the loss curves, on the same epoch axis; points arrive in the run's
paced updates.

The curves and their legend entries are made once per set of nodes and kept
between runs: making them took 20-30 ms of the UI thread at every run's
start (the legend lays itself out again for each entry), time the training
thread waited for. A new run of the same design only empties them.

A run tells its nodes at its start (``prepare_curves``), and the curves are
made then, a few per pass of the event loop: all 17 of the deep Sigmoid
sample at its first sample took 40 ms of the UI thread in one go.

The curves are pyqtgraph's bare curve items, given log10 norms (the plot's
log scale reads them so): the data items around them took 65 us a setData
against 7, for 17 curves at every update. A run's first sample, which draws
no line, shows as one dot per node, all of them one scatter item.

The axes do not follow every point: the epoch axis doubles when the points
reach its end (up to the run's planned epochs, so the curves fill at least
half of it), and the norm axis spans whole decades around the values,
changed only when a value leaves them. With pyqtgraph's auto range each new
point moved the view, which redrew both axes and made every curve measure
itself again: the plot's main cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from designer.insight.probes import GradientSample
from designer.ui.training.plotting import BACKGROUND, EmptyNote, EpochAxis, LogAxis, TimedLayoutWidget, extent, style_plot

CURVES_PER_PASS = 4  # curves made in one pass of the event loop (about 2.5 ms each)
LEGEND_SAMPLE_WIDTH = 28  # pixels of a legend entry besides its name: the line's sample and the spacing


class LegendUnder(pg.LegendItem):
    """pyqtgraph's legend as an item of the plot widget's layout: it sizes
    itself to its entries by moving to the layout's corner, so the layout is
    told to place it again."""

    def updateSize(self) -> None:  # noqa: N802 - pyqtgraph's name
        super().updateSize()
        self.updateGeometry()


class GradientPlot(TimedLayoutWidget):
    """The norm of each node's parameter gradients at every sampled step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground(BACKGROUND)
        self.plot = style_plot(
            self.addPlot(row=0, col=0, axisItems={"left": LogAxis("left"), "bottom": EpochAxis("bottom")}), "gradient norm", "epoch"
        )
        self.plot.setLogMode(y=True)
        self.setToolTip(
            "The norm of each layer's parameter gradients at the sampled steps, on a log scale (first layers dark, last bright)"
        )
        self.legend = LegendUnder(frame=False, labelTextSize="7pt", labelTextColor="#424a53", verSpacing=-6, horSpacing=4)
        self.addItem(self.legend, row=1, col=0)  # under the plot, which takes the rest of the height
        self.curves: dict[str, pg.PlotCurveItem] = {}  # this run's, by node (log10 norms)
        self._kept: dict[str, pg.PlotCurveItem] = {}  # made for an earlier run, empty, for the next run of the same nodes
        self.dots = pg.ScatterPlotItem(size=5, pen=None)  # a single sample's norms, one dot per node
        self.plot.addItem(self.dots)
        self.x: list[float] = []
        self.values: dict[str, list[float]] = {}
        self.batches_per_epoch = 0
        self.plot.disableAutoRange()
        self.epochs = 0  # the run's planned epochs (0: not known)
        self.decades: tuple[int, int] | None = None  # log10 of the norms shown
        self._colours = pg.colormap.get("viridis")  # read from pyqtgraph's file here, not in a run's first update
        self._lut = np.empty((0, 4))  # the colours of the curves being made
        self._to_make: list[str] = []  # nodes whose curves prepare_curves still has to make (ahead of the first sample)
        self._making = QTimer(self)
        self._making.setSingleShot(True)
        self._making.setInterval(0)
        self._making.timeout.connect(self._make_some)
        self.empty = EmptyNote(self, "Each layer's gradient appears here while a run trains")
        self._open_x()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        # pyqtgraph's set-up resizes the widget before the legend is made, and its
        # close() empties the scene (the legend's items gone) before the last resize.
        if hasattr(self, "legend") and not self.closed:
            self._fit_legend()

    def _fit_legend(self) -> None:
        """As many legend columns as the widest name lets fit across the widget."""
        widest = max((label.item.boundingRect().width() for _, label in self.legend.items), default=0.0)
        self.legend.setColumnCount(max(1, int(self.width() // (widest + LEGEND_SAMPLE_WIDTH))) if widest else 1)

    def _open_x(self) -> None:
        """The epoch axis a run opens on: two epochs, or the run's one."""
        self.x_range = (0.0, min(2.0, float(self.epochs or 2)))  # epochs shown (whole epochs: the ticks at the ends are not labelled)
        self.plot.setXRange(*self.x_range, padding=0.02)

    def set_epochs(self, epochs: int) -> None:
        """The run's planned epochs: the epoch axis grows up to them."""
        self.epochs = max(1, epochs)
        self._open_x()

    def clear_run(self, batches_per_epoch: int = 0) -> None:
        """Empty the plot for a new run; the curves are kept for it, hidden until its first sample."""
        self._making.stop()  # curves an earlier run named and did not get: this run names its own
        self._to_make = []
        if self.curves:
            for curve in self.curves.values():
                curve.setData([], [])
            self._kept = self.curves
        self.dots.clear()
        self.legend.setVisible(False)
        self.curves, self.x, self.values = {}, [], {}
        self.decades = None
        self._open_x()
        self.batches_per_epoch = batches_per_epoch
        self.empty.show()

    def add_samples(self, samples: Sequence[GradientSample]) -> None:
        """Append the samples' norms; one setData per curve."""
        if not samples:
            return
        self.empty.hide()
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
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = {nid: np.log10(np.asarray(values)) for nid, values in self.values.items()}
        for nid, curve in self.curves.items():
            curve.setData(x, logs[nid], connect="finite")
        self._show_dots()
        self._show_x(float(x.max()) if len(x) else 0.0)
        self._show_decades()

    def _show_dots(self) -> None:
        """A single sample draws no line (a short run samples once): a dot in
        each shown curve's colour shows it, until the second sample draws the
        lines. Again when a curve is hidden or shown (its legend entry)."""
        if len(self.x) != 1:
            if len(self.dots.data):
                self.dots.clear()
            return
        shown = [
            (math.log10(self.values[nid][0]), curve.opts["pen"].color())
            for nid, curve in self.curves.items()
            if curve.isVisible() and math.isfinite(self.values[nid][0])
        ]
        colours = [colour for _, colour in shown]
        self.dots.setData(x=[self.x[0]] * len(shown), y=[y for y, _ in shown], brush=colours, pen=colours)

    def _show_x(self, last: float) -> None:
        """Double the epoch axis when the points reach its end, up to the planned epochs (or past them, a resumed run)."""
        right = self.x_range[1]
        if last < right:
            return
        while right <= last:
            right *= 2
        if self.epochs and last < self.epochs:
            right = min(right, float(self.epochs))
        self.x_range = (0.0, right)
        self.plot.setXRange(*self.x_range, padding=0.02)

    def _show_decades(self) -> None:
        """Whole decades around every value shown; the view changes only when a value leaves them."""
        found = extent(np.array([v for vs in self.values.values() for v in vs], dtype=np.float64), log=True)
        if found is None:
            return
        low, high = found
        shown = self.decades
        if shown is not None and shown[0] <= low and high <= shown[1]:
            return
        decades = (int(np.floor(low)), max(int(np.ceil(high)), int(np.floor(low)) + 1))
        self.decades = decades
        self.plot.setYRange(*decades, padding=0.05)

    def latest(self) -> dict[str, float]:
        """Each node's newest norm."""
        return {nid: values[-1] for nid, values in self.values.items() if values}

    def prepare_curves(self, nodes: Sequence[str]) -> None:
        """Make the curves for a run's ``nodes`` before its first sample arrives,
        ``CURVES_PER_PASS`` per pass of the event loop (kept ones serve as they are)."""
        nodes = list(nodes)
        if self.curves or list(self._kept) == nodes:
            return
        self._start_curves(nodes)
        self._make_some()

    def _start_curves(self, nodes: list[str]) -> None:
        for curve in self._kept.values():
            self.plot.removeItem(curve)
        self.legend.clear()
        self._kept = {}
        self._to_make = list(nodes)
        self._lut = self._colours.getLookupTable(0.0, 0.9, max(2, len(nodes)))

    def _make_some(self, every_one: bool = False) -> None:
        """Make the next ``CURVES_PER_PASS`` curves of ``_to_make`` (or all) into the kept ones."""
        count = len(self._to_make) if every_one else CURVES_PER_PASS
        todo, self._to_make = self._to_make[:count], self._to_make[count:]
        # The legend measures all its entries again after each one is added: half the cost of
        # making 17 curves (30 ms of the UI thread). It measures them once, after the last pass.
        self.legend.updateSize = lambda: None
        try:
            for nid in todo:
                colour = self._lut[len(self._kept)]
                curve = pg.PlotCurveItem(pen=pg.mkPen(tuple(int(c) for c in colour[:3]), width=1.6), name=nid)
                self.plot.addItem(curve)
                self.legend.addItem(curve, nid)
                curve.visibleChanged.connect(self._show_dots)  # a click on its legend entry hides or shows it
                self._kept[nid] = curve
        finally:
            del self.legend.updateSize
        if self._to_make:
            self._making.start()
        else:  # measured and placed once, every entry in it: each pass's new rows laid the whole plot out again
            self._fit_legend()
            self.legend.updateSize()

    def _make_curves(self, sample: GradientSample) -> None:
        nodes = [nid for i, nid in enumerate(sample.nodes) if math.isfinite(sample.grad_norm[i])]
        if self._to_make:  # the run's curves are still being made: finish them now
            self._making.stop()
            self._make_some(every_one=True)
        if list(self._kept) != nodes:
            self._start_curves(nodes)
            self._make_some(every_one=True)
        self.legend.setVisible(True)
        self.values = {nid: [] for nid in nodes}
        self.curves, self._kept = self._kept, {}
