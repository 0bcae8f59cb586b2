"""The canvas view: zoom at the cursor, pan (middle button or space+drag),
rubber-band selection, fit (F), drops from the palette, Tab to add, and the
mouse gestures of interactions.py. It only reports what the user did to the
document; the scene redraws from the model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QGraphicsView

from designer.document import Document
from designer.graph import EditError, layout
from designer.ui import style
from designer.ui.canvas.edge_item import EdgeItem
from designer.ui.canvas.interactions import LinkInteraction, MoveInteraction
from designer.ui.canvas.node_item import NodeItem
from designer.ui.canvas.scene import DesignScene
from designer.ui.paint_clock import times_its_paints

if TYPE_CHECKING:
    from designer.ui.canvas.quick_add import QuickAddPopup

MIN_ZOOM, MAX_ZOOM = 0.05, 4.0
READABLE_ZOOM = 0.6  # every text of a node is drawn at this zoom (see node_text)


@times_its_paints  # gradient flow and unit maps redraw with a run's updates, which are paced by their cost
class DesignView(QGraphicsView):
    message = Signal(str)  # for the status bar
    context_menu_requested = Signal(object, object)  # (item under the cursor or None, scene position)
    files_dropped = Signal(list)  # project files dropped onto the canvas
    block_dropped = Signal(str, object)  # (a palette block row's key, scene position)
    block_open_requested = Signal(str)  # a block instance was double-clicked: open its inside

    def __init__(self, scene: DesignScene | None, parent=None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        # The grid depends only on the view's place and zoom: drawn once into a pixmap, not again
        # under every item that repaints (1 ms each time, with a run's gradient flow four times a second).
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setAcceptDrops(True)
        self.setSceneRect(QRectF(-50000, -50000, 100000, 100000))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._link: LinkInteraction | None = None
        self._move: MoveInteraction | None = None
        self._pan_from: QPointF | None = None
        self._space = False
        self._quick_add: QuickAddPopup | None = None  # made at the first Tab: its list of every layer took 8 ms of making the view
        self._quick_add_at = QPointF()
        self._was_empty: bool | None = None
        self._keep_fitted = False  # refit as the canvas changes size, until the user zooms or pans

    def setScene(self, scene: DesignScene | None) -> None:  # noqa: N802 - Qt override
        super().setScene(scene)
        if scene is not None:
            scene.refreshed.connect(self._on_scene_refreshed)
        self._was_empty = None

    def _on_scene_refreshed(self) -> None:
        # The empty-canvas hint is painted over the whole view: repaint all of
        # it when the design becomes empty or stops being empty.
        empty = not self.design_scene.nodes
        if empty != self._was_empty:
            self._was_empty = empty
            self.viewport().update()

    @property
    def design_scene(self) -> DesignScene:
        return self.scene()  # type: ignore[return-value]

    @property
    def document(self) -> Document:
        return self.design_scene.document

    # --------------------------------------------------------------- zoom
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        self._keep_fitted = False
        self.scale(factor / self.zoom(), factor / self.zoom())

    def port_reach(self) -> float:
        """How near a port a press must be to start a wire, in scene units: at
        least PORT_REACH on screen however far the canvas is zoomed out."""
        return max(style.PORT_REACH, style.PORT_REACH / max(self.zoom(), MIN_ZOOM))

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        steps = event.angleDelta().y() / 120.0
        if steps:
            # Keep the scene point under the wheel where it is (Qt's own
            # anchor follows the cursor, which is not always the event's point).
            at = event.position().toPoint()
            before = self.mapToScene(at)
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
            self.set_zoom(self.zoom() * (1.15**steps))
            shift = self.mapToScene(at) - before
            self.translate(shift.x(), shift.y())
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        event.accept()

    def fit(self, readable: bool = False) -> None:
        """Show the whole design, at most a little above actual size. ``readable``
        (a design just opened): never below READABLE_ZOOM, where every node's
        type, id, parameters and shape can be read; a design too large for
        that is shown from its top-left corner (its inputs). The view stays
        fitted as the window or the panels change size, until the user zooms or pans."""
        scene = self.design_scene
        if not scene.nodes:  # an empty design: actual size, the origin in the middle
            self.set_zoom(1.0)
            self.centerOn(QPointF(0, 0))
            self._keep_fitted = readable
            return
        rect = scene.items_rect()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > layout.MAX_FIT_ZOOM:
            self.set_zoom(layout.MAX_FIT_ZOOM)
            self.centerOn(rect.center())
        elif readable and self.zoom() < READABLE_ZOOM:
            self.set_zoom(READABLE_ZOOM)
            half = QPointF(self.viewport().width(), self.viewport().height()) / (2 * READABLE_ZOOM)
            x = rect.left() + half.x()  # the inputs at the left edge
            y = rect.center().y() if rect.height() <= 2 * half.y() else rect.top() + half.y()
            self.centerOn(QPointF(x, y))
        self._keep_fitted = readable

    def fit_room(self) -> tuple[float, float]:
        """The canvas's size in pixels: the room an auto-layout is made to fit."""
        return (float(self.viewport().width()), float(self.viewport().height()))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self._keep_fitted and self.scene() is not None:
            self.fit(readable=True)

    def center_on_node(self, node_id: str) -> None:
        item = self.design_scene.nodes.get(node_id)
        if item is not None:
            self._keep_fitted = False
            self.centerOn(item.sceneBoundingRect().center())

    def view_centre(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    # -------------------------------------------------------------- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        pos = self.mapToScene(event.position().toPoint())
        self._keep_fitted = False
        if event.button() == Qt.MouseButton.MiddleButton or (event.button() == Qt.MouseButton.LeftButton and self._space):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            node = self.design_scene.node_at(pos)
            hit = node.port_at(node.mapFromScene(pos), self.port_reach()) if node else None
            if node is not None and hit is not None:
                self._link = LinkInteraction(self.design_scene, self.document, node, hit[0] == "out", hit[1], self.message.emit)
                self._link.reach = self.port_reach()
                event.accept()
                return
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self.design_scene.selected_node_ids():
            self._move = MoveInteraction(self.design_scene, self.document)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(int(self.horizontalScrollBar().value() - delta.x()))
            self.verticalScrollBar().setValue(int(self.verticalScrollBar().value() - delta.y()))
            return
        if self._link is not None:
            self._link.move(self.mapToScene(event.position().toPoint()))
            return
        super().mouseMoveEvent(event)
        if self._move is not None:  # Qt moved the selected nodes: their wires follow
            for node_id in self._move.start:
                item = self.design_scene.nodes.get(node_id)
                if item is not None:
                    self.design_scene.node_item_moved(item)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space else Qt.CursorShape.ArrowCursor)
            return
        if self._link is not None:
            link, self._link = self._link, None
            link.finish(self.mapToScene(event.position().toPoint()))
            return
        super().mouseReleaseEvent(event)
        if self._move is not None:
            move, self._move = self._move, None
            move.finish(self.message.emit)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        node = self.design_scene.node_at(self.mapToScene(event.position().toPoint())) if event.button() == Qt.MouseButton.LeftButton else None
        if node is not None and node.block:
            self.block_open_requested.emit(node.node_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event) -> None:  # noqa: N802 - Qt override
        pos = self.mapToScene(event.pos())
        item = self.design_scene.node_at(pos) or self.design_scene.edge_at(pos)
        if isinstance(item, (NodeItem, EdgeItem)) and not item.isSelected():
            self.design_scene.clearSelection()
            item.setSelected(True)
        self.context_menu_requested.emit(item, pos)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 - Qt override
        """An empty canvas says how to start."""
        scene = self.scene()
        if scene is None or getattr(scene, "nodes", None):
            return
        painter.save()
        painter.resetTransform()
        area = self.viewport().rect()
        font = painter.font()
        font.setPointSizeF(13)
        painter.setFont(font)
        painter.setPen(style.TEXT_MUTED)
        painter.drawText(
            area,
            Qt.AlignmentFlag.AlignCenter,
            "Drag layers here from the palette on the left,\nor press Tab to search for one.\n\n"
            "Start with an Input, end with an Output,\nand wire output ports to input ports.",
        )
        painter.restore()

    # ----------------------------------------------------------- keyboard
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.setDragMode(QGraphicsView.DragMode.NoDrag)
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        if key == Qt.Key.Key_Escape and self._link is not None:
            self._link.cancel()
            self._link = None
            return
        if key == Qt.Key.Key_Tab:
            self.open_quick_add()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 - Qt override: keep Tab for quick add
        return False

    def open_quick_add(self) -> None:
        cursor = self.mapFromGlobal(self.cursor().pos())
        inside = self.viewport().rect().contains(cursor)
        local = cursor if inside else self.viewport().rect().center()
        self._quick_add_at = self.mapToScene(local)
        if self._quick_add is None:
            from designer.ui.canvas.quick_add import QuickAddPopup

            self._quick_add = QuickAddPopup(self)
            self._quick_add.chosen.connect(self._on_quick_add_chosen)
        self._quick_add.popup(self.viewport().mapToGlobal(local))

    def _on_quick_add_chosen(self, type_name: str) -> None:
        """At the cursor; but a layer that follows the selected node goes into its chain
        (the cursor is where Tab was pressed, not a place chosen for the layer), unless Tab was pressed over a wire."""
        at = self._quick_add_at
        in_chain = self._follows() is not None and self.design_scene.edge_at(at) is None
        self.add_layer(type_name, None if in_chain else at)

    # -------------------------------------------------------- add layers
    def add_layer(self, type_name: str, pos: QPointF | None = None) -> str | None:
        """Add a layer, as one undo step, where it covers no other node.

        Dropped on a wire (``pos`` on an edge), it goes between the wire's two
        ends, and the nodes downstream move right when there is no room. With
        one node selected, it follows that node the way Keras's Sequential
        adds layers: wired after it (between it and its one consumer, if it
        has one) and placed to its right, or at ``pos`` when the user chose a
        spot. Otherwise it goes at ``pos`` (the view's centre when None)."""
        try:
            node_id = self._add_layer(type_name, pos)
        except EditError as exc:
            self.message.emit(f"Cannot add {type_name}: {exc}")
            return None
        self.design_scene.select_nodes([node_id])
        self.ensureVisible(self.design_scene.nodes[node_id].sceneBoundingRect(), 40, 40)
        return node_id

    def _add_layer(self, type_name: str, pos: QPointF | None) -> str:
        document, graph = self.document, self.document.graph
        takes_input = graph.catalog.get(type_name).max_inputs != 0
        edge_item = self.design_scene.edge_at(pos) if pos is not None else None
        if edge_item is not None and takes_input:
            edge = edge_item.edge
            node_id = document.insert_on_edge(edge, type_name)
            self.message.emit(f"Inserted {node_id} between {edge.source} and {edge.target}")
            return node_id
        chosen = None if pos is None else layout.free_position(graph, (pos.x() - style.NODE_WIDTH / 2, pos.y() - 30))
        after = self._follows()
        if after is not None and takes_input:
            consumers = graph.outputs_of(after)
            if len(consumers) == 1:
                edge = consumers[0]
                node_id = document.insert_on_edge(edge, type_name, chosen)
                self.message.emit(f"Inserted {node_id} after {after}, before {edge.target}")
                return node_id
            with document.macro(f"Add {type_name} after {after}"):
                node_id = document.add_node(type_name, chosen or layout.place_after(graph, after))
                document.connect(after, node_id)
            self.message.emit(f"Added {node_id} after {after} (select nothing to add a layer on its own)")
            return node_id
        if chosen is None:
            centre = self.view_centre()
            chosen = layout.free_position(graph, (centre.x() - style.NODE_WIDTH / 2, centre.y() - style.HEADER_HEIGHT))
        node_id = document.add_node(type_name, chosen)
        self.message.emit(f"Added {node_id}")
        return node_id

    def _follows(self) -> str | None:
        """The node a new layer follows: the one selected node, when it has an output."""
        selected = self.design_scene.selected_node_ids()
        if len(selected) != 1:
            return None
        item = self.design_scene.nodes[selected[0]]
        return item.node_id if item.has_output else None

    def add_block(self, name: str, definition, pos: QPointF | None = None, held=None) -> str | None:
        """An instance of a built-in, library or design block where it covers no
        other node (at ``pos``, else the view's centre), as one undo step."""
        centre = pos if pos is not None else self.view_centre()
        chosen = layout.free_position(self.document.graph, (centre.x() - style.NODE_WIDTH / 2, centre.y() - style.HEADER_HEIGHT))
        try:
            node_id = self.document.add_block(name, definition, chosen, held)
        except EditError as exc:
            self.message.emit(f"Cannot add block {name}: {exc}")
            return None
        self.design_scene.select_nodes([node_id])
        self.message.emit(f"Added {node_id}, an instance of block {self.document.graph.node(node_id).type}")
        return node_id

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if _droppable(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if _droppable(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasFormat(style.LAYER_MIME):
            type_name = bytes(event.mimeData().data(style.LAYER_MIME).data()).decode()
            self.add_layer(type_name, self.mapToScene(event.position().toPoint()))
            self.setFocus()
            event.acceptProposedAction()
        elif event.mimeData().hasFormat(style.BLOCK_MIME):
            key = bytes(event.mimeData().data(style.BLOCK_MIME).data()).decode()
            event.acceptProposedAction()
            self.block_dropped.emit(key, self.mapToScene(event.position().toPoint()))
            self.setFocus()
        elif files := _project_files(event.mimeData()):
            event.acceptProposedAction()
            self.files_dropped.emit(files)
        else:
            super().dropEvent(event)


def _droppable(mime) -> bool:
    """A layer or block from the palette, or project files from the desktop."""
    return mime.hasFormat(style.LAYER_MIME) or mime.hasFormat(style.BLOCK_MIME) or bool(_project_files(mime))


def _project_files(mime) -> list[str]:
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and url.toLocalFile().endswith(".nnd")] if mime.hasUrls() else []
