"""Run one slow job (an export, say) on a worker thread while a progress
dialog keeps the window responsive; the result comes back on the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget


class _Job(QThread):
    succeeded = Signal(object)
    failed = Signal(object)  # the exception

    def __init__(self, work: Callable[[], Any], parent: QWidget) -> None:
        super().__init__(parent)
        self.work = work

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # handed to the UI thread, which shows it
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)


def run_in_background(
    parent: QWidget,
    label: str,
    work: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
) -> QThread:
    """Start ``work()`` on a worker thread under a busy progress dialog.
    ``work`` must not touch widgets; give it copies of what it needs."""
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setWindowTitle("Working")
    dialog.setCancelButton(None)  # an export cannot be interrupted half way
    dialog.setMinimumDuration(300)  # quick jobs finish before it appears
    dialog.setAutoClose(False)
    job = _Job(work, parent)

    def done(handler: Callable[[Any], None], value: Any) -> None:
        dialog.close()
        dialog.deleteLater()
        handler(value)

    job.succeeded.connect(lambda result: done(on_success, result))
    job.failed.connect(lambda exc: done(on_failure, exc))
    job.finished.connect(job.deleteLater)
    job.start()
    return job
