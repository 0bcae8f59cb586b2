"""Training in the designer's window: how long the Qt event loop stalls during
a run, and the training throughput with the GUI against headless training.

The digits CNN sample trains in the real main window (offscreen, 1500x900,
Training panel in view, curves redrawing live), started with the Train action
as a user would. A QTimer ticking every 5 ms on the UI thread records the gap
between ticks; a stall is a gap beyond the tick, and the longest one from the
click on Train to the results shown is reported. The headless run is what
``designer train`` does, without the printing: load the data, check and
compile, ``Trainer.run()`` on the main thread with no callbacks, in the same
process. Runs are interleaved (GUI, headless, headless, GUI, ...) so a machine
that speeds up or slows down affects both alike. Throughput: the median of
per-epoch samples/s over a run, its first epoch left out (warm-up); the ratio
compares the medians over all rounds.

    python benchmarks/gui_training.py [--rounds 4] [--epochs 30] [--threads 1] [--device cpu] [--sample NAME] [--json FILE]

``--threads 0`` leaves torch's default (one per core), so the trainer chooses
as it does for a user (a mid-sized design, such as ``--sample residual_cnn``,
has its count timed at the start of each run).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402
from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "samples" / "digits_cnn.nnd"
TICK_MS = 5


class StallMonitor(QObject):
    """Records the gaps between ticks of a precise timer on the UI thread."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._on_tick)
        self.gaps: list[float] = []
        self._last = 0.0

    def start(self) -> None:
        self.gaps, self._last = [], time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _on_tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1000)
        self._last = now

    def stalls(self) -> dict[str, float]:
        over = sorted(max(0.0, g - TICK_MS) for g in self.gaps)
        return {"max_ms": over[-1], "p99_ms": over[int(0.99 * (len(over) - 1))], "ticks": len(over)}


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def gui_run(app: QApplication, window, monitor: StallMonitor, epochs: int) -> dict[str, object]:
    panel = window.training.panel
    painter = PaintCounter()
    panel.plots.canvas.viewport().installEventFilter(painter)
    loop = QEventLoop()
    panel.running_changed.connect(lambda running: None if running else QTimer.singleShot(0, loop.quit))
    monitor.start()
    started = time.perf_counter()
    assert window.training.panel.start_action.isEnabled()
    window.training.panel.start_action.trigger()
    loop.exec()
    for _ in range(3):  # the results views are drawn in the events after the end
        app.processEvents()
    seconds = time.perf_counter() - started
    monitor.stop()
    panel.plots.canvas.viewport().removeEventFilter(painter)
    record = panel.history.latest
    assert record.status == "finished", record.message
    assert len(record.epochs) == epochs
    rates = [m.samples_per_second for m in record.epochs[1:]]
    return {"rate": statistics.median(rates), "stalls": monitor.stalls(), "seconds": seconds, "repaints_per_s": painter.count / seconds}


