"""How long the UI thread spends painting the views a training run updates.

A run paces its updates to keep the UI thread's share of the time small,
because while the UI thread runs Python the training thread waits for the
interpreter. The cost of an update is its handlers plus every repaint it
causes: the curves, and also the canvas (gradient flow, unit maps), the
per-layer gradient plot, the weight histograms and the live boundary. Each
of those views times its own paint events into ``PAINT_CLOCK``; the run takes
the sum at its next update (``designer.ui.training.worker``).
"""

from __future__ import annotations

import time
from typing import TypeVar

from PySide6.QtWidgets import QWidget


class PaintClock:
    """Seconds spent in timed paint events since the last ``take()``."""

    def __init__(self) -> None:
        self._spent = 0.0

    def add(self, seconds: float) -> None:
        self._spent += seconds

    def take(self) -> float:
        spent, self._spent = self._spent, 0.0
        return spent


PAINT_CLOCK = PaintClock()  # UI thread only: paints happen there

W = TypeVar("W", bound=type[QWidget])


def times_its_paints(cls: W) -> W:
    """Class decorator: the widget's paint events add their duration to PAINT_CLOCK."""
    paint = cls.paintEvent

    def paintEvent(self: QWidget, event: object) -> None:  # noqa: N802 - Qt override
        started = time.perf_counter()
        try:
            paint(self, event)
        finally:
            PAINT_CLOCK.add(time.perf_counter() - started)

    cls.paintEvent = paintEvent  # type: ignore[method-assign]
    return cls
