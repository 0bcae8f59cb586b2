"""While a run uses the design, nothing in the window edits it; the canvas
menu opens on a right click and goes away when closed."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QAction, QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu


def menu_actions(menu: QMenu) -> list[QAction]:
    """Every action reachable from ``menu``, through its submenus."""
    found = []
    for action in menu.actions():
        if action.menu() is not None:
            found += menu_actions(action.menu())
        elif not action.isSeparator():
            found.append(action)
    return found


def actions_that_do_not_edit(window) -> set[QAction]:
    """The actions that leave the design alone, named one by one: an action
    missing here must be one of the window's edit actions."""
    file_menu = window.menuBar().actions()[0].menu()
    export_menu = next(a.menu() for a in file_menu.actions() if a.menu() is not None and "Export" in a.text())
    panel = window.training.panel
    return {
        window.start_action, window.new_action, window.open_action, window.import_action, window.save_action, window.save_as_action,
        window.revert_action, *menu_actions(export_menu), *menu_actions(window.recent_menu),
        window.copy_action, window.select_all_action,
        window.fit_action, window.zoom_in_action, window.zoom_out_action, window.zoom_reset_action,
        panel.start_action, panel.pause_action, panel.stop_action,
        *(dock.toggleViewAction() for dock in (window.palette_dock, window.inspector_dock, window.bottom_dock, window.training.dock)),
        window.insight.toggle_action,
        *menu_actions(window.help_menu),
        next(a for a in file_menu.actions() if a.text() == "&Quit"),
    }  # fmt: skip


def test_every_edit_action_is_off_while_the_design_is_locked(window) -> None:
    doc = window.document
    doc.add_node("Input", (0, 0), {"shape": [4]})
    window.select_all()
    every = [a for menu in window.menuBar().actions() for a in menu_actions(menu.menu())]
    edits = [a for a in every if a not in actions_that_do_not_edit(window)]
    assert window.delete_action in edits and window.undo_action in edits and window.add_action in edits
    assert set(window.edit_actions.actions()) <= set(every)
    assert all(a.isEnabled() for a in edits if a not in (window.redo_action,)), [a.text() for a in edits if not a.isEnabled()]

    doc.set_locked("run 1 is training")
    assert [a.text() for a in edits if a.isEnabled()] == []
    assert not window.view.isInteractive() and not window.palette.isEnabled() and not window.inspector.isEnabled()

    doc.set_locked(None)
    assert window.delete_action.isEnabled() and window.undo_action.isEnabled() and window.view.isInteractive()


def test_a_new_document_opens_unlocked_after_a_locked_one(window) -> None:
    window.document.set_locked("run 1 is training")
    window.new_action.trigger()
    assert not window.document.locked and window.edit_actions.isEnabled() and window.palette.isEnabled()


def test_right_click_on_a_node_opens_its_menu(window, qtbot) -> None:
    doc = window.document
    a = doc.add_node("Input", (0, 0), {"shape": [1, 8, 8]})
    b = doc.add_node("Linear", (280, 0))
    doc.connect(a, b)
    window.view.set_zoom(1.0)
    window.view.centerOn(QPointF(300, 30))
    item = window.scene.nodes[b]
    at = window.view.mapFromScene(item.mapToScene(item.boundingRect().center()))
    seen: list[list[str]] = []

    def look() -> None:
        menu = QApplication.activePopupWidget()
        seen.append([act.text() for act in menu.actions()] if isinstance(menu, QMenu) else [])
        if menu is not None:
            menu.close()

    QTimer.singleShot(0, look)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, window.view.viewport().mapToGlobal(at), Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window.view.viewport(), event)
    qtbot.waitUntil(lambda: bool(seen))
    assert any(text.startswith("Fix: ") for text in seen[0]) and window.rename_action.text() in seen[0]
    # closed, the menu is deleted, not kept: one right click leaves nothing behind
    qtbot.waitUntil(lambda: not window.findChildren(QMenu, "", Qt.FindChildOption.FindDirectChildrenOnly))


def test_no_canvas_menu_while_locked(window) -> None:
    window.document.set_locked("run 1 is training")
    window.view.context_menu_requested.emit(None, QPointF(0, 0))
    assert QApplication.activePopupWidget() is None
    assert not window.findChildren(QMenu, "", Qt.FindChildOption.FindDirectChildrenOnly)