def baseline_stalls(app: QApplication, monitor: StallMonitor, epochs: int, device: str, threads: int) -> dict[str, float]:
    """The machine's own share: the same monitor in an idle window while the
    same headless run trains in another process (no GIL shared)."""
    code = (
        "import sys, torch; int(sys.argv[1]) and torch.set_num_threads(int(sys.argv[1]))\n"
        "from designer.project import load_project\n"
        "from designer.train import Trainer, TrainSettings, load_bundle, prepare\n"
        "p = load_project(sys.argv[2]); b = load_bundle(p)\n"
        "Trainer(prepare(p, b), b, TrainSettings.from_mapping(p.training, epochs=int(sys.argv[3]), device=sys.argv[4])).run()\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code, str(threads), str(SAMPLE), str(epochs), device], cwd=ROOT)
    loop = QEventLoop()
    poll = QTimer()
    poll.timeout.connect(lambda: None if process.poll() is None else loop.quit())
    monitor.start()
    poll.start(20)
    loop.exec()
    monitor.stop()
    return monitor.stalls()


def headless_run(epochs: int, device: str, freeze: bool = False) -> dict[str, object]:
    from designer.project import load_project
    from designer.train import Trainer, TrainSettings, load_bundle, prepare

    project = load_project(SAMPLE)
    started = time.perf_counter()
    bundle = load_bundle(project)
    settings = TrainSettings.from_mapping(project.training, epochs=epochs, device=device)
    trainer = Trainer(prepare(project, bundle), bundle, settings)
    if freeze:
        gc.freeze()
    try:
        result = trainer.run()
    finally:
        gc.unfreeze()
    assert result.status == "finished", result.message
    return {"rate": statistics.median(m.samples_per_second for m in result.epochs[1:]), "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds, each one run of every kind")
    parser.add_argument("--epochs", type=int, default=30, help="epochs per run (the first is warm-up; a digits epoch is short)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1: the machine's noise stays out; 0: torch's default)")
    parser.add_argument("--sample", default="digits_cnn", help="sample stem (default: digits_cnn)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda", "mps"))
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "gui_training.json"))
    args = parser.parse_args()
    global SAMPLE
    SAMPLE = ROOT / "samples" / f"{args.sample}.nnd"
    if args.threads:
        torch.set_num_threads(args.threads)

    from designer.ui.collector import keep_full_collections_short
    from designer.ui.main_window import MainWindow
    from designer.ui.training.devices import DeviceProbe

    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    keep_full_collections_short()  # as designer.app does before its window
    window = MainWindow(settings)
    window.resize(1500, 900)
    window.show()
    window.open_file(SAMPLE)
    window.document.set_setting("training", "epochs", args.epochs)
    window.document.set_setting("training", "device", args.device)
    window.training.show_panel()
    DeviceProbe.shared().start()
    while not DeviceProbe.warmed.is_set():  # what the app does in its first second, before a user can click Train
        app.processEvents()
        time.sleep(0.01)
    monitor = StallMonitor()
    runs: dict[str, list[dict[str, object]]] = {"gui": [], "headless": [], "frozen": []}
    kinds = list(runs)
    baseline: list[dict[str, float]] = []
    for round_ in range(args.rounds):
        for kind in kinds[round_ % 3 :] + kinds[: round_ % 3]:  # rotate the order every round
            if kind == "gui":
                runs[kind].append(gui_run(app, window, monitor, args.epochs))
            else:
                runs[kind].append(headless_run(args.epochs, args.device, freeze=kind == "frozen"))
        baseline.append(baseline_stalls(app, monitor, args.epochs, args.device, args.threads))
        g = runs["gui"][-1]
        rates = ", ".join(f"{k} {runs[k][-1]['rate']:,.0f}" for k in kinds)
        print(
            f"round {round_ + 1}: {rates} samples/s; GUI stall max {g['stalls']['max_ms']:.1f} ms "
            f"(machine alone {baseline[-1]['max_ms']:.1f} ms); load {os.getloadavg()[0]:.1f}"
        )
    median = {k: statistics.median(r["rate"] for r in v) for k, v in runs.items()}
    gui = runs["gui"]
    worst = max(r["stalls"]["max_ms"] for r in gui)
    p99 = max(r["stalls"]["p99_ms"] for r in gui)
    repaints = statistics.median(r["repaints_per_s"] for r in gui)
    names = {
        "gui": "GUI (window, live curves)",
        "headless": "headless, as `designer train`",
        "frozen": "headless, GC frozen as the GUI does",
    }
    print()
    print("| | median samples/s | min | max |")
    print("|---|---|---|---|")
    for kind, label in names.items():
        rates = [r["rate"] for r in runs[kind]]
        print(f"| {label} | {median[kind]:,.0f} | {min(rates):,.0f} | {max(rates):,.0f} |")
    print(f"| ratio GUI / headless (`designer train`) | **{median['gui'] / median['headless']:.3f}** | | |")
    print(f"| ratio GUI / headless with the same GC freeze | **{median['gui'] / median['frozen']:.3f}** | | |")
    print()
    first = gui[0]["stalls"]["max_ms"]
    print(f"longest event-loop stall during GUI runs: {worst:.1f} ms (first run {first:.1f} ms; 99th percentile {p99:.1f} ms)")
    machine = max(b["max_ms"] for b in baseline)
    print(f"the machine alone (training in another process, the window idle): longest stall {machine:.1f} ms")
    print(f"curve redraws: {repaints:.0f} a second (median)")
    window.document.undo_stack.setClean()
    window.close()
    out = {
        "sample": SAMPLE.name,
        "epochs": args.epochs,
        "rounds": args.rounds,
        "threads": args.threads,
        "device": args.device,
        "runs": runs,
        "ratio": median["gui"] / median["headless"],
        "ratio_same_gc": median["gui"] / median["frozen"],
        "max_stall_ms": worst,
        "first_run_max_stall_ms": first,
        "p99_stall_ms": p99,
        "machine_alone_max_stall_ms": machine,
        "baseline": baseline,
        "repaints_per_s": repaints,
        "torch": torch.__version__,
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load": os.getloadavg() if hasattr(os, "getloadavg") else None,
        },
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
