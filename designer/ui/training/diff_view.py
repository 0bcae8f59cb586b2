"""The diff of two designs drawn as a canvas: the second design's nodes where
they stand, coloured by what changed (added, changed, renamed, rewired),
and the first design's removed nodes as dashed ghosts where they stood;
wires that appeared are green, wires that went are dashed red.

A read-only picture of its own (no document, no undo): it draws from the
project files' records, so it can show any two runs' designs side by side
with the open one untouched.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem, QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView, QWidget

from designer.runs.diff import ADDED, CHANGED, REMOVED, RENAMED, REWIRED, DesignDiff, Wire
from designer.ui import style
from designer.ui.canvas.edge_item import along_row, bezier

DIFF_COLOURS = {ADDED: "#2a9467", REMOVED: "#c04a46", CHANGED: "#e8710a", RENAMED: "#8756b0", REWIRED: "#2f80ed"}
SAME = "#b8bec6"
NODE_W, NODE_H = 180.0, 56.0
LEGEND = (ADDED, CHANGED, RENAMED, REWIRED, REMOVED)


class DiffScene(QGraphicsScene):
    """Design ``b`` (records) with the changes from ``a`` marked; ``boxes`` maps node ids to their boxes."""

    def __init__(self, a: dict[str, Any], b: dict[str, Any], diff: DesignDiff) -> None:
        super().__init__()
        self.diff = diff
        self.setBackgroundBrush(style.CANVAS_BACKGROUND)
        self.boxes: dict[str, QGraphicsRectItem] = {}
        self.ghosts: dict[str, QGraphicsRectItem] = {}
        self.wires: list[QGraphicsPathItem] = []
        self._by_left: tuple[list[float], list[QRectF]] | None = None  # the boxes by their left edge, made at the first wire along a row
        nodes_b = {n["id"]: n for n in b.get("nodes", [])}
        nodes_a = {n["id"]: n for n in a.get("nodes", [])}
        centres: dict[str, QPointF] = {}
        for node_id, node in nodes_b.items():
            status = diff.status(node_id)
            self.boxes[node_id] = self._box(node, status, _detail(diff, node_id, node))
            centres[node_id] = _position(node)
        for node_id in diff.removed:
            node = nodes_a[node_id]
            self.ghosts[node_id] = self._box(node, REMOVED, "removed")
            centres[f"a:{node_id}"] = _position(node)
        added = set(diff.wires_added)
        for edge in b.get("edges", []):
            wire = Wire(edge["source"], edge["target"], edge.get("port", 0))
            self._wire(centres.get(wire.source), centres.get(wire.target), DIFF_COLOURS[ADDED] if wire in added else None)
        for wire in diff.wires_removed:  # drawn between the nodes as they are now, or their ghosts
            source = centres.get(diff.renamed.get(wire.source, wire.source)) if wire.source not in diff.removed else centres.get(f"a:{wire.source}")
            target = centres.get(diff.renamed.get(wire.target, wire.target)) if wire.target not in diff.removed else centres.get(f"a:{wire.target}")
            self._wire(source, target, DIFF_COLOURS[REMOVED], dashed=True)

    def _box(self, node: dict[str, Any], status: str | None, detail: str) -> QGraphicsRectItem:
        x, y = _position(node).x(), _position(node).y()
        colour = QColor(DIFF_COLOURS.get(status or "", SAME))
        box = QGraphicsRectItem(QRectF(0, 0, NODE_W, NODE_H))
        box.setPos(x, y)
        pen = QPen(colour, 3.0 if status else 1.2, Qt.PenStyle.DashLine if status == REMOVED else Qt.PenStyle.SolidLine)
        box.setPen(pen)
        fill = QColor(colour)
        fill.setAlpha(34 if status else 0)
        box.setBrush(QBrush(style.NODE_BODY) if not status else QBrush(fill))
        box.setZValue(style.Z_NODE)
        box.setToolTip(f"{node['id']} ({node['type']})" + (f": {detail}" if detail else ""))
        title = QGraphicsSimpleTextItem(f"{node['id']}  ·  {node['type']}", box)
        title.setBrush(QBrush(style.TEXT_MUTED if status == REMOVED else style.TEXT))
        title.setPos(8, 6)
        if detail:
            note = QGraphicsSimpleTextItem(_elide(detail, 30), box)
            note.setBrush(QBrush(colour.darker(130)))
            note.setPos(8, 30)
        self.addItem(box)
        return box

    def _wire(self, source: QPointF | None, target: QPointF | None, colour: str | None, dashed: bool = False) -> None:
        if source is None or target is None:
            return
        start = QPointF(source.x() + NODE_W, source.y() + NODE_H / 2)
        end = QPointF(target.x(), target.y() + NODE_H / 2)
        # Drawn as the canvas draws wires: back to the left through the gap between
        # bands, and over the boxes a wire along a row would otherwise pass behind.
        item = QGraphicsPathItem(bezier(start, end, along_row(start, end) and self._boxes_between(start, end)))
        pen = QPen(QColor(colour or style.EDGE.name()), 2.6 if colour else 1.4, Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)
        item.setPen(pen)
        item.setZValue(style.Z_EDGE)
        self.addItem(item)
        self.wires.append(item)

    def _boxes_between(self, start: QPointF, end: QPointF) -> bool:
        """Whether a box stands between a wire's ends, across the height of either. The boxes
        are kept sorted by their left edge, so a wire looks only at those its span holds (a
        diff of two large designs has thousands of wires)."""
        if self._by_left is None:
            areas = sorted((box.sceneBoundingRect() for box in [*self.boxes.values(), *self.ghosts.values()]), key=QRectF.left)
            self._by_left = ([area.left() for area in areas], areas)
        lefts, areas = self._by_left
        for area in areas[bisect_right(lefts, start.x()) : bisect_left(lefts, end.x())]:
            if area.right() < end.x() and any(area.top() <= y <= area.bottom() for y in (start.y(), end.y())):
                return True
        return False


class DiffView(QGraphicsView):
    """A DiffScene fitted to the view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.diff_scene: DiffScene | None = None

    def show_diff(self, a: dict[str, Any], b: dict[str, Any], diff: DesignDiff) -> None:
        self.diff_scene = DiffScene(a, b, diff)
        self.setScene(self.diff_scene)
        self.fit()

    def fit(self) -> None:
        """The nodes and their wires fill the view (a wire's corners, and a curve's control points, lie
        near its boxes: a bridge or a wire back to the left passes above them)."""
        scene = self.diff_scene
        if scene is None:
            return
        boxes = [item.sceneBoundingRect() for item in [*scene.boxes.values(), *scene.ghosts.values(), *scene.wires]]
        if boxes:
            area = boxes[0]
            for box in boxes[1:]:
                area = area.united(box)
            self.fitInView(area.adjusted(-30, -30, 30, 30), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.fit()

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt override
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.scale(factor, factor)


def legend_html() -> str:
    return " ".join(f"<span style='color:{DIFF_COLOURS[s]}'>■</span> {s}" for s in LEGEND)


def _position(node: dict[str, Any]) -> QPointF:
    position = node.get("position") or (0.0, 0.0)
    return QPointF(float(position[0]), float(position[1]))


def _detail(diff: DesignDiff, node_id: str, node: dict[str, Any]) -> str:
    status = diff.status(node_id)  # asked once per node: a diff's lists, searched per node, took seconds for large designs
    if status == CHANGED:
        return ", ".join(c.text() for c in diff.changed[node_id])
    if status == RENAMED:
        return "was " + next(old for old, new in diff.renamed.items() if new == node_id)
    return {ADDED: "added", REWIRED: "inputs rewired"}.get(status or "", "")


def _elide(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
