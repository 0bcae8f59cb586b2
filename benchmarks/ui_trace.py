"""Where the UI thread's time goes during a run: every event it handles timed,
and the Python stack of any event that runs long.

``TracingApplication`` is a QApplication whose ``notify`` times each
top-level event (wall time and the UI thread's own CPU time: a long wall time
with little CPU is the thread waiting, for the interpreter lock held by the
training thread or for a core on a busy machine). A watchdog thread samples
the UI thread's Python stack every few milliseconds while one event has run
longer than ``SAMPLE_AFTER_MS``, and the training thread's stack beside it,
so a slow event names the code it was in.

``summary()`` gives, per kind of event (event type, receiver class), the
count, total and longest time; and every event over ``SLOW_MS`` with the
stacks sampled during it. Used by benchmarks/gui_probes.py and
benchmarks/playground_stall.py with ``--trace``:

    python benchmarks/gui_probes.py --rounds 1 --epochs 4 --trace

A Python ``notify`` override is itself a cost (every event enters Python)
and PySide6 occasionally hands it a stale receiver ("notify() called with
wrong argument types", printed and the event dropped): use it to find where
the time goes, not for the figures; the benchmarks' figures come from runs
without ``--trace``.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from live_stalls import PHASES, TICK_MS, PhasedStallMonitor
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QGraphicsView, QWidget

SLOW_MS = 20.0  # events longer than this (wall) are listed one by one
SLOW_CPU_MS = 10.0  # and so are those that used this much of the UI thread's CPU (on a busy machine wall time is mostly waiting)
SAMPLE_AFTER_MS = 8.0  # the watchdog samples stacks of an event running longer than this
SAMPLE_EVERY_S = 0.003


@dataclass
class SlowEvent:
    at_s: float  # since the traced run began
    wall_ms: float
    cpu_ms: float  # the UI thread's own CPU time in it
    what: str
    stacks: list[str] = field(default_factory=list)  # the UI thread's, sampled while it ran
    trainer: list[str] = field(default_factory=list)  # the other threads' at the same moments


def _frames(frame, depth: int = 9) -> str:
    """A compact stack, innermost last, of files in this project, pyqtgraph and
    torch, from below the tracer's own frames."""
    lines: list[str] = []
    for entry in traceback.extract_stack(frame)[-60:]:
        path = entry.filename.replace("\\", "/")
        if path.endswith("ui_trace.py") or path.endswith("live_stalls.py"):
            lines = []  # what called the event loop is not the event's
            continue
        if "/designer/" in path or "pyqtgraph" in path or "torch" in path:
            short = path.split("/site-packages/")[-1].split("/main/")[-1]
            lines.append(f"{short}:{entry.lineno} {entry.name}")
    return " > ".join(lines[-depth:]) or "(in Qt, no Python below the event)"


class CpuStallMonitor(PhasedStallMonitor):
    """The phased stall monitor that also keeps the UI thread's own CPU time
    between two ticks. A stall's wall time grows with everything else on the
    machine and with the training thread holding the interpreter lock; the CPU
    the UI thread used in it is the window's own work, which a change to the
    code moves and a busy machine hardly does."""

    def start(self) -> None:
        self.cpu_gaps: dict[str, list[float]] = {p: [] for p in PHASES}
        self._last_cpu = time.thread_time()
        super().start()

    def _on_tick(self) -> None:
        cpu = time.thread_time()
        self.cpu_gaps[self.phase].append((cpu - self._last_cpu) * 1000)
        self._last_cpu = cpu
        super()._on_tick()

    def stalls(self) -> dict[str, object]:
        """The wall-clock stalls, and ``cpu_max_ms``: the most UI CPU between two ticks (less the tick), per phase and over start and steady."""
        out = super().stalls()
        for phase in PHASES:
            out[phase]["cpu_max_ms"] = max((max(0.0, g - TICK_MS) for g in self.cpu_gaps[phase]), default=0.0)
        out["cpu_max_ms"] = max(out["start"]["cpu_max_ms"], out["steady"]["cpu_max_ms"])
        return out


