"""New layers land in free space and get wired the way a Sequential model
grows: double-click, the quick fix, a drop on a wire and paste never cover
a node; with a node selected, a new layer follows it; Ctrl+E connects two
selected layers; a press near a port starts a wire even zoomed out."""

from __future__ import annotations

import itertools

from helpers import drag, input_port
from paths import sample
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from designer.graph.layout import COLUMN_WIDTH, node_rect


def overlaps(window) -> list[tuple[str, str]]:
    graph = window.document.graph
    rects = {nid: node_rect(graph, nid) for nid in graph.node_ids()}
    return [(a, b) for a, b in itertools.combinations(rects, 2) if rects[a].overlaps(rects[b])]


def double_click_palette(window, type_name: str) -> None:
    item = window.palette.item_for(type_name)
    tree = window.palette.tree
    tree.scrollToItem(item)
    centre = tree.visualItemRect(item).center()
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    QTest.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)


def tight_chain(window) -> list[str]:
    """Input -> Linear -> Output one column apart, fed an image (so Linear needs a Flatten)."""
    doc = window.document
    ids = [
        doc.add_node("Input", (0, 0), {"shape": [1, 8, 8]}),
        doc.add_node("Linear", (COLUMN_WIDTH, 0), {"out_features": 10}),
        doc.add_node("Output", (2 * COLUMN_WIDTH, 0)),
    ]
    doc.connect(ids[0], ids[1])
    doc.connect(ids[1], ids[2])
    return ids


def test_double_clicked_layers_never_land_on_each_other(window) -> None:
    for _ in range(3):
        window.scene.clearSelection()
        double_click_palette(window, "Conv2d")
    assert len(window.document.graph) == 3 and not overlaps(window)


def test_with_a_node_selected_new_layers_grow_a_chain(window) -> None:
    doc = window.document
    first = doc.add_node("Input", (0, 0), {"shape": [4]})
    window.scene.select_nodes([first])
    for type_name in ("Linear", "ReLU", "Linear", "Output"):
        double_click_palette(window, type_name)  # each new layer is selected: the next one follows it
    graph = doc.graph
    assert [(e.source, e.target) for e in graph.edges] == [("input1", "dense1"), ("dense1", "relu1"), ("relu1", "dense2"), ("dense2", "output1")]
    xs = [graph.node(n).position[0] for n in ("input1", "dense1", "relu1", "dense2", "output1")]
    assert xs == sorted(xs) and len(set(xs)) == 5, "each to the right of the one before"
    assert not overlaps(window)
    doc.undo_stack.undo()
    assert "output1" not in graph and len(graph.edges) == 3, "adding and wiring is one undo step"


def test_a_layer_added_after_a_node_with_a_consumer_goes_between_them(window) -> None:
    a, b, c = tight_chain(window)
    window.scene.select_nodes([a])
    window.view.add_layer("Flatten")
    graph = window.document.graph
    assert {(e.source, e.target) for e in graph.edges} == {(a, "flatten1"), ("flatten1", b), (b, c)}
    assert not overlaps(window)
    assert not graph.analyze().errors, "the Flatten fixed the Linear fed an image"


def test_tab_search_follows_the_selected_node(window) -> None:
    doc = window.document
    first = doc.add_node("Input", (0, 0), {"shape": [4]})
    window.scene.select_nodes([first])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Tab)
    popup = window.view._quick_add
    QTest.keyClicks(popup.search, "linear")
    QTest.keyClick(popup.search, Qt.Key.Key_Return)
    assert [(e.source, e.target) for e in doc.graph.edges] == [(first, "dense1")]
    assert not overlaps(window)
    assert doc.graph.node("dense1").position[1] == doc.graph.node(first).position[1], "in the chain's row, not at the cursor"


def test_insert_flatten_quick_fix_makes_room_downstream(window) -> None:
    a, b, c = tight_chain(window)
    menu = window.context_menu(window.scene.nodes[b], QPointF(300, 20))
    next(act for act in menu.actions() if act.text().startswith("Fix:")).trigger()
    graph = window.document.graph
    assert "flatten1" in graph and not overlaps(window)
    xs = [graph.node(n).position[0] for n in (a, "flatten1", b, c)]
    assert xs == sorted(xs), "the chain still reads left to right"
    window.document.undo_stack.undo()
    assert graph.node(b).position == (COLUMN_WIDTH, 0.0), "the room made is undone with the fix"


def test_a_layer_dropped_on_a_wire_makes_room(window) -> None:
    a, b, c = tight_chain(window)
    edge_item = next(item for edge, item in window.scene.edges.items() if edge.target == c)
    window.view.add_layer("ReLU", edge_item.path().pointAtPercent(0.5))
    graph = window.document.graph
    assert {(e.source, e.target) for e in graph.edges} == {(a, b), (b, "relu1"), ("relu1", c)}
    assert not overlaps(window)


def test_paste_and_duplicate_land_in_free_space(window) -> None:
    window.open_file(sample("digits_cnn"))
    window.scene.select_nodes(["conv1", "relu1", "pool1"])
    window.copy_action.trigger()
    window.view.center_on_node("relu1")
    window.paste_action.trigger()
    window.paste_action.trigger()
    window.duplicate_action.trigger()
    assert len(window.document.graph) == 12 + 9
    assert not overlaps(window)


def test_ctrl_e_connects_two_selected_layers_left_to_right(window) -> None:
    doc = window.document
    right = doc.add_node("Output", (600, 0))
    left = doc.add_node("Input", (0, 0), {"shape": [4]})
    window.scene.select_nodes([right, left])
    window.connect_action.trigger()
    assert [(e.source, e.target) for e in doc.graph.edges] == [(left, right)]
    window.connect_action.trigger()
    assert "Cannot connect" in window._status.text()


def test_a_press_near_a_port_starts_a_wire_when_zoomed_out(window) -> None:
    doc = window.document
    a = doc.add_node("Input", (0, 0), {"shape": [4]})
    b = doc.add_node("Output", (400, 0))
    window.view.set_zoom(0.5)
    window.view.centerOn(QPointF(290, 30))
    item = window.scene.nodes[a]
    port = window.view.mapFromScene(item.mapToScene(item.output_port_pos()))
    near = port + QPoint(-9, 8)  # 12 pixels off the port's centre, inside the node
    drag(window, near, input_port(window, b) + QPoint(0, 9))
    assert [(e.source, e.target) for e in doc.graph.edges] == [(a, b)]
