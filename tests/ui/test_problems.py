"""Problem reporting says the root cause once, where the user can act on it:
one unwired Output is two rows, not a warning on every layer; the data
check is green only when both ends were checked; nothing trains or reports
from behind the start page; quick fixes are offered in the Problems list
and the inspector as well as the node's menu."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from designer.ui.problems_panel import FIX_COLUMN


def rows(window) -> list[tuple[str, str, str]]:
    panel = window.problems
    return [(panel.topLevelItem(i).text(0), panel.topLevelItem(i).text(1), panel.topLevelItem(i).text(FIX_COLUMN)) for i in range(panel.topLevelItemCount())]


def linear_fed_an_image(window) -> tuple[str, str, str]:
    doc = window.document
    doc.set_setting("data", "source", "digits")  # 1x8x8 images, 10 classes
    a = doc.add_node("Input", (0, 0), {"shape": [1, 8, 8]})
    b = doc.add_node("Linear", (270, 0), {"out_features": 10})
    c = doc.add_node("Output", (540, 0))
    doc.connect(a, b)
    doc.connect(b, c)
    return a, b, c


def test_an_unwired_output_is_reported_once_not_on_every_layer(window) -> None:
    doc = window.document
    doc.set_setting("data", "source", "digits")
    previous = doc.add_node("Input", (0, 0), {"shape": [1, 8, 8]})
    for i, (kind, params) in enumerate([("Flatten", {}), ("Linear", {"out_features": 32}), ("ReLU", {}), ("Linear", {"out_features": 10}), ("ReLU", {})]):
        node = doc.add_node(kind, (270 * (i + 1), 0), params)
        doc.connect(previous, node)
        previous = node
    doc.add_node("Output", (270 * 7, 0))
    assert sorted((severity, node) for severity, node, _ in rows(window)) == [("error", "output1"), ("warning", "relu2")]
    editor = window.training.panel.data_editor
    assert "fit this data" not in editor.fit.text(), "not green while the Output is not wired"
    assert "Wire the design through" in editor.fit.text()
    doc.connect("relu2", "output1")
    assert "fit this data" in editor.fit.text() and "does not" not in editor.fit.text()


def test_an_empty_design_is_not_said_to_fit_its_data(window) -> None:
    editor = window.training.panel.data_editor
    assert "fit this data" not in editor.fit.text()
    assert "Add one Input and one Output" in editor.fit.text()


def test_the_start_page_neither_trains_nor_reports(window, qtbot) -> None:
    window.show_start_page()
    start = window.training.panel.start_action
    assert not start.isEnabled() and not window.layout_action.isEnabled()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keySequence(window.start_page, QKeySequence("F5"))
    assert window.training.panel.run is None
    assert "Fix the design" not in window.training.panel.controls.message.text()
    window.show_canvas()
    assert start.isEnabled() and window.layout_action.isEnabled()


def test_a_quick_fix_from_the_problems_list(window) -> None:
    a, b, c = linear_fed_an_image(window)
    fixes = [(severity, node, fix) for severity, node, fix in rows(window) if fix]
    assert fixes == [("warning", b, "Insert Flatten before it")]
    row = next(i for i, r in enumerate(rows(window)) if r[1] == b)
    window.bottom_dock.raise_()
    panel = window.problems
    panel.scrollToItem(panel.topLevelItem(row))
    rect = panel.visualItemRect(panel.topLevelItem(row))
    x = panel.header().sectionViewportPosition(FIX_COLUMN) + 10
    QTest.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x, rect.center().y()))
    graph = window.document.graph
    assert "flatten1" in graph and {(e.source, e.target) for e in graph.edges} >= {(a, "flatten1"), ("flatten1", b)}
    assert not any(node == b for _, node, _ in rows(window))
    assert window.document.undo_stack.undoText() == "Insert Flatten"


def test_a_quick_fix_from_the_inspector(window) -> None:
    a, b, c = linear_fed_an_image(window)
    window.scene.select_nodes([b])
    links = [w for w in window.inspector.node_inspector.fix_box.findChildren(QLabel) if w.isVisibleTo(window)]
    assert ["Fix: Insert Flatten before it" in w.text() for w in links] == [True]
    links[0].linkActivated.emit("0")  # what a click on the link does
    assert "flatten1" in window.document.graph
    assert not window.document.analysis().problems_for(b)
