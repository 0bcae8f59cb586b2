"""The canvas driven with real widgets and mouse events."""

from __future__ import annotations

from pathlib import Path

from helpers import drag, input_port, output_port
from paths import SAMPLES
from PySide6.QtCore import QPoint, QPointF, QSize, Qt
from PySide6.QtTest import QTest

from designer.project import dumps, load_project


def _small_design(window) -> tuple[str, str, str]:
    doc = window.document
    a = doc.add_node("Input", (0, 0), {"shape": [1, 8, 8]})
    b = doc.add_node("Conv2d", (280, 0), {"out_channels": 4, "padding": 1})
    c = doc.add_node("Output", (560, 0))
    window.view.set_zoom(1.0)
    window.view.centerOn(QPointF(350, 30))
    return a, b, c


def test_add_from_palette_by_double_click(window, qtbot) -> None:
    item = window.palette.item_for("Conv2d")
    tree = window.palette.tree
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    QTest.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert [n.type for n in window.document.graph.nodes] == ["Conv2d"]
    assert window.scene.selected_node_ids() == ["conv1"]
    assert window.document.modified and window.windowTitle().startswith("untitled")


def test_palette_search_filters(window) -> None:
    window.palette.search.setText("norm")
    visible = [window.palette.item_for(n) for n in ("BatchNorm2d", "LayerNorm", "Conv2d")]
    assert [not i.isHidden() for i in visible] == [True, True, False]


def test_wire_with_the_mouse_and_see_the_shape_label(window, qtbot) -> None:
    a, b, c = _small_design(window)
    drag(window, output_port(window, a), input_port(window, b))
    drag(window, output_port(window, b), input_port(window, c))
    edges = window.document.graph.edges
    assert [(e.source, e.target) for e in edges] == [(a, b), (b, c)]
    labels = {edge.target: item.label for edge, item in window.scene.edges.items()}
    assert labels == {b: "N x 1 x 8 x 8", c: "N x 4 x 8 x 8"}
    # Wired: only the data check is left (the untitled design trains on the default 2-D spirals).
    problems = [window.problems.topLevelItem(i).text(2) for i in range(window.problems.topLevelItemCount())]
    assert len(problems) == 2 and all("the spirals data" in p for p in problems)


def test_refuses_a_cycle_and_a_taken_port_with_the_reason(window) -> None:
    a, b, c = _small_design(window)
    window.document.connect(a, b)
    identity = window.document.add_node("Identity", (280, 160))
    add = window.document.add_node("Add", (560, 160))
    window.document.connect(identity, add)
    window.document.connect(b, add)
    drag(window, output_port(window, add), input_port(window, identity))
    assert "would make a cycle" in window._status.text()
    drag(window, output_port(window, identity), input_port(window, b))
    assert "already fed by input1" in window._status.text()
    assert len(window.document.graph.edges) == 3 and window.document.undo_stack.count() == 8  # the setup only


def test_drag_from_a_taken_input_moves_the_wire(window) -> None:
    a, b, c = _small_design(window)
    window.document.connect(a, b)
    window.document.connect(b, c)
    empty = window.view.mapFromScene(QPointF(420, 300))
    drag(window, input_port(window, c), empty)
    assert [(e.source, e.target) for e in window.document.graph.edges] == [(a, b)]
    window.document.undo_stack.undo()
    assert len(window.document.graph.edges) == 2


def test_inspector_edit_updates_shapes_downstream(window, qtbot) -> None:
    window.open_file(next(p for p in SAMPLES if p.stem == "digits_cnn"))
    window.scene.select_nodes(["conv1"])
    editor = window.inspector.node_inspector.editors["out_channels"]
    editor.field.setValue(24)
    assert window.document.graph.node("conv1").params["out_channels"] == 24
    label = next(item.label for edge, item in window.scene.edges.items() if edge.source == "conv1")
    assert label == "N x 24 x 8 x 8"
    assert window.scene.nodes["conv2"].label == "32, 3x3"
    assert window.inspector.node_inspector.inferred.text().endswith("in_channels = 1")  # conv1 still reads the 1-channel image
    window.scene.select_nodes(["conv2"])
    assert "in_channels = 24" in window.inspector.node_inspector.inferred.text()


