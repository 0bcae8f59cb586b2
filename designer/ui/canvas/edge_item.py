"""A wire between two nodes: a cubic Bézier curve labelled with the shape of
the tensor that flows on it; red when the shapes conflict at its target."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from designer.graph import Edge
from designer.ui import style


def bezier(start: QPointF, end: QPointF) -> QPainterPath:
    """An S-curve leaving to the right and arriving from the left. A long
    wire along one row arcs above it, so a skip connection never hides
    behind the layers it skips."""
    span = end.x() - start.x()
    dx = max(40.0, abs(span) * 0.5)
    path = QPainterPath(start)
    if span > 2 * style.NODE_WIDTH and abs(end.y() - start.y()) < 8:
        lift = min(90.0, 0.12 * span)
        path.cubicTo(QPointF(start.x() + dx * 0.6, start.y() - lift * 1.3), QPointF(end.x() - dx * 0.6, end.y() - lift * 1.3), end)
        return path
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


class EdgeItem(QGraphicsPathItem):
    def __init__(self, edge: Edge) -> None:
        super().__init__()
        self.edge = edge
        self.label = ""
        self.conflict = False
        self.setZValue(style.Z_EDGE)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self._font = QFont()
        self._font.setPointSizeF(7.5)
        self._label_rect = QRectF()

    def set_ends(self, start: QPointF, end: QPointF) -> None:
        self.prepareGeometryChange()
        self.setPath(bezier(start, end))
        self._place_label()

    def set_state(self, label: str, conflict: bool) -> None:
        if (label, conflict) != (self.label, self.conflict):
            self.prepareGeometryChange()
            self.label, self.conflict = label, conflict
            self.setToolTip(f"{self.edge.source} → {self.edge.target}: {label}" if label else "")
            self._place_label()
            self.update()

    def _place_label(self) -> None:
        if not self.label:
            self._label_rect = QRectF()
            return
        middle = self.path().pointAtPercent(0.5)
        width = QFontMetricsF(self._font).horizontalAdvance(self.label) + 10
        self._label_rect = QRectF(middle.x() - width / 2, middle.y() - 16, width, 14)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return super().boundingRect().adjusted(-4, -4, 4, 4).united(self._label_rect)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        return stroker.createStroke(self.path())

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        zoom = option.levelOfDetailFromTransform(painter.worldTransform())
        colour = style.SELECTION if self.isSelected() else style.EDGE_CONFLICT if self.conflict else style.EDGE
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, zoom >= style.DETAIL_ZOOM)
        painter.setPen(QPen(colour, 3.0 if self.isSelected() or self.conflict else 2.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if self.label and zoom >= style.DETAIL_ZOOM:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(style.LABEL_BACKGROUND)
            painter.drawRoundedRect(self._label_rect, 4, 4)
            painter.setFont(self._font)
            painter.setPen(style.EDGE_CONFLICT if self.conflict else style.TEXT_MUTED)
            painter.drawText(self._label_rect, Qt.AlignmentFlag.AlignCenter, self.label)


class DraftEdgeItem(QGraphicsPathItem):
    """The wire that follows the mouse while a connection is being drawn."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(style.Z_DRAFT)
        pen = QPen(style.SELECTION, 2.0, Qt.PenStyle.DashLine)
        self.setPen(pen)

    def set_ends(self, start: QPointF, end: QPointF) -> None:
        self.setPath(bezier(start, end))
