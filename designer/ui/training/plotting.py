"""The look shared by every pyqtgraph plot of the training panel: light
background, muted axes, one colour per class."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem, QLabel, QWidget

from designer.ui.paint_clock import times_its_paints

BACKGROUND = "#ffffff"
AXIS = "#57606a"
# Class colours (points, boundary regions); tab10-like, readable on white.
CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


POINT_OUTLINE = "#1f2328"  # data points over a class plane
PALE = 0.65  # a class plane's colours, blended toward white so the points over it stand out


def class_colour(k: int, alpha: int = 255) -> QColor:
    colour = QColor(CLASS_COLOURS[int(k) % len(CLASS_COLOURS)])
    colour.setAlpha(alpha)
    return colour


def class_plane_rgb(classes: np.ndarray, confidence: np.ndarray, count: int) -> np.ndarray:
    """(H, W, 3) uint8 picture of a classifier over a plane: each point in its
    predicted class's colour (the colours of the data points and of every other
    plot), toward white where the network is unsure. Two classes are white where
    they tie; with more, a faint hue stays even at low confidence (a third of the
    classes' probabilities each is not a tie of two)."""
    colours = np.array([QColor(c).getRgb()[:3] for c in CLASS_COLOURS], dtype=np.float32)
    sure = np.clip((confidence - 0.5) * 2, 0, 1)[..., None]
    strength = sure if count <= 2 else 0.25 + 0.75 * sure
    rgb = 255 * (1 - strength) + colours[classes % len(colours)] * strength
    return (255 - (255 - rgb) * PALE).astype(np.uint8)


def extent(data: np.ndarray, log: bool) -> tuple[float, float] | None:
    """(min, max) of the finite values (of log10 of the positive ones on a log axis); None without any."""
    data = data[np.isfinite(data)]
    if log:
        data = np.log10(data[data > 0])
    return (float(data.min()), float(data.max())) if len(data) else None


def style_plot(plot: pg.PlotItem, left: str = "", bottom: str = "") -> pg.PlotItem:
    """Muted axes with labels, no context menu or A button (the panel has its own controls).

    No grid: pyqtgraph draws grid lines as part of the axes, which makes every
    new point repaint the axes and their text too (about four times the cost of
    a frame without); the crosshair readout gives exact values instead."""
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(AXIS))
        axis.setTextPen(pg.mkPen(AXIS))
        axis.enableAutoSIPrefix(False)  # a loss of 0.6 reads 0.6, not 600 x0.001
        axis.setStyle(hideOverlappingLabels=True)  # a small plot drops tick labels rather than print them over each other
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # redrawn when its range changes, not with every curve
    if left:
        plot.setLabel("left", left, color=AXIS)
    if bottom:
        plot.setLabel("bottom", bottom, color=AXIS)
    plot.hideButtons()
    plot.setMenuEnabled(False)
    return plot


class LogAxis(pg.AxisItem):
    """A log-scale axis that labels only 1, 2 and 5 times a power of ten: over
    less than a decade pyqtgraph labels every minor tick (0.04, 0.05, ... 0.09),
    which a small plot prints on top of each other. The other ticks stay, unlabelled."""

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802 - pyqtgraph override
        strings = super().logTickStrings(values, scale, spacing)
        kept = []
        for value, text in zip(values, strings):
            exponent = float(value) + math.log10(scale)
            mantissa = round(10 ** (exponent - math.floor(exponent + 1e-9)), 6)
            kept.append(text if mantissa in (1.0, 2.0, 5.0) else "")
        return kept


class EpochAxis(pg.AxisItem):
    """An axis of whole epochs: over a range of an epoch or two pyqtgraph ticks
    fractions (0.2, 0.4, ...), which a small plot prints on top of each other,
    and an epoch 0.4 means nothing to the reader."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:  # noqa: N802, N803 - pyqtgraph override
        whole = [(spacing, offset) for spacing, offset in super().tickSpacing(minVal, maxVal, size) if spacing >= 1]
        return whole or [(1.0, 0.0)]


class Caption(pg.LabelItem):
    """A line of explanation above a plot that wraps to the width it is given.
    As a plot's title it asked for its whole text's width (380 px): in a
    narrow panel the plots were laid out wider than their view and cut off
    at the right, epochs and all."""

    MIN_WIDTH = 60.0

    def resizeEvent(self, ev: object) -> None:  # noqa: N802 - Qt override
        self.item.setTextWidth(max(self.MIN_WIDTH, self.width()))
        super().resizeEvent(ev)

    def updateMin(self) -> None:  # noqa: N802 - pyqtgraph override
        height = self.itemRect().height()
        self.setMinimumWidth(self.MIN_WIDTH)
        self.setMinimumHeight(height)
        self._sizeHint = {
            Qt.SizeHint.MinimumSize: (self.MIN_WIDTH, height),
            Qt.SizeHint.PreferredSize: (self.MIN_WIDTH, height),
            Qt.SizeHint.MaximumSize: (-1, -1),
            Qt.SizeHint.MinimumDescent: (0, 0),
        }
        self.updateGeometry()


@times_its_paints  # a run paces its updates by what they cost to draw
class TimedPlotWidget(pg.PlotWidget):
    """A PlotWidget whose paints count toward a training run's update cost."""


@times_its_paints
class TimedLayoutWidget(pg.GraphicsLayoutWidget):
    """A GraphicsLayoutWidget whose paints count toward a training run's update cost."""


def plot_widget(parent: QWidget | None = None, left: str = "", bottom: str = "") -> pg.PlotWidget:
    widget = TimedPlotWidget(parent, background=BACKGROUND)
    style_plot(widget.getPlotItem(), left, bottom)
    return widget


def class_scatter(
    plot: pg.PlotItem, points: np.ndarray, labels: np.ndarray, size: float = 5, outline: str | None = None
) -> list[pg.ScatterPlotItem]:
    """Points coloured by class: one item per class (a uniform brush each draws far
    faster than one brush per point)."""
    pen = pg.mkPen(outline, width=0.6) if outline else None
    items = []
    for k in np.unique(labels):
        mine = points[labels == k]
        items.append(pg.ScatterPlotItem(mine[:, 0], mine[:, 1], size=size, pen=pen, brush=pg.mkBrush(class_colour(int(k), 210))))
        plot.addItem(items[-1])
    return items


class EmptyNote(QLabel):
    """A sentence in place of a plot that has nothing to show yet (what it will show,
    and when), covering its bare axes. It lies over the plot, in no layout, so showing
    or hiding it never lays the panel out again."""

    MARGIN = 2  # pixels of the plot's edge left around it

    def __init__(self, plot: QWidget, text: str) -> None:
        super().__init__(text, plot)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # the plot's tooltip and clicks go through
        self.setStyleSheet(f"color: {AXIS}; background: {BACKGROUND}; padding: 12px;")  # opaque: the empty axes under it go
        plot.installEventFilter(self)
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        plot, margin = self.parentWidget(), self.MARGIN
        self.setGeometry(margin, margin, max(0, plot.width() - 2 * margin), max(0, plot.height() - 2 * margin))
