"""The Insight panel in the real main window (offscreen, 1500x900):

1. Latency: from picking a sample (the picker's number set, as a user types
   it) to every node's output drawn (the overview's thumbnails and the
   selected node's view; the panel's ``outputs_shown``), for the digits CNN
   and for a generated 200-node design on the digits data. The median over
   samples, after one warm-up pick. A 5 ms timer on the UI thread records the
   longest stall of each pick (the computing is on a worker; the drawing is not).
2. Training throughput with the Insight panel open but idle (docked on the
   right, in view, having shown a sample) against closed, the digits CNN
   trained in the window with the Train action. Runs are interleaved (open,
   closed, closed, open, ...); per run the median of per-epoch samples/s,
   its first epoch left out; the ratio compares the medians over all runs.

    python benchmarks/insight_panel.py [--picks 15] [--rounds 3] [--epochs 6] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402
from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DIGITS = ROOT / "samples" / "digits_cnn.nnd"
WIDTH = 32
TICK_MS = 5


def generated_design(path: Path, blocks: int = 65) -> Path:
    """Input (digits) -> Flatten -> Linear -> ``blocks`` x (Linear, ReLU, Add) -> Linear -> Output: 200 nodes for 65."""
    from designer.graph import Graph
    from designer.project import Project, load_project, save_project

    graph = Graph("Generated residual MLP")
    with graph.batch():
        x = graph.add("Input", shape=[1, 8, 8])
        _, previous = graph.sequential("Flatten", ("Linear", {"out_features": WIDTH}), after=x)
        for _ in range(blocks):
            linear, relu = graph.sequential(("Linear", {"out_features": WIDTH}), "ReLU", after=previous)
            add = graph.add("Add")
            graph.connect(relu, add)
            graph.connect(previous, add)
            previous = add
        graph.sequential(("Linear", {"out_features": 10}), "Output", after=previous)
    project = Project(graph)
    project.data = dict(load_project(DIGITS).data)
    return save_project(project, path)


class StallMonitor:
    """The longest gap between ticks of a 5 ms timer on the UI thread."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._on_tick)
        self.longest = 0.0
        self._last = time.perf_counter()

    def start(self) -> None:
        self.longest, self._last = 0.0, time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.longest * 1000

    def _on_tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now


def wait_for(app: QApplication, signal, timeout_s: float = 120.0) -> list:
    """Run the event loop until ``signal`` fires; its arguments."""
    loop, got = QEventLoop(), []

    def done(*args) -> None:
        got.append(args)
        loop.quit()

    signal.connect(done)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    signal.disconnect(done)
    if not got:
        raise TimeoutError(f"no {signal} within {timeout_s} s")
    return list(got[0])


def pick_latency(app: QApplication, window, path: Path, picks: int, select: str | None) -> dict[str, object]:
    """Open ``path``, show the panel, then time picks of samples 1..picks."""
    panel = window.insight.panel
    window.open_file(path)
    if select:
        window.scene.select_nodes([select])
    window.insight.show_panel()
    if panel.outputs is None:
        wait_for(app, panel.outputs_shown)
    times, stalls, monitor = [], [], StallMonitor()
    for sample in range(1, picks + 2):
        monitor.start()
        started = time.perf_counter()
        panel.picker.number.setValue(sample)
        while wait_for(app, panel.outputs_shown)[0] != sample:
            pass
        app.processEvents()  # the drawing the answer caused
        elapsed, stall = 1000 * (time.perf_counter() - started), monitor.stop()
        if sample > 1:  # the first pick warms up
            times.append(elapsed)
            stalls.append(stall)
    return {
        "nodes": len(window.document.graph),
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "longest_ui_stall_ms": round(max(stalls), 1),
        "median_longest_ui_stall_ms": round(statistics.median(stalls), 1),
        "picks": len(times),
    }


def train_rate(app: QApplication, window) -> float:
    panel = window.training.panel
    loop = QEventLoop()
    ended = lambda running: None if running else QTimer.singleShot(0, loop.quit)  # noqa: E731
    panel.running_changed.connect(ended)
    QTimer.singleShot(600_000, loop.quit)  # never wait for ever
    panel.start_action.trigger()
    loop.exec()
    panel.running_changed.disconnect(ended)
    record = panel.history.latest
    assert record.status == "finished", record.message
    return statistics.median(m.samples_per_second for m in record.epochs[1:])


def throughput(app: QApplication, window, rounds: int, epochs: int) -> dict[str, object]:
    window.open_file(DIGITS)
    window.document.set_setting("training", "epochs", epochs)
    insight = window.insight
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, insight.dock)  # beside the Training panel, both in view
    rates: dict[str, list[float]] = {"open": [], "closed": []}
    for round_ in range(rounds):
        for kind in ("open", "closed") if round_ % 2 == 0 else ("closed", "open"):
            if kind == "open":
                insight.show_panel()
                window.scene.select_nodes(["conv1"])
                if insight.panel.outputs is None:
                    wait_for(app, insight.panel.outputs_shown)
            else:
                insight.dock.hide()
            app.processEvents()
            rates[kind].append(train_rate(app, window))
            assert insight.panel.isVisible() == (kind == "open")
    open_, closed = statistics.median(rates["open"]), statistics.median(rates["closed"])
    return {
        "samples_per_s_open": round(open_, 1),
        "samples_per_s_closed": round(closed, 1),
        "ratio_open_to_closed": round(open_ / closed, 3),
        "runs": {k: [round(r, 1) for r in v] for k, v in rates.items()},
        "epochs": epochs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--picks", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "insight_panel.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from designer.document.workers import stop_all
    from designer.ui.collector import keep_full_collections_short
    from designer.ui.main_window import MainWindow

    folder = Path(tempfile.mkdtemp())
    keep_full_collections_short()  # as designer.app does before its window
    window = MainWindow(QSettings(str(folder / "bench.ini"), QSettings.Format.IniFormat))
    window.resize(1500, 900)
    window.show()
    try:
        latency = {
            "digits_cnn": pick_latency(app, window, DIGITS, args.picks, "conv1"),
            "generated_200_nodes": pick_latency(app, window, generated_design(folder / "generated.nnd"), args.picks, None),
        }
        training = throughput(app, window, args.rounds, args.epochs)
    finally:
        window.document.undo_stack.setClean()
        window.close()
        stop_all()
    result = {
        "benchmark": "insight_panel",
        "pick_to_outputs_shown": latency,
        "training_with_insight_open_idle_vs_closed": training,
        "threads": args.threads,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "machine": platform.machine(),
    }
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
