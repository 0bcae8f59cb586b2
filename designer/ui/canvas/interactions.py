"""Mouse gestures as small state objects (not flags in the view).

``LinkInteraction`` draws a wire from an output port (or back from a free
input port) and connects on release; ``MoveInteraction`` turns a drag of
selected nodes into one move command, or splices a free node into the edge it
is dropped on.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF

from designer.document import Document
from designer.graph import Edge, EditError
from designer.ui import style
from designer.ui.canvas.edge_item import DraftEdgeItem
from designer.ui.canvas.node_item import NodeItem
from designer.ui.canvas.scene import DesignScene

Report = Callable[[str], None]


class LinkInteraction:
    """Started on a port. ``from_output``: dragging from ``node``'s output;
    otherwise dragging backwards from input ``port`` of ``node``. When the
    input already had an edge, that edge is picked up (and replaced or
    removed on release)."""

    def __init__(self, scene: DesignScene, document: Document, node: NodeItem, from_output: bool, port: int, report: Report) -> None:
        self.scene, self.document, self.report = scene, document, report
        self.picked_up: Edge | None = None
        self.reach = style.PORT_REACH  # how near a port the release must be to choose it (the view sets it for its zoom)
        if not from_output:
            existing = next((e for e in document.graph.inputs_of(node.node_id) if e.port == port), None)
            if existing is not None:  # pick the edge up: keep dragging from its source
                self.picked_up = existing
                scene.edges[existing].setVisible(False)
                node, from_output = scene.nodes[existing.source], True
        self.node, self.from_output, self.port = node, from_output, port
        anchor = node.output_port_pos() if from_output else node.input_port_pos(port)
        self.anchor = node.mapToScene(anchor)
        self.draft = DraftEdgeItem()
        scene.addItem(self.draft)
        self.move(self.anchor)

    def move(self, pos: QPointF) -> None:
        if self.from_output:
            self.draft.set_ends(self.anchor, pos)
        else:
            self.draft.set_ends(pos, self.anchor)

    def finish(self, pos: QPointF) -> None:
        self.scene.removeItem(self.draft)
        target = self.scene.node_at(pos)
        try:
            if target is None or target is self.node:
                if self.picked_up is not None:
                    self.document.disconnect(self.picked_up)
                    self.report(f"Disconnected {self.picked_up.source} from {self.picked_up.target}")
                return
            local = target.mapFromScene(pos)
            hit = target.port_at(local, self.reach)
            if self.from_output:
                port = hit[1] if hit and hit[0] == "in" else None
                self._connect(self.node.node_id, target.node_id, port)
            else:
                self._connect(target.node_id, self.node.node_id, self.port)
        except EditError as exc:
            self.report(f"Cannot connect: {exc}")
        finally:
            if self.picked_up is not None and self.picked_up in self.scene.edges:
                self.scene.edges[self.picked_up].setVisible(True)

    def _connect(self, source: str, target: str, port: int | None) -> None:
        if self.picked_up is None:
            edge = self.document.connect(source, target, port)
            self.report(f"Connected {edge.source} to {edge.target}")
            return
        if self.picked_up.target == target and (port is None or port == self.picked_up.port):
            return  # dropped back where it was
        # A refused connection rolls the whole macro back (see Document.macro).
        with self.document.macro(f"Reconnect {source}"):
            self.document.disconnect(self.picked_up)
            self.document.connect(source, target, port)

    def cancel(self) -> None:
        self.scene.removeItem(self.draft)
        if self.picked_up is not None and self.picked_up in self.scene.edges:
            self.scene.edges[self.picked_up].setVisible(True)


class MoveInteraction:
    """Remembers where the selected nodes were when a drag began."""

    def __init__(self, scene: DesignScene, document: Document) -> None:
        self.scene, self.document = scene, document
        self.start = {nid: (item.pos().x(), item.pos().y()) for nid, item in scene.nodes.items() if item.isSelected()}

    def finish(self, report: Report) -> None:
        now = {nid: (self.scene.nodes[nid].pos().x(), self.scene.nodes[nid].pos().y()) for nid in self.start if nid in self.scene.nodes}
        moved = {nid: pos for nid, pos in now.items() if pos != self.start[nid]}
        if not moved:
            return
        if len(moved) == 1:
            (nid,) = moved
            if self._splice(nid, report):
                return
        self.document.move_nodes(self.start, now)

    def _splice(self, node_id: str, report: Report) -> bool:
        """A free node dropped onto an edge goes between its two ends."""
        graph = self.document.graph
        if graph.inputs_of(node_id) or graph.outputs_of(node_id):
            return False
        item = self.scene.nodes[node_id]
        centre = item.mapToScene(item.boundingRect().center())
        edge_item = self.scene.edge_at(centre)
        if edge_item is None:
            return False
        try:
            with self.document.macro(f"Insert {node_id}"):
                self.document.move_nodes({node_id: self.start[node_id]}, {node_id: (item.pos().x(), item.pos().y())})
                self.document.splice_node(node_id, edge_item.edge)
        except EditError as exc:
            report(f"Cannot insert: {exc}")
            return False
        report(f"Inserted {node_id} between {edge_item.edge.source} and {edge_item.edge.target}")
        return True
