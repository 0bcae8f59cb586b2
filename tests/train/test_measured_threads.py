"""A mid-sized design's thread count is timed on this machine
(designer.train.threads): the fewest threads within 5% of the fastest,
timed again when the pace of the epochs moves, never touching the run's own
weights, optimizer or random state, and kept by a resumed run."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from designer.project import load_project
from designer.train import Callback, Trainer, TrainSettings, load_bundle, prepare
from designer.train.threads import (
    MANY_THREADS_MACS,
    ONE_THREAD_MACS,
    RETIME_AFTER_S,
    RETIME_EVERY_S,
    MeasuredThreads,
    choose_threads,
    fastest_threads,
    thread_counts,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


class FakeClock:
    """A clock that a step moves by its time at torch's current thread count."""

    def __init__(self, seconds_at: dict[int, float]) -> None:
        self.now, self.seconds_at = 100.0, seconds_at

    def __call__(self) -> float:
        return self.now

    def step(self) -> None:
        self.now += self.seconds_at[torch.get_num_threads()]


@pytest.fixture
def threads_given_back():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_a_mid_sized_step_is_measured_on_the_cpu_only() -> None:
    middle = ONE_THREAD_MACS // 32 + 1
    assert choose_threads(0, macs_per_sample=middle, batch_size=32, default=2) is None
    assert choose_threads(0, macs_per_sample=middle, batch_size=32, default=2, can_measure=False) == 1
    assert choose_threads(0, macs_per_sample=middle, batch_size=32, default=1) == 1  # one core: nothing to choose
    assert choose_threads(0, macs_per_sample=ONE_THREAD_MACS // 32 - 1, batch_size=32, default=2) == 1
    assert choose_threads(0, macs_per_sample=MANY_THREADS_MACS // 32, batch_size=32, default=2) == 2


def test_the_counts_tried_double_up_to_the_most() -> None:
    assert thread_counts(1) == [1]
    assert thread_counts(2) == [1, 2]
    assert thread_counts(6) == [1, 2, 4, 6]
    assert thread_counts(8) == [1, 2, 4, 8]


@pytest.mark.usefixtures("threads_given_back")
@pytest.mark.parametrize(
    ("seconds_at", "chosen"),
    [
        ({1: 0.004, 2: 0.003, 4: 0.0025}, 4),
        ({1: 0.004, 2: 0.003, 4: 0.0029}, 2),  # 4 threads are faster, but not by 5%
        ({1: 0.004, 2: 0.00385, 4: 0.005}, 1),
        ({1: 0.004, 2: 0.008, 4: 0.016}, 1),  # a busy machine
    ],
)
def test_the_fewest_threads_within_5_percent_of_the_fastest_are_taken(seconds_at: dict[int, float], chosen: int) -> None:
    clock = FakeClock(seconds_at)
    count, seconds = fastest_threads(clock.step, [1, 2, 4], clock=clock)
    assert count == chosen
    assert seconds == pytest.approx(seconds_at)


@pytest.mark.usefixtures("threads_given_back")
def test_a_few_steps_slowed_by_another_program_do_not_decide() -> None:
    clock = FakeClock({1: 0.004, 2: 0.003})
    interrupted = iter([False, True, False, True, False, False, False, False, False])  # two of two threads' nine calls

    def step() -> None:
        clock.step()
        if torch.get_num_threads() == 2 and next(interrupted):
            clock.now += 0.01

    count, seconds = fastest_threads(step, [1, 2], clock=clock)
    assert count == 2 and seconds[2] == pytest.approx(0.003)


@pytest.mark.usefixtures("threads_given_back")
def test_the_count_is_timed_again_when_the_pace_moves_and_not_more_often() -> None:
    clock = FakeClock({1: 0.004, 2: 0.002})
    measured = MeasuredThreads(clock.step, [1, 2], clock=clock)
    assert measured.measure() == 2 and torch.get_num_threads() == 2
    assert not measured.epoch_done(1.0, 100)  # the first epoch after a timing sets the pace
    assert not measured.epoch_done(1.1, 100)  # 10% slower: noise
    clock.seconds_at = {1: 0.004, 2: 0.008}  # another program takes a core
    assert not measured.epoch_done(2.0, 100)  # twice as slow, but timed less than RETIME_AFTER_S ago
    clock.now += RETIME_AFTER_S
    assert measured.epoch_done(2.0, 100)
    assert measured.count == 1 and torch.get_num_threads() == 1 and measured.timings == 2
    clock.seconds_at = {1: 0.004, 2: 0.002}  # the core is free again: epochs get faster
    clock.now += RETIME_AFTER_S
    assert not measured.epoch_done(2.0, 100)  # the pace after the new timing
    assert measured.epoch_done(1.0, 100)
    assert measured.count == 2 and measured.timings == 3
    clock.now += RETIME_EVERY_S - 1
    assert not measured.epoch_done(1.0, 100)  # the same pace
    clock.now += 1
    assert measured.epoch_done(1.0, 100) and measured.timings == 4  # but timed again every RETIME_EVERY_S


@pytest.mark.usefixtures("threads_given_back")
def test_a_step_that_fails_while_timed_leaves_one_thread() -> None:
    def broken() -> None:
        raise RuntimeError("shapes do not match")

    measured = MeasuredThreads(broken, [1, 2])
    assert measured.measure() == 1 and torch.get_num_threads() == 1


def residual_cnn(**overrides):
    project = load_project(SAMPLES / "residual_cnn.nnd")
    bundle = load_bundle(project)
    compiled = prepare(project, bundle)
    assert ONE_THREAD_MACS <= compiled.macs_per_sample * 32 < MANY_THREADS_MACS  # the sample sits in the measured band
    return compiled, bundle, TrainSettings.from_mapping(project.training, device="cpu", **overrides)


class StopAfterOne(Callback):
    """Keeps the state after the first epoch and stops the run there."""

    def __init__(self) -> None:
        self.trainer: Trainer | None = None
        self.state = None

    def on_epoch_end(self, metrics) -> None:
        self.state = self.trainer.train_state()
        self.trainer.stop()


@pytest.mark.usefixtures("threads_given_back")
def test_timing_the_threads_leaves_the_run_as_a_run_with_that_count_set() -> None:
    torch.set_num_threads(2)
    compiled, bundle, settings = residual_cnn(epochs=2)
    timed = Trainer(compiled, bundle, settings)
    result = timed.run()
    assert result.ok and timed.threads is None and timed.measured_threads is not None
    assert timed.measured_threads.timings == 1 and set(timed.measured_threads.seconds) == {1, 2}
    assert result.threads in (1, 2) and torch.get_num_threads() == 2  # the process's setting given back
    _, _, fixed_settings = residual_cnn(epochs=2, threads=result.threads)
    fixed = Trainer(compiled, bundle, fixed_settings).run()
    assert all(torch.equal(result.last_state[k], fixed.last_state[k]) for k in fixed.last_state)


@pytest.mark.usefixtures("threads_given_back")
def test_a_resumed_run_goes_on_with_its_count_without_timing_it() -> None:
    torch.set_num_threads(2)
    compiled, bundle, settings = residual_cnn(epochs=2)
    stop = StopAfterOne()
    first = Trainer(compiled, bundle, settings, [stop])
    stop.trainer = first
    assert first.run().ok
    state = stop.state
    assert state.threads == first.result.threads
    state.threads = 3 - state.threads  # the other count than the one timed: the resumed run must keep it
    resumed = Trainer(compiled, bundle, settings, resume=state)
    result = resumed.run()
    assert result.ok and result.threads == state.threads and resumed.measured_threads.timings == 0


@pytest.mark.usefixtures("threads_given_back")
@pytest.mark.parametrize(("seconds_at", "calls"), [({1: 0.004, 2: 0.003}, 9), ({1: 0.004, 2: 0.0038}, 25)])
def test_counts_close_to_each_other_are_timed_again(seconds_at: dict[int, float], calls: int) -> None:
    clock = FakeClock(seconds_at)
    made = []

    def step() -> None:
        made.append(torch.get_num_threads())
        clock.step()

    fastest_threads(step, [1, 2], clock=clock)
    assert made.count(1) == made.count(2) == calls  # one untimed call, then 8 timed ones per timing