def test_bad_value_is_refused_at_the_field(window) -> None:
    window.open_file(next(p for p in SAMPLES if p.stem == "digits_cnn"))
    window.scene.select_nodes(["conv1"])
    editor = window.inspector.node_inspector.editors["kernel_size"]
    editor.field.setText("3x3x3")
    editor.field.editingFinished.emit()
    assert editor.error.isVisibleTo(window) and "like 3x3" in editor.error.text()
    assert window.document.graph.node("conv1").params["kernel_size"] == 3
    assert not window.document.modified


def test_shape_conflict_shows_in_problems_and_on_the_node(window) -> None:
    window.open_file(next(p for p in SAMPLES if p.stem == "digits_cnn"))
    window.scene.select_nodes(["pool2"])
    window.inspector.node_inspector.editors["kernel_size"].field.setText("5")
    window.inspector.node_inspector.editors["kernel_size"].field.editingFinished.emit()
    rows = [window.problems.topLevelItem(i) for i in range(window.problems.topLevelItemCount())]
    assert [(r.text(0), r.text(1)) for r in rows] == [("error", "pool2")]
    node = window.scene.nodes["pool2"]
    assert node.problems and node.problems[0][0] == "error" and "does not fit" in node.toolTip()
    assert any(item.conflict for edge, item in window.scene.edges.items() if edge.target == "pool2")
    window.problems.itemClicked.emit(rows[0], 0)
    assert window.scene.selected_node_ids() == ["pool2"]


def test_move_is_one_undo_step(window) -> None:
    a, b, c = _small_design(window)
    window.scene.select_nodes([a, b])
    start = window.view.mapFromScene(window.scene.nodes[b].sceneBoundingRect().center() + QPointF(0, 5))
    drag(window, start, start + (window.view.mapFromScene(QPointF(100, 100)) - window.view.mapFromScene(QPointF(0, 0))))
    positions = {n: window.document.graph.node(n).position for n in (a, b)}
    assert positions[a] != (0.0, 0.0) and positions[b] != (280.0, 0.0)
    window.document.undo_stack.undo()
    assert window.document.graph.node(a).position == (0.0, 0.0) and window.document.graph.node(b).position == (280.0, 0.0)


def test_undo_redo_from_the_edit_menu(window) -> None:
    window.open_file(next(p for p in SAMPLES if p.stem == "residual_cnn"))
    before = dumps(window.document.project)
    window.scene.select_nodes(["conv2", "bn2"])
    window.delete_action.trigger()
    window.scene.select_nodes(["relu1"])
    window.copy_action.trigger()
    window.paste_action.trigger()
    window.layout_action.trigger()
    after = dumps(window.document.project)
    for _ in range(3):
        window.undo_action.trigger()
    assert dumps(window.document.project) == before
    for _ in range(3):
        window.redo_action.trigger()
    assert dumps(window.document.project) == after


def test_save_and_reopen(window, tmp_path: Path, monkeypatch) -> None:
    from designer.ui import dialogs

    _small_design(window)
    target = tmp_path / "mine.nnd"
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(target))
    window.save_as_action.trigger()
    assert target.exists() and not window.document.modified and "mine.nnd" in window.windowTitle()
    assert window.windowTitle().endswith("Neural Network Designer")
    window.new_action.trigger()
    assert len(window.document.graph) == 0
    assert window.open_file(target)
    assert dumps(load_project(target)) == dumps(window.document.project)
    assert str(target.resolve()) in window.files.recent_files()


def test_bad_file_gives_a_dialog_and_keeps_the_design(window, tmp_path: Path) -> None:
    window.open_file(next(p for p in SAMPLES if p.stem == "digits_cnn"))
    bad = tmp_path / "bad.nnd"
    bad.write_text("{ not json")
    assert not window.open_file(bad)
    assert window.errors and "JSON error" in window.errors[-1][1]
    assert window.document.title == "Digits CNN"


def test_unsaved_changes_prompt(window, monkeypatch) -> None:
    from designer.ui import dialogs

    _small_design(window)
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda *a: "cancel")
    window.new_action.trigger()
    assert len(window.document.graph) == 3
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda *a: "discard")
    window.new_action.trigger()
    assert len(window.document.graph) == 0


