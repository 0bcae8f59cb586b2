"""A layer node on the canvas: header in its category's colour, key
parameters, output shape, input ports on the left, output port on the right,
and a badge when it has a problem.

The item holds no model state of its own beyond what it draws; the scene
refreshes it from the model after every edit.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from designer.ui import style

HIGHLIGHT = QColor("#e8710a")  # the forward stepper's node: orange, apart from selection blue and error red


class NodeItem(QGraphicsItem):
    def __init__(self, node_id: str, type_name: str, category: str) -> None:
        super().__init__()
        self.node_id = node_id
        self.type_name = type_name
        self.colour = style.category_colour(category)
        self.label = ""
        self.shape_text = ""
        self.input_names: list[str] = []
        self.connected_ports: set[int] = set()
        self.has_output = True
        self.problems: list[tuple[str, str]] = []  # (severity, message)
        self.highlighted = False  # outlined: the node the Insight panel's forward stepper is at
        # No itemChange override: with 10,000 nodes the calls into Python
        # dominate. The scene places wires when the model moves a node, the
        # view while the user drags one.
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(style.Z_NODE)
        self._height = style.HEADER_HEIGHT + style.BODY_HEIGHT

    # ---------------------------------------------------------- content
    def set_content(
        self, label: str, shape_text: str, input_names: list[str], connected: set[int], has_output: bool, problems: list[tuple[str, str]]
    ) -> bool:
        """Refresh from the model; repaints only when something changed.
        Returns True when the ports moved (the wires need placing again)."""
        state = (label, shape_text, input_names, connected, has_output, problems)
        if state == (self.label, self.shape_text, self.input_names, self.connected_ports, self.has_output, self.problems):
            return False
        height = style.HEADER_HEIGHT + max(style.BODY_HEIGHT, len(input_names) * style.PORT_SPACING + 8)
        moved = height != self._height or len(input_names) != len(self.input_names)
        if height != self._height:
            self.prepareGeometryChange()
            self._height = height
        self.label, self.shape_text, self.input_names = label, shape_text, list(input_names)
        self.connected_ports, self.has_output, self.problems = set(connected), has_output, list(problems)
        self.setToolTip(self._tooltip())
        self.update()
        return moved

    def set_highlighted(self, highlighted: bool) -> None:
        """Outline the node thickly (a view's state, not the model's)."""
        if highlighted != self.highlighted:
            self.highlighted = highlighted
            self.update()

    def set_id(self, node_id: str) -> None:
        self.node_id = node_id
        self.update()

    def _tooltip(self) -> str:
        lines = [f"<b>{self.type_name}</b> {self.node_id}"]
        if self.shape_text:
            lines.append(f"output {self.shape_text}")
        for severity, message in self.problems:
            colour = "#d73a49" if severity == "error" else "#b07d00"
            lines.append(f'<span style="color:{colour}">{severity}: {message}</span>')
        return "<br>".join(lines)

    # --------------------------------------------------------- geometry
    @property
    def height(self) -> float:
        return self._height

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        r = style.PORT_RADIUS + 2
        return QRectF(-r, -10, style.NODE_WIDTH + 2 * r, self._height + 16)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(-style.PORT_RADIUS, 0, style.NODE_WIDTH + 2 * style.PORT_RADIUS, self._height), 6, 6)
        return path

    def input_port_pos(self, port: int) -> QPointF:
        """Scene-local position of input ``port`` (ports past the list share the last slot)."""
        count = max(1, len(self.input_names))
        port = min(port, count - 1)
        top = style.HEADER_HEIGHT + (self._height - style.HEADER_HEIGHT - (count - 1) * style.PORT_SPACING) / 2
        return QPointF(0.0, top + port * style.PORT_SPACING)

    def output_port_pos(self) -> QPointF:
        return QPointF(style.NODE_WIDTH, style.HEADER_HEIGHT + (self._height - style.HEADER_HEIGHT) / 2)

    def port_at(self, local: QPointF) -> tuple[str, int] | None:
        """("in", port) or ("out", 0) when ``local`` is on a port (generous hit area)."""
        reach = style.PORT_RADIUS + 5
        if self.has_output and _near(local, self.output_port_pos(), reach):
            return ("out", 0)
        for port in range(len(self.input_names)):
            if _near(local, self.input_port_pos(port), reach):
                return ("in", port)
        return None

    # ----------------------------------------------------------- paint
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        zoom = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = self.isSelected()
        body = QRectF(0, 0, style.NODE_WIDTH, self._height)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, zoom >= style.DETAIL_ZOOM)
        if self.highlighted:
            self._draw_highlight(painter, body)
        if zoom < style.DETAIL_ZOOM:
            self._paint_overview(painter, body, zoom, selected)
            return
        border = QPen(style.SELECTION if selected else style.NODE_BORDER, 2.5 if selected else 1.0)
        painter.setPen(border)
        painter.setBrush(style.NODE_BODY)
        painter.drawRoundedRect(body, 6, 6)
        outline = QPainterPath()
        outline.addRoundedRect(body.adjusted(0.5, 0.5, -0.5, 0), 6, 6)
        painter.save()
        painter.setClipPath(outline)
        painter.fillRect(QRectF(0, 0, style.NODE_WIDTH, style.HEADER_HEIGHT), self.colour)
        painter.restore()
        self._draw_text(painter)
        self._draw_ports(painter)
        if self.problems:
            self._draw_badge(painter)

    def _paint_overview(self, painter: QPainter, body: QRectF, zoom: float, selected: bool) -> None:
        """Zoomed out: a plain box with the layer type in a font large enough
        to read at this zoom (no ports, no small text)."""
        painter.setPen(QPen(style.SELECTION if selected else self.colour.darker(130), 3 if selected else 1))
        painter.setBrush(self.colour)
        painter.drawRect(body)
        if self.problems:
            painter.fillRect(QRectF(style.NODE_WIDTH - 28, 0, 28, 28), style.ERROR if self._worst() == "error" else style.WARNING)
        if zoom >= 0.12:
            font = QFont(painter.font())
            font.setBold(True)
            size = min(body.height() * 0.45, 11 / zoom)
            font.setPixelSize(max(1, int(size)))
            width = QFontMetricsF(font).horizontalAdvance(self.type_name)
            if width > body.width() - 12:  # long names (ConvTranspose2d) shrink to fit the box
                font.setPixelSize(max(1, int(size * (body.width() - 12) / width)))
            painter.setFont(font)
            painter.setPen(QColor("white"))
            painter.drawText(body.adjusted(6, 0, -6, 0), Qt.AlignmentFlag.AlignCenter, self.type_name)

    def _draw_text(self, painter: QPainter) -> None:
        font = QFont(painter.font())
        font.setPointSizeF(9.0)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        head = QRectF(8, 0, style.NODE_WIDTH - 16, style.HEADER_HEIGHT)
        painter.drawText(head, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.type_name)
        font.setBold(False)
        font.setPointSizeF(8.0)
        painter.setFont(font)
        painter.setPen(QColor(255, 255, 255, 210))
        painter.drawText(
            head.adjusted(0, 0, -14 if self.problems else 0, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, self.node_id
        )
        inner = QRectF(12, style.HEADER_HEIGHT + 3, style.NODE_WIDTH - 24, self._height - style.HEADER_HEIGHT - 6)
        font.setPointSizeF(9.0)
        painter.setFont(font)
        painter.setPen(style.TEXT)
        if self.label:
            painter.drawText(inner, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter, self.label)
        font.setPointSizeF(7.5)
        painter.setFont(font)
        painter.setPen(style.TEXT_MUTED)
        align = Qt.AlignmentFlag.AlignBottom if self.label else Qt.AlignmentFlag.AlignVCenter
        painter.drawText(inner, align | Qt.AlignmentFlag.AlignHCenter, self.shape_text or "shape unknown")

    def _draw_ports(self, painter: QPainter) -> None:
        r = style.PORT_RADIUS
        for port in range(len(self.input_names)):
            filled = port in self.connected_ports
            painter.setPen(QPen(self.colour.darker(120), 1.5))
            painter.setBrush(self.colour if filled else QBrush(style.NODE_BODY))
            painter.drawEllipse(self.input_port_pos(port), r, r)
        if self.has_output:
            painter.setPen(QPen(self.colour.darker(120), 1.5))
            painter.setBrush(self.colour)
            painter.drawEllipse(self.output_port_pos(), r, r)

    def _draw_highlight(self, painter: QPainter, body: QRectF) -> None:
        """A thick outline around the body, under the node's own drawing."""
        painter.save()
        painter.setPen(QPen(HIGHLIGHT, 5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(body.adjusted(-2.5, -2.5, 2.5, 2.5), 8, 8)
        painter.restore()

    def _worst(self) -> str:
        return "error" if any(s == "error" for s, _ in self.problems) else "warning"

    def _draw_badge(self, painter: QPainter) -> None:
        colour = style.ERROR if self._worst() == "error" else style.WARNING
        centre = QPointF(style.NODE_WIDTH - 2, -2)
        painter.setPen(QPen(QColor("white"), 1.5))
        painter.setBrush(colour)
        painter.drawEllipse(centre, 9, 9)
        font = QFont(painter.font())
        font.setBold(True)
        font.setPointSizeF(9.0)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(QRectF(centre.x() - 9, centre.y() - 9, 18, 18), Qt.AlignmentFlag.AlignCenter, "!")


def _near(a: QPointF, b: QPointF, reach: float) -> bool:
    d = a - b
    return d.x() * d.x() + d.y() * d.y() <= reach * reach
