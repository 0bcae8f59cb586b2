"""The probes' time budget: a live watch skips measurements to stay within a
share of the run's time; --layer-stats (no share) measures everything."""

from __future__ import annotations

import pytest

from designer.insight import probes
from designer.insight.probes import ProbeBudget


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(probes.time, "perf_counter", clock)
    return clock


def test_a_measurement_waits_until_the_run_has_earned_it(clock: Clock) -> None:
    budget = ProbeBudget(0.05, floor_s=60.0)
    assert budget.allows()  # the first one always
    budget.charge(0.01)
    clock.now += 0.01  # the measurement itself
    assert not budget.allows()
    clock.now += 0.15  # 0.15 s of training: 5% of it is 7.5 ms, less than the 10 ms spent
    assert not budget.allows()
    clock.now += 0.06  # 0.21 s of training: 10.5 ms allowed
    assert budget.allows()


def test_a_short_run_still_measures_now_and_then(clock: Clock) -> None:
    budget = ProbeBudget(0.01, floor_s=0.5)
    budget.charge(0.1)  # far over its share
    clock.now += 0.3
    assert not budget.allows()
    clock.now += 0.2  # half a second since the last one
    assert budget.allows()


def test_spend_times_the_measurement(clock: Clock) -> None:
    budget = ProbeBudget(0.5)
    with budget.spend():
        clock.now += 2.0
    assert budget.spent == 2.0 and budget.measured == 1


def test_no_share_measures_everything(clock: Clock) -> None:
    budget = ProbeBudget(None)
    budget.charge(100.0)
    assert budget.allows()


@pytest.mark.parametrize("share", [0.0, 1.0, -0.1])
def test_a_share_must_be_a_fraction(share: float) -> None:
    with pytest.raises(ValueError, match="share"):
        ProbeBudget(share)


def test_setting_up_counts_against_the_share_but_the_first_measurement_still_comes(clock: Clock) -> None:
    budget = ProbeBudget(0.05, floor_s=60.0)
    budget.charge(0.01, measurement=False)  # tracing the module at the run's start
    assert budget.measured == 0 and budget.allows()  # the first measurement at once
    budget.charge(0.01)
    clock.now += 0.3  # 0.3 s of training: 5% is 15 ms, less than the 20 ms spent on setup and the measurement
    assert not budget.allows()
    clock.now += 0.15  # 0.45 s: 22.5 ms allowed
    assert budget.allows()


def test_each_probe_gets_its_own_floor_so_frequent_gradients_do_not_starve_the_histograms(clock: Clock) -> None:
    budget = ProbeBudget(0.001, floor_s=0.5)
    gradients, histograms = object(), object()
    budget.charge(0.2, probe=gradients)  # far over the share from now on: only the floor lets a probe measure
    for _ in range(4):  # gradient samples take their floor slot every half second
        clock.now += 0.5
        assert budget.allows(gradients)
        budget.charge(0.001, probe=gradients)
    assert budget.allows(histograms)  # never measured: its floor counts from the run's start
    budget.charge(0.001, probe=histograms)
    assert not budget.allows(histograms)
    clock.now += 0.5
    assert budget.allows(histograms)


def test_each_probe_measures_a_few_times_over_a_short_run_however_far_over_its_share(clock: Clock) -> None:
    budget = ProbeBudget(0.01, floor_s=60.0, per_run=4)
    budget.start(planned_steps=100)  # every 25 steps at least, for each probe
    gradients, activations = object(), object()
    assert budget.allows(gradients, step=1)
    budget.charge(1.0, probe=gradients)  # far over its share
    assert not budget.allows(gradients, step=20) and not budget.allows(activations, step=20)
    assert budget.allows(activations, step=25)  # its first quarter of the run
    assert not budget.allows(gradients, step=25)  # 24 steps since its last
    assert budget.allows(gradients, step=26)
    assert not budget.allows(gradients, step=40) and budget.allows(gradients, step=51)
    assert not budget.allows(gradients)  # a probe that gives no step has the time floor only


def test_without_per_run_only_the_share_and_the_time_floor_count(clock: Clock) -> None:
    budget = ProbeBudget(0.01, floor_s=60.0)
    budget.start(planned_steps=100)
    budget.charge(1.0)
    assert not budget.allows(object(), step=99)
