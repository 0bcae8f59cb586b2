"""Why the network answered as it did for the chosen sample: an attribution
method (saliency, integrated gradients, occlusion, Grad-CAM on a chosen
convolution) drawn over the image, as bars per feature, or as a time line
over a sequence, with the predicted and the true class."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from designer.insight.colors import diverging_rgb, symmetric_limit
from designer.ui.insight.colour_scale import BACKGROUND, MUTED, ColourLegend, image_item, outlined_brushes, signed_rgb
from designer.ui.training.plotting import style_plot

if TYPE_CHECKING:
    from designer.insight.attribution import Attribution

AXIS_ROOM = 70  # pixels of the bars' plot that its left axis and margins take
TICK_GAP = 8  # pixels between two names under the bars
METHOD_NAMES = {
    "saliency": "Saliency",
    "integrated-gradients": "Integrated gradients",
    "occlusion": "Occlusion",
    "gradcam": "Grad-CAM",
}


def overlay(image: np.ndarray, values: np.ndarray, limit: float) -> np.ndarray:
    """The attribution's colours over a grey version of the image, opaque where it is strong."""
    grey = image if image.ndim == 2 else image.mean(axis=0)
    lo, hi = float(grey.min()), float(grey.max())
    grey = (grey - lo) / max(hi - lo, 1e-6)
    base = np.repeat((255 * (0.35 + 0.65 * grey))[..., None], 3, axis=2)
    colour = diverging_rgb(values, limit).astype(np.float64)
    alpha = np.clip(np.abs(values) / limit, 0, 1)[..., None] * 0.85
    return np.rint(base * (1 - alpha) + colour * alpha).astype(np.uint8)


class ExplainView(QWidget):
    """The Explain tab: the method, Grad-CAM's convolution and the class explained; the picture."""

    request_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Method", self))
        self.method = QComboBox(self)
        for key, name in METHOD_NAMES.items():
            self.method.addItem(name, key)
        self.method.setCurrentIndex(1)
        self.method.setToolTip("How the answer is traced back to the input (captum)")
        row.addWidget(self.method)
        self.node_label = QLabel("on", self)
        row.addWidget(self.node_label)
        self.node = QComboBox(self)
        self.node.setToolTip("Grad-CAM's convolution: deeper ones see larger parts, coarser")
        row.addWidget(self.node)
        row.addWidget(QLabel("explaining", self))
        self.target = QComboBox(self)
        self.target.setToolTip("Which output to explain: the predicted class, or another")
        row.addWidget(self.target)
        row.addStretch(1)
        column.addLayout(row)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # alone, it takes the room
        column.addWidget(self.title)
        self.pictures = pg.GraphicsLayoutWidget(self)
        self.pictures.setBackground(BACKGROUND)
        column.addWidget(self.pictures, 1)
        self.legend = ColourLegend(self, "attribution")
        column.addWidget(self.legend)
        self.attribution: Attribution | None = None
        self.method.currentIndexChanged.connect(self._on_method)
        self.node.currentIndexChanged.connect(lambda _: self.request_changed.emit())
        self.target.currentIndexChanged.connect(lambda _: self.request_changed.emit())
        self._on_method(self.method.currentIndex(), emit=False)

    # ------------------------------------------------------------ choices
    def set_choices(self, convolutions: list[str], class_names: list[str]) -> None:
        """Grad-CAM's nodes (the design's convolutions) and the classes to explain."""
        for box, items in ((self.node, convolutions), (self.target, ["predicted class", *[f"class {n}" for n in class_names]])):
            box.blockSignals(True)
            keep = box.currentText()
            box.clear()
            box.addItems(items)
            if keep in items:
                box.setCurrentText(keep)
            elif box is self.node and items:
                box.setCurrentIndex(len(items) - 1)  # the deepest convolution by default
            box.blockSignals(False)

    def choose_node(self, node: str) -> None:
        """Follow the canvas: a selected convolution becomes Grad-CAM's node."""
        if self.node.findText(node) >= 0 and self.node.currentText() != node:
            self.node.setCurrentText(node)

    @property
    def method_key(self) -> str:
        return str(self.method.currentData())

    @property
    def gradcam_node(self) -> str | None:
        return self.node.currentText() or None

    @property
    def target_class(self) -> int | None:
        index = self.target.currentIndex()
        return None if index <= 0 else index - 1

    def _on_method(self, index: int, emit: bool = True) -> None:
        gradcam = self.method_key == "gradcam"
        self.node.setVisible(gradcam)
        self.node_label.setVisible(gradcam)
        if emit:
            self.request_changed.emit()

    # ------------------------------------------------------------ drawing
    def clear(self, message: str) -> None:
        """The message alone (a refusal, or nothing yet): no empty pictures over a colour scale for nothing."""
        self.attribution = None
        self.pictures.clear()
        self.pictures.hide()
        self.legend.hide()
        self.title.setText(message)

    def show_attribution(self, found: Attribution) -> None:
        self.attribution = found
        self.pictures.clear()
        self.pictures.show()
        self.legend.show()
        values = found.by_position.astype(np.float64)
        limit = symmetric_limit(values)
        positive = found.method == "gradcam"
        if found.kind == "image":
            self._image(found, values, limit)
        elif found.kind == "sequence":
            self._sequence(found, values, limit)
        else:
            self._bars(found, values, limit)
        self.legend.set_limit(limit, "attribution", positive_only=positive)
        self.title.setText(attribution_title(found))

    def _picture(self, column: int, rgb: np.ndarray, title: str) -> None:
        box = self.pictures.addPlot(row=0, col=column)
        style_plot(box)
        box.hideAxis("left")
        box.hideAxis("bottom")
        box.setMouseEnabled(False, False)
        box.addItem(image_item(rgb))
        box.getViewBox().invertY(True)
        box.setAspectLocked(True)
        box.setTitle(title, color=MUTED, size="9pt")
        box.autoRange(padding=0.01)

    def _image(self, found: Attribution, values: np.ndarray, limit: float) -> None:
        image = found.input
        grey = image if image.ndim == 2 else image.mean(axis=0)
        lo, hi = float(grey.min()), float(grey.max())
        shown = np.repeat((255 * (grey - lo) / max(hi - lo, 1e-6)).astype(np.uint8)[..., None], 3, axis=2)
        if image.ndim == 3 and image.shape[0] == 3:
            shown = (255 * (np.moveaxis(image, 0, -1) - image.min()) / max(float(np.ptp(image)), 1e-6)).astype(np.uint8)
        self._picture(0, shown, "the sample")
        self._picture(1, signed_rgb(values, limit), METHOD_NAMES.get(found.method, found.method))
        self._picture(2, overlay(image, values, limit), "over the sample")

    def _sequence(self, found: Attribution, values: np.ndarray, limit: float) -> None:
        top = self.pictures.addPlot(row=0, col=0)
        style_plot(top, "feature", "step")
        top.setMouseEnabled(False, False)
        top.addItem(image_item(signed_rgb(found.input.T)))
        top.getViewBox().invertY(True)
        top.setTitle("the sample (features over time)", color=MUTED, size="9pt")
        line = self.pictures.addPlot(row=1, col=0)
        style_plot(line, "attribution", "step")
        line.setMouseEnabled(False, False)
        fills, pens = outlined_brushes(values, limit)
        line.addItem(pg.BarGraphItem(x=np.arange(len(values)), height=values, width=0.9, brushes=fills, pens=pens))
        line.setXLink(top)
        line.setTitle("attribution per step", color=MUTED, size="9pt")

    def _bars(self, found: Attribution, values: np.ndarray, limit: float) -> None:
        plot = self.pictures.addPlot(row=0, col=0)
        style_plot(plot, "attribution", "feature" if found.kind == "tabular" else "position")
        plot.setMouseEnabled(False, False)
        values = values.reshape(-1)
        fills, pens = outlined_brushes(values, limit)
        plot.addItem(pg.BarGraphItem(x=np.arange(len(values)), height=values, width=0.8, brushes=fills, pens=pens))
        names = found.feature_names
        if names and len(names) == len(values):
            metrics = QFontMetrics(plot.getAxis("bottom").style.get("tickFont") or QApplication.font())
            room = max(1.0, self.pictures.width() - AXIS_ROOM)
            plot.getAxis("bottom").setTicks([readable_ticks(names, values, room, metrics.horizontalAdvance)])
        plot.addLine(y=0, pen=pg.mkPen("#8c959f", style=Qt.PenStyle.DashLine))


