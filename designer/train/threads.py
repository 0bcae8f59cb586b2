"""How many CPU threads a run trains with.

torch starts one intra-op thread per core. A small model's operations are
too short to split: with two threads on a busy two-core machine the digits
CNN trained 8 times slower than with one (``benchmarks/train_throughput.py``
measures it). A mid-sized one gains from more threads only while the cores
are free: on an idle two-core machine the residual CNN's step took 1.2-1.3x
less time with two threads than with one, and twice as long as with one once
another program kept a core busy. No size settles that, so ``threads = 0``
(auto) picks one thread for a design whose training step is small, torch's
default for a large one, and for the ones between it times the training step
on this machine at each count and takes the fewest threads within 5% of the
fastest (:class:`MeasuredThreads`). It times again when an epoch's pace has
moved since (the machine got busier or quieter) and every 30 s: on a shared
machine two threads can lose their lead for seconds at a time without
changing one thread's pace. A number is used as given.

Threads change the order in which a convolution's sums are added, so a run
whose count is measured is repeatable bit for bit only as long as the same
count is chosen; a set number makes it so.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence

ONE_THREAD_MACS = 4_000_000  # multiply-accumulates per batch (forward) below which one thread wins
MANY_THREADS_MACS = 100_000_000  # ... and from which torch's default wins
FEWER_THREADS_WITHIN = 1.05  # the fewest threads whose step is at most 5% slower than the fastest
CLEAR_MARGIN = 0.1  # another count this close to the chosen one's time: time them again (3 timings at most)
PACE_CHANGE = 1.3  # an epoch this much slower or faster per batch than the first after a measurement
RETIME_AFTER_S = 5.0  # times again at most this often: a timing costs 9 to 25 steps a count
RETIME_EVERY_S = 30.0  # and at least this often (at an epoch's end): a shared machine's cores come and go


def choose_threads(requested: int, macs_per_sample: int, batch_size: int, default: int, can_measure: bool = True) -> int | None:
    """The thread count for a run: ``requested`` when set (>0), else 1 for a
    small step, ``default`` (torch's own choice) for a large one, and None
    (measure it) between, where ``can_measure``; else 1."""
    if requested > 0:
        return requested
    macs = macs_per_sample * batch_size
    if default <= 1 or macs < ONE_THREAD_MACS:
        return 1
    if macs >= MANY_THREADS_MACS:
        return default
    return None if can_measure else 1


def thread_counts(most: int) -> list[int]:
    """The counts a measurement tries: 1, 2, 4, ... below ``most``, and ``most``."""
    counts, count = [], 1
    while count < most:
        counts.append(count)
        count *= 2
    return [*counts, most]


def fastest_threads(
    step: Callable[[], object],
    counts: Sequence[int],
    rounds: int = 4,
    steps: int = 2,
    clock: Callable[[], float] = time.perf_counter,
    timings: int = 3,
) -> tuple[int, dict[int, float]]:
    """Time ``step`` at each count, ``rounds`` times ``steps`` calls in
    alternating order after one untimed call at each; the fewest threads whose
    time is within FEWER_THREADS_WITHIN of the fastest, and the times (s).
    A count's time is the lower quartile of its steps: another program's
    work only ever adds to a step, and a busy core slows every step of the
    counts it hurts, so the quartile still shows it (two threads beside a
    busy core took twice as long as one at every step). While another count
    is within CLEAR_MARGIN of the chosen one, they are timed again (up to
    ``timings`` times, all steps counted): one timing of the residual CNN put
    two threads 1.15-1.25x ahead of one, but about one in ten came out even."""
    import torch

    times: dict[int, list[float]] = {count: [] for count in counts}
    for count in counts:  # the first call at a count starts its threads and fills oneDNN's caches
        torch.set_num_threads(count)
        step()
    for _ in range(timings):
        for round_ in range(rounds):
            for count in counts if round_ % 2 == 0 else list(reversed(counts)):
                torch.set_num_threads(count)
                for _ in range(steps):
                    started = clock()
                    step()
                    times[count].append(clock() - started)
        quartiles = {count: sorted(values)[(len(values) - 1) // 4] for count, values in times.items()}
        fastest = min(quartiles.values())
        chosen = min(count for count in counts if quartiles[count] <= fastest * FEWER_THREADS_WITHIN)
        if all(abs(q / quartiles[chosen] - 1) > CLEAR_MARGIN for count, q in quartiles.items() if count != chosen):
            break
    return chosen, quartiles


class MeasuredThreads:
    """The thread count of a run whose design sits between the two bounds:
    timed before the first epoch, timed again after an epoch whose pace per
    batch moved by PACE_CHANGE from the first epoch after the last timing,
    or RETIME_EVERY_S after it.
    ``step`` runs one training step on a copy of the design (never the run's
    own weights, optimizer or random state)."""

    def __init__(self, step: Callable[[], object], counts: Sequence[int], clock: Callable[[], float] = time.perf_counter) -> None:
        self.step, self.counts, self.clock = step, list(counts), clock
        self.count = 1
        self.seconds: dict[int, float] = {}  # seconds per step at each count, last timing
        self.timings = 0
        self._reference: float | None = None
        self._timed_at = float("-inf")

    def measure(self) -> int:
        """Time the counts and train with the one chosen from now on. A step
        that fails here leaves one thread: the run itself reports the fault."""
        import torch

        try:
            self.count, self.seconds = fastest_threads(self.step, self.counts, clock=self.clock)
        except Exception:
            self.count, self.seconds = 1, {}
        torch.set_num_threads(self.count)
        self.timings += 1
        self._reference, self._timed_at = None, self.clock()
        return self.count

    def keep(self, count: int) -> None:
        """Go on with ``count`` (a resumed run's), timing again only when the pace moves."""
        import torch

        self.count = count
        torch.set_num_threads(count)
        self._reference, self._timed_at = None, self.clock()

    def epoch_done(self, seconds: float, batches: int) -> bool:
        """Note an epoch's training time; True when it timed the counts again."""
        pace, since = seconds / max(1, batches), self.clock() - self._timed_at
        if self._reference is None and since < RETIME_EVERY_S:
            self._reference = pace
            return False
        moved = self._reference is not None and (pace > self._reference * PACE_CHANGE or pace * PACE_CHANGE < self._reference)
        if (moved and since >= RETIME_AFTER_S) or since >= RETIME_EVERY_S:
            self.measure()
            return True
        return False


def torch_threads() -> int:
    """torch's intra-op thread count now."""
    import torch

    return torch.get_num_threads()


@contextlib.contextmanager
def training_threads(count: int) -> Iterator[None]:
    """torch's intra-op threads set to ``count`` for the ``with`` block, then
    given back (the setting is the process's, shared with the window)."""
    import torch

    before = torch.get_num_threads()
    if count != before:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)
