"""Start the desktop designer."""

from __future__ import annotations

import sys
from contextlib import suppress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from designer.ui.main_window import MainWindow


def run(path: str | None = None, train: bool = False) -> int:
    """Open the main window (on ``path`` if given) and run the event loop;
    with ``train``, start training the opened project at once (demonstrations,
    classrooms)."""
    from designer.ui.collector import no_collections

    # Until the window is shown nothing made is garbage worth a collection, yet
    # the collector would walk the modules, the window and the design several
    # times over while they are made (about 10 ms of the start).
    with no_collections():
        window, app = _shown_window(path, train)
    code = app.exec()
    from designer.document.workers import stop_all

    stop_all()  # every worker thread stopped and joined before the interpreter goes
    return code


def _shown_window(path: str | None, train: bool) -> tuple[MainWindow, QApplication]:
    """The main window on ``path`` (or on the start page), shown; and the application."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from designer.ui.collector import keep_full_collections_short
    from designer.ui.main_window import APP_NAME, MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("nn-designer")
    keep_full_collections_short()  # before the window: its own objects must stay collectable
    # The file is read before the window is built, so its panels are built once, on
    # this design (not on an empty one first). A file that cannot be read is opened
    # again by the window, which says why.
    document = None
    if path is not None:
        from designer.document import Document
        from designer.project import ProjectError

        with suppress(ProjectError):
            document = Document.open(path)
    # With no file the start page is painted first, the canvas and panels it
    # hides are built right after (MainWindow.build_design_side).
    window = MainWindow(document=document, start_page_first=path is None)
    if path is not None and document is None and not window.open_file(path):
        window.show_start_page()
        window.show_message(f"Could not open {path}")
    elif path is not None:
        if document is not None:
            window.files.opened(document, path)
        if train:
            QTimer.singleShot(0, window.training.start)  # once the window is up, so the panel has its room
    window.show()
    return window, app
