"""The scene follows the model: an id -> item map, rebuilt from model events.

Graphics items never hold the model; after every edit the scene refreshes
from the analysis the items whose text, ports, problems or edge labels can
have changed: the nodes the edit's events name, the nodes whose inference
is a new one (the analysis keeps a node's NodeInfo object while its result
stands) or whose problems differ, and the wires leaving those nodes or whose
conflict state flipped. A big design's edit so repaints a few items, not all.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsSceneHelpEvent, QGraphicsView, QToolTip

from designer.document import Document
from designer.graph import Edge, Node, NodeInfo
from designer.graph.analysis import OUTPUT_TYPE
from designer.graph.layout import ROW_HEIGHT
from designer.ui import style
from designer.ui.canvas.edge_item import EdgeItem, along_row, between_rows, s_curve
from designer.ui.canvas.gradient_flow import GradientFlowOverlay
from designer.ui.canvas.node_item import NO_PROBLEMS, NodeItem
from designer.ui.canvas.unit_maps import PlaneMapsOverlay
from designer.ui.subscriptions import follow

if TYPE_CHECKING:
    from designer.insight.playground import PlaneMaps  # numpy and the compiler: not at start


SKIP_ROWS = 3 * ROW_HEIGHT  # scene units: how far from a skip's row the layers it skips are looked for
RUN_GAP = 24.0  # scene units: the least gap between two rows a wire runs along (closer rows keep the curve)
RUN_PLACE = 0.35  # where in that gap, from the source's row: apart from a wire back to the left, which runs near the target's row


class DesignScene(QGraphicsScene):
    refreshed = Signal()  # after items were updated from a new analysis

    def __init__(self, document: Document) -> None:
        super().__init__()
        self.document = document
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[Edge, EdgeItem] = {}
        self._node_edges: dict[str, set[Edge]] = {}
        self._touched: set[str] = set()  # nodes the model's events named since the last refresh
        self._touched_all = True  # a block definition changed (or nothing is shown yet): every label and port may differ
        self._shown: dict[str, NodeInfo | None] = {}  # the inference each node item shows
        self._conflicted: set[Edge] = set()  # the wires drawn as conflicts
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        events = document.graph.events
        for event, handler in (
            (events.node_added, self._on_node_added),
            (events.node_removed, self._on_node_removed),
            (events.node_renamed, self._on_node_renamed),
            (events.node_moved, self._on_node_moved),
            (events.edge_added, self._on_edge_added),
            (events.edge_removed, self._on_edge_removed),
            (events.param_changed, self._on_param_changed),
            (events.training_changed, self._on_training_changed),
            (events.blocks_changed, self._on_blocks_changed),
            (events.changed, self.refresh),
        ):
            follow(self, event, handler)
        for node in document.graph.nodes:
            self._on_node_added(node)
        self._placing = False  # wires are placed once, by the first refresh
        for edge in document.graph.edges:
            self._on_edge_added(edge)
        self._placing = True
        self._raised: list[NodeItem] = []
        self.highlighted: str | None = None  # outlined by set_highlighted
        self.gradient_flow = GradientFlowOverlay()  # a run's gradient norms and live warnings, until the design changes
        self.unit_maps = PlaneMapsOverlay()  # hidden units' maps over the input plane, while and after training
        self.selectionChanged.connect(self._on_selection_changed)
        self.refresh()

    # ------------------------------------------------------- model events
    def _on_node_added(self, node: Node) -> None:
        layer = self.document.graph.catalog.get(node.type)
        item = NodeItem(node.id, node.type, layer.category)
        item.setPos(QPointF(*node.position))
        self.nodes[node.id] = item
        self._node_edges[node.id] = set()
        self._touched.add(node.id)
        self.addItem(item)

    def _on_node_removed(self, node: Node) -> None:
        item = self.nodes.pop(node.id)
        self._node_edges.pop(node.id, None)
        self._shown.pop(node.id, None)
        self.removeItem(item)

    def _on_node_renamed(self, old: str, new: str) -> None:
        item = self.nodes.pop(old)
        item.set_id(new)
        self.nodes[new] = item
        self._node_edges[new] = self._node_edges.pop(old)
        self._shown.pop(old, None)
        self._touched.add(new)

    def _on_node_moved(self, node_id: str, position: tuple[float, float]) -> None:
        item = self.nodes[node_id]
        if (item.pos().x(), item.pos().y()) != position:
            item.setPos(QPointF(*position))
            self.node_item_moved(item)

    def _on_param_changed(self, node_id: str, name: str, value: object) -> None:
        self._touched.add(node_id)  # its label shows parameters

    def _on_training_changed(self, node_id: str, frozen: bool, lr_factor: float) -> None:
        self._touched.add(node_id)

    def _on_blocks_changed(self) -> None:
        self._touched_all = True  # an instance's ports and label come from its definition

    def _on_edge_added(self, edge: Edge) -> None:
        self._touched.update((edge.source, edge.target))  # their ports fill
        item = EdgeItem(edge)
        self.edges[edge] = item
        self._node_edges[edge.source].add(edge)
        self._node_edges[edge.target].add(edge)
        self.addItem(item)
        if self._placing:
            self._place_edge(edge)

    def _on_edge_removed(self, edge: Edge) -> None:
        self._touched.update((edge.source, edge.target))
        self._conflicted.discard(edge)
        item = self.edges.pop(edge)
        for nid in (edge.source, edge.target):
            if nid in self._node_edges:
                self._node_edges[nid].discard(edge)
        self.removeItem(item)

    # ----------------------------------------------------------- refresh
    def refresh(self) -> None:
        graph = self.document.graph
        analysis = self.document.analysis()
        problems: dict[str, list[tuple[str, str]]] = {}
        for problem in analysis.problems:
            if problem.node is not None:
                problems.setdefault(problem.node, []).append((problem.severity, problem.message))
        touched, self._touched = (set(self.nodes) if self._touched_all else self._touched), set()
        self._touched_all = False
        infos, shown = analysis.nodes, self._shown
        changed = [
            nid
            for nid, item in self.nodes.items()
            if nid in touched or infos.get(nid) is not shown.get(nid, _UNSEEN) or problems.get(nid, NO_PROBLEMS) != item.problems
        ]
        reshaped: set[str] = set()
        texts: dict[str, str] = {}  # node -> its output's text, for its box and its wires alike
        for nid in changed:
            item = self.nodes[nid]
            info = shown[nid] = infos.get(nid)
            text = texts[nid] = info.output.display() if info is not None and info.output is not None else ""
            if nid not in touched:  # only its inference or problems changed: its label, ports and training state stand
                item.set_shape(text, problems.get(nid, NO_PROBLEMS))
                continue
            node = graph.node(nid)
            layer = graph.catalog.get(node.type)
            connected = set(graph.input_map(nid))
            names = [layer.input_name(p) for p in range(graph.input_slots(nid))]
            if item.set_content(_label(layer, node.params), text, names, connected, node.type != OUTPUT_TYPE, problems.get(nid, [])):
                reshaped.add(nid)
            item.set_training(node.frozen, node.lr_factor)
        for edge in {e for nid in reshaped for e in self._node_edges[nid]}:
            self._place_edge(edge)  # before the labels: a label goes where its wire is
        # A wire's label is its source's output, its colour whether it is in
        # conflict: restate the wires leaving a changed node, and those whose
        # conflict state flipped.
        conflicted = analysis.conflicted_edges(graph)
        flipped, self._conflicted = conflicted ^ self._conflicted, conflicted
        edges = self.edges
        for nid in changed:
            text = texts[nid]
            for edge in graph.output_list(nid):
                item = edges.get(edge)
                if item is not None:
                    item.set_state(text, bool(conflicted) and edge in conflicted)
        for edge in flipped:
            item = edges.get(edge)
            if item is not None:
                if edge.source not in texts:
                    out = analysis.output_of(edge.source)
                    texts[edge.source] = out.display() if out else ""
                item.set_state(texts[edge.source], edge in conflicted)
        if self.unit_maps.items and self.unit_maps.fingerprint != graph.fingerprint():
            self.unit_maps.clear()  # the design changed since: the maps no longer show it
        if self.gradient_flow.shown and self.gradient_flow.fingerprint != graph.fingerprint():
            self.gradient_flow.clear()  # the design changed since the run: its gradients no longer apply
        self.refreshed.emit()

    def show_gradient_flow(self, norms: dict[str, float] | None) -> None:
        """Bars on the nodes and colours on the wires for a run's gradient norms
        (node id -> norm at its output; see designer.ui.canvas.gradient_flow); None clears them."""
        if norms is None:
            self.gradient_flow.clear()
            return
        self.gradient_flow.show(self.nodes, self.edges, norms, self.views(), self.document.graph.fingerprint())

    def show_training_problems(self, lines: dict[str, list[str]]) -> None:
        """Amber tags on the nodes with problems found while training (node id -> message and advice lines)."""
        self.gradient_flow.show_problems(self.nodes, lines, self.document.graph.fingerprint())

    def show_plane_maps(self, maps: PlaneMaps, tiles: dict | None = None) -> None:
        """Draw each hidden node's unit maps under its box (a run of a 2-D design);
        ``tiles``: their pictures if made already (unit_maps.tile_grid, off the UI thread)."""
        self.unit_maps.show(self.nodes, maps, self.document.graph.fingerprint(), tiles)

    def node_item_moved(self, item: NodeItem) -> None:
        for edge in self._node_edges.get(item.node_id, ()):
            self._place_edge(edge)

    def _place_edge(self, edge: Edge) -> None:
        source, target = self.nodes.get(edge.source), self.nodes.get(edge.target)
        item = self.edges.get(edge)
        if source is None or target is None or item is None:
            return
        start, end = source.mapToScene(source.output_port_pos()), target.mapToScene(target.input_port_pos(edge.port))
        if along_row(start, end):
            item.set_ends(start, end, bridge=self._skipped_in_the_way(edge, start, end))
        elif between_rows(start, end):
            item.set_ends(start, end, run=self._run_between_rows(edge, source, target, start, end))
        else:
            item.set_ends(start, end)

    def _skipped_in_the_way(self, edge: Edge, start: QPointF, end: QPointF) -> bool:
        """Whether a layer the wire skips stands in its way along the row: a skip connection
        drawn straight hid behind the ReLU it skipped."""
        corridor = QRectF(start.x() + 1, min(start.y(), end.y()) - 4, end.x() - start.x() - 2, abs(end.y() - start.y()) + 8)
        return any(node.sceneBoundingRect().intersects(corridor) for node in self._skipped(edge, start, end))

    def _run_between_rows(self, edge: Edge, source: NodeItem, target: NodeItem, start: QPointF, end: QPointF) -> float | None:
        """The height of a run through the gap between the wire's two rows when its curve would
        pass through a layer beside its ends (inside a residual block wrapped into two rows, the
        input's wire to the Add crossed the BatchNorm2d before it); None keeps the curve."""
        down = end.y() > start.y()
        upper, lower = (source, target) if down else (target, source)
        gap = lower.box().top() - upper.box().bottom()
        if gap < RUN_GAP:
            return None
        # Only a layer inside the rectangle between the two ports can be in the curve's way; the
        # points along the curve are taken only for those (a design of 10,000 layers with branches
        # has thousands of wires between rows).
        between = QRectF(start, end).normalized().adjusted(1, 1, -1, -1)
        inside = [box for box in (node.box() for node in self._beside_the_ends(edge)) if box.intersects(between)]
        if not inside:
            return None
        curve = s_curve(start, end)
        points = [curve.pointAtPercent(i / 24) for i in range(1, 24)]
        if not any(box.contains(point) for box in inside for point in points):
            return None
        return source.box().bottom() + gap * RUN_PLACE if down else source.box().top() - gap * RUN_PLACE

    def _skipped(self, edge: Edge, start: QPointF, end: QPointF) -> Iterator[NodeItem]:
        """The layers a wire skips (on paths from its source to its target) that stand between its
        ends, in x and within a few rows. Only those are visited: a skip's own block, not the
        design (looking up every node in the way made opening a 10,000-node design with
        branches take seconds more)."""
        graph, seen, stack = self.document.graph, {edge.source, edge.target}, [edge.source]
        while stack:
            for out in graph.output_list(stack.pop()):
                node = self.nodes.get(out.target)
                if out.target in seen or node is None:
                    continue
                seen.add(out.target)
                at = node.pos()
                if at.x() < start.x() - style.NODE_WIDTH or at.x() > end.x() or abs(at.y() - start.y()) > SKIP_ROWS:
                    continue  # past either end, or rows away: not a layer this wire passes
                yield node
                stack.append(out.target)

    def _beside_the_ends(self, edge: Edge) -> Iterator[NodeItem]:
        """The layers a wire between rows could pass through: the ones its source also feeds and
        the ones that also feed its target, and their next ones, where a wrapped design puts them
        beside its ends (the paths between the ends leave the rows' span and come back: walking
        them made opening a 10,000-node design with branches three times slower)."""
        graph, ends = self.document.graph, {edge.source, edge.target}
        after = [e.target for e in graph.output_list(edge.source) if e.target not in ends]
        before = [e.source for e in graph.input_map(edge.target).values() if e.source not in ends]
        near = {*after, *before}
        near.update(e.target for node in after for e in graph.output_list(node))
        near.update(e.source for node in before for e in graph.input_map(node).values())
        for node_id in near - ends:
            node = self.nodes.get(node_id)
            if node is not None:
                yield node

    # --------------------------------------------------------- selection
    def _on_selection_changed(self) -> None:
        """Selected nodes are drawn above the others."""
        for item in self._raised:
            item.setZValue(style.Z_NODE)
        self._raised = [item for item in self.selectedItems() if isinstance(item, NodeItem)]
        for item in self._raised:
            item.setZValue(style.Z_NODE_SELECTED)

    def set_highlighted(self, node_id: str | None) -> None:
        """Outline one node thickly (the Insight panel's forward stepper), or none."""
        for nid in {self.highlighted, node_id} - {None}:
            if nid in self.nodes:
                self.nodes[nid].set_highlighted(nid == node_id)
        self.highlighted = node_id

    def selected_node_ids(self) -> list[str]:
        return [item.node_id for item in self.selectedItems() if isinstance(item, NodeItem)]

    def selected_edges(self) -> list[Edge]:
        return [item.edge for item in self.selectedItems() if isinstance(item, EdgeItem)]

    def select_nodes(self, node_ids: list[str]) -> None:
        self.clearSelection()
        for nid in node_ids:
            if nid in self.nodes:
                self.nodes[nid].setSelected(True)

    def node_at(self, pos: QPointF) -> NodeItem | None:
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                return item
        return None

    def edge_at(self, pos: QPointF, exclude: QGraphicsItem | None = None) -> EdgeItem | None:
        for item in self.items(QRectF(pos.x() - 6, pos.y() - 6, 12, 12)):
            if isinstance(item, EdgeItem) and item is not exclude:
                return item
        return None

    def items_rect(self) -> QRectF:
        return self.itemsBoundingRect().adjusted(-60, -60, 60, 60)

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:  # noqa: N802 - Qt override
        """Qt's tooltip lookup (the topmost item under the pointer that has
        one), but asking each item in Python: node and wire items make their
        tooltips when asked, so an edit that changes thousands of them makes none."""
        widget = event.widget()
        view = widget.parentWidget() if widget is not None else None
        transform = view.viewportTransform() if isinstance(view, QGraphicsView) else QTransform()
        text = ""
        for item in self.items(event.scenePos(), Qt.ItemSelectionMode.IntersectsItemShape, Qt.SortOrder.DescendingOrder, transform):
            text = item.toolTip()
            if text:
                break
        QToolTip.showText(event.screenPos(), text, widget)
        event.setAccepted(bool(text))

    # -------------------------------------------------------- background
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 - Qt override
        painter.fillRect(rect, style.CANVAS_BACKGROUND)
        zoom = painter.worldTransform().m11()
        step = style.GRID_STEP
        while zoom * step < 8:  # keep the lines at least 8 pixels apart, however far out
            step *= 5
        minor, major = [], []
        x = math.floor(rect.left() / step) * step
        while x < rect.right():
            (major if round(x / step) % 5 == 0 else minor).append(QLineF(x, rect.top(), x, rect.bottom()))
            x += step
        y = math.floor(rect.top() / step) * step
        while y < rect.bottom():
            (major if round(y / step) % 5 == 0 else minor).append(QLineF(rect.left(), y, rect.right(), y))
            y += step
        painter.setPen(style.GRID_MINOR)
        painter.drawLines(minor)
        painter.setPen(style.GRID_MAJOR)
        painter.drawLines(major)


_UNSEEN = object()  # a node item not refreshed yet


def _label(layer, params: dict) -> str:
    """The node's key parameters; a block without exposed ones says how many layers it holds."""
    label = layer.describe(params)
    definition = getattr(layer, "definition", None)
    if label or definition is None:
        return label
    count = definition.layer_count
    return f"{count} layer{'s' if count != 1 else ''}"
