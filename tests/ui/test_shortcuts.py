"""Every key the menus and the F1 list name works: each is given to one
action only (Qt refuses a key given twice as ambiguous), and pressing it
on the canvas triggers that action."""

from __future__ import annotations

import pytest
from helpers import output_port
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest

from designer.ui import dialogs
from designer.ui.help import SHORTCUTS

VIEW_KEYS = {"Tab", "Esc", "F"}  # handled by the canvas itself, tested below


def listed_keys() -> list[str]:
    """The keys of the F1 list (its entries that are key sequences)."""
    keys = []
    for text, _ in SHORTCUTS:
        for part in text.split(" / "):
            sequence = QKeySequence(part)
            if sequence.count() == 1 and sequence.toString() and " " not in part:
                keys.append(part)
    return keys


def actions_by_key(window) -> dict[str, list[QAction]]:
    found: dict[str, list[QAction]] = {}
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            found.setdefault(sequence.toString(), []).append(action)
    return found


@pytest.fixture
def active(window, qtbot, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_open_path", lambda *a, **k: "")
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: "")
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: None)
    monkeypatch.setattr(dialogs, "show_text", lambda *a, **k: None)
    window.activateWindow()
    window.view.setFocus()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def test_no_key_is_given_twice(window) -> None:
    for key, actions in actions_by_key(window).items():
        assert len(actions) == 1, f"{key} is given to {[a.text() for a in actions]}"
    for action in window.findChildren(QAction):
        keys = [s.toString() for s in action.shortcuts()]
        assert len(keys) == len(set(keys)), f"{action.text()} has a key twice: {keys}"


def test_the_f1_list_names_every_menu_key(window) -> None:
    listed = {QKeySequence(k).toString() for k in listed_keys()}
    for key, actions in actions_by_key(window).items():
        assert key in listed, f"{key} ({actions[0].text()}) is missing from the F1 list"


@pytest.mark.parametrize("key", [k for k in listed_keys() if k not in VIEW_KEYS and k != "Ctrl+Q"])
def test_each_listed_key_triggers_its_action(active, qtbot, key: str) -> None:
    window = active
    sequence = QKeySequence(key)
    (action,) = actions_by_key(window)[sequence.toString()]
    action.setEnabled(True)  # Pause and Stop are on only while a run trains; their handlers then do nothing
    fired: list[bool] = []
    action.triggered.connect(lambda *_: fired.append(True))
    if window.document.locked:
        window.document.set_locked(None)
    window.view.setFocus()
    QTest.keySequence(window.view, sequence)
    qtbot.waitUntil(lambda: bool(fired), timeout=2000)
    window.document.undo_stack.setClean()


def test_undo_and_both_redo_keys(active) -> None:
    window = active
    doc = window.document
    doc.add_node("ReLU")
    for redo in ("Ctrl+Shift+Z", "Ctrl+Y"):
        QTest.keySequence(window.view, QKeySequence("Ctrl+Z"))
        assert len(doc.graph) == 0
        QTest.keySequence(window.view, QKeySequence(redo))
        assert len(doc.graph) == 1, f"{redo} did not redo"


def test_f_fits_tab_adds_and_esc_cancels_a_wire(active, qtbot) -> None:
    window = active
    doc = window.document
    a = doc.add_node("Input", (0, 0), {"shape": [4]})
    doc.add_node("Output", (3000, 0))
    window.view.set_zoom(2.0)
    QTest.keyClick(window.view, Qt.Key.Key_F)
    assert window.view.zoom() < 1.0, "F fits both nodes"
    window.view.set_zoom(1.0)
    window.view.centerOn(QPointF(100, 30))
    QTest.mousePress(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, output_port(window, a))
    assert window.view._link is not None
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    assert window.view._link is None
    QTest.mouseRelease(window.view.viewport(), Qt.MouseButton.LeftButton)
    assert not doc.graph.edges
    QTest.keyClick(window.view, Qt.Key.Key_Tab)
    assert window.view._quick_add.isVisible()
    window.view._quick_add.hide()
    doc.undo_stack.setClean()


def test_ctrl_q_quits(active, qtbot) -> None:
    window = active
    QTest.keySequence(window.view, QKeySequence("Ctrl+Q"))
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2000)
