"""A node's weights: its weight matrix as a heat map (a convolution's filters
as small images), histograms of its weights and biases, and one neuron, the
textbook perceptron: its inputs times its incoming weights plus its bias,
then the activation that follows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from designer.insight.colors import symmetric_limit
from designer.ui.insight.colour_scale import BACKGROUND, GAP, MUTED, ColourLegend, image_item, outlined_brushes, signed_rgb
from designer.ui.insight.outputs import unit_ticks
from designer.ui.insight.runner import NeuronView, NodeDetails
from designer.ui.training.plotting import style_plot

if TYPE_CHECKING:
    from designer.insight.parameters import ParameterValues

TICK_ROOM = 45  # pixels per input-number tick under a neuron's bars (axis and numbers included)
HISTOGRAM_ROOM = 90  # pixels of height a parameter's histogram needs to be read
MAX_HISTOGRAMS = 4
MAX_FILTERS = (64, 16)  # (output, input) channels drawn as filter tiles


def filter_bands(out: int, inp: int, kh: int, kw: int, room: tuple[float, float] = (1.0, 1.0)) -> int:
    """How many bands of output channels, side by side, draw the filters
    largest in ``room`` (its width and height, or only their ratio): a first
    convolution's sixteen 3x3 filters of one input channel, one under the
    other, were a column three pixels wide in a wide view."""

    def scale(bands: int) -> float:
        rows = -(-out // bands)
        return min(room[0] / (bands * (inp * (kw + 1) + 1) - 2), room[1] / (rows * (kh + 1) - 1))

    return max(range(1, out + 1), key=scale)


def filter_grid(weight: np.ndarray, limit: float, room: tuple[float, float] = (1.0, 1.0), bands: int | None = None) -> np.ndarray:
    """(out, in, kh, kw) filters as one RGB image: a row of tiles per output
    channel, a tile per input channel; the rows in ``bands`` side by side (by
    default as ``filter_bands`` finds for ``room``), the first band holding the
    first channels, a wider gap between bands."""
    out, inp = min(weight.shape[0], MAX_FILTERS[0]), min(weight.shape[1], MAX_FILTERS[1])
    kh, kw = weight.shape[2], weight.shape[3]
    bands = bands or filter_bands(out, inp, kh, kw, room)
    rows = -(-out // bands)
    band_width = inp * (kw + 1) + 1
    grid = np.empty((rows * (kh + 1) - 1, bands * band_width - 2, 3), np.uint8)
    grid[:] = GAP
    tiles = signed_rgb(weight[:out, :inp], limit)
    for r in range(out):
        band, row = divmod(r, rows)
        for c in range(inp):
            top, left = row * (kh + 1), band * band_width + c * (kw + 1)
            grid[top : top + kh, left : left + kw] = tiles[r, c]
    return grid


def parameter_picture(values: np.ndarray, limit: float, room: tuple[float, float] = (1.0, 1.0)) -> tuple[np.ndarray, str, str]:
    """A parameter as an RGB picture drawn in ``room``, with what its axes are: (image, across, down)."""
    if values.ndim == 4:
        out, inp = min(values.shape[0], MAX_FILTERS[0]), min(values.shape[1], MAX_FILTERS[1])
        bands = filter_bands(out, inp, values.shape[2], values.shape[3], room)
        grid = filter_grid(values, limit, bands=bands)
        if bands > 1:
            return grid, f"input channel (kernel each), in {bands} bands", f"output channel ({-(-out // bands)} a band)"
        return grid, "input channel (kernel each)", "output channel"
    if values.ndim == 2:
        return signed_rgb(values, limit), "input", "unit"
    if values.ndim == 3:
        return signed_rgb(values.reshape(values.shape[0], -1), limit), "input × kernel", "output channel"
    flat = values.reshape(1, -1)
    return signed_rgb(flat, limit), "value", ""


def _room(box: pg.ViewBox) -> tuple[float, float]:
    """The width and height a view box has for a picture (square until it is laid out)."""
    rect = box.boundingRect()
    return (rect.width(), rect.height()) if rect.width() > 0 and rect.height() > 0 else (1.0, 1.0)


def _plot(parent: QWidget, left: str = "", bottom: str = "") -> pg.PlotWidget:
    widget = pg.PlotWidget(parent, background=BACKGROUND)
    style_plot(widget.getPlotItem(), left, bottom)
    widget.setMouseEnabled(False, False)
    return widget


class WeightsView(QWidget):
    """The Weights tab for one node."""

    unit_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("Select a node with weights (Linear, convolution) on the canvas.", self)
        self.title.setWordWrap(True)
        column.addWidget(self.title)
        # The plots stay in a stack under the message: hidden (no empty axes and colour scale
        # under "Select a node") yet laid out, so a node's first picture is sized for its room.
        self.stack = QStackedWidget(self)
        self.stack.addWidget(QWidget(self.stack))
        split = QSplitter(Qt.Orientation.Horizontal, self.stack)
        self.stack.addWidget(split)
        left = QWidget(split)
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        self.matrix = _plot(left)
        self.matrix.getPlotItem().getViewBox().invertY(True)
        self.legend = ColourLegend(left, "weight")
        left_column.addWidget(self.matrix, 1)
        left_column.addWidget(self.legend)
        self.histograms = pg.GraphicsLayoutWidget(split)
        self.histograms.setBackground(BACKGROUND)
        neuron = QWidget(split)
        neuron_column = QVBoxLayout(neuron)
        neuron_column.setContentsMargins(0, 0, 0, 0)
        self.unit_row = QWidget(neuron)
        row = QHBoxLayout(self.unit_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Neuron", self.unit_row))
        self.unit = QSpinBox(self.unit_row)
        self.unit.setKeyboardTracking(False)
        self.unit.setToolTip("Which unit (output feature or channel) of the node to look at")
        row.addWidget(self.unit)
        row.addStretch(1)
        neuron_column.addWidget(self.unit_row)
        self.neuron_plot = pg.GraphicsLayoutWidget(neuron)
        self.neuron_plot.setBackground(BACKGROUND)
        neuron_column.addWidget(self.neuron_plot, 1)
        self.formula = QLabel(neuron)
        self.formula.setWordWrap(True)
        self.formula.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # a refusal alone sits at the top
        self.formula.setTextFormat(Qt.TextFormat.RichText)
        neuron_column.addWidget(self.formula)
        split.setSizes([380, 260, 360])
        column.addWidget(self.stack, 1)
        self.details: NodeDetails | None = None
        self.unit.valueChanged.connect(self.unit_changed)

    def clear(self, message: str) -> None:
        self.details = None
        self.title.setText(message)
        self.stack.setCurrentIndex(0)
        self.matrix.getPlotItem().clear()
        self.histograms.clear()
        self.neuron_plot.clear()
        self.formula.setText("")

    def show_details(self, details: NodeDetails) -> None:
        self.details = details
        self.matrix.getPlotItem().clear()
        self.histograms.clear()
        self.stack.setCurrentIndex(1 if details.parameters or details.neuron is not None else 0)
        if not details.parameters:
            self.title.setText(f"<b>{details.node}</b> ({details.layer_type}) has no weights or biases.")
        else:
            names = ", ".join(f"{p.name} {list(p.shape)}" for p in details.parameters)
            self.title.setText(f"<b>{details.node}</b> ({details.layer_type}): {names}")
            self._draw_matrix(details.parameters[0])
            fit = max(1, int(self.histograms.height() / HISTOGRAM_ROOM))  # a transformer layer's twelve were 40 pixels each
            for k, parameter in enumerate(details.parameters[: min(MAX_HISTOGRAMS, fit)]):
                self._draw_histogram(parameter, k)
        self.unit.blockSignals(True)
        self.unit.setRange(0, max(0, details.units - 1))
        if details.neuron is not None:
            self.unit.setValue(details.neuron.neuron.index)
        self.unit.blockSignals(False)
        self.unit.setEnabled(details.neuron is not None)
        self.show_neuron(details.neuron, details.neuron_refusal)

    def _draw_matrix(self, parameter: ParameterValues) -> None:
        limit = symmetric_limit(parameter.values)
        plot = self.matrix.getPlotItem()
        picture, across, down = parameter_picture(parameter.values, limit, _room(plot.getViewBox()))
        plot.addItem(image_item(picture))
        plot.setAspectLocked(parameter.values.ndim == 4)
        plot.setLabel("bottom", across, color=MUTED)
        plot.setLabel("left", down, color=MUTED)
        plot.setTitle(f"{parameter.name} {list(parameter.shape)}", color=MUTED, size="9pt")
        plot.autoRange(padding=0.01)
        self.legend.set_limit(limit, "weight")

    def _draw_histogram(self, parameter: ParameterValues, row: int) -> None:
        counts, edges = parameter.histogram(30)
        centres = (edges[:-1] + edges[1:]) / 2
        plot = self.histograms.addPlot(row=row, col=0)
        style_plot(plot, "count", parameter.name)  # the axis names what is counted: a title took a fifth of the room
        plot.setMouseEnabled(False, False)
        fills, pens = outlined_brushes(centres, symmetric_limit(parameter.values))
        plot.addItem(pg.BarGraphItem(x=centres, height=counts, width=float(edges[1] - edges[0]) * 0.95, brushes=fills, pens=pens))

    def show_neuron(self, view: NeuronView | None, refusal: str = "") -> None:
        self.neuron_plot.clear()
        self.neuron_plot.setVisible(view is not None)  # no empty plot and idle spin box over a refusal
        self.unit_row.setVisible(view is not None)
        if view is None:
            self.formula.setText(refusal)
            return
        neuron = view.neuron
        limit = symmetric_limit(neuron.weights)
        # The weights and the products side by side where the pane is wide (a docked panel
        # at 1280x720 left each about 60 pixels high, one above the other), else stacked.
        width, height = self.neuron_plot.width(), self.neuron_plot.height()
        beside = width > 1.5 * height
        ticks = max(2, int((width / 2 if beside else width) / TICK_ROOM))  # whole-number ticks that fit under each plot
        top = self.neuron_plot.addPlot(row=0, col=0)
        style_plot(top, "weight", "input")
        top.setMouseEnabled(False, False)
        # Short titles: a pyqtgraph title is as wide as its text at least, and two long ones side
        # by side made the plots wider than the pane, cut off at its edge (the sentence below says the rest).
        top.setTitle(f"unit {neuron.index}: {neuron.fan_in} weights in", color=MUTED, size="9pt")
        if neuron.weights.ndim == 1:
            fills, pens = outlined_brushes(neuron.weights, limit)
            top.addItem(pg.BarGraphItem(x=np.arange(neuron.fan_in), height=neuron.weights, width=0.85, brushes=fills, pens=pens))
            top.getAxis("bottom").setTicks([unit_ticks(neuron.fan_in, ticks)])
        else:
            kernels = neuron.weights.reshape(neuron.weights.shape[0], 1, *neuron.weights.shape[1:])
            if kernels.ndim == 4:  # a kernel per input channel, in bands (a single row of them was a thin strip)
                if view.inputs is not None:  # the products' plot takes half the pane
                    width, height = (width / 2, height) if beside else (width, height / 2)
                top.addItem(image_item(filter_grid(kernels, limit, (width, height))))
                # The picture is its own scale: a 3x3 kernel's axes read 0, 0.5 ... 3 under "weight".
                for axis in ("left", "bottom"):
                    top.getAxis(axis).setStyle(showValues=False, tickLength=0)
                top.setLabel("left", "", color=MUTED)
                rows, columns = kernels.shape[-2:]
                each = f" for each of its {len(kernels)} input channels" if len(kernels) > 1 else ""
                top.setLabel("bottom", f"its {rows}x{columns} kernel{each}", color=MUTED)
            else:
                top.addItem(image_item(signed_rgb(neuron.weights.reshape(neuron.weights.shape[0], -1), limit)))
                top.setLabel("bottom", "its kernel for each input channel", color=MUTED)
            top.getViewBox().invertY(True)
            top.setAspectLocked(True)
        if view.inputs is not None:
            product = view.inputs * neuron.weights
            bottom = self.neuron_plot.addPlot(row=0, col=1) if beside else self.neuron_plot.addPlot(row=1, col=0)
            style_plot(bottom, "x·w", "input")
            bottom.setMouseEnabled(False, False)
            bottom.setTitle("input × weight", color=MUTED, size="9pt")
            fills, pens = outlined_brushes(product)
            bottom.addItem(pg.BarGraphItem(x=np.arange(len(product)), height=product, width=0.85, brushes=fills, pens=pens))
            bottom.getAxis("bottom").setTicks([unit_ticks(len(product), ticks)])
        self.formula.setText(perceptron_text(view))


def perceptron_text(view: NeuronView) -> str:
    """inputs · weights + bias = z → activation, in words and numbers."""
    neuron = view.neuron
    bias = "no bias" if neuron.bias is None else f"bias {neuron.bias:+.3g}"
    if view.pre_activation is None:
        return f"Unit {neuron.index} of {neuron.node}: {neuron.fan_in} incoming weights, {bias}."
    weighted = view.pre_activation - (neuron.bias or 0.0)
    text = f"Unit {neuron.index}: Σ input×weight = {weighted:.3g}, {bias} → z = <b>{view.pre_activation:.3g}</b>"
    if view.activation is not None:
        node, value = view.activation
        text += f" → {node} → <b>{value:.3g}</b>"
    return text
