"""A training run in the window with its UI stalls split by phase.

Like benchmarks/gui_training.py's ``gui_run`` (same 5 ms precise timer on
the UI thread, a stall being a gap beyond the tick), but each gap is put in
the phase of the run it ended in:

- ``start``: from the click on Train until the first epoch's metrics reach
  the window (loading the data, compiling, the first pictures of every live
  view, their first paints);
- ``steady``: from there until the run's end reaches the window;
- ``end``: the results views drawn after the run.

The live views' goal (no stall over 50 ms) applies to ``start`` and ``steady``.
Also kept: the UI thread's own CPU seconds over the run (``ui_cpu_s``), which
a machine busy with other work changes far less than the stalls.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

TICK_MS = 5
PHASES = ("start", "steady", "end")


class PhasedStallMonitor(QObject):
    """Gaps between ticks of a precise UI-thread timer, each tagged with the run's phase."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._on_tick)
        self.phase = PHASES[0]
        self.gaps: dict[str, list[float]] = {p: [] for p in PHASES}
        self.worst_at: dict[str, float] = {p: 0.0 for p in PHASES}  # seconds after the click
        self._last = self._began = 0.0

    def start(self) -> None:
        self.phase = PHASES[0]
        self.gaps = {p: [] for p in PHASES}
        self.worst_at = {p: 0.0 for p in PHASES}
        self._last = self._began = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _on_tick(self) -> None:
        now = time.perf_counter()
        gap = (now - self._last) * 1000
        gaps = self.gaps[self.phase]
        if not gaps or gap > max(gaps):
            self.worst_at[self.phase] = now - self._began
        gaps.append(gap)
        self._last = now

    def stalls(self) -> dict[str, object]:
        """Longest and 99th-percentile stall overall (start and steady: the live views' phases) and per phase."""
        out: dict[str, object] = {}
        for phase in PHASES:
            over = sorted(max(0.0, g - TICK_MS) for g in self.gaps[phase]) or [0.0]
            out[phase] = {
                "max_ms": over[-1],
                "p99_ms": over[int(0.99 * (len(over) - 1))],
                "ticks": len(self.gaps[phase]),
                "worst_at_s": self.worst_at[phase],
            }
        live = sorted(max(0.0, g - TICK_MS) for g in self.gaps["start"] + self.gaps["steady"]) or [0.0]
        out["max_ms"] = live[-1]
        out["p99_ms"] = live[int(0.99 * (len(live) - 1))]
        return out


def settle(app: QApplication, seconds: float = 1.0) -> None:
    """What happens before a user can click Train: the window painted for the
    first time, the device warm-up over, a moment idle. Without it the first
    run's stalls would include the window's first paint (100-140 ms)."""
    from designer.ui.training.devices import DeviceProbe

    DeviceProbe.shared().start()
    began = time.perf_counter()
    while time.perf_counter() - began < seconds or not DeviceProbe.warmed.is_set():
        app.processEvents()
        time.sleep(0.01)


def phased_gui_run(app: QApplication, window, monitor: PhasedStallMonitor, epochs: int) -> dict[str, object]:
    """Train the window's design once from the Train action; stalls by phase, wall seconds, median samples/s."""
    panel = window.training.panel
    loop = QEventLoop()

    def on_running(running: bool) -> None:
        if not running:
            monitor.phase = "end"
            QTimer.singleShot(0, loop.quit)

    def on_updated(batches: list, epochs_: list) -> None:
        if epochs_ and monitor.phase == "start":
            monitor.phase = "steady"

    panel.running_changed.connect(on_running)
    monitor.start()
    started, ui_cpu = time.perf_counter(), time.thread_time()
    assert panel.start_action.isEnabled()
    panel.start_action.trigger()
    panel.run.updated.connect(on_updated)
    loop.exec()
    for _ in range(3):  # the results views are drawn in the events after the end
        app.processEvents()
    seconds = time.perf_counter() - started
    ui_cpu = time.thread_time() - ui_cpu
    monitor.stop()
    panel.running_changed.disconnect(on_running)
    record = panel.history.latest
    assert record.status == "finished", record.message
    assert len(record.epochs) == epochs
    rates = [m.samples_per_second for m in record.epochs[1:]] or [record.epochs[0].samples_per_second]
    return {"rate": statistics.median(rates), "stalls": monitor.stalls(), "seconds": seconds, "ui_cpu_s": ui_cpu}


def by_phase(runs: list[dict]) -> dict[str, dict[str, float]]:
    """Longest and p99 stall per phase over ``phased_gui_run``'s runs."""
    return {phase: {key: max(r["stalls"][phase][key] for r in runs) for key in ("max_ms", "p99_ms")} for phase in PHASES}


def write_results(path: str | Path, out: dict[str, object]) -> None:
    """Write a benchmark's ``out`` to ``path`` as JSON, with the torch version, the machine and the date."""
    import torch

    out = {
        **out,
        "torch": torch.__version__,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "when": time.strftime("%Y-%m-%d"),
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path}")


def phases(on: dict, off: dict) -> str:
    """One round's longest stall by phase and UI thread CPU, probes or maps on / off."""
    return (
        "longest by phase on/off: "
        + ", ".join(f"{p} {on['stalls'][p]['max_ms']:.0f}/{off['stalls'][p]['max_ms']:.0f} ms" for p in ("start", "steady", "end"))
        + f"; UI thread CPU on/off {1000 * on['ui_cpu_s']:.0f}/{1000 * off['ui_cpu_s']:.0f} ms"
    )