class TracingApplication(QApplication):
    """A QApplication that times every top-level event (see the module docstring)."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self._tracing = False
        self._depth = 0
        self._began = 0.0
        self._event_began = 0.0
        self._current: str | None = None
        self._samples: list[tuple[str, str]] = []
        self._ui_thread = threading.get_ident()
        self._stop = threading.Event()
        self.reset()
        threading.Thread(target=self._watch, name="ui-trace-watchdog", daemon=True).start()

    @property
    def tracing(self) -> bool:
        return self._tracing

    @tracing.setter
    def tracing(self, on: bool) -> None:
        """Time events from now on (or stop); the trace's clock restarts with each start."""
        if on and not self._tracing:
            self._began = time.perf_counter()
        self._tracing = on

    def reset(self) -> None:
        self.kinds: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])  # count, total ms, max ms, UI CPU ms
        self.paints: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])  # the same per painted widget, nested or not
        self.slow: list[SlowEvent] = []
        self._began = time.perf_counter()

    def notify(self, receiver: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if self._tracing and event.type() == QEvent.Type.Paint:
            return self._timed_paint(receiver, event)
        if not self._tracing or self._depth:
            self._depth += 1
            try:
                return super().notify(receiver, event)
            finally:
                self._depth -= 1
        what = f"{event.type().name} -> {type(receiver).__name__}"
        name = receiver.objectName() if isinstance(receiver, QObject) else ""
        if name:
            what += f" '{name}'"
        self._depth = 1
        self._samples = []
        began, cpu = time.perf_counter(), time.thread_time()
        self._event_began, self._current = began, what
        try:
            return super().notify(receiver, event)
        finally:
            wall = (time.perf_counter() - began) * 1000
            used = (time.thread_time() - cpu) * 1000
            self._current = None
            self._depth = 0
            kind = self.kinds[what]
            kind[0] += 1
            kind[1] += wall
            kind[2] = max(kind[2], wall)
            kind[3] += used
            if wall > SLOW_MS or used > SLOW_CPU_MS:
                stacks = [s for s, _ in self._samples]
                others = [o for _, o in self._samples]
                self.slow.append(SlowEvent(began - self._began, wall, used, what, stacks, others))

    def _timed_paint(self, receiver: QObject, event: QEvent) -> bool:
        """A paint, nested or not, counted per widget (a view's viewport by its view)."""
        parent = receiver.parent() if isinstance(receiver, QWidget) else None
        widget = parent if isinstance(parent, QAbstractScrollArea) and parent.viewport() is receiver else receiver
        what = type(widget).__name__
        if isinstance(widget, QGraphicsView) and widget.scene() is not None:
            kinds = sorted({type(i).__name__ for i in widget.scene().items()})
            what += f" ({len(widget.scene().items())} items: {', '.join(kinds[:4])}...)"
        top = not self._depth
        if top:
            self._samples = []
            self._event_began, self._current = time.perf_counter(), f"Paint -> {what}"
        self._depth += 1
        began, cpu = time.perf_counter(), time.thread_time()
        try:
            return super().notify(receiver, event)
        finally:
            self._depth -= 1
            wall = (time.perf_counter() - began) * 1000
            used = (time.thread_time() - cpu) * 1000
            paint = self.paints[what]
            paint[0] += 1
            paint[1] += wall
            paint[2] = max(paint[2], wall)
            paint[3] += used
            if top:
                self._current = None
                kind = self.kinds[f"Paint -> {what}"]
                kind[0] += 1
                kind[1] += wall
                kind[2] = max(kind[2], wall)
                kind[3] += used
                if wall > SLOW_MS or used > SLOW_CPU_MS:
                    self.slow.append(
                        SlowEvent(
                            began - self._began,
                            wall,
                            used,
                            f"Paint -> {what}",
                            [u for u, _ in self._samples],
                            [o for _, o in self._samples],
                        )
                    )

    def _watch(self) -> None:
        while not self._stop.is_set():
            time.sleep(SAMPLE_EVERY_S)
            if self._current is None or (time.perf_counter() - self._event_began) * 1000 < SAMPLE_AFTER_MS:
                continue
            frames = sys._current_frames()
            ui = frames.get(self._ui_thread)
            others = [
                f"{t.name}: {_frames(frames[t.ident], 8)}"
                for t in threading.enumerate()
                if t.ident in frames and t.ident not in (self._ui_thread, threading.get_ident()) and "watchdog" not in t.name
            ]
            if ui is not None:
                self._samples.append((_frames(ui), " | ".join(o for o in others if o.split(": ", 1)[1])))

    def summary(self, top: int = 12) -> str:
        """The kinds of events by total time, and the slow events with their commonest stacks."""
        lines = ["event kinds by total UI time (total wall ms, of it UI CPU ms, count, longest ms):"]
        for what, (count, total, longest, cpu) in sorted(self.kinds.items(), key=lambda kv: -kv[1][1])[:top]:
            lines.append(f"  {total:8.1f} ms  cpu {cpu:7.1f} ms  {count:6d}x  max {longest:6.1f} ms  {what}")
        lines.append("paints by widget, nested or not (total wall ms, of it UI CPU ms, count, longest ms):")
        for what, (count, total, longest, cpu) in sorted(self.paints.items(), key=lambda kv: -kv[1][1])[:top]:
            lines.append(f"  {total:8.1f} ms  cpu {cpu:7.1f} ms  {count:6d}x  max {longest:6.1f} ms  {what}")
        lines.append(f"events over {SLOW_MS:.0f} ms or {SLOW_CPU_MS:.0f} ms of UI CPU: {len(self.slow)}; the most UI CPU first:")
        for e in sorted(self.slow, key=lambda e: -e.cpu_ms)[:top]:
            lines.append(f"  at {e.at_s:6.2f} s: {e.wall_ms:6.1f} ms wall, {e.cpu_ms:6.1f} ms UI CPU  {e.what}")
            for stack, n in Counter(e.stacks).most_common(3):
                lines.append(f"      {n}x UI: {stack}")
            for stack, n in Counter(e.trainer).most_common(2):
                if stack:
                    lines.append(f"      {n}x other threads: {stack}")
        return "\n".join(lines)
