"""Run one slow job (an export, say) on a worker thread while a progress
dialog keeps the window responsive; the result comes back on the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QProgressDialog, QWidget

if TYPE_CHECKING:
    from designer.document.workers import Worker


def run_in_background(
    parent: QWidget,
    label: str,
    work: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
) -> Worker:
    """Start ``work()`` on a worker thread under a busy progress dialog.
    ``work`` must not touch widgets; give it copies of what it needs. The
    worker belongs to ``parent``: closing the window waits for it."""
    from designer.document.workers import Worker  # the document layer: not at the window's start

    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setWindowTitle("Working")
    dialog.setCancelButton(None)  # an export cannot be interrupted half way
    dialog.setMinimumDuration(300)  # quick jobs finish before it appears
    dialog.setAutoClose(False)
    worker = Worker(work, "background", parent=parent)

    def done(handler: Callable[[Any], None], value: Any) -> None:
        dialog.close()
        dialog.deleteLater()
        handler(value)

    worker.succeeded.connect(lambda result: done(on_success, result))
    worker.failed.connect(lambda exc: done(on_failure, exc))
    worker.cancelled.connect(lambda: done(lambda _: None, None))
    worker.finished.connect(worker.deleteLater)
    return worker.start()
