"""Start-up: the background warm-up (it imports torch) waits for the window to
be shown, however long building the window takes; the start page's pictures
are drawn once the event loop runs, not while the window is built; the
Training and Insight panels are built when first needed, and the window's
module imports none of the libraries only they (or rarer work) need."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paths import sample
from PySide6.QtCore import QSettings, QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel

from designer import cli
from designer.ui import dialogs, icons
from designer.ui.main_window import MainWindow
from designer.ui.start_page import SampleCard, StartPage, find_samples
from designer.ui.training import dock
from designer.ui.training.devices import DeviceProbe


def test_the_warm_up_starts_only_after_the_window_is_shown(qtbot, settings: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[bool] = []
    monkeypatch.setattr(DeviceProbe, "start", lambda self: started.append(True))
    monkeypatch.setattr(dock, "STARTUP_DELAY_MS", 10)
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda parent, name: "discard")
    window = MainWindow(settings)
    qtbot.addWidget(window)
    qtbot.wait(100)  # the event loop runs; the window is built but not shown
    assert started == []
    window.show()
    qtbot.waitUntil(lambda: started == [True])
    window.hide()
    window.show()  # only the first showing starts it
    qtbot.wait(50)
    assert started == [True]


def test_the_start_page_draws_its_pictures_once_the_window_is_up(window: MainWindow, qtbot) -> None:
    window.show_start_page()
    pictures = [card.findChildren(QLabel)[0] for card in window.start_page.findChildren(SampleCard)]
    assert pictures
    blank = pictures[0].pixmap().toImage()
    assert len({blank.pixel(x, y) for x in range(0, blank.width(), 7) for y in range(0, blank.height(), 7)}) == 1  # not drawn yet
    qtbot.waitUntil(lambda: all(len(_colours(p)) > 2 for p in pictures))


def test_the_start_page_waits_for_its_first_paint_to_draw_pictures(qtbot) -> None:
    """The window shows before any picture costs it time: a page not yet painted draws none."""
    page = StartPage([])
    qtbot.addWidget(page)
    pictures = [card.findChildren(QLabel)[0] for card in page.findChildren(SampleCard)]
    qtbot.wait(100)
    assert all(len(_colours(p)) == 1 for p in pictures)
    page.show()
    qtbot.waitUntil(lambda: all(len(_colours(p)) > 2 for p in pictures))


def _colours(picture: QLabel) -> set[int]:
    image = picture.pixmap().toImage()
    return {image.pixel(x, y) for x in range(0, image.width(), 5) for y in range(0, image.height(), 5)}


# What the window's start leaves for later: the Training and Insight panels' plots,
# auto-layout, qtawesome's QtPy, torch, and the arrays only read data needs.
LATER = ("pyqtgraph", "networkx", "qtpy", "qtawesome", "torch", "numpy", "pyarrow", "PIL", "sklearn")


def test_the_window_module_leaves_the_heavy_libraries_for_later() -> None:
    """Importing the window pulls in none of what only the Training and Insight
    panels, auto-layout, qtawesome's QtPy or reading data need (a fresh interpreter)."""
    code = f"import sys, designer.cli, designer.app, designer.ui.main_window; print(' '.join(m for m in {LATER!r} if m in sys.modules))"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=True)
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("opened", [None, "digits_cnn"])
def test_the_window_shows_without_the_heavy_libraries(tmp_path: Path, opened: str | None) -> None:
    """`designer` up to its start page shown, and `designer FILE` up to the design
    shown with its panels, in a fresh interpreter, as a user starts it."""
    args = [] if opened is None else [str(shutil.copy(sample(opened), tmp_path / f"{opened}.nnd"))]
    code = (
        "import sys\n"
        "from designer.cli import main\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication(sys.argv[:1])\n"
        "def report():\n"
        "    app.processEvents()\n"
        "    (window,) = [w for w in app.topLevelWidgets() if w.isVisible() and w.windowTitle()]\n"
        "    if not window.design_side_built:\n"  # on the start page: built once it has been painted
        "        return QTimer.singleShot(10, report)\n"
        "    shown = window.central.currentWidget()\n"
        "    print('start page' if shown is window.start_page else f'{len(window.document.graph)} nodes')\n"
        "    print(window.inspector.isVisible())\n"
        f"    print(' '.join(m for m in {LATER!r} if m in sys.modules))\n"
        "    window.document.undo_stack.setClean()\n"
        "    app.quit()\n"
        "QTimer.singleShot(0, report)\n"
        "main(sys.argv[1:])\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120, check=True)
    shown, inspector, heavy = result.stdout.splitlines()
    assert (shown, inspector) == (("start page", "False") if opened is None else ("12 nodes", "True"))
    assert heavy == ""


def test_the_panels_are_built_when_first_needed(window: MainWindow, qtbot) -> None:
    assert window.training.built_panel is None and window.insight._panel is None
    a = window.document.add_node("Input", (0, 0), {"shape": [4]})
    window.scene.select_nodes([a])
    window.training.run_actions.start.trigger()  # F5 before the panel exists: built, and it says why it cannot train
    panel = window.training.built_panel
    assert panel is not None and panel.start_action is window.training.run_actions.start
    assert "Fix the design's problems first" in panel.controls.message.text()
    assert window.training.dock.widget().widget() is panel  # in the dock, inside its scroll area
    assert window.insight._panel is None
    window.insight.toggle_action.trigger()
    qtbot.waitUntil(lambda: window.insight._panel is not None)
    assert window.insight.panel.nodes == [a]  # the selection made before it was built


def test_showing_the_training_tab_builds_its_panel(window: MainWindow, qtbot) -> None:
    assert window.training.built_panel is None
    window.training.dock.raise_()
    qtbot.waitUntil(lambda: window.training.built_panel is not None)
    assert window.training.built_panel.document is window.document


def test_the_icons_are_drawn_from_the_font() -> None:
    on = icons.icon("train").pixmap(20, 20).toImage()
    off = icons.icon("train").pixmap(QSize(20, 20), QIcon.Mode.Disabled).toImage()
    drawn = [(x, y) for x in range(20) for y in range(20) if on.pixelColor(x, y).alpha() == 255]
    assert len(drawn) > 20
    assert {on.pixelColor(x, y).name() for x, y in drawn} == {icons.COLOUR}
    assert {off.pixelColor(x, y).name() for x, y in drawn} == {icons.DISABLED}
    assert icons.icon("stop").pixmap(20, 20).toImage() != on


def test_opening_the_window_loads_no_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """`designer` and `designer FILE.nnd` go straight to the window: the commands'
    modules (they import the compiler) are not loaded to parse the arguments."""
    opened: list[tuple[str | None, bool]] = []
    monkeypatch.setattr(cli, "build_parser", lambda: pytest.fail("the commands' parser was built"))
    monkeypatch.setattr(cli, "_gui", lambda args: opened.append((args.file, args.train)) or 0)
    assert cli.main([]) == 0 and cli.main(["design.nnd", "--train"]) == 0
    assert opened == [(None, False), ("design.nnd", True)]


def test_the_start_page_reads_only_names_and_drops_a_sample_that_does_not_load(tmp_path: Path, qtbot) -> None:
    shutil.copy(sample("xor_mlp"), tmp_path / "xor_mlp.nnd")
    (tmp_path / "broken.nnd").write_text("{not json")
    (tmp_path / "other.nnd").write_text('{"format": "something else", "name": "Other"}')
    (tmp_path / "bad_design.nnd").write_text('{"format": "nn-designer", "version": 1, "name": "Bad", "nodes": 5}')
    found = find_samples(tmp_path)
    assert [s.name for s in found] == ["XOR MLP", "Bad"] and found[0].summary.startswith("XOR is the smallest problem")
    cards = [SampleCard(s) for s in found]
    for card in cards:
        qtbot.addWidget(card)
        card.show()
        card.draw_picture()
    assert [card.isHidden() for card in cards] == [False, True]


def _run_app(monkeypatch: pytest.MonkeyPatch, qtbot, settings: QSettings, path: str | None) -> tuple[MainWindow, list[object]]:
    """designer.app.run on ``path`` with the test's settings; the event loop ends at once. The
    window, and the documents given to its set_document, in order."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from designer import app as app_module
    from designer.ui import main_window

    windows: list[MainWindow] = []
    shown: list[object] = []
    real, real_set = main_window.MainWindow, main_window.MainWindow.set_document

    def make_window(*args, **kwargs) -> MainWindow:
        window = real(settings, *args[1:], **kwargs)
        windows.append(window)
        qtbot.addWidget(window, before_close_func=lambda w: w.document.undo_stack.setClean())
        return window

    monkeypatch.setattr(main_window, "MainWindow", make_window)
    monkeypatch.setattr(real, "set_document", lambda self, document, show=True: shown.append(document) or real_set(self, document, show))
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: shown.append(f"error: {text}"))
    qapp = QApplication.instance()
    names = qapp.applicationName(), qapp.organizationName()
    collecting: list[bool] = []
    QTimer.singleShot(0, lambda: collecting.append(gc.isenabled()) or qapp.exit(0))
    try:
        assert app_module.run(path) == 0
    finally:
        qapp.setApplicationName(names[0])
        qapp.setOrganizationName(names[1])
    assert collecting == [True]  # the collector, off while the window is made, runs again once it is shown
    return windows[0], shown


def test_designer_file_builds_the_window_once_on_the_file(monkeypatch: pytest.MonkeyPatch, qtbot, settings: QSettings) -> None:
    """The file is read before the window is built: its panels are built once, on
    that design, not first on an empty one."""
    window, shown = _run_app(monkeypatch, qtbot, settings, str(sample("xor_mlp")))
    assert shown == [window.document] and window.document.path == sample("xor_mlp")
    assert len(window.document.graph) > 0 and window.canvas_tabs.canvas_shown()
    assert window._status.text() == "Opened xor_mlp.nnd"
    assert window.files.recent_files()[0] == str(sample("xor_mlp").resolve())


def test_designer_with_a_file_that_cannot_be_read_says_why_on_the_start_page(
    monkeypatch: pytest.MonkeyPatch, qtbot, settings: QSettings, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.nnd"
    broken.write_text("{not json")
    window, shown = _run_app(monkeypatch, qtbot, settings, str(broken))
    assert len(shown) == 2 and isinstance(shown[0], type(window.document)) and str(shown[1]).startswith("error: ")
    assert window.start_page is not None and window.central.currentWidget() is window.start_page
    assert f"Could not open {broken}" in window._status.text()


def test_the_inspector_builds_the_project_settings_when_first_shown(qtbot, settings: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind the start page the inspector is hidden: its data and training
    forms are built once it shows (or once asked for), then shown at once."""
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda parent, name: "discard")
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show_start_page()
    window.show()
    qtbot.waitExposed(window)
    assert not window.inspector.isVisible() and window.inspector._project_settings is None
    window.files.new()
    inspector = window.inspector
    assert inspector.isVisible() and inspector.stack.currentWidget() is inspector.project_settings
    assert inspector.project_settings.name_field.text() == window.document.project.name
    a = window.document.add_node("Input", (0, 0), {"shape": [4]})
    window.scene.select_nodes([a])
    assert inspector.stack.currentWidget() is inspector.node_inspector
    window.scene.select_nodes([])
    assert inspector.stack.currentWidget() is inspector.project_settings


