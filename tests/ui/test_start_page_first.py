"""`designer` with no file: the window is painted with its menus, tool bar and
start page first; the design's side (canvas, palette, inspector, panels and
their menu entries) is built right after that first paint, and anything that
needs it sooner builds it first. Nothing of it differs from a window built at
once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from paths import sample
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMenu

from designer.document import Document
from designer.ui import dialogs
from designer.ui.main_window import APP_NAME, MainWindow
from designer.ui.training import dock
from designer.ui.training.devices import DeviceProbe


@pytest.fixture
def first(qtbot, settings: QSettings, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    """A window made as `designer` makes it, not shown yet."""
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda parent, name: "discard")
    window = MainWindow(settings, start_page_first=True)
    qtbot.addWidget(window, before_close_func=lambda w: w.document and w.document.undo_stack.setClean())
    yield window


def _entries(menu: QMenu) -> list[str]:
    """A menu's entries as the user reads them, submenus opened."""
    out = []
    for action in menu.actions():
        if action.isSeparator():
            out.append("---")
        elif action.menu() is not None:
            out += [f"{action.text()} > {text}" for text in _entries(action.menu())]
        else:
            out.append(action.text())
    return out


def _menus(window: MainWindow) -> dict[str, list[str]]:
    return {action.text(): _entries(action.menu()) for action in window.menuBar().actions()}


def test_the_start_page_is_painted_before_the_design_side_is_built(first: MainWindow, qtbot) -> None:
    assert first.central.currentWidget() is first.start_page
    assert not first.design_side_built and first.scene is None and first.inspector is None and first.document is None
    assert first.windowTitle() == APP_NAME  # the start page, not a design, is what it shows
    assert [a.text() for a in first.toolbar.actions() if not a.isSeparator()][-3:] == ["Train", "Pause", "Stop"]
    assert not first.run_actions.start.isEnabled()  # nothing to train behind the start page
    assert first.device_label.text().startswith("Device: auto")  # in the status bar from the first frame, not a moment after
    qtbot.wait(50)
    assert not first.design_side_built  # not painted yet: nothing built
    first.show()
    qtbot.waitUntil(lambda: first.design_side_built)
    assert first.central.currentWidget() is first.start_page  # still in front
    assert first.scene is not None and first.inspector is not None and len(first.document.graph) == 0
    assert first.windowTitle() == APP_NAME  # the title does not change under the user's eyes
    assert first.training.device_label is first.device_label and first.device_label.text().startswith("Device: auto")
    docks = (first.palette_dock, first.inspector_dock, first.bottom_dock, first.training.dock, first.insight.dock)
    assert not any(d.isVisible() for d in docks)
    assert not first._counts.isVisible()
    first.start_page.new_requested.emit()  # New: the panels come, as after a start built at once
    assert first.central.currentWidget() is first.view
    assert all(d.isVisible() for d in (first.palette_dock, first.inspector_dock, first.bottom_dock))
    assert first.windowTitle().startswith("untitled") and first.windowTitle().endswith(APP_NAME)
    assert first.run_actions.start.isEnabled() and first.cut_action.isEnabled()
    assert first.undo_group.activeStack() is first.document.undo_stack


def test_its_menus_are_those_of_a_window_built_at_once(first: MainWindow, window: MainWindow, qtbot) -> None:
    first.show()
    qtbot.waitUntil(lambda: first.design_side_built)
    built_at_once = _menus(window)
    assert _menus(first) == built_at_once
    assert built_at_once["&Train"][:5] == ["Train", "Pause", "Stop", "---", "Training"]
    assert "&Export > &ONNX…" in built_at_once["&File"] and any(e.startswith("&Blocks > ") for e in built_at_once["&Edit"])
    assert [a.text() for a in first.toolbar.actions()] == [a.text() for a in window.toolbar.actions()]
    assert first.fit_action in first.view.actions() and first.fit_action not in first.actions()


def test_an_action_before_the_design_side_builds_it_first(first: MainWindow) -> None:
    """A key pressed, or a sample chosen, in the moment between the first paint and the build."""
    first.new_action.trigger()
    assert first.design_side_built and first.central.currentWidget() is first.view
    assert first.palette_dock.isVisible() is False  # the window is not shown; the dock is not hidden by hand
    assert not first.palette_dock.isHidden()


def test_opening_a_sample_before_the_design_side_shows_it(first: MainWindow) -> None:
    assert first.files.open_path(str(sample("xor_mlp")))
    assert first.design_side_built and first.document.path == sample("xor_mlp")
    assert first.central.currentWidget() is first.view and len(first.scene.nodes) == len(first.document.graph)


def test_closing_before_the_design_side_keeps_the_panels(first: MainWindow, qtbot, settings: QSettings) -> None:
    first.show()
    first.close()  # at once, perhaps before the first paint
    assert first.design_side_built
    again = MainWindow(settings, document=None)
    qtbot.addWidget(again, before_close_func=lambda w: w.document and w.document.undo_stack.setClean())
    again.show()
    qtbot.waitExposed(again)
    assert all(d.isVisible() for d in (again.palette_dock, again.inspector_dock, again.bottom_dock))


def test_the_device_probe_starts_when_the_training_dock_comes_after_the_window(
    first: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[bool] = []
    monkeypatch.setattr(DeviceProbe, "start", lambda self: started.append(True))
    monkeypatch.setattr(dock, "STARTUP_DELAY_MS", 10)
    first.show()
    qtbot.waitUntil(lambda: first.design_side_built)
    qtbot.waitUntil(lambda: started == [True])


def test_the_window_module_leaves_the_canvas_for_later() -> None:
    """What the start page hides is imported when it is built, not with the window (a fresh interpreter)."""
    later = (
        "designer.document",  # the undo stack and its commands
        "designer.ui.canvas.scene",
        "designer.ui.canvas.view",
        "designer.ui.inspector",
        "designer.ui.palette",
        "designer.ui.exports",
    )
    code = f"import sys, designer.cli, designer.app, designer.ui.main_window; print(' '.join(m for m in {later!r} if m in sys.modules))"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=True)
    assert result.stdout.strip() == ""


def test_the_panels_come_back_as_the_user_left_them(qtbot, settings: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Restored in a window already shown and hidden at once behind the start
    page, the panels came back far too wide, the canvas a strip between them."""
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda parent, name: "discard")
    before = MainWindow(settings, document=Document.open(sample("xor_mlp")))
    qtbot.addWidget(before)
    before.show()
    qtbot.waitExposed(before)
    before.resizeDocks([before.palette_dock, before.inspector_dock], [240, 330], Qt.Orientation.Horizontal)
    qtbot.wait(20)
    widths = before.palette_dock.width(), before.inspector_dock.width()
    before.close()

    after = MainWindow(settings, start_page_first=True)
    qtbot.addWidget(after, before_close_func=lambda w: w.document and w.document.undo_stack.setClean())
    after.show()
    qtbot.waitUntil(lambda: after.design_side_built)
    after.files.open_path(str(sample("spirals_mlp")))
    qtbot.wait(50)
    assert (after.palette_dock.width(), after.inspector_dock.width()) == widths
    assert after.view.width() > 150  # the canvas between them as it was
