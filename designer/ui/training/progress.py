"""Progress of a run from its batch reports: where it is (epoch, batch), how
fast it goes (samples per second over the last few seconds of wall time, so
a pause or a validation pass shows up honestly) and the time left."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

from designer.train import BatchReport

WINDOW_S = 3.0


@dataclass
class Position:
    epoch: int = 0
    batch: int = 0
    batches: int = 0


class ProgressClock:
    def __init__(self, epochs: int, train_samples: int) -> None:
        self.epochs, self.train_samples = epochs, max(1, train_samples)
        self.position = Position()
        self._seen: deque[tuple[float, int]] = deque()  # (time, samples done)
        self.samples_done = 0

    def feed(self, reports: list[BatchReport], now: float | None = None) -> None:
        if not reports:
            return
        now = time.perf_counter() if now is None else now
        last = reports[-1]
        self.position = Position(last.epoch, last.batch, last.batches)
        self.samples_done = (last.epoch - 1) * self.train_samples + last.samples
        self._seen.append((now, self.samples_done))
        while len(self._seen) > 2 and now - self._seen[0][0] > WINDOW_S:
            self._seen.popleft()

    @property
    def fraction(self) -> float:
        """Share of all epochs' batches done, 0..1."""
        p = self.position
        if not p.batches:
            return 0.0
        return min(1.0, ((p.epoch - 1) + p.batch / p.batches) / self.epochs)

    @property
    def samples_per_second(self) -> float | None:
        if len(self._seen) < 2:
            return None
        (t0, s0), (t1, s1) = self._seen[0], self._seen[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else None

    @property
    def seconds_left(self) -> float | None:
        rate = self.samples_per_second
        if not rate:
            return None
        return max(0.0, (self.epochs * self.train_samples - self.samples_done) / rate)

    def text(self) -> str:
        parts = []
        rate = self.samples_per_second
        if rate is not None:
            parts.append(f"{rate:,.0f} samples/s")
        left = self.seconds_left
        if left is not None:
            parts.append(f"{format_duration(left)} left")
        return " · ".join(parts)


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
