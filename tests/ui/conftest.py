"""Fixtures for GUI tests: a main window with its own settings file, closed
without prompts afterwards; and, around every test here, a guard that fails
a test which leaves a top-level widget alive or a worker thread running."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QThread
from PySide6.QtWidgets import QApplication, QWidget

from designer.document.workers import running_workers, stop_all
from designer.ui import collector, dialogs
from designer.ui.main_window import MainWindow
from designer.ui.training import devices
from designer.ui.training.devices import DeviceProbe

# Windows Qt keeps for the whole process once it has made one.
QT_OWN_WINDOWS = frozenset({"QTipLabel"})


def flush_deletions() -> None:
    """Deliver what is queued, deleteLater'd widgets included (processEvents alone
    leaves those), and collect Python cycles: pyqtgraph's menus are parentless
    QMenus that go when the Python objects holding them are collected."""
    for _ in range(3):
        QCoreApplication.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        gc.collect()


def _top_level_widgets() -> dict[int, QWidget]:
    return {shiboken6.getCppPointer(w)[0]: w for w in QApplication.topLevelWidgets()}


def running_threads(*widgets: QWidget) -> list[str]:
    """What still runs: worker threads, and QThreads among ``widgets``' children."""
    threads = [t for w in widgets if shiboken6.isValid(w) for t in w.findChildren(QThread) if t.isRunning()]
    found = [f"QThread {t.objectName()!r}" for t in threads]
    DeviceProbe.shared().wait(120)  # once per process, for the life of the process: not a test's leak
    found += [f"worker {w.name!r}" for w in running_workers()]
    if found:
        stop_all(60)  # so that the next test starts clean
        for thread in threads:
            thread.wait(60_000)
    return found


class LeakGuard:
    """Notes the top-level widgets that exist before a test; ``left_open()``,
    once the test's own references are gone, names the ones it added."""

    def __init__(self) -> None:
        self.before = set(_top_level_widgets())

    def left_open(self) -> list[str]:
        flush_deletions()
        left = {k: w for k, w in _top_level_widgets().items() if k not in self.before and type(w).__name__ not in QT_OWN_WINDOWS}
        names = [f"{type(w).__name__}({w.objectName() or w.windowTitle()!r}, visible={w.isVisible()})" for w in left.values()]
        for widget in left.values():  # so that the next test starts clean
            widget.close()
            widget.deleteLater()
        flush_deletions()
        return names


_after_failure = False  # a failed test's window outlives it (its traceback holds it): keep it collectable


def keep_collections_short() -> None:
    """Move what is alive now out of the collector's sight, so a test's
    teardown collections walk only what the test made. Earlier tests (GUI or
    not, under xdist) leave torch's and Qt's heap behind (and a test running
    ``designer train`` in-process thaws the collector after it): each
    collection then took 0.4-0.8 s, several a test. Never after a failure, whose widgets must
    still be collected."""
    gc.freeze()


_guard = pytest.StashKey[LeakGuard]()
_failed = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    if not _after_failure:
        keep_collections_short()
    item.stash[_guard] = LeakGuard()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    report = yield
    if report.failed:
        item.stash[_failed] = True
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After the fixtures are finalized: no thread may still run, and no widget
    the test made may still be a window. Checked here rather than in a fixture,
    because until now the fixtures' values (the window) are still referenced."""
    result = yield
    threads = running_threads()
    guard = item.stash.get(_guard, None)
    if guard is None or item.stash.get(_failed, False):
        left = []  # a failure's traceback holds the test's widgets: no verdict on them
    else:
        item.funcargs.clear()  # pytest drops these right after teardown; the check needs them gone
        left = guard.left_open()
    problems = ([f"still running: {threads}"] if threads else []) + ([f"top-level widgets left alive: {left}"] if left else [])
    global _after_failure
    _after_failure = bool(item.stash.get(_failed, False) or problems)
    if not _after_failure:
        keep_collections_short()
    assert not problems, "; ".join(problems)
    return result


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "designer.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings: QSettings, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    """A shown main window; afterwards (closed by pytest-qt, which runs its close
    handling) none of its threads may still run."""
    errors: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, message: errors.append((title, message)))
    monkeypatch.setattr(dialogs, "show_info", lambda parent, title, message: None)
    monkeypatch.setattr(dialogs, "ask_save_changes", lambda parent, name: "discard")
    monkeypatch.setattr(dialogs, "ask_choice", lambda parent, title, text, options, default=0: default)
    win = MainWindow(settings)
    win.errors = errors  # type: ignore[attr-defined]
    qtbot.addWidget(win, before_close_func=lambda w: w.document.undo_stack.setClean())
    win.resize(1300, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    threads = running_threads(win)
    assert not threads, f"still running after the window closed: {threads}"


@pytest.fixture(autouse=True, scope="session")
def _no_application_freezing() -> Iterator[None]:
    """The application freezes what exists before its window is made and once
    torch is warmed up (designer.ui.collector: its window lives as long as the
    process). Here the freezing is the tests' own (above): a test that starts
    the application would freeze its own objects, and its window with them
    (a list the test appends the window to), which would then outlive it."""
    real = collector.keep_full_collections_short, devices.warming_up
    collector.keep_full_collections_short = lambda: None
    devices.warming_up = contextlib.nullcontext
    yield
    collector.keep_full_collections_short, devices.warming_up = real


@pytest.fixture(autouse=True, scope="session")
def _frozen_start_heap(qapp) -> None:
    """Move what exists once the window's modules are imported (torch,
    PySide6, pyqtgraph: millions of objects) out of the collector's sight:
    each test's teardown collects several times, and every collection would
    otherwise walk that whole heap again (about 80 ms each, half of a GUI
    test's time). Objects the tests make are collected as before."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True, scope="session")
def _empty_clipboard_at_exit(qapp) -> Iterator[None]:
    """Data left on the clipboard crashes the offscreen platform as the process exits."""
    yield
    QApplication.clipboard().clear()
    flush_deletions()
