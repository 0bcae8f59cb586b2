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

from designer.graph.blocks import BLOCK_CATEGORY
from designer.graph.layout import node_height
from designer.ui import style
from designer.ui.canvas import node_text
from designer.ui.severity import SEVERITY_COLOURS

BADGE_MAX = 24.0  # the largest radius of the problem badge (scene units)
LOCK_MAX = 16.0  # the largest radius of the frozen node's lock (scene units)
LOCK_COLOUR = QColor("#57606a")  # slate: a state of the node, apart from the problem colours
HIGHLIGHT = QColor("#e8710a")  # the forward stepper's node: orange, apart from selection blue and error red
STACK_OFFSET = 5.0  # a block is drawn as a card over a second one, this far down and right
PORT_NAME_PX = 10.0  # a block's input port names, in scene pixels at zoom 1
NO_PROBLEMS: list[tuple[str, str]] = []  # shared by the nodes without problems: read only


def repaint_if_drawn(item: NodeItem | QGraphicsItem) -> None:
    """Ask for a repaint of ``item`` (a node or a wire, which set ``_painted``
    when they draw) only when it was drawn since the last one: an item not
    drawn since (off screen, or its repaint still pending) shows nothing
    stale, and its next drawing reads what it holds now. A big design's edit
    that changes thousands of nodes off screen so costs Qt nothing (and drops
    no cached drawing that is still right)."""
    if item._painted:  # type: ignore[union-attr]
        item._painted = False  # type: ignore[union-attr]
        item.update()


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
        self.problems: list[tuple[str, str]] = NO_PROBLEMS  # (severity, message); a new list whenever they change
        self.highlighted = False  # outlined: the node the Insight panel's forward stepper is at
        self.frozen = False  # transfer learning: a lock on the node's top-left corner
        self.lr_factor = 1.0
        self.block = category == BLOCK_CATEGORY  # an instance of a block: drawn as a stack, its ports named
        # No itemChange override: with 10,000 nodes the calls into Python
        # dominate. The scene places wires when the model moves a node, the
        # view while the user drags one.
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(style.Z_NODE)
        self._height = node_height(1)
        self._bounds = self._measure_bounds()
        self._painted = False  # drawn (into the view or its cache) since the last repaint asked for

    def _repaint(self) -> None:
        repaint_if_drawn(self)

    # ---------------------------------------------------------- content
    def set_content(
        self, label: str, shape_text: str, input_names: list[str], connected: set[int], has_output: bool, problems: list[tuple[str, str]]
    ) -> bool:
        """Refresh from the model; repaints only when something changed.
        Returns True when the ports moved (the wires need placing again)."""
        state = (label, shape_text, input_names, connected, has_output, problems)
        if state == (self.label, self.shape_text, self.input_names, self.connected_ports, self.has_output, self.problems):
            return False
        height = node_height(len(input_names))
        moved = height != self._height or len(input_names) != len(self.input_names)
        if height != self._height:
            self.prepareGeometryChange()
            self._height = height
            self._bounds = self._measure_bounds()
        self.label, self.shape_text, self.input_names = label, shape_text, list(input_names)
        self.connected_ports, self.has_output, self.problems = set(connected), has_output, list(problems) if problems else NO_PROBLEMS
        self._repaint()
        return moved

    def set_shape(self, shape_text: str, problems: list[tuple[str, str]]) -> None:
        """Refresh only the output shape and the problems (its label, ports and
        training state stand): the most frequent change, made cheap."""
        if shape_text != self.shape_text or problems != self.problems:
            self.shape_text, self.problems = shape_text, list(problems) if problems else NO_PROBLEMS
            self._repaint()

    def set_training(self, frozen: bool, lr_factor: float) -> None:
        """Show the model's frozen flag (a lock) and learning-rate factor (in the tooltip)."""
        if (frozen, lr_factor) != (self.frozen, self.lr_factor):
            self.frozen, self.lr_factor = frozen, lr_factor
            self._repaint()

    def set_highlighted(self, highlighted: bool) -> None:
        """Outline the node thickly (a view's state, not the model's)."""
        if highlighted != self.highlighted:
            self.highlighted = highlighted
            self._repaint()

    def set_id(self, node_id: str) -> None:
        self.node_id = node_id
        self._repaint()

    def toolTip(self) -> str:  # noqa: N802 - Qt's name: made when asked (DesignScene.helpEvent), not on every edit
        lines = [f"<b>{self.type_name}</b> {self.node_id}" + (" — a block: double-click to open it" if self.block else "")]
        if self.shape_text:
            lines.append(f"output {self.shape_text}")
        if self.frozen:
            lines.append("frozen: training leaves its weights as they are")
        elif self.lr_factor != 1.0:
            lines.append(f"learns at {self.lr_factor:g} x the run's learning rate")
        for severity, message in self.problems:
            lines.append(f'<span style="color:{SEVERITY_COLOURS[severity]}">{severity}: {message}</span>')
        return "<br>".join(lines)

    # --------------------------------------------------------- geometry
    @property
    def height(self) -> float:
        return self._height

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override: Qt asks for it often, so it is kept
        return self._bounds

    def box(self) -> QRectF:
        """The node as drawn (header and body), in scene units: its bounds also hold the badge and lock around it."""
        return QRectF(self.pos().x(), self.pos().y(), style.NODE_WIDTH, self._height)

    def _measure_bounds(self) -> QRectF:
        r = max(style.PORT_RADIUS + 2, LOCK_MAX + 4)  # the lock over the top-left corner
        badge = BADGE_MAX + 4  # the problem badge over the top-right corner, larger when zoomed out
        return QRectF(-r, -badge, style.NODE_WIDTH + badge + r, self._height + badge + 6 + (STACK_OFFSET if self.block else 0.0))

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

    def port_at(self, local: QPointF, reach: float = style.PORT_REACH) -> tuple[str, int] | None:
        """("in", port) or ("out", 0): the port nearest ``local`` within ``reach``
        (scene units; the view makes it larger when zoomed out)."""
        ports = [(("in", port), self.input_port_pos(port)) for port in range(len(self.input_names))]
        if self.has_output:
            ports.append((("out", 0), self.output_port_pos()))
        near = [(_distance2(local, at), hit) for hit, at in ports if _distance2(local, at) <= reach * reach]
        return min(near)[1] if near else None

    # ----------------------------------------------------------- paint
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        self._painted = True
        zoom = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = self.isSelected()
        body = QRectF(0, 0, style.NODE_WIDTH, self._height)
        detailed = zoom >= style.DETAIL_ZOOM
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, detailed)
        if self.highlighted:
            self._draw_highlight(painter, body)
        if zoom < style.BOX_ZOOM:  # a plain box: cheap with thousands of nodes
            self._paint_box(painter, body, selected)
            return
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        text = node_text.plan(zoom, self._height - style.HEADER_HEIGHT, bool(self.label))
        border = QPen(style.SELECTION if selected else style.NODE_BORDER, (2.5 if selected else 1.0) / min(1.0, zoom))
        if self.block:
            self._draw_stack(painter, body, border)
        painter.setPen(border)
        painter.setBrush(style.NODE_BODY if text.header else self.colour)  # zoomed out: all in its colour, white text
        painter.drawRoundedRect(body, 6, 6)
        outline = QPainterPath()
        outline.addRoundedRect(body.adjusted(0.5, 0.5, -0.5, 0), 6, 6)
        painter.save()
        painter.setClipPath(outline)
        painter.fillRect(QRectF(0, 0, style.NODE_WIDTH, style.HEADER_HEIGHT), self.colour)
        painter.restore()
        self._draw_text(painter, text)
        if detailed:
            self._draw_ports(painter)
            if self.block and text.header:
                self._draw_port_names(painter, zoom)
        if self.problems:
            self._draw_badge(painter, zoom)
        if self.frozen:
            self._draw_lock(painter, zoom)

    def _paint_box(self, painter: QPainter, body: QRectF, selected: bool) -> None:
        """Far out: a box in the category's colour, a corner for a problem."""
        if self.block:
            painter.fillRect(body.translated(STACK_OFFSET * 2, STACK_OFFSET * 2), self.colour.darker(140))
        painter.setPen(QPen(style.SELECTION if selected else self.colour.darker(130), 3 if selected else 1))
        painter.setBrush(self.colour)
        painter.drawRect(body)
        if self.problems:
            painter.fillRect(QRectF(style.NODE_WIDTH - 28, 0, 28, 28), style.ERROR if self._worst() == "error" else style.WARNING)
        if self.frozen:
            painter.fillRect(QRectF(0, 0, 28, 28), LOCK_COLOUR)

    def _draw_text(self, painter: QPainter, text: node_text.NodeText) -> None:
        """The texts the level of detail keeps (designer.ui.canvas.node_text), elided to the node's width."""
        width = style.NODE_WIDTH - 16
        if text.header:
            font = _font(painter, text.header_px, bold=True)
            type_width = QFontMetricsF(font).horizontalAdvance(self.type_name)
            head = QRectF(8, 0, width - (14 if self.problems else 0), style.HEADER_HEIGHT)
            id_font = _font(painter, text.id_px)
            id_width = QFontMetricsF(id_font).horizontalAdvance(self.node_id)
            icon = min(text.header_px, style.HEADER_HEIGHT - 8)
            if self.block and type_width + id_width + 10 + icon + 5 <= head.width():  # the id goes before the block sign
                _draw_block_icon(painter, QRectF(8, (style.HEADER_HEIGHT - icon) / 2, icon, icon))
                head.adjust(icon + 5, 0, 0, 0)
            show_id = type_width + id_width + 10 <= head.width()
            type_room = head.width()
            if self.block and not show_id and id_width + 40 <= head.width():  # instances of one block differ by their ids alone
                show_id, type_room = True, head.width() - id_width - 8
            painter.setFont(font)
            painter.setPen(QColor("white"))
            painter.drawText(head, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, _elided(font, self.type_name, type_room))
            if show_id:
                painter.setFont(id_font)
                painter.setPen(QColor(255, 255, 255, 215))
                painter.drawText(head, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, self.node_id)
        top = style.HEADER_HEIGHT if text.header else 0.0
        room = self._height - top
        used = sum(px * node_text.LINE for _, px in text.body)
        y = top + (room - used) / 2
        for kind, px in text.body:
            font = _font(painter, px, bold=kind == node_text.TYPE)
            height = px * node_text.LINE
            if kind == node_text.TYPE:
                words, colour = self.type_name, QColor("white")
            elif kind == node_text.PARAMS:
                words, colour = self.label, style.TEXT
            else:
                shape = self.shape_text or "shape unknown"
                fits = QFontMetricsF(font).horizontalAdvance(shape) <= width
                words = shape if fits else node_text.compact_shape(shape)
                colour = style.TEXT_MUTED if text.header else QColor(255, 255, 255, 225)
            painter.setFont(font)
            painter.setPen(colour)
            painter.drawText(QRectF(8, y, width, height), Qt.AlignmentFlag.AlignCenter, _elided(font, words, width))
            y += height

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

    def _draw_stack(self, painter: QPainter, body: QRectF, border: QPen) -> None:
        """A second card behind the body: a block holds several layers."""
        painter.setPen(QPen(self.colour.darker(115), border.widthF()))
        painter.setBrush(self.colour.lighter(165))
        painter.drawRoundedRect(body.translated(STACK_OFFSET, STACK_OFFSET), 6, 6)

    def _draw_port_names(self, painter: QPainter, zoom: float) -> None:
        """A block's input ports carry the names of its Inputs, inside the left edge."""
        font = _font(painter, node_text.text_px(PORT_NAME_PX, zoom))
        painter.setFont(font)
        painter.setPen(style.TEXT_MUTED)
        height = QFontMetricsF(font).height()
        for port, name in enumerate(self.input_names):
            at = self.input_port_pos(port)
            painter.drawText(
                QRectF(style.PORT_RADIUS + 3, at.y() - height / 2, 52, height), Qt.AlignmentFlag.AlignVCenter, _elided(font, name, 52)
            )

    def _draw_highlight(self, painter: QPainter, body: QRectF) -> None:
        """A thick outline around the body, under the node's own drawing."""
        painter.save()
        painter.setPen(QPen(HIGHLIGHT, 5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(body.adjusted(-2.5, -2.5, 2.5, 2.5), 8, 8)
        painter.restore()

    def _worst(self) -> str:
        return "error" if any(s == "error" for s, _ in self.problems) else "warning"

    def _draw_badge(self, painter: QPainter, zoom: float) -> None:
        colour = style.ERROR if self._worst() == "error" else style.WARNING
        radius = min(BADGE_MAX, max(9.0, 7.0 / zoom))  # stays visible when zoomed out
        centre = QPointF(style.NODE_WIDTH - 2, -2)
        painter.setPen(QPen(QColor("white"), 1.5))
        painter.setBrush(colour)
        painter.drawEllipse(centre, radius, radius)
        font = _font(painter, radius * 1.3, bold=True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius), Qt.AlignmentFlag.AlignCenter, "!")

    def _draw_lock(self, painter: QPainter, zoom: float) -> None:
        """A padlock over the top-left corner: the node is frozen."""
        radius = min(LOCK_MAX, max(9.0, 7.0 / zoom))  # stays visible when zoomed out, like the problem badge
        centre = QPointF(2, -2)
        painter.save()
        painter.setPen(QPen(QColor("white"), 1.5))
        painter.setBrush(LOCK_COLOUR)
        painter.drawEllipse(centre, radius, radius)
        unit = radius / 9.0
        body = QRectF(centre.x() - 4.5 * unit, centre.y() - 0.5 * unit, 9 * unit, 6.5 * unit)
        painter.setPen(QPen(QColor("white"), 1.6 * unit))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(QRectF(centre.x() - 3 * unit, centre.y() - 6 * unit, 6 * unit, 8 * unit), 0, 180 * 16)  # the shackle
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("white"))
        painter.drawRoundedRect(body, 1.2 * unit, 1.2 * unit)
        painter.restore()


def _draw_block_icon(painter: QPainter, square: QRectF) -> None:
    """Two overlapping squares in white: the header's sign of a block."""
    painter.save()
    painter.setPen(QPen(QColor("white"), max(1.0, square.width() / 9)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    side = square.width() * 0.68
    painter.drawRect(QRectF(square.right() - side, square.top(), side, side))
    painter.setBrush(QColor("white"))
    painter.drawRect(QRectF(square.left(), square.bottom() - side, side, side))
    painter.restore()


def _font(painter: QPainter, px: float, bold: bool = False) -> QFont:
    font = QFont(painter.font())
    font.setPixelSize(max(1, round(px)))
    font.setBold(bold)
    return font


def _elided(font: QFont, text: str, width: float) -> str:
    return QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, width)


def _distance2(a: QPointF, b: QPointF) -> float:
    d = a - b
    return d.x() * d.x() + d.y() * d.y()
