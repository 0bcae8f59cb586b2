"""Work off the UI thread: one small abstraction for every job that must not
freeze the window (training, exports, reading the user's data, previews,
finding the devices).

A :class:`Worker` lives on the UI thread and runs one function on its own
thread. Everything it reports arrives on the UI thread, in this order:
``started``, ``progressed`` (each value a generator yields, or each
``report_progress`` call), then exactly one of ``succeeded`` (the return
value), ``failed`` (the exception) or ``cancelled``, then ``finished``, by
which time the thread has ended.

Cancelling is cooperative, as in napari's thread workers: a generator is
stopped at its next ``yield``; a plain function polls ``cancel_requested()``
(returning early, or raising :class:`Cancelled`), and ``on_cancel`` lets a
job forward the request to something that has its own stop (the trainer).

:class:`LatestRequest` runs a stream of requests where only the newest
answer matters (describe this file, preview these settings): one request
runs at a time, a new one waits in its place, and answers to superseded
requests are dropped.

Every started worker is in a registry until its end has been delivered, so
``stop_all`` can cancel and join every thread before the application quits,
and tests can fail when a thread is left running.

The threads are Python threads (daemons): ``join`` takes a timeout, and a
thread that outlives it cannot abort the process at exit the way a running
``QThread`` being destroyed does. Their news crosses to the UI thread as
queued Qt signals.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import time
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal, Slot

_current = threading.local()  # .worker: the Worker whose function runs on this thread
_live: set[Worker] = set()  # started, end not yet delivered (UI thread only)

STARTED, PROGRESSED, SUCCEEDED, FAILED, CANCELLED = "started", "progressed", "succeeded", "failed", "cancelled"


class Cancelled(Exception):  # noqa: N818 - a request honoured, not an error
    """Raised by work that saw ``cancel_requested()``; its worker then reports ``cancelled``."""


def cancel_requested() -> bool:
    """On a worker's thread: True once that worker was cancelled. False on any other thread."""
    worker = getattr(_current, "worker", None)
    return worker is not None and worker.cancel_requested


def report_progress(value: object) -> None:
    """From a plain function on a worker's thread: emit ``progressed(value)`` on the UI thread."""
    worker = getattr(_current, "worker", None)
    if worker is None:
        raise RuntimeError("report_progress() is for code running on a worker's thread")
    worker._post(PROGRESSED, value)


class _Relay(QObject):
    """Carries a worker's news from its thread. Parentless and kept alive by the
    worker's Python object, so emitting never touches a deleted C++ object."""

    news = Signal(str, object)  # kind, payload


class Worker(QObject):
    """Runs ``work()`` (a function or a generator function) once, on its own thread."""

    started = Signal()
    progressed = Signal(object)  # each yielded or reported value
    succeeded = Signal(object)  # the return value
    failed = Signal(object)  # the exception (BaseException)
    cancelled = Signal()
    finished = Signal()  # after the outcome; the thread has ended

    def __init__(
        self,
        work: Callable[[], Any],
        name: str = "worker",
        on_cancel: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self._work = work
        self._on_cancel = on_cancel
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._relay = _Relay()
        self._relay.news.connect(self._on_news)
        self.done = False  # the outcome has been delivered

    # ------------------------------------------------------ UI thread
    def start(self) -> Worker:
        if self._thread is not None:
            raise RuntimeError(f"worker {self.name!r} was already started")
        _forget_orphans()
        self._thread = threading.Thread(target=self._execute, name=self.name, daemon=True)
        _live.add(self)
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the work to stop; its end still arrives (as ``cancelled``, or its result)."""
        self._cancel.set()
        if self._on_cancel is not None:
            self._on_cancel()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    @property
    def is_running(self) -> bool:
        """True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Join the thread (``timeout`` seconds at most); on the UI thread, the news
        still queued is delivered before this returns. True when the thread ended."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        if self._thread.is_alive():
            return False
        if threading.current_thread() is threading.main_thread():
            with contextlib.suppress(RuntimeError):  # the C++ object is gone: nothing to deliver to
                QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall.value)
        _live.discard(self)
        return True

    @Slot(str, object)
    def _on_news(self, kind: str, payload: object) -> None:
        if kind == STARTED:
            self.started.emit()
        elif kind == PROGRESSED:
            self.progressed.emit(payload)
        else:
            assert self._thread is not None
            self._thread.join()  # the thread's last act was to post this: it ends at once
            _live.discard(self)
            self.done = True
            if kind == SUCCEEDED:
                self.succeeded.emit(payload)
            elif kind == FAILED:
                self.failed.emit(payload)
            else:
                self.cancelled.emit()
            self.finished.emit()

    # ------------------------------------------------------ the worker's thread
    def _post(self, kind: str, payload: object = None) -> None:
        # At the application's exit Qt may already have torn the relay down while a
        # daemon thread finishes: there is no one left to tell.
        with contextlib.suppress(RuntimeError):
            self._relay.news.emit(kind, payload)

    def _execute(self) -> None:
        _current.worker = self
        kind, payload = FAILED, RuntimeError("the work ended without an outcome")
        try:
            self._post(STARTED)
            if self._cancel.is_set():
                raise Cancelled
            result = self._work()
            if inspect.isgenerator(result):
                result = self._drive(result)
            kind, payload = SUCCEEDED, result
        except Cancelled:
            kind, payload = CANCELLED, None
        except Exception as exc:  # handed to the UI thread as `failed`
            kind, payload = FAILED, exc
        finally:
            _current.worker = None
            self._post(kind, payload)

    def _drive(self, generator: Generator[Any, Any, Any]) -> Any:
        """Run a generator to its end, reporting each value; stop it at a yield once cancelled."""
        while True:
            if self._cancel.is_set():
                generator.close()
                raise Cancelled
            try:
                value = next(generator)
            except StopIteration as stop:
                return stop.value
            self._post(PROGRESSED, value)


