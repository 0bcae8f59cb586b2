"""Start-up: the background warm-up (it imports torch) waits for the window to
be shown, however long building the window takes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from designer.ui import dialogs
from designer.ui.main_window import MainWindow
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
