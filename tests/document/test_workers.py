"""Workers off the UI thread: the order their news arrives in, cooperative
cancelling, errors as ``failed``, latest-request-wins, and ``stop_all``."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject

from designer.document.workers import (
    Cancelled,
    LatestRequest,
    Worker,
    cancel_requested,
    report_progress,
    running_workers,
    stop_all,
)


@pytest.fixture(autouse=True)
def no_worker_left(qapp) -> Iterator[None]:
    yield
    left = running_workers()
    stop_all(10)
    assert not left, f"worker(s) still running: {[w.name for w in left]}"


def _record(worker: Worker) -> list[tuple]:
    news: list[tuple] = []
    worker.started.connect(lambda: news.append(("started",)))
    worker.progressed.connect(lambda value: news.append(("progressed", value)))
    worker.succeeded.connect(lambda value: news.append(("succeeded", value)))
    worker.failed.connect(lambda exc: news.append(("failed", exc)))
    worker.cancelled.connect(lambda: news.append(("cancelled",)))
    worker.finished.connect(lambda: news.append(("finished", worker.is_running)))
    return news


def test_a_function_reports_its_result_on_the_ui_thread_in_order(qtbot) -> None:
    threads: list[str] = []

    def work() -> int:
        threads.append(threading.current_thread().name)
        return 42

    worker = Worker(work, "answer")
    news = _record(worker)
    on_ui: list[bool] = []
    worker.succeeded.connect(lambda _: on_ui.append(threading.current_thread() is threading.main_thread()))
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
    assert news == [("started",), ("succeeded", 42), ("finished", False)]
    assert threads == ["answer"] and on_ui == [True] and worker.done and not running_workers()


def test_a_generator_reports_each_yield_then_its_return_value(qtbot) -> None:
    def work() -> Iterator[int]:
        yield from range(3)
        return "done"

    worker = Worker(work)
    news = _record(worker)
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
    assert news == [("started",), ("progressed", 0), ("progressed", 1), ("progressed", 2), ("succeeded", "done"), ("finished", False)]


def test_a_plain_function_reports_progress_and_a_failure(qtbot) -> None:
    def work() -> None:
        report_progress("half")
        raise ValueError("broken file")

    worker = Worker(work)
    news = _record(worker)
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
    assert [n[0] for n in news] == ["started", "progressed", "failed", "finished"]
    assert news[1] == ("progressed", "half") and isinstance(news[2][1], ValueError) and str(news[2][1]) == "broken file"
    with pytest.raises(RuntimeError, match="worker's thread"):
        report_progress("not on a worker")
    assert not cancel_requested()


def test_a_cancelled_generator_stops_at_its_next_yield(qtbot) -> None:
    steps: list[int] = []
    go_on = threading.Event()

    def work() -> Iterator[int]:
        for i in range(1000):
            steps.append(i)
            yield i
            go_on.wait(5)

    worker = Worker(work)
    news = _record(worker)
    worker.progressed.connect(lambda value: worker.cancel())
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
        qtbot.waitUntil(lambda: worker.cancel_requested, timeout=5000)
        go_on.set()
    assert news[-2:] == [("cancelled",), ("finished", False)]
    assert len(steps) <= 2 and ("succeeded", None) not in news


def test_a_function_polls_cancel_and_the_cancel_hook_is_called(qtbot) -> None:
    hooked = threading.Event()
    entered = threading.Event()

    def work() -> None:
        entered.set()
        while not cancel_requested():
            hooked.wait(0.01)
        raise Cancelled

    worker = Worker(work, on_cancel=hooked.set)
    news = _record(worker)
    worker.start()
    assert entered.wait(5)
    with qtbot.waitSignal(worker.cancelled, timeout=5000):
        worker.cancel()
    assert hooked.is_set() and worker.wait(5) and news[-1] == ("finished", False)


def test_wait_joins_and_delivers_what_is_still_queued(qapp) -> None:
    worker = Worker(lambda: "late")
    news = _record(worker)
    worker.start()
    assert worker.wait(5)
    assert news == [("started",), ("succeeded", "late"), ("finished", False)]


def test_latest_request_delivers_only_the_newest_answer(qtbot) -> None:
    release = threading.Event()
    ran: list[str] = []

    def describe(name: str) -> str:
        ran.append(name)
        if name == "first":
            release.wait(5)
        return name.upper()

    requests = LatestRequest(describe, "describe")
    answers: list[str] = []
    requests.succeeded.connect(answers.append)
    requests.request("first")
    qtbot.waitUntil(lambda: ran == ["first"], timeout=5000)
    requests.request("second")  # waits, then is replaced by the third
    requests.request("third")
    assert requests.busy
    with qtbot.waitSignal(requests.succeeded, timeout=5000):
        release.set()
    assert answers == ["THIRD"] and ran == ["first", "third"] and not requests.busy


def test_latest_request_reports_the_newest_failure_and_can_be_cancelled(qtbot) -> None:
    def work(value: int) -> int:
        if value < 0:
            raise ValueError(f"{value} is negative")
        return value

    requests = LatestRequest(work, "check")
    failures: list[BaseException] = []
    answers: list[int] = []
    requests.failed.connect(failures.append)
    requests.succeeded.connect(answers.append)
    with qtbot.waitSignal(requests.failed, timeout=5000):
        requests.request(-1)
    assert str(failures[0]) == "-1 is negative"
    requests.request(5)
    requests.cancel()
    assert not requests.busy
    qtbot.waitUntil(lambda: not running_workers(), timeout=5000)
    qtbot.wait(50)
    assert answers == []  # the cancelled request's answer is dropped


def test_stop_all_cancels_and_joins_every_thread(qtbot) -> None:
    owner = QObject()

    def forever() -> Iterator[None]:
        while True:
            yield
            threading.Event().wait(0.01)

    mine = Worker(forever, "mine", parent=owner)
    other = Worker(forever, "other")
    ended: list[str] = []
    mine.cancelled.connect(lambda: ended.append("mine"))
    other.cancelled.connect(lambda: ended.append("other"))
    mine.start()
    other.start()
    assert {w.name for w in running_workers()} == {"mine", "other"}
    assert stop_all(5, owner=owner) == []
    assert ended == ["mine"] and not mine.is_running and other.is_running
    assert stop_all(5) == []
    assert ended == ["mine", "other"] and running_workers() == []


def test_a_worker_runs_once(qtbot) -> None:
    worker = Worker(lambda: None)
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
    with pytest.raises(RuntimeError, match="already started"):
        worker.start()