class LatestRequest(QObject):
    """Answers a stream of requests with ``work(*args)`` off the UI thread; only
    the newest request's answer is delivered (``succeeded`` or ``failed``).

    One request runs at a time; a request made meanwhile waits, replacing any
    other waiting one, and starts when the running one ends. Work already
    running is not interrupted (reading a file cannot be), its answer is dropped.
    """

    succeeded = Signal(object)  # the newest request's answer
    failed = Signal(object)  # the exception the newest request raised

    def __init__(self, work: Callable[..., Any], name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._name = name
        self._token = 0  # of the newest request
        self._answered = 0  # the newest token answered (or given up)
        self._waiting: tuple[int, tuple[Any, ...]] | None = None
        self._running: Worker | None = None

    @property
    def busy(self) -> bool:
        """True while the newest request's answer is still to come."""
        return self._answered != self._token

    def request(self, *args: Any) -> None:
        """Ask again; supersedes every earlier request."""
        self._token += 1
        self._waiting = (self._token, args)
        if self._running is None:
            self._start_waiting()

    def cancel(self) -> None:
        """Drop every request: no answer is delivered until the next ``request``."""
        self._waiting = None
        self._answered = self._token
        if self._running is not None:
            self._running.cancel()
            self._running = None  # its end is ignored; a new request may start at once

    def _start_waiting(self) -> None:
        assert self._waiting is not None
        token, args = self._waiting
        self._waiting = None
        worker = Worker(partial(self._work, *args), self._name, parent=self)
        worker.token = token  # type: ignore[attr-defined]
        # Bound methods, the worker found with sender(): a partial holding the
        # worker crashes PySide when this object and the worker are deleted.
        worker.succeeded.connect(self._on_succeeded)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(self._on_finished)
        self._running = worker
        worker.start()

    def _is_newest(self, worker: QObject) -> bool:
        return worker is self._running and getattr(worker, "token", None) == self._token

    def _on_succeeded(self, answer: object) -> None:
        if self._is_newest(self.sender()):
            self._answered = self._token
            self.succeeded.emit(answer)

    def _on_failed(self, error: BaseException) -> None:
        if self._is_newest(self.sender()):
            self._answered = self._token
            self.failed.emit(error)

    def _on_finished(self) -> None:
        worker = self.sender()
        if not isinstance(worker, Worker):
            return
        worker.deleteLater()
        if worker is not self._running:
            return
        self._running = None
        if worker.cancel_requested:  # stopped from outside (the application quits): start nothing new
            self._waiting = None
            self._answered = self._token
        elif self._waiting is not None:
            self._start_waiting()


# ------------------------------------------------------------------ registry
def _forget_orphans() -> None:
    """Drop ended workers whose C++ object was deleted before their end arrived (it never will)."""
    for worker in list(_live):
        if not worker.is_running:
            try:
                worker.objectName()
            except RuntimeError:
                _live.discard(worker)


def running_workers() -> list[Worker]:
    """Workers whose thread is still running (tests assert there are none left)."""
    return [worker for worker in list(_live) if worker.is_running]


def _owned_by(worker: Worker, owner: QObject) -> bool:
    try:
        parent = worker.parent()
        while parent is not None:
            if parent is owner:
                return True
            parent = parent.parent()
    except RuntimeError:  # deleted meanwhile: it belongs to no one now
        pass
    return False


def stop_all(timeout: float = 30.0, owner: QObject | None = None) -> list[Worker]:
    """Cancel every live worker (or those ``owner`` holds) and join their threads,
    ``timeout`` seconds in all; their ends are delivered. Returns the workers
    still running after it (none, normally)."""
    workers = [w for w in list(_live) if owner is None or _owned_by(w, owner)]
    for worker in workers:
        if not worker.done:
            worker.cancel()
    deadline = time.monotonic() + timeout
    for worker in workers:
        worker.wait(max(0.0, deadline - time.monotonic()))
    return [worker for worker in workers if worker.is_running]
