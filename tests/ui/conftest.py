"""Fixtures for GUI tests: a main window with its own settings file, closed
without prompts afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from designer.ui import dialogs
from designer.ui.main_window import MainWindow


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "designer.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings: QSettings, monkeypatch: pytest.MonkeyPatch):
    errors: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, message: errors.append((title, message)))
    monkeypatch.setattr(dialogs, "show_info", lambda parent, title, message: None)
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda parent, name: "discard")
    win = MainWindow(settings)
    win.errors = errors  # type: ignore[attr-defined]
    qtbot.addWidget(win, before_close_func=lambda w: w.document.undo_stack.setClean())
    win.resize(1300, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