def test_quick_fix_from_the_context_menu(window) -> None:
    doc = window.document
    a = doc.add_node("Input", (0, 0), {"shape": [1, 8, 8]})
    b = doc.add_node("Linear", (280, 0))
    c = doc.add_node("Output", (560, 0))
    doc.connect(a, b)
    doc.connect(b, c)
    menu = window.context_menu(window.scene.nodes[b], QPointF(300, 20))
    fix = next(act for act in menu.actions() if act.text().startswith("Fix:"))
    fix.trigger()
    assert [n.type for n in doc.graph.nodes] == ["Input", "Linear", "Output", "Flatten"]
    assert doc.graph.validate() == []


def test_tab_opens_quick_add(window, qtbot) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Tab)
    popup = window.view._quick_add
    assert popup.isVisible()
    QTest.keyClicks(popup.search, "lstm")
    QTest.keyClick(popup.search, Qt.Key.Key_Return)
    assert [n.type for n in window.document.graph.nodes] == ["LSTM"]


def test_drop_layer_onto_an_edge_inserts_it(window) -> None:
    a, b, c = _small_design(window)
    window.document.connect(b, c)
    edge_item = next(iter(window.scene.edges.values()))
    middle = edge_item.path().pointAtPercent(0.5)
    window.view.add_layer("ReLU", middle)
    graph = window.document.graph
    assert {(e.source, e.target) for e in graph.edges} == {(b, "relu1"), ("relu1", c)}


def test_export_canvas_png_and_svg(window, tmp_path: Path) -> None:
    window.open_file(next(p for p in SAMPLES if p.stem == "spirals_mlp"))
    png = window.exports.export_png(str(tmp_path / "c.png"))
    svg = window.exports.export_svg(str(tmp_path / "c.svg"))
    assert png.stat().st_size > 1000 and "<svg" in svg.read_text()


def test_geometry_is_remembered(qtbot, settings) -> None:
    from designer.ui.main_window import MainWindow

    first = MainWindow(settings)
    qtbot.addWidget(first)
    first.show()
    wanted = first.minimumSizeHint() + QSize(3, 11)  # a size of the user's own, not a default
    assert wanted.width() <= 800 and wanted.height() <= 800, "the window must fit the offscreen screen (800x800)"
    first.resize(wanted)
    qtbot.waitExposed(first)
    first.close()
    second = MainWindow(settings)
    qtbot.addWidget(second)
    assert second.size() == wanted
    second.close()


def test_rubber_band_selects_the_nodes_it_covers(window) -> None:
    a, b, c = _small_design(window)
    top_left = window.view.mapFromScene(QPointF(-40, -60))
    bottom_right = window.view.mapFromScene(QPointF(480, 120))
    drag(window, top_left, bottom_right)
    assert sorted(window.scene.selected_node_ids()) == sorted([a, b])


