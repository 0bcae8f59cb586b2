"""An activation layer: the function and its derivative over the range its
inputs really span, the histogram of those inputs for a probe batch, and the
sentence that names dead ReLUs or saturated Sigmoid/Tanh units."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from designer.ui.insight.colour_scale import BACKGROUND, MUTED, outlined_brushes
from designer.ui.insight.runner import ActivationView
from designer.ui.training.plotting import style_plot

FUNCTION = "#1f2328"
DERIVATIVE = "#8756b0"
FLAT = QColor(215, 58, 73, 40)  # where the layer passes (almost) no gradient


class ActivationPanel(QWidget):
    """The Activation tab for one node."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("Select an activation node (ReLU, Sigmoid, Tanh…) on the canvas.", self)
        self.title.setWordWrap(True)
        column.addWidget(self.title)
        self.plots = pg.GraphicsLayoutWidget(self)
        self.plots.setBackground(BACKGROUND)
        column.addWidget(self.plots, 1)
        self.sentence = QLabel(self)
        self.sentence.setWordWrap(True)
        column.addWidget(self.sentence)
        self.view: ActivationView | None = None
        self.curve_items: list[pg.PlotDataItem] = []

    def clear(self, message: str) -> None:
        self.view = None
        self.plots.clear()
        self.curve_items = []
        self.title.setText(message)
        self.sentence.setText("")

    def show_view(self, view: ActivationView) -> None:
        self.view = view
        self.plots.clear()
        curve, stats = view.curve, view.stats
        low, high = float(curve.x[0]), float(curve.x[-1])
        top = self.plots.addPlot(row=0, col=0)
        style_plot(top, "f(x), f'(x)", "")
        top.setMouseEnabled(False, False)
        # No legend: the title names the solid and the dashed line, and in a short plot a legend covered the curves.
        function = top.plot(curve.x, curve.y, pen=pg.mkPen(FUNCTION, width=2.5), name=f"{curve.layer_type}(x)")
        derivative = top.plot(curve.x, curve.derivative, pen=pg.mkPen(DERIVATIVE, width=2, style=Qt.PenStyle.DashLine), name="derivative")
        self.curve_items = [function, derivative]
        self._mark_flat(top, view, low, high)
        top.setXRange(low, high, padding=0.02)
        bottom = self.plots.addPlot(row=1, col=0)
        style_plot(bottom, "count", "input received")
        bottom.setMouseEnabled(False, False)
        centres = (view.edges[:-1] + view.edges[1:]) / 2
        fills, pens = outlined_brushes(centres)
        bottom.addItem(
            pg.BarGraphItem(x=centres, height=view.counts, width=float(view.edges[1] - view.edges[0]) * 0.95, brushes=fills, pens=pens)
        )
        self._mark_flat(bottom, view, low, high)
        bottom.setXLink(top)
        each = f"{stats.maps[0]} maps of {stats.maps[1]}x{stats.maps[2]}" if stats.maps else f"{stats.units} units"
        bottom.setTitle(f"inputs on {stats.samples} samples ({each} each)", color=MUTED, size="9pt")
        note = f" ({curve.note})" if curve.note else ""
        self.title.setText(
            f"<b>{curve.node}</b> ({curve.layer_type}){note}: the function (solid) and its derivative (dashed) over "
            f"[{low:g}, {high:g}], the range its inputs span; shaded: where it passes almost no gradient."
        )
        warn = (stats.dead or 0) > 0 or (stats.saturated or 0) > 0
        colour = "#d73a49" if warn else "#2a9467"
        self.sentence.setText(f"<span style='color:{colour}'>{stats.sentence}</span>")

    def _mark_flat(self, plot: pg.PlotItem, view: ActivationView, low: float, high: float) -> None:
        stats = view.stats
        regions: list[tuple[float, float]] = []
        if stats.dead is not None:
            regions.append((low, 0.0))
        if stats.threshold is not None:
            regions += [(low, -stats.threshold), (stats.threshold, high)]
        for a, b in regions:
            if b > a:
                region = pg.LinearRegionItem((a, b), movable=False, brush=FLAT, pen=pg.mkPen(None))
                region.setZValue(-10)
                plot.addItem(region)
