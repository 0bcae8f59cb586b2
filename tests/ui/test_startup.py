"""Start-up: the background warm-up (it imports torch) waits for the window to
be shown, however long building the window takes; the start page's pictures
are drawn once the event loop runs, not while the window is built."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel

from designer.ui import dialogs
from designer.ui.main_window import MainWindow
from designer.ui.start_page import SampleCard
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


def _colours(picture: QLabel) -> set[int]:
    image = picture.pixmap().toImage()
    return {image.pixel(x, y) for x in range(0, image.width(), 5) for y in range(0, image.height(), 5)}
