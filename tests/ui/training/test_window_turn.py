"""The window's turn: while it handles a run's update (and repaints what the
update changed) the trainer waits before its next batch, never for long."""

from __future__ import annotations

import threading
import time

from paths import sample

from designer.project import load_project
from designer.ui.training import worker
from designer.ui.training.worker import TrainingRun, WindowTurn


def test_the_trainer_waits_before_a_batch_while_the_window_has_its_turn() -> None:
    turn = threading.Event()
    callback = WindowTurn(turn)
    started: list[float] = []

    def batch() -> None:
        callback.on_batch_start(1, 1)
        started.append(time.perf_counter())

    thread = threading.Thread(target=batch)
    cleared = time.perf_counter()
    thread.start()
    time.sleep(0.02)
    assert not started  # waiting
    turn.set()
    thread.join(1.0)
    assert started and started[0] - cleared >= 0.02


def test_a_turn_never_holds_the_trainer_longer_than_its_limit() -> None:
    turn = threading.Event()  # cleared, and nobody sets it
    began = time.perf_counter()
    WindowTurn(turn).on_batch_start(1, 1)
    assert worker.TURN_MAX_S <= time.perf_counter() - began < worker.TURN_MAX_S + 0.5


def test_an_update_takes_the_turn_and_gives_it_back_after_its_repaints(qtbot) -> None:
    run = TrainingRun(load_project(sample("spirals_mlp")))
    during: list[bool] = []
    run.observed.connect(lambda news: during.append(run.job.window_turn.is_set()))
    run.buffer.add_news("probe", 1)
    run.buffer.add_news("other", 2)
    run._on_flush()
    assert during == [False]  # the first part now, the trainer held
    qtbot.waitUntil(lambda: len(during) == 2, timeout=2000)
    assert during == [False, False]
    qtbot.waitUntil(run.job.window_turn.is_set, timeout=2000)  # given back after the parts


def test_a_drain_waits_while_the_last_ones_parts_are_still_handled(qtbot) -> None:
    """Two drains never mix: the second starts once the first's parts are done, so the
    update's cost (which paces the next) is measured drain by drain."""
    run = TrainingRun(load_project(sample("spirals_mlp")))
    seen: list[list] = []
    run.observed.connect(seen.append)
    run.buffer.add_news("a", 1)
    run.buffer.add_news("b", 2)
    run._on_flush()  # "a" now, "b" at the next pass
    run.buffer.add_news("c", 3)
    run._on_flush()  # too early: left in the buffer for a later drain
    assert [n[0][0] for n in seen] == ["a"] and run.buffer.drain_news() == [("c", 3)]
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=2000)
    assert seen[1] == [("b", 2)]
