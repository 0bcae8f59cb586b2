"""Start the desktop designer."""

from __future__ import annotations

import sys
from contextlib import suppress


def run(path: str | None = None, train: bool = False) -> int:
    """Open the main window (on ``path`` if given) and run the event loop;
    with ``train``, start training the opened project at once (demonstrations,
    classrooms)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from designer.document import Document
    from designer.document.workers import stop_all
    from designer.project import ProjectError
    from designer.ui.collector import keep_full_collections_short
    from designer.ui.files import no_gc_pauses
    from designer.ui.main_window import APP_NAME, MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("nn-designer")
    keep_full_collections_short()  # before the window: its own objects must stay collectable
    # The file is read before the window is built, so its panels are built once, on
    # this design (not on an empty one first). A file that cannot be read is opened
    # again by the window, which says why.
    document = None
    with no_gc_pauses():
        if path is not None:
            with suppress(ProjectError):
                document = Document.open(path)
        window = MainWindow(document=document)
    if path is None:
        window.show_start_page()
    elif document is None and not window.open_file(path):
        window.show_start_page()
        window.show_message(f"Could not open {path}")
    else:
        if document is not None:
            window.files.opened(document, path)
        if train:
            QTimer.singleShot(0, window.training.start)  # once the window is up, so the panel has its room
    window.show()
    code = app.exec()
    stop_all()  # every worker thread is stopped and joined before the interpreter goes
    return code
