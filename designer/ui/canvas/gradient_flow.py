"""Gradient flow and live training warnings drawn over the canvas, kept out of
the model: the scene owns one ``GradientFlowOverlay`` and feeds it a run's
newest per-node gradient norms and the problems found so far.

Each node gets a bar above its box: its length and colour place the norm of
the gradient reaching the node's output on a log scale (the decades of the
norms now shown); the colours are the red half of the one diverging scale
(designer.insight.colors), white for the weakest, red for the strongest.
Each wire is coloured by how the gradient changes crossing it backward, the
ratio of the norm at its source to the norm at its target on the same
diverging scale over two decades: blue where it shrinks, red where it grows,
thicker the more. A legend fixed in the view's corner says so.

A problem found while training puts an amber tag on the node's top-left
corner (design problems keep their round badge on the right); its tooltip is
the message and what to do.

Items are children of the node and wire items, so they move with them and
never invalidate the nodes' cached drawing; an update repaints only the items
whose drawn value changed. Each item keeps its drawing as a pixmap
(``DeviceCoordinateCache``), as the nodes do: a wire's box spans the nodes it
joins, so without it every repaint of a node, a bar or a unit map under a
wire ran the wire's Python ``paint`` again, holding the interpreter the
training thread needs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QLabel, QStyleOptionGraphicsItem, QWidget

from designer.data.deferred import deferred
from designer.insight.colors import POSITIVE, ZERO, diverging_rgb
from designer.ui import style
from designer.ui.canvas.edge_item import EdgeItem
from designer.ui.canvas.node_item import NodeItem

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")  # imported when a run's gradients are first drawn, not at start

TRAINING_TAG = QColor("#b7791f")  # amber, darker than the design warning's yellow
TRACK = QColor(225, 229, 234)
BAR_HEIGHT = 7.0
BAR_INSET = 14.0  # clear of the tag on the left and the design badge on the right
RATIO_DECADES = 2.0  # a wire's colour saturates at a gradient 100 times smaller or larger across it
LEVELS = 64  # drawn values are quantised: a change below one level repaints nothing


def magnitude_rgb(t: np.ndarray) -> np.ndarray:
    """``t`` in [0, 1] -> uint8 RGB from white to the diverging scale's red (its positive half)."""
    t = np.clip(np.asarray(t, np.float64), 0.0, 1.0)[..., None]
    low, high = np.array(ZERO, np.float64), np.array(POSITIVE, np.float64)
    return np.rint(low + (high - low) * t).astype(np.uint8)


def log_range(values: Mapping[str, float]) -> tuple[float, float] | None:
    """Whole decades (low, high) around the finite positive values; None without any."""
    logs = [math.log10(v) for v in values.values() if math.isfinite(v) and v > 0]
    if not logs:
        return None
    low, high = math.floor(min(logs)), math.ceil(max(logs))
    return float(low), float(max(high, low + 1))


