"""A wire between two nodes: a cubic Bézier curve labelled with the shape of
the tensor that flows on it; red when the shapes conflict at its target."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from designer.graph import Edge
from designer.ui import style
from designer.ui.canvas.node_item import repaint_if_drawn

LEAD = 28.0  # a wire back to the left first goes this far right of its source (and ends this far left of its target)
RUN_ABOVE = 60.0  # its horizontal run passes this far above the target's port
CORNER = 14.0
# A wire whose ends differ by less than this is along one row: a merge's second port sits a
# port spacing lower (a skip into an Add's second input ran straight behind the layers it skipped).
SAME_ROW = 3 * style.PORT_SPACING
# A bridge goes up in the gap after its source, along this far above the higher port (a node's top
# is 46 above its port), down in the gap before its target. (An arc, one curve, dipped into the
# nodes next to its ends.)
BRIDGE_RISE = style.HEADER_HEIGHT + style.BODY_HEIGHT / 2 + 22
BRIDGE_CORNER = 24.0
LABEL_ROOM = 150.0  # the label's width the bounds keep from the start: a new label up to it changes no geometry
LABEL_POINT_SIZE = 7.5
HIT_WIDTH = 12.0  # a click this close to the curve picks the wire (its shape)
_label_widths: dict[str, float] = {}  # label -> its width with the margins: a design's wires share a few labels


def bezier(start: QPointF, end: QPointF, bridge: bool = False, run: float | None = None) -> QPainterPath:
    """An S-curve leaving to the right and arriving from the left. With
    ``bridge`` (the scene found the layers a skip connection skips in its way
    along one row) it bridges over them, so it never hides behind them; with
    ``run`` (a wire to another row whose curve would pass through a layer
    beside its ends) it runs along that height, in the gap between the rows; a wire
    back to the left (from the end of one band of a wrapped layout to the
    start of the next) runs through the gap between the bands."""
    span = end.x() - start.x()
    if span < -LEAD:
        return _return_path(start, end)
    if run is not None and between_rows(start, end):
        return _detour(start, end, run, CORNER)
    if bridge and along_row(start, end):
        return _detour(start, end, min(start.y(), end.y()) - BRIDGE_RISE, BRIDGE_CORNER)
    return s_curve(start, end)


def s_curve(start: QPointF, end: QPointF) -> QPainterPath:
    """The plain wire: out to the right, in from the left."""
    dx = max(40.0, abs(end.x() - start.x()) * 0.5)
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


def along_row(start: QPointF, end: QPointF) -> bool:
    """Whether a wire runs along one row far enough to pass other nodes (a skip connection)."""
    return end.x() - start.x() > 2 * style.NODE_WIDTH and abs(end.y() - start.y()) < SAME_ROW


def between_rows(start: QPointF, end: QPointF) -> bool:
    """Whether a wire goes right into another row, past a column of layers (to the next column
    its curve has nothing between its ends to pass through)."""
    return end.x() - start.x() > style.NODE_WIDTH and abs(end.y() - start.y()) >= SAME_ROW


def _return_path(start: QPointF, end: QPointF) -> QPainterPath:
    """Out to the right, along a horizontal run clear of the nodes, in from the left, with rounded corners."""
    if end.y() - start.y() > 2 * RUN_ABOVE:
        run = end.y() - RUN_ABOVE  # just above the target's band
    elif start.y() - end.y() > 2 * RUN_ABOVE:
        run = start.y() - RUN_ABOVE  # just above the source
    else:
        run = max(start.y(), end.y()) + RUN_ABOVE  # under both
    return _detour(start, end, run, CORNER)


def _detour(start: QPointF, end: QPointF, run: float, corner: float) -> QPainterPath:
    """Out to the right of ``start``, along the height ``run``, in from the left of ``end``:
    straight runs with rounded corners."""
    corners = [
        QPointF(start.x() + LEAD, start.y()),
        QPointF(start.x() + LEAD, run),
        QPointF(end.x() - LEAD, run),
        QPointF(end.x() - LEAD, end.y()),
    ]
    path = QPainterPath(start)
    points = [start, *corners, end]
    for before, at, after in zip(points, points[1:], points[2:]):
        radius = min(corner, _length(at - before) / 2, _length(after - at) / 2)
        path.lineTo(_towards(at, before, radius))
        path.quadTo(at, _towards(at, after, radius))
    path.lineTo(end)
    return path


def _length(p: QPointF) -> float:
    return (p.x() * p.x() + p.y() * p.y()) ** 0.5


def _towards(corner: QPointF, other: QPointF, distance: float) -> QPointF:
    d = other - corner
    length = _length(d)
    return corner if length == 0 else corner + d * (distance / length)


class EdgeItem(QGraphicsPathItem):
    def __init__(self, edge: Edge) -> None:
        super().__init__()
        self.edge = edge
        self.label = ""
        self.conflict = False
        self.setZValue(style.Z_EDGE)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self._font = _label_font()
        self._middle = QPointF()  # the curve's middle, under its label
        self._label_room = LABEL_ROOM  # grows for a longer label, never shrinks
        self._bounds = QRectF()
        self._painted = False  # drawn since the last repaint asked for (see repaint_if_drawn)

    def set_ends(self, start: QPointF, end: QPointF, bridge: bool = False, run: float | None = None) -> None:
        self.prepareGeometryChange()
        path = bezier(start, end, bridge, run)
        self.setPath(path)
        self._middle = path.pointAtPercent(0.5)
        self._bounds = self._measure_bounds(path)

    def set_state(self, label: str, conflict: bool) -> None:
        """Show a new label and conflict state. The bounds keep room for a
        label (LABEL_ROOM wide, or the longest shown): a big design's edit
        that relabels thousands of wires re-indexes none of them."""
        if (label, conflict) != (self.label, self.conflict):
            width = self._label_width(label)
            if width > self._label_room:
                self.prepareGeometryChange()
                self._label_room = width
                self._bounds = self._measure_bounds(self.path())
            self.label, self.conflict = label, conflict
            repaint_if_drawn(self)

    def toolTip(self) -> str:  # noqa: N802 - Qt's name: made when asked (DesignScene.helpEvent), not on every edit
        return f"{self.edge.source} → {self.edge.target}: {self.label}" if self.label else ""

    def _label_rect(self) -> QRectF:
        """Where the label is drawn: centred over the curve's middle."""
        width = self._label_width(self.label)
        return QRectF(self._middle.x() - width / 2, self._middle.y() - 16, width, 14)

    def _label_width(self, label: str) -> float:
        if not label:
            return 0.0
        width = _label_widths.get(label)
        if width is None:
            if len(_label_widths) > 4096:  # a bound, far above the shapes of one design
                _label_widths.clear()
            width = _label_widths[label] = QFontMetricsF(self._font).horizontalAdvance(label) + 10
        return width

    def _measure_bounds(self, path: QPainterPath) -> QRectF:
        """The curve (its ``path``), and where a label up to the room kept for it would be drawn."""
        label = QRectF(self._middle.x() - self._label_room / 2, self._middle.y() - 16, self._label_room, 14)
        margin = HIT_WIDTH / 2  # covers the shape and the widest pen; the curve's control points bound it (no stroke built)
        return path.controlPointRect().adjusted(-margin, -margin, margin, margin).united(label)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._bounds

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(HIT_WIDTH)
        return stroker.createStroke(self.path())

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        self._painted = True
        zoom = option.levelOfDetailFromTransform(painter.worldTransform())
        colour = style.SELECTION if self.isSelected() else style.EDGE_CONFLICT if self.conflict else style.EDGE
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, zoom >= style.DETAIL_ZOOM)
        painter.setPen(QPen(colour, 3.0 if self.isSelected() or self.conflict else 2.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if self.label and zoom >= style.LABEL_ZOOM:  # further out the nodes show their output shapes
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(style.LABEL_BACKGROUND)
            rect = self._label_rect()
            painter.drawRoundedRect(rect, 4, 4)
            painter.setFont(self._font)
            painter.setPen(style.EDGE_CONFLICT if self.conflict else style.TEXT_MUTED)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.label)


_font: QFont | None = None


def _label_font() -> QFont:
    """The labels' font, made once (the widths cached above are measured in it)."""
    global _font
    if _font is None:
        _font = QFont()
        _font.setPointSizeF(LABEL_POINT_SIZE)
    return _font


class DraftEdgeItem(QGraphicsPathItem):
    """The wire that follows the mouse while a connection is being drawn."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(style.Z_DRAFT)
        pen = QPen(style.SELECTION, 2.0, Qt.PenStyle.DashLine)
        self.setPen(pen)

    def set_ends(self, start: QPointF, end: QPointF) -> None:
        self.setPath(bezier(start, end))