def test_wheel_zooms_at_the_cursor(window) -> None:
    from PySide6.QtCore import QPointF as P
    from PySide6.QtGui import QWheelEvent

    _small_design(window)
    before = window.view.zoom()
    anchor = window.view.mapFromScene(QPointF(280, 30))
    event = QWheelEvent(
        P(anchor),
        P(window.view.mapToGlobal(anchor)),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    window.view.wheelEvent(event)
    assert window.view.zoom() > before
    after = window.view.mapToScene(anchor)
    assert abs(after.x() - 280) < 5 and abs(after.y() - 30) < 5  # the point under the cursor stays put


def test_a_skip_into_a_merges_second_input_bridges_the_layers_it_skips() -> None:
    """Along one row, a wire into an Add's second port (a port spacing lower) ran straight
    behind the ReLU it skipped: the skip connection, the point of the design, was hidden.
    (An arc, one curve, still dipped into the nodes next to its ends.)"""
    from PySide6.QtCore import QPointF

    from designer.graph.layout import COLUMN_WIDTH
    from designer.ui import style
    from designer.ui.canvas.edge_item import bezier

    # The canvas's columns: the source's port, a node between (its top 46 above the ports' line), the Add's ports.
    node_top = -(style.HEADER_HEIGHT + style.BODY_HEIGHT / 2)
    span = 2 * COLUMN_WIDTH - style.NODE_WIDTH  # over one node; and over two, a column further
    for end, skipped in (
        (QPointF(span, style.PORT_SPACING), 1),
        (QPointF(span, 0), 1),
        (QPointF(span + COLUMN_WIDTH, style.PORT_SPACING), 2),
    ):
        path = bezier(QPointF(0, 0), end, bridge=True)
        over = [path.pointAtPercent(t / 400) for t in range(401)]
        for k in range(1, skipped + 1):
            left, right = k * COLUMN_WIDTH - style.NODE_WIDTH, k * COLUMN_WIDTH  # the k-th node between, along x
            assert all(p.y() < node_top - 4 for p in over if left <= p.x() <= right), (end, k)


def test_a_skip_into_the_next_row_runs_between_the_rows_past_the_layers_it_skips(window) -> None:
    """A residual block wrapped into two rows: the input's wire to the Add crossed the
    BatchNorm2d before it. It now turns down after its source, runs in the gap between the
    rows and turns down again before the Add, through no node; a wire to the next row with
    nothing in its way stays a curve."""
    document = window.document
    column, row = 270.0, 140.0
    places = {"x": (0, 0), "c1": (1, 0), "b1": (2, 0), "r1": (3, 0), "c2": (0, 1), "b2": (1, 1), "add": (2, 1), "r2": (3, 1)}
    kinds = {"x": ("Input", {"shape": [4, 8, 8]}), "add": ("Add", {}), "r1": ("ReLU", {}), "r2": ("ReLU", {})}
    kinds |= {"c1": ("Conv2d", {"out_channels": 4, "padding": 1}), "c2": ("Conv2d", {"out_channels": 4, "padding": 1})}
    kinds |= {"b1": ("BatchNorm2d", {}), "b2": ("BatchNorm2d", {})}
    ids = {name: document.add_node(kinds[name][0], (column * c, row * r), kinds[name][1]) for name, (c, r) in places.items()}
    for source, target in (("x", "c1"), ("c1", "b1"), ("b1", "r1"), ("r1", "c2"), ("c2", "b2"), ("b2", "add"), ("x", "add"), ("add", "r2")):
        document.connect(ids[source], ids[target])
    scene = window.scene
    crossed = []
    for edge, item in scene.edges.items():
        ends = {edge.source, edge.target}
        points = [item.path().pointAtPercent(t / 200) for t in range(201)]
        for node_id, node in scene.nodes.items():
            inside = node.box().adjusted(3, 3, -3, -3)
            if node_id not in ends and any(inside.contains(p) for p in points):
                crossed.append((edge.source, edge.target, node_id))
    assert crossed == []
    skip = scene.edges[next(e for e in document.graph.edges if e.source == ids["x"] and e.target == ids["add"])]
    rows_gap = scene.nodes[ids["x"]].box().bottom(), scene.nodes[ids["b2"]].box().top()
    assert rows_gap[0] < skip.path().pointAtPercent(0.5).y() < rows_gap[1]  # its middle (and label) in the gap
    free = scene.edges[next(e for e in document.graph.edges if e.source == ids["c2"] and e.target == ids["b2"])]
    assert free.path().elementCount() == 4  # a wire along its row: one cubic curve, no corners
    add_at = document.graph.node(ids["add"]).position
    document.move_nodes({ids["add"]: add_at}, {ids["add"]: (column * 0.8, row * 1.5)})  # nothing skipped in its way: a curve again
    assert skip.path().elementCount() == 4


def test_only_a_wire_with_the_layers_it_skips_in_its_way_bridges_them(window) -> None:
    """In the window: the skip over a ReLU bridges it; the residual CNN's skips, whose rows are
    free (their branches are drawn a row lower), stay plain curves clear of the wires around."""
    from paths import sample

    document = window.document
    kinds = [("Input", {"shape": [2]}), ("Linear", {}), ("ReLU", {}), ("Add", {})]
    x, a, r, add = (document.add_node(t, (270.0 * k, 0.0), p) for k, (t, p) in enumerate(kinds))
    for source, target in ((x, a), (a, r), (r, add), (a, add)):
        document.connect(source, target)
    skip = window.scene.edges[next(e for e in document.graph.edges if e.source == a and e.target == add)]
    relu_top = window.scene.nodes[r].scenePos().y()
    assert skip.path().boundingRect().top() < relu_top - 12  # over the ReLU and the gradient bar drawn on it, not behind
    assert window.open_file(sample("residual_cnn"))
    scene = window.scene
    for edge, item in scene.edges.items():
        if scene.nodes[edge.target].type_name == "Add":
            ports = item.path().pointAtPercent(0.0).y(), item.path().pointAtPercent(1.0).y()
            assert item.path().boundingRect().top() >= min(ports) - 30  # no bridge in a free row