class GradientBar(QGraphicsItem):
    """A node's gradient norm as a bar above its box."""

    def __init__(self, parent: NodeItem) -> None:
        super().__init__(parent)
        self.level = -1  # quantised position on the scale; -1: none
        self.colour = QColor(TRACK)
        self.setZValue(1)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_value(self, norm: float, scale: tuple[float, float]) -> bool:
        """Show ``norm`` on the decades ``scale``; False when nothing drawn changes."""
        low, high = scale
        t = (math.log10(norm) - low) / (high - low) if math.isfinite(norm) and norm > 0 else -1.0
        level = -1 if t < 0 else min(LEVELS, round(t * LEVELS))
        self.setToolTip(f"gradient norm at this node's output: {norm:.3g}" if level >= 0 else "no gradient reaches this node's output")
        if level == self.level:
            return False
        self.level = level
        self.colour = QColor(*magnitude_rgb(np.array(level / LEVELS)).tolist()) if level >= 0 else QColor(TRACK)
        self.update()
        return True

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF(BAR_INSET - 1, -BAR_HEIGHT - 4, style.NODE_WIDTH - 2 * BAR_INSET + 2, BAR_HEIGHT + 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        track = QRectF(BAR_INSET, -BAR_HEIGHT - 3, style.NODE_WIDTH - 2 * BAR_INSET, BAR_HEIGHT)
        painter.setPen(QPen(style.NODE_BORDER, 0.8))
        painter.setBrush(TRACK)
        painter.drawRoundedRect(track, 2, 2)
        if self.level > 0:
            filled = QRectF(track.left(), track.top(), track.width() * self.level / LEVELS, track.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.colour)
            painter.drawRoundedRect(filled, 2, 2)


class WireFlow(QGraphicsItem):
    """A wire drawn again in the colour and width of the gradient's change across it."""

    def __init__(self, parent: EdgeItem) -> None:
        super().__init__(parent)
        self.wire = parent
        self.level = 0  # quantised log ratio, in LEVELS per RATIO_DECADES
        self.setZValue(1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_ratio(self, ratio: float) -> bool:
        """``ratio``: norm at the source over norm at the target; False when nothing drawn changes."""
        ratio_log = math.log10(ratio) if math.isfinite(ratio) and ratio > 0 else 0.0
        level = round(max(-1.0, min(1.0, ratio_log / RATIO_DECADES)) * LEVELS)
        self.setToolTip(f"going backward the gradient is {ratio:.3g} times as large after this wire's target" if ratio_log else "")
        if level == self.level:
            return False
        self.level = level
        self.update()
        return True

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self.wire.path().boundingRect().adjusted(-6, -6, 6, 6)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if self.level == 0:
            return
        t = self.level / LEVELS
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(*diverging_rgb(np.array(t), 1.0).tolist()), 2.0 + 4.0 * abs(t))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.wire.path())


class TrainingTag(QGraphicsItem):
    """An amber tag on a node with problems found while training; tooltip: what and what to do."""

    def __init__(self, parent: NodeItem) -> None:
        super().__init__(parent)
        self.lines: list[str] = []
        self.setZValue(2)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_lines(self, lines: list[str]) -> bool:
        if lines == self.lines:
            return False
        self.lines = list(lines)
        self.setToolTip("While training:\n" + "\n".join(f"• {line}" for line in lines))
        self.update()
        return True

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF(-11, -12, 22, 20)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        body = QRectF(-10, -11, 20, 18)
        path = QPainterPath()
        path.addRoundedRect(body, 4, 4)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("white"), 1.5))
        painter.setBrush(TRAINING_TAG)
        painter.drawPath(path)
        font = QFont(painter.font())
        font.setBold(True)
        font.setPointSizeF(8.5)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(body, Qt.AlignmentFlag.AlignCenter, f"{len(self.lines)}" if len(self.lines) > 1 else "!")


class FlowLegend(QLabel):
    """What the colours mean, fixed in the view's bottom-left corner (the top
    belongs to the banner that says the design is locked while it trains).
    One line by default, so it hides little of the design; a click opens the
    full explanation and another folds it again (its tooltip has it too)."""

    def __init__(self, view: QGraphicsView) -> None:
        super().__init__(view)
        self.setObjectName("gradientFlowLegend")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setStyleSheet("QLabel { background: rgba(255,255,255,235); border: 1px solid #b8bec6; border-radius: 4px; padding: 3px 6px; }")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.expanded = False
        self.view = view
        view.installEventFilter(self)
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        scroll = self.view.horizontalScrollBar()
        below = scroll.height() if scroll.isVisible() else 0
        self.move(10, max(10, self.view.height() - self.height() - below - 10))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self.set_expanded(not self.expanded)
        event.accept()

    def set_expanded(self, expanded: bool) -> None:
        self.expanded = expanded
        self._write()

    def show_scale(self, scale: tuple[float, float]) -> None:
        if scale == getattr(self, "scale", None) and self.isVisible():
            return
        self.scale = scale
        self._write()
        self.show()
        self.raise_()

    def _write(self) -> None:
        low, high = getattr(self, "scale", (0.0, 0.0))
        white, red = "#ffffff", QColor(*POSITIVE).name()
        blue = QColor(*diverging_rgb(np.array(-1.0), 1.0).tolist()).name()
        bar = (
            f"<span style='background:{white};border:1px solid #999'>&nbsp;1e{low:.0f}&nbsp;</span>"
            f"<span style='background:{red};color:white'>&nbsp;1e{high:.0f}&nbsp;</span>"
        )
        shrinks, grows = f"<span style='color:{blue}'><b>blue</b></span>", f"<span style='color:{red}'><b>red</b></span>"
        tag = f"<span style='background:{TRAINING_TAG.name()};color:white'>&nbsp;!&nbsp;</span>"
        full = (
            "<b>Gradient flow</b> (log scales)<br>"
            f"bar: gradient norm at the node's output, {bar} (red half of the weight scale)<br>"
            f"wire, going backward: {shrinks} the gradient shrinks, {grows} it grows (saturated at {10**RATIO_DECADES:.0f}×)<br>"
            f"{tag} a problem found while training (hover it)"
        )
        short = f"<b>Gradient flow</b> bar {bar} · wire {shrinks} shrinks, {grows} grows · {tag} problem &nbsp;<u>more</u>"
        self.setText(full + "<br><u>less</u>" if self.expanded else short)
        self.setToolTip(full)
        self.adjustSize()
        self._place()


