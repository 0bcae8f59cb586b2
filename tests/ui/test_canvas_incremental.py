"""The canvas refreshes only the items an edit can change, and shows what a
canvas built afresh for the same design shows, after any sequence of edits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent, QImage, QPainter
from PySide6.QtWidgets import QApplication, QToolTip

from designer.document import Document
from designer.graph import Edge, EditError, Graph
from designer.graph.layout import auto_layout
from designer.project import Project
from designer.ui.canvas.scene import DesignScene
from designer.ui.canvas.view import DesignView

TYPES = ("Linear", "ReLU", "Add", "Flatten", "Output", "Input")


def start() -> Graph:
    """Input -> Linear -> [ReLU as block Body] -> Add -> Output, and Input -> Linear -> Add."""
    g = Graph("canvas")
    x, first, relu, side, add, out = (g.add(t) for t in ("Input", "Linear", "ReLU", "Linear", "Add", "Output"))
    g.set_param(x, "shape", [8])
    for source, target in [(x, first), (first, relu), (relu, add), (x, side), (side, add), (add, out)]:
        g.connect(source, target)
    g.make_block([relu], "Body")
    return g


def grow_block(g: Graph) -> None:
    """One more layer inside Body: every instance's label counts it, its shapes stay."""
    inner = g.block_graph("Body")
    last = next(e for e in inner.edges if inner.node(e.target).type == "Output")
    inner.disconnect(last)
    inner.connect(inner.add("Identity"), last.target)
    inner.connect(last.source, inner.node_ids()[-1])
    g.set_block_definition("Body", g.blocks["Body"].with_inside(inner))


def shown(scene: DesignScene) -> tuple[dict, dict]:
    nodes = {
        nid: (
            item.label,
            item.shape_text,
            item.input_names,
            item.connected_ports,
            item.has_output,
            item.problems,
            item.frozen,
            item.toolTip(),
        )
        for nid, item in scene.nodes.items()
    }
    edges = {}
    for edge, item in scene.edges.items():
        path = item.path()
        ends = (path.elementAt(0).x, path.elementAt(0).y, path.currentPosition().x(), path.currentPosition().y())
        edges[edge] = (item.label, item.conflict, ends, item.toolTip())
    return nodes, edges


def edit(g: Graph, data: st.DataObject) -> None:
    ids = g.node_ids()
    kind = data.draw(st.sampled_from(["add", "remove", "connect", "disconnect", "param", "freeze", "rename", "block"]))
    try:
        if kind == "add" or not ids:
            g.add(data.draw(st.sampled_from(TYPES)))
        elif kind == "remove":
            g.remove_node(data.draw(st.sampled_from(ids)))
        elif kind == "connect":
            g.connect(data.draw(st.sampled_from(ids)), data.draw(st.sampled_from(ids)))
        elif kind == "disconnect" and g.edges:
            g.disconnect(data.draw(st.sampled_from(g.edges)))
        elif kind == "param":
            node = g.node(data.draw(st.sampled_from(ids)))
            if node.type == "Linear":
                g.set_param(node.id, "out_features", data.draw(st.sampled_from([4, 6])))
            elif node.type == "Input":
                g.set_param(node.id, "shape", data.draw(st.sampled_from([[8], [2, 4]])))
        elif kind == "freeze":
            g.set_node_training(data.draw(st.sampled_from(ids)), frozen=data.draw(st.booleans()))
        elif kind == "block":
            grow_block(g)
        elif kind == "rename":
            g.rename_node(data.draw(st.sampled_from(ids)), data.draw(st.sampled_from(["a", "b"])))
    except (EditError, ValueError):
        pass


@settings(max_examples=25)
@given(st.data())
def test_after_any_edits_the_canvas_shows_what_a_fresh_canvas_shows(qapp, data: st.DataObject) -> None:
    document = Document(Project(start()))
    scene = DesignScene(document)
    try:
        for _ in range(data.draw(st.integers(1, 8))):
            edit(document.graph, data)
        assert_shows_what_a_fresh_canvas_shows(document, scene)
    finally:
        scene.deleteLater()
        document.deleteLater()


def assert_shows_what_a_fresh_canvas_shows(document: Document, scene: DesignScene) -> None:
    fresh = DesignScene(document)
    try:
        assert shown(scene) == shown(fresh)
    finally:
        fresh.deleteLater()