def test_asking_a_hidden_inspector_for_the_project_settings_builds_them(window: MainWindow) -> None:
    settings = window.inspector.project_settings
    assert settings is window.inspector.project_settings and settings.data_editor is not None


def _reopened_panels(qtbot, settings: QSettings) -> dict[str, bool]:
    """A new window on the settings saved, opening a design as `designer FILE` does: which panels show."""
    from designer.document import Document

    window = MainWindow(settings, document=Document.open(sample("xor_mlp")))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    shown = {dock.objectName(): dock.isVisible() for dock in (window.palette_dock, window.inspector_dock, window.bottom_dock)}
    window.close()
    return shown


def test_closing_on_the_start_page_keeps_the_panels_the_user_left(qtbot, settings: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The start page hides the panels; quitting there must not save them hidden
    (the next `designer FILE` opened the design without palette, inspector or problems)."""
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda parent, name: "discard")
    first = MainWindow(settings)  # started on the start page, as `designer` does
    qtbot.addWidget(first)
    first.show_start_page()
    first.show()
    qtbot.waitExposed(first)
    first.close()
    assert _reopened_panels(qtbot, settings) == {"layers": True, "inspector": True, "problems_and_summary": True}

    second = MainWindow(settings)  # on a design, the inspector closed by the user, then back to the start page
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    second.files.open_path(str(sample("xor_mlp")))
    second.inspector_dock.close()
    second.show_start_page()
    assert not second.palette_dock.isVisible()
    second.close()
    assert _reopened_panels(qtbot, settings) == {"layers": True, "inspector": False, "problems_and_summary": True}


def test_a_long_project_name_shows_its_start(window: MainWindow) -> None:
    """'Digits 5-9 from one image each' showed as 'igits 5-9 from one image each' in the inspector."""
    from paths import sample

    window.open_file(sample("digits_transfer"))
    field = window.inspector.project_settings.name_field
    assert field.text() == "Digits 5-9 from one image each" and field.cursorPosition() == 0