class GradientFlowOverlay:
    """The scene's gradient-flow items, warning tags and legend."""

    def __init__(self) -> None:
        self.bars: dict[str, GradientBar] = {}
        self.wires: dict[object, WireFlow] = {}
        self.tags: dict[str, TrainingTag] = {}
        self.legends: list[FlowLegend] = []
        self.norms: dict[str, float] = {}
        self.fingerprint: str | None = None
        self.repainted = 0  # items repainted by the last update (only changed values repaint)

    @property
    def shown(self) -> bool:
        return bool(self.bars or self.tags)

    def show(
        self,
        nodes: Mapping[str, NodeItem],
        edges: Mapping[object, EdgeItem],
        norms: Mapping[str, float],
        views: list[QGraphicsView],
        fingerprint: str,
    ) -> None:
        """Draw ``norms`` (node id -> gradient norm at its output) on the nodes and wires."""
        self.fingerprint, self.norms = fingerprint, dict(norms)
        scale = log_range(norms)
        repainted = 0
        for nid, item in nodes.items():
            if nid not in norms or scale is None:
                if nid in self.bars:
                    _drop(self.bars.pop(nid))
                continue
            bar = self.bars.get(nid) or self.bars.setdefault(nid, GradientBar(item))
            repainted += bar.set_value(norms[nid], scale)
        for edge, wire in edges.items():
            source, target = norms.get(edge.source, math.nan), norms.get(edge.target, math.nan)  # type: ignore[attr-defined]
            usable = all(math.isfinite(v) and v > 0 for v in (source, target))
            if not usable:
                if edge in self.wires:
                    _drop(self.wires.pop(edge))
                continue
            flow = self.wires.get(edge) or self.wires.setdefault(edge, WireFlow(wire))
            repainted += flow.set_ratio(source / target)
        self.repainted = repainted
        if scale is not None:
            self._legends(views, scale)

    def show_problems(self, nodes: Mapping[str, NodeItem], lines: Mapping[str, list[str]], fingerprint: str) -> None:
        """Tag each node of ``lines`` (node id -> problem lines); tags of other nodes go."""
        self.fingerprint = fingerprint
        for nid in [n for n in self.tags if n not in lines or n not in nodes]:
            _drop(self.tags.pop(nid))
        for nid, text in lines.items():
            if nid in nodes:
                tag = self.tags.get(nid) or self.tags.setdefault(nid, TrainingTag(nodes[nid]))
                tag.set_lines(text)

    def clear(self) -> None:
        for item in [*self.bars.values(), *self.wires.values(), *self.tags.values()]:
            _drop(item)
        self.bars, self.wires, self.tags, self.norms = {}, {}, {}, {}
        for legend in self.legends:
            legend.hide()
            legend.deleteLater()
        self.legends = []

    def _legends(self, views: list[QGraphicsView], scale: tuple[float, float]) -> None:
        alive = {id(legend.parent()) for legend in self.legends}
        self.legends += [FlowLegend(view) for view in views if id(view) not in alive]
        for legend in self.legends:
            legend.show_scale(scale)


def _drop(item: QGraphicsItem) -> None:
    if not shiboken6.isValid(item):  # deleted with its node or wire (removed from the design)
        return
    scene = item.scene()
    if scene is not None:
        scene.removeItem(item)
    item.setParentItem(None)
