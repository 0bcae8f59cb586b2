"""The canvas view: zoom at the cursor, pan (middle button or space+drag),
rubber-band selection, fit (F), drops from the palette, Tab to add, and the
mouse gestures of interactions.py. It only reports what the user did to the
document; the scene redraws from the model."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QGraphicsView

from designer.document import Document
from designer.graph import EditError
from designer.ui import style
from designer.ui.canvas.edge_item import EdgeItem
from designer.ui.canvas.interactions import LinkInteraction, MoveInteraction
from designer.ui.canvas.node_item import NodeItem
from designer.ui.canvas.quick_add import QuickAddPopup
from designer.ui.canvas.scene import DesignScene
from designer.ui.paint_clock import times_its_paints

MIN_ZOOM, MAX_ZOOM = 0.05, 4.0


@times_its_paints  # gradient flow and unit maps redraw with a run's updates, which are paced by their cost
class DesignView(QGraphicsView):
    message = Signal(str)  # for the status bar
    context_menu_requested = Signal(object, object)  # (item under the cursor or None, scene position)
    files_dropped = Signal(list)  # project files dropped onto the canvas

    def __init__(self, scene: DesignScene | None, parent=None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
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
        self._quick_add = QuickAddPopup(self)
        self._quick_add.chosen.connect(self._on_quick_add_chosen)
        self._quick_add_at = QPointF()
        self._was_empty: bool | None = None

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
        self.scale(factor / self.zoom(), factor / self.zoom())

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

    def fit(self) -> None:
        scene = self.design_scene
        rect = scene.items_rect() if scene.nodes else QRectF(-200, -150, 400, 300)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.25:
            self.set_zoom(1.25)
            self.centerOn(rect.center())

    def center_on_node(self, node_id: str) -> None:
        item = self.design_scene.nodes.get(node_id)
        if item is not None:
            self.centerOn(item.sceneBoundingRect().center())

    def view_centre(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    # -------------------------------------------------------------- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        pos = self.mapToScene(event.position().toPoint())
        if event.button() == Qt.MouseButton.MiddleButton or (event.button() == Qt.MouseButton.LeftButton and self._space):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            node = self.design_scene.node_at(pos)
            hit = node.port_at(node.mapFromScene(pos)) if node else None
            if node is not None and hit is not None:
                self._link = LinkInteraction(self.design_scene, self.document, node, hit[0] == "out", hit[1], self.message.emit)
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
        if key == Qt.Key.Key_F and not event.modifiers():
            self.fit()
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
        self._quick_add.popup(self.viewport().mapToGlobal(local))

    def _on_quick_add_chosen(self, type_name: str) -> None:
        self.add_layer(type_name, self._quick_add_at)

    # -------------------------------------------------------- add layers
    def add_layer(self, type_name: str, pos: QPointF) -> str | None:
        """Add a layer centred at ``pos``; dropped on an edge, it goes between its ends."""
        at = (pos.x() - style.NODE_WIDTH / 2, pos.y() - 30)
        edge_item = self.design_scene.edge_at(pos)
        try:
            if edge_item is not None and self.document.graph.catalog.get(type_name).max_inputs != 0:
                node_id = self.document.insert_on_edge(edge_item.edge, type_name, at)
                self.message.emit(f"Inserted {node_id} between {edge_item.edge.source} and {edge_item.edge.target}")
            else:
                node_id = self.document.add_node(type_name, at)
                self.message.emit(f"Added {node_id}")
        except EditError as exc:
            self.message.emit(f"Cannot add {type_name}: {exc}")
            return None
        self.design_scene.select_nodes([node_id])
        return node_id

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasFormat(style.LAYER_MIME) or _project_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasFormat(style.LAYER_MIME) or _project_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasFormat(style.LAYER_MIME):
            type_name = bytes(event.mimeData().data(style.LAYER_MIME).data()).decode()
            self.add_layer(type_name, self.mapToScene(event.position().toPoint()))
            self.setFocus()
            event.acceptProposedAction()
        elif files := _project_files(event.mimeData()):
            event.acceptProposedAction()
            self.files_dropped.emit(files)
        else:
            super().dropEvent(event)


def _project_files(mime) -> list[str]:
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and url.toLocalFile().endswith(".nnd")] if mime.hasUrls() else []
