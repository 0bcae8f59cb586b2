"""One node's output for the chosen sample, drawn by its shape:

- (channels, H, W) from a convolution or pooling: every feature map in one
  image, tiled in a grid (one ImageItem, however many maps);
- (steps, features): a time-by-feature heat map (time across);
- (units,): a bar per unit;
- an attention node: its attention-weight matrix (target step down, source across);
- a classifier's Output: the class probabilities, the prediction and the true class marked.

Signed values use the one diverging scale, with its legend under the picture.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from designer.insight.colors import symmetric_limit
from designer.ui.insight.colour_scale import BACKGROUND, GAP, MUTED, ColourLegend, image_item, outlined_brushes, signed_rgb
from designer.ui.training.plotting import style_plot

MAX_BARS = 1024  # more units than this are drawn as a strip image


def map_grid(maps: np.ndarray, limit: float | None = None) -> tuple[np.ndarray, int, int]:
    """(C, H, W) maps tiled into one RGB image with a one-pixel grey gap: (image, rows, columns)."""
    count, height, width = maps.shape
    columns = max(1, math.ceil(math.sqrt(count * height / max(width, 1))))
    rows = math.ceil(count / columns)
    limit = symmetric_limit(maps) if limit is None else limit
    grid = np.empty((rows * (height + 1) - 1, columns * (width + 1) - 1, 3), np.uint8)
    grid[:] = GAP
    tiles = signed_rgb(maps, limit)
    for k in range(count):
        r, c = divmod(k, columns)
        grid[r * (height + 1) : r * (height + 1) + height, c * (width + 1) : c * (width + 1) + width] = tiles[k]
    return grid, rows, columns


def thumbnail(values: np.ndarray, attention: np.ndarray | None = None) -> np.ndarray:
    """A small RGB picture of one node's output: maps tiled, a heat map, or a strip of units."""
    if attention is not None:
        return signed_rgb(attention, 1.0)
    values = np.asarray(values)
    if not np.issubdtype(values.dtype, np.floating):
        values = values.astype(np.float32)
    if values.ndim >= 3:
        maps = values.reshape(values.shape[0], -1, *values.shape[-2:])
        return map_grid(maps[:, maps.shape[1] // 2])[0]
    if values.ndim == 2:
        return signed_rgb(values.T)
    flat = values.reshape(1, -1)
    return np.repeat(signed_rgb(flat, symmetric_limit(flat)), max(1, flat.shape[1] // 6), axis=0)


def summary(values: np.ndarray) -> str:
    """Shape and range in one line."""
    shape = "×".join(str(s) for s in values.shape) or "scalar"
    if not values.size:
        return f"[{shape}] (empty)"
    v = values.astype(np.float64, copy=False)
    return f"[{shape}]  min {v.min():.3g}  max {v.max():.3g}  mean {v.mean():.3g}"


TICK_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)  # a neuron's inputs too


def unit_ticks(count: int, most: int = 12) -> list[tuple[float, str]]:
    """Whole-number ticks under ``count`` bars, at most ``most`` of them: units are
    counted (two units had ticks at -0.4, -0.3 ... 1.4)."""
    step = next((s for s in TICK_STEPS if count / s <= most), TICK_STEPS[-1])
    return [(float(i), str(i)) for i in range(0, count, step)]


class TensorView(QWidget):
    """A title, the picture of one tensor, and the colour legend."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.plot = pg.PlotWidget(self, background=BACKGROUND)
        style_plot(self.plot.getPlotItem())
        self.plot.setMouseEnabled(False, False)
        self.legend = ColourLegend(self)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.legend)
        self.mode = ""  # what is drawn: maps, heatmap, bars, attention, probabilities, text
        self.maps = 0  # feature maps in the grid

    def clear(self, message: str = "") -> None:
        """Nothing drawn: the message alone, without empty axes and a colour scale for nothing."""
        self.plot.getPlotItem().clear()
        self.plot.hide()
        self.legend.hide()
        self.title.setText(message)
        self.mode, self.maps = "", 0

    def show_output(
        self,
        title: str,
        values: np.ndarray,
        attention: np.ndarray | None = None,
        probabilities: np.ndarray | None = None,
        class_names: list[str] | None = None,
        predicted: int | None = None,
        true: int | None = None,
    ) -> None:
        """Draw ``values`` (one sample's tensor) by its shape; see the module docstring."""
        plot = self.plot.getPlotItem()
        plot.clear()
        self.plot.show()
        self.maps = 0
        self.legend.setVisible(probabilities is None)  # probabilities are not signed: their colours are named in the title
        note = ""
        if probabilities is not None:
            self._probabilities(plot, probabilities, class_names or [], predicted, true)
            # The range before it is the raw outputs' (logits: -10 to 4.8 over bars from 0 to 1 read as a mistake).
            note = "  (the raw outputs); bars: the class probabilities the loss reads from them, green the true class, red a wrong prediction"
        elif attention is not None:
            self._image(plot, signed_rgb(attention, 1.0), "source step", "target step")
            self.legend.set_limit(1.0, "attention weight", positive_only=True)
            self.mode = "attention"
            note = "  attention weights (heads averaged)"
        elif values.ndim >= 3 and np.issubdtype(values.dtype, np.floating):
            maps = values.reshape(values.shape[0], -1, *values.shape[-2:])
            if maps.shape[1] > 1:
                note = f"  middle slice {maps.shape[1] // 2} of {maps.shape[1]} in depth"
            maps = maps[:, maps.shape[1] // 2]
            limit = symmetric_limit(maps)
            grid, rows, columns = map_grid(maps, limit)
            self._image(plot, grid, "", "", axes=False)
            self.legend.set_limit(limit, "activation")
            self.mode, self.maps = "maps", maps.shape[0]
            count = maps.shape[0]
            note += f"  {count} feature maps ({rows}×{columns})" if count > 1 else "  one map"
        elif values.ndim == 2:
            limit = symmetric_limit(values)
            self._image(plot, signed_rgb(values.T, limit), "step", "feature", square=False)
            self.legend.set_limit(limit, "activation")
            self.mode = "heatmap"
        elif values.ndim == 1 and len(values) <= MAX_BARS:
            self._bars(plot, values.astype(np.float64), "unit")
            self.mode = "bars"
        elif values.ndim == 1:
            limit = symmetric_limit(values)
            self._image(plot, signed_rgb(values[None, :], limit), "unit", "", axes=True, square=False)
            self.legend.set_limit(limit, "activation")
            self.mode = "strip"
        else:
            plot.addItem(pg.TextItem(f"{values.reshape(-1)[:1]}", color=MUTED))
            self.mode = "text"
        self.title.setText(f"<b>{title}</b>  <span style='color:{MUTED}'>{summary(values)}{note}</span>")

    def _image(self, plot: pg.PlotItem, rgb: np.ndarray, bottom: str, left: str, axes: bool = True, square: bool = True) -> None:
        """``rgb`` drawn in ``plot``; ``square`` cells for pictures (feature maps, attention), cells that
        fill the plot for a table of values (a sequence's 16 steps of 32 features were a narrow strip)."""
        plot.addItem(image_item(rgb))
        plot.getViewBox().invertY(True)
        plot.setAspectLocked(square)
        for name in ("left", "bottom"):
            plot.showAxis(name, axes)
            plot.getAxis(name).setTicks(None)  # numbers again: a class's or a unit's ticks stay on an axis until replaced
        if axes:  # setLabel shows its axis
            plot.setLabel("bottom", bottom, color=MUTED)
            plot.setLabel("left", left, color=MUTED)
        plot.autoRange(padding=0.02)

    def _bars(self, plot: pg.PlotItem, values: np.ndarray, bottom: str) -> None:
        limit = symmetric_limit(values)
        fills, pens = outlined_brushes(values, limit)
        x = np.arange(len(values))
        plot.addItem(pg.BarGraphItem(x=x, height=values, width=0.85, brushes=fills, pens=pens))
        plot.getViewBox().invertY(False)
        plot.setAspectLocked(False)
        for name in ("left", "bottom"):
            plot.showAxis(name, True)
        plot.setLabel("bottom", bottom, color=MUTED)
        plot.setLabel("left", "value", color=MUTED)
        plot.getAxis("bottom").setTicks([unit_ticks(len(values))])
        plot.autoRange(padding=0.05)
        self.legend.set_limit(limit, "value")

    def _probabilities(
        self, plot: pg.PlotItem, probabilities: np.ndarray, names: list[str], predicted: int | None, true: int | None
    ) -> None:
        x = np.arange(len(probabilities))
        fills = ["#2a9467" if k == true else "#d73a49" if k == predicted else "#8c959f" for k in x]
        plot.addItem(pg.BarGraphItem(x=x, height=probabilities, width=0.8, brushes=fills, pens=[None] * len(x)))
        plot.getViewBox().invertY(False)
        plot.setAspectLocked(False)
        for name in ("left", "bottom"):
            plot.showAxis(name, True)
        labels = [(k, names[k] if k < len(names) else str(k)) for k in x]
        plot.getAxis("bottom").setTicks([labels] if len(labels) <= 40 else None)
        plot.setLabel("bottom", "class", color=MUTED)
        plot.setLabel("left", "probability", color=MUTED)
        plot.setYRange(0, 1.02, padding=0)
        plot.setXRange(-0.6, len(x) - 0.4, padding=0)
        self.mode = "probabilities"


def regression_text(output: np.ndarray | None, target: np.ndarray | None) -> str:
    """'predicted 0.558, true 0.571 (off by 0.013)' for the headline of a regression's sample;
    over several values, their mean absolute error. '' without a target to compare."""
    if output is None or target is None or output.size != target.size or not target.size:
        return ""
    predicted = np.asarray(output, dtype=np.float64).reshape(-1)
    if predicted.size == 1:
        return f"predicted <b>{predicted[0]:.3g}</b>, true <b>{target[0]:.3g}</b> (off by {abs(predicted[0] - target[0]):.2g})"
    return f"mean absolute error <b>{np.abs(predicted - target).mean():.3g}</b> over its {predicted.size} values"


def probability_text(probabilities: np.ndarray | None, names: list[str], predicted: int | None, true: int | None) -> str:
    """'predicted 3 (94%), true 3' for the panel's headline ('' for a regression)."""
    if probabilities is None or predicted is None:
        return ""

    def name(k: int) -> str:
        return names[k] if 0 <= k < len(names) else str(k)

    verdict = "" if true is None else "  ✓" if predicted == true else "  ✗ misclassified"
    true_text = "" if true is None else f", true <b>{name(true)}</b>"
    return f"predicted <b>{name(predicted)}</b> ({100 * probabilities[predicted]:.0f}%){true_text}{verdict}"