def readable_ticks(names: list[str], values: np.ndarray, room: float, width_of: Callable[[str], int]) -> list[tuple[int, str]]:
    """The bars' names that fit under them without overlapping, the largest attributions
    first: the breast cancer data's thirty names, all written, ran into one unreadable line."""
    step = room / len(names)
    taken: dict[int, tuple[float, float]] = {}  # bar -> the pixels its name covers
    for i in (int(k) for k in np.argsort(-np.abs(values), kind="stable")):
        half = (width_of(names[i]) + TICK_GAP) / 2
        left, right = (i + 0.5) * step - half, (i + 0.5) * step + half
        if left >= -step / 2 and right <= room + step / 2 and all(right <= a or left >= b for a, b in taken.values()):
            taken[i] = (left, right)
    return [(i, names[i]) for i in sorted(taken)]


def attribution_title(found: Attribution) -> str:
    """Method, the class explained, predicted and true class, and the convergence delta."""
    parts = [f"<b>{METHOD_NAMES.get(found.method, found.method)}</b>"]
    if found.node:
        parts[0] += f" on {found.node}"
    parts.append(f"explaining {found.class_name(found.target) if found.predicted is not None else f'output {found.target}'}")
    if found.predicted is not None:
        parts.append(f"predicted <b>{found.class_name(found.predicted)}</b>")
    if found.true is not None:
        right = found.true == found.predicted
        colour = "#2a9467" if right else "#d73a49"
        parts.append(f"true <b style='color:{colour}'>{found.class_name(found.true)}</b>")
    if found.delta is not None:
        parts.append(f"convergence delta {found.delta:.2g}")
    tail = (
        "red pushed the answer up, blue pushed it down" if found.method != "gradcam" else "red: the regions the convolution's maps point to"
    )
    return " · ".join(parts) + f"<br><span style='color:{MUTED}'>{tail}</span>"