def draw(scene: DesignScene) -> None:
    """Draw every item once, as a view showing the whole design does."""
    image = QImage(400, 300, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    scene.render(painter)
    painter.end()


def test_an_edit_repaints_the_items_it_changes_and_no_other(qapp) -> None:
    document = Document(Project(start()))
    scene = DesignScene(document)
    painted: list[str] = []
    for nid, item in scene.nodes.items():
        item.update = lambda *args, nid=nid: painted.append(nid)  # noqa: B023 - records which items asked to be repainted
    draw(scene)
    document.graph.set_param("dense2", "out_features", 4)  # the Add no longer fits: it and the Output change too
    assert painted == ["dense2", "add1", "output1"]
    painted.clear()
    draw(scene)
    grow_block(document.graph)
    assert painted == ["block1"] and scene.nodes["block1"].label == "2 layers"
    scene.deleteLater()
    document.deleteLater()


def long_row(layers: int) -> Graph:
    """Input, ``layers`` Linear/ReLU layers and Output in one row, wider than a view."""
    g = Graph("row")
    with g.batch():
        previous = g.add("Input", shape=[8])
        for i in range(layers):
            node = g.add("Linear", out_features=8) if i % 2 == 0 else g.add("ReLU")
            g.connect(previous, node)
            previous = node
        g.connect(previous, g.add("Output"))
    g.move_nodes(auto_layout(g))
    return g


def test_items_changed_off_screen_show_their_new_state_when_scrolled_into_view(qapp) -> None:
    """An item changed while not drawn since its last repaint is not asked to
    repaint again (NodeItem._repaint); one drawn, and cached, while in view
    earlier is. Scrolled into view, every item shows what a canvas built
    afresh shows, after a delete that changes every shape after it and its undo."""
    document = Document(Project(long_row(30)))
    ids = document.graph.node_ids()
    views: list[DesignView] = []

    def view_of(scene: DesignScene) -> DesignView:
        view = DesignView(scene)
        view.resize(520, 320)
        view.show()
        views.append(view)
        return view

    def look(view: DesignView, node_id: str) -> QImage:
        view.centerOn(view.design_scene.nodes[node_id].pos())
        qapp.processEvents()
        return view.viewport().grab().toImage()

    try:
        view = view_of(DesignScene(document))
        for nid in (ids[-1], ids[0]):  # the last layers drawn and cached, then back to the start
            look(view, nid)
        for change in (lambda: document.remove_nodes([ids[1]]), document.undo_stack.undo):
            change()
            qapp.processEvents()
            fresh = view_of(DesignScene(document))
            for nid in (ids[len(ids) // 2], ids[-1], ids[0]):
                assert look(view, nid) == look(fresh, nid), nid
            look(view, ids[0])
    finally:
        for view in views:
            view.close()
            view.design_scene.deleteLater()
            view.deleteLater()
        document.deleteLater()


def test_a_node_or_wire_under_the_pointer_shows_its_tooltip_made_when_asked(qapp) -> None:
    """Items make their tooltips when the scene asks (an edit sets none)."""
    document = Document(Project(long_row(2)))
    view = DesignView(DesignScene(document))
    try:
        view.resize(900, 400)
        view.show()
        scene = view.design_scene
        view.centerOn(scene.nodes["dense1"].pos())
        qapp.processEvents()
        node, wire = scene.nodes["dense1"], scene.edges[Edge("input1", "dense1")]
        for item, at, expected in (
            (node, node.mapToScene(node.shape().boundingRect().center()), "output N x 8"),
            (wire, wire.path().pointAtPercent(0.5), "input1 → dense1: N x 8"),
        ):
            at = view.mapFromScene(at)
            QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, at, view.viewport().mapToGlobal(at)))
            assert QToolTip.isVisible() and expected in QToolTip.text() and QToolTip.text() == item.toolTip()
        QToolTip.hideText()
    finally:
        view.close()
        scene.deleteLater()
        view.deleteLater()
        document.deleteLater()


def test_deleting_early_in_a_long_chain_and_undoing_it_brings_every_label_back(qapp) -> None:
    """Through the document's commands: the delete clears every shape after
    it, on the boxes and the wires, and its undo shows each one again."""
    document = Document(Project(long_row(40)))
    scene = DesignScene(document)
    try:
        before = shown(scene)
        document.remove_nodes(["dense2"])
        nodes, edges = shown(scene)
        after = document.graph.node_ids()[document.graph.node_ids().index("relu1") + 1 :]
        assert all(nodes[nid][1] == "" for nid in after)  # the node's shape text: none past the cut
        assert all(label == "" for edge, (label, *_) in edges.items() if edge.source in after)
        assert shown(scene) == shown(fresh := DesignScene(document))
        fresh.deleteLater()
        document.undo_stack.undo()
        assert shown(scene) == before
        document.undo_stack.redo()
        document.undo_stack.undo()
        assert shown(scene) == before
    finally:
        scene.deleteLater()
        document.deleteLater()


@settings(max_examples=25)
@given(st.data())
def test_deletes_undos_and_edits_on_a_long_chain_show_what_a_fresh_canvas_shows(qapp, data: st.DataObject) -> None:
    document = Document(Project(long_row(16)))
    scene = DesignScene(document)
    try:
        for _ in range(data.draw(st.integers(1, 8))):
            ids = document.graph.node_ids()
            kind = data.draw(st.sampled_from(["delete", "undo", "redo", "param"]))
            if kind == "delete" and ids:
                document.remove_nodes(data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True)))
            elif kind == "undo":
                document.undo_stack.undo()
            elif kind == "redo":
                document.undo_stack.redo()
            elif kind == "param":
                linear = [nid for nid in ids if document.graph.node(nid).type == "Linear"]
                if linear:
                    document.set_param(data.draw(st.sampled_from(linear)), "out_features", data.draw(st.sampled_from([4, 8])))
        assert_shows_what_a_fresh_canvas_shows(document, scene)
    finally:
        scene.deleteLater()
        document.deleteLater()
