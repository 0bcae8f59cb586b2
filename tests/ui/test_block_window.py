"""Blocks in the window: Make Block from the selection, an instance drawn as
a block, its inside opened in a tab of its own whose edits change every
instance (one undo step each), the palette's Blocks with the user's library
(a bad file is one line, never a crash) and the summary's block rows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import problems_badge, view_point
from paths import sample
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from designer.project.block_files import BLOCK_SUFFIX, save_block
from designer.ui import dialogs
from designer.ui.blocks_library import set_library_folder
from designer.ui.blocks_palette import BLOCK_ROLE, LIBRARY, PROBLEM_ROLE

RESIDUAL = ["conv2", "bn2", "relu2", "conv3", "bn3", "add1"]


@pytest.fixture
def residual(window, tmp_path: Path, monkeypatch):
    """The window on a copy of the residual CNN, its first residual part made a block."""
    shutil.copyfile(sample("residual_cnn"), tmp_path / "residual.nnd")
    window.open_file(tmp_path / "residual.nnd")
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "ResidualBlock")
    window.scene.select_nodes(RESIDUAL)
    window.blocks.make_action.trigger()
    return window


def menu_of(window, item):
    return next(a.menu() for a in window.context_menu(item, item.pos()).actions() if a.text() == "Block &Parameters")


def _instance(window) -> str:
    return next(nid for nid in window.document.graph.node_ids() if window.document.graph.is_block(nid))


def test_make_block_collapses_the_selection_into_one_block_node(residual, monkeypatch) -> None:
    window = residual
    instance = _instance(window)
    assert window.scene.selected_node_ids() == [instance]
    item = window.scene.nodes[instance]
    assert item.block and item.type_name == "ResidualBlock" and item.input_names == ["x"]
    assert item.shape_text == "N x 16 x 8 x 8"
    assert not any(nid in window.document.graph for nid in RESIDUAL)
    assert window.document.undo_stack.undoText() == "Make block ResidualBlock"
    assert "ResidualBlock" in [window.palette.blocks.parts["In this design"].child(i).text(0) for i in range(1)]
    # the node menu offers the block edits on the design, and no Make Block inside a block
    texts = [a.text() for a in window.context_menu(item, item.pos()).actions()]
    assert {"&Open Block", "E&xpand Block", "Make Block &Unique…", "Make &Block…"} <= set(texts)
    page = window.blocks.open_block(instance)
    inner = page.scene.nodes["conv2"]
    menu = window.context_menu(inner, inner.pos())
    texts = [a.text() for a in menu.actions()]
    assert "Make &Block…" not in texts and "&Delete" in texts
    # a layer's parameter becomes the block's own from the inner node's menu
    params = next(a.menu() for a in menu.actions() if a.text() == "Block &Parameters")
    expose = next(a for a in params.actions() if a.text() == "Expose out_channels…")
    expose.trigger()  # the name the dialog gives, ResidualBlock, cannot name a parameter
    assert window._status.text().startswith("Cannot expose conv2.out_channels: ") and not window.document.graph.node(instance).params
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "channels")
    expose.trigger()
    assert window.document.graph.node(instance).params == {"channels": 16}
    assert "Stop Exposing out_channels (channels)" in [a.text() for a in menu_of(window, inner).actions()]


def test_double_click_opens_the_inside_with_a_breadcrumb_and_closing_returns(residual, qtbot) -> None:
    window = residual
    instance = _instance(window)
    window.reveal_node(instance)
    item = window.scene.nodes[instance]
    QTest.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, view_point(window, item.sceneBoundingRect().center()))
    page = window.canvas_tabs.current_page()
    assert page is not None and page.block_name == "ResidualBlock"
    assert window.canvas_tabs.bar.isVisible() and window.canvas_tabs.bar.tabText(1) == "ResidualBlock"
    assert "Design" in page.breadcrumb.text() and "ResidualBlock" in page.breadcrumb.text()
    assert set(page.scene.nodes) == {"x", *RESIDUAL, "out"}
    assert page.scene.nodes["conv3"].shape_text == "N x 16 x 8 x 8", "the inside shows the shapes an instance gets"
    assert window._status.text().startswith("Editing block ResidualBlock: every change applies to all its instances")
    page.breadcrumb.linkActivated.emit("design")
    assert window.central.currentWidget() is window.view
    assert window._status.text() == "Editing the design"  # the status line follows the canvas shown
    window.canvas_tabs.bar.setCurrentIndex(1)
    assert window.canvas_tabs.current_page() is page and window._status.text().startswith("Editing block ResidualBlock")
    window.canvas_tabs.bar.tabCloseRequested.emit(1)
    assert window.central.currentWidget() is window.view and not window.canvas_tabs.pages
    assert not window.canvas_tabs.bar.isVisible()


def test_an_edit_inside_changes_every_instance_and_one_undo_takes_it_back(residual) -> None:
    window = residual
    first = _instance(window)
    second = window.view.add_block("ResidualBlock", window.document.graph.blocks["ResidualBlock"])
    window.document.connect("relu1", second)  # beside the first, not after it
    page = window.blocks.open_block(first)
    steps = window.document.undo_stack.count()
    page.scene.select_nodes(["conv3"])
    page.inspector.node_inspector.editors["out_channels"]  # the inspector shows the inner layer's parameters
    page.document.set_param("conv3", "out_channels", 24)
    assert window.document.undo_stack.count() == steps + 1
    assert _errors(window, first) and _errors(window, second), "both instances changed"
    assert page.scene.nodes["add1"].problems, "the mistake shows inside as on any node"
    window.undo_action.trigger()
    assert not _errors(window, first) and not _errors(window, second)
    assert page.document.graph.node("conv3").params["out_channels"] == 16
    # the Delete key on the block's canvas deletes inside the block
    page.scene.select_nodes(["relu2"])
    page.view.setFocus()
    QTest.keyClick(page.view, Qt.Key.Key_Delete)
    assert "relu2" not in {n["id"] for n in window.document.graph.blocks["ResidualBlock"].nodes}
    assert "relu2" not in page.scene.nodes
    window.undo_action.trigger()
    assert "relu2" in page.scene.nodes
    # undoing the block itself closes its tab
    while window.document.graph.blocks:
        window.undo_action.trigger()
    assert not window.canvas_tabs.pages and window.central.currentWidget() is window.view


def _errors(window, node_id: str) -> list[str]:
    return [message for severity, message in window.scene.nodes[node_id].problems if severity == "error"]



def test_expand_rename_and_make_unique_from_the_menu(residual, monkeypatch) -> None:
    window = residual
    instance = _instance(window)
    window.blocks.open_block(instance)
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "SkipBlock")
    window.blocks.rename_action.trigger()  # from its tab: the tab follows the new name
    assert window.document.graph.node(instance).type == "SkipBlock" and window.canvas_tabs.current_page().block_name == "SkipBlock"
    window.canvas_tabs.show_design()
    window.scene.select_nodes([instance])
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "OwnBlock")
    window.blocks.unique_action.trigger()
    assert window.document.graph.node(instance).type == "OwnBlock"
    window.scene.select_nodes([instance])
    window.blocks.expand_action.trigger()
    assert instance not in window.document.graph and set(RESIDUAL) <= set(window.document.graph.node_ids())
    window.scene.select_nodes(["conv1"])
    window.blocks.expand_action.trigger()
    assert "Select one block" in window._status.text()


def test_the_library_lists_good_files_and_says_why_a_bad_one_cannot_be_used(residual, tmp_path: Path) -> None:
    window = residual
    library = tmp_path / "library"
    library.mkdir()
    save_block(library / f"Residual{BLOCK_SUFFIX}", window.document.graph.blocks["ResidualBlock"])
    hostile = json.loads((library / f"Residual{BLOCK_SUFFIX}").read_text())
    hostile["nodes"] = hostile.get("nodes", []) + [{"id": "evil", "type": "__import__('os').system('echo hi')", "params": {}}]
    (library / f"Hostile{BLOCK_SUFFIX}").write_text(json.dumps(hostile))
    (library / f"Broken{BLOCK_SUFFIX}").write_text("{ not json")
    set_library_folder(window.settings, library)
    window.blocks.refresh_library()
    part = window.palette.blocks.parts[LIBRARY]
    rows = {part.child(i).text(0): part.child(i) for i in range(part.childCount())}
    assert set(rows) == {"Broken.block.json (unreadable)", "Hostile.block.json (unreadable)", "ResidualBlock"}
    for name in ("Broken.block.json (unreadable)", "Hostile.block.json (unreadable)"):
        problem = rows[name].data(0, PROBLEM_ROLE)
        assert problem and "\n" not in problem and not rows[name].data(0, BLOCK_ROLE)
        window.palette.tree.itemDoubleClicked.emit(rows[name], 0)
        assert window._status.text().startswith(name.removesuffix(" (unreadable)") + " cannot be used: ")
    count = len(window.document.graph)
    window.palette.tree.itemDoubleClicked.emit(rows["ResidualBlock"], 0)
    assert len(window.document.graph) == count + 1
    # Save Block to Library writes the selected block there, and the palette lists it
    set_library_folder(window.settings, tmp_path / "mine")
    window.scene.select_nodes([_instance(window)])
    window.blocks.save_action.trigger()
    assert (tmp_path / "mine" / f"ResidualBlock{BLOCK_SUFFIX}").is_file()
    part = window.palette.blocks.parts[LIBRARY]
    assert [part.child(i).text(0) for i in range(part.childCount())] == ["ResidualBlock"]



def test_the_summary_opens_a_block_row_to_the_layers_inside(residual) -> None:
    window = residual
    summary = window.summary
    summary.refresh()
    instance = _instance(window)
    count = summary.model().rowCount()
    row = next(r for r in range(count) if summary.text(r, 0).strip().endswith(instance))
    inner = [r for r in range(count) if f"{instance}." in summary.text(r, 0)]
    assert inner and all(summary.isRowHidden(r) for r in inner)
    summary.clicked.emit(summary.model().index(row, 0))
    inner = [r for r in range(summary.model().rowCount()) if f"{instance}." in summary.text(r, 0)]
    assert len(inner) == len(RESIDUAL) and not any(summary.isRowHidden(r) for r in inner)


def test_a_built_in_block_dropped_from_the_palette_comes_with_its_definition(window) -> None:
    from PySide6.QtCore import QMimeData, QPointF
    from PySide6.QtGui import QDropEvent

    from designer.ui.blocks_palette import BUILTIN
    from designer.ui.style import BLOCK_MIME

    part = window.palette.blocks.parts[BUILTIN]
    names = [part.child(i).text(0) for i in range(part.childCount())]
    assert {"ResidualBlock", "Bottleneck", "TransformerEncoderBlock", "LSTMStack"} <= set(names)
    window.palette.search.setText("bottle")
    assert [part.child(i).text(0) for i in range(part.childCount()) if not part.child(i).isHidden()] == ["Bottleneck"]
    window.palette.search.setText("")
    mime = QMimeData()
    mime.setData(BLOCK_MIME, b"builtin:Bottleneck")
    at = window.view.viewport().rect().center()
    drop = QDropEvent(QPointF(at), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.view.dropEvent(drop)
    (node,) = window.document.graph.nodes
    assert node.type == "Bottleneck" and "Bottleneck" in window.document.graph.blocks
    assert window.scene.nodes[node.id].block
    window.undo_action.trigger()
    assert not window.document.graph.blocks and not len(window.document.graph)


def test_an_edit_that_would_break_the_block_is_refused_with_one_line(residual) -> None:
    window = residual
    page = window.blocks.open_block(_instance(window))
    definition = window.document.graph.blocks["ResidualBlock"]
    page.scene.select_nodes(["out"])
    window.delete_action.trigger()
    assert window._status.text().startswith("Cannot change block ResidualBlock: ") and "Output" in window._status.text()
    assert window.document.graph.blocks["ResidualBlock"] == definition and "out" in page.scene.nodes


def test_the_problems_tab_lists_the_insides_problems_while_the_block_shows(residual) -> None:
    window = residual
    page = window.blocks.open_block(_instance(window))
    assert window.bottom_tabs.widget(0) is page.problems and window.bottom_tabs.tabText(0) == "Problems in ResidualBlock"
    assert problems_badge(window) is None  # no problems inside: no count
    assert page.problems.topLevelItem(0).text(2) == "No problems in ResidualBlock."  # not "the design is ready to train"
    page.document.set_param("conv3", "out_channels", 24)
    assert window.bottom_tabs.tabText(0) == "Problems in ResidualBlock" and problems_badge(window).text == "1"
    assert page.problems.topLevelItem(0).text(1) == "add1"
    page.problems.node_activated.emit("add1")
    assert page.scene.selected_node_ids() == ["add1"]
    window.canvas_tabs.show_design()
    assert window.bottom_tabs.widget(0) is window.problems and window.bottom_tabs.tabText(0) == "Problems" and problems_badge(window).text == "1"
    window.canvas_tabs.bar.setCurrentIndex(1)
    window.canvas_tabs.bar.tabCloseRequested.emit(1)
    assert window.bottom_tabs.widget(0) is window.problems

