"""Watching a run learn in the window: training throughput with the probes on
("Watch it learn": gradient and activation probes, problem detection, weight
histograms, the gradient flow drawn on the canvas, the per-layer gradient
plot) against off, and the longest UI stall while the canvas draws the
gradient flow.

Each sample trains in the real main window (offscreen, 1500x900, the canvas
and the Training panel in view), started with the Train action, probes on and
off interleaved (on, off, off, on, ...). The stall monitor is
benchmarks/live_stalls.py's (gui_training.py's 5 ms timer, each stall put in
its phase: the run's start until the first epoch's metrics reach the window,
the steady state, the results after the end); the longest stall and p99 are
over start and steady, the phases the live views draw in; beside them the most
UI-thread CPU time between two ticks (the window's own work in a stall, which
a busy machine hardly changes). Each run starts after half a second idle, as
a user's click would. Throughput: training samples times epochs
over the run's wall time from the click to the results (so tracing, sampled
batches, the probe batch and every redraw are in it); the figure is the
median over rounds of the per-round ratio on/off (1.0: no cost).

How long a run is decides what the ratio measures. These samples train an
epoch in 15-70 ms, so a run of their own 12-20 epochs lasts a third of a
second to a second, and what the views cost once per run (the first
pictures, the results) outweighs what they cost per step. ``--seconds S``
(the default, 3) gives each sample the epochs that make a probes-off run
last about S seconds (from probes-off runs timed first: the sample's own
epochs, then the epochs that gives); ``--epochs N``
gives every sample N. Beside the ratio the script prints the views' cost
per run in milliseconds (the on run's wall time over the off run's, less
the training's share), which is what a short run pays.

    python benchmarks/gui_probes.py [--rounds 3] [--seconds 3 | --epochs N] [--json FILE] [--trace]

``--trace``: the UI thread's events timed (benchmarks/ui_trace.py) during
the probes-on runs, with the stacks of the slow ones, printed per sample.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from live_stalls import by_phase, phased_gui_run, phases, settle, write_results  # noqa: E402
from ui_trace import CpuStallMonitor, TracingApplication  # noqa: E402

SAMPLES = ("deep_sigmoid", "digits_cnn")
BETWEEN_RUNS_S = 0.5  # idle between a run's results and the next click, as a user's hand takes at least


def measure(app: QApplication, name: str, rounds: int, epochs: int | None, seconds: float) -> dict:
    tracing = isinstance(app, TracingApplication)
    from designer.ui.collector import keep_full_collections_short
    from designer.ui.main_window import MainWindow

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    keep_full_collections_short()  # as designer.app does before its window
    window = MainWindow(settings)
    window.resize(1500, 900)
    window.show()
    copy = Path(tempfile.mkdtemp()) / f"{name}.nnd"  # runs are recorded beside the project: never the checkout's sample
    shutil.copy(ROOT / "samples" / f"{name}.nnd", copy)
    window.open_file(copy)
    window.document.set_setting("training", "device", "cpu")
    window.training.show_panel()
    settle(app)
    monitor = CpuStallMonitor()
    live = window.training.panel.live
    if epochs is None:  # as many as make a probes-off run last about ``seconds``
        live.views.enabled.setChecked(False)
        own = int(window.document.project.training.get("epochs", 10))
        phased_gui_run(app, window, monitor, own)  # the first run pays the window's first-time costs: not timed
        timed = phased_gui_run(app, window, monitor, own)
        epochs = max(own, math.ceil(own * seconds / timed["seconds"]))
        # Once more from a run of that length: a short run's fixed costs (its start, its
        # results) made the first guess fall short (2.2 s instead of 3 for the deep Sigmoid).
        window.document.set_setting("training", "epochs", epochs)
        timed = phased_gui_run(app, window, monitor, epochs)
        epochs = max(own, round(epochs * seconds / timed["seconds"]))
    window.document.set_setting("training", "epochs", epochs)
    runs: dict[str, list[dict]] = {"on": [], "off": []}
    ratios, extra_ms = [], []
    for round_ in range(rounds):
        order = ("on", "off") if round_ % 2 == 0 else ("off", "on")
        for kind in order:
            live.views.enabled.setChecked(kind == "on")
            settle(app, BETWEEN_RUNS_S)
            if tracing:
                app.tracing = kind == "on"
            run = phased_gui_run(app, window, monitor, epochs)
            if tracing:
                app.tracing = False
            record = window.training.panel.history.latest
            samples = record.epochs[0].samples_per_second * record.epochs[0].seconds
            run["wall_rate"] = samples * epochs / run["seconds"]
            run["epochs"] = epochs
            run["flow_nodes"] = len(window.scene.gradient_flow.bars)
            runs[kind].append(run)
        ratios.append(runs["on"][-1]["wall_rate"] / runs["off"][-1]["wall_rate"])
        extra_ms.append(1000 * (runs["on"][-1]["seconds"] - runs["off"][-1]["seconds"]))
        print(
            f"{name} round {round_ + 1}, {epochs} epochs: on {runs['on'][-1]['wall_rate']:,.0f}, off {runs['off'][-1]['wall_rate']:,.0f} samples/s "
            f"(ratio {ratios[-1]:.3f}); stall max on {runs['on'][-1]['stalls']['max_ms']:.1f} ms, off {runs['off'][-1]['stalls']['max_ms']:.1f} ms; "
            f"{runs['on'][-1]['flow_nodes']} nodes drawn; " + phases(runs["on"][-1], runs["off"][-1])
        )
    window.document.undo_stack.setClean()
    window.close()
    if tracing:
        print(f"{name}, probes on, UI thread trace:\n{app.summary()}")
        app.reset()
    return {
        "ratio": statistics.median(ratios),
        "ratios": ratios,
        "epochs": epochs,
        "run_seconds_off": statistics.median(r["seconds"] for r in runs["off"]),
        "views_ms_per_run": statistics.median(extra_ms),
        "max_stall_on_ms": max(r["stalls"]["max_ms"] for r in runs["on"]),
        "max_stall_off_ms": max(r["stalls"]["max_ms"] for r in runs["off"]),
        "p99_stall_on_ms": max(r["stalls"]["p99_ms"] for r in runs["on"]),
        "p99_stall_off_ms": max(r["stalls"]["p99_ms"] for r in runs["off"]),
        "max_ui_cpu_stall_on_ms": max(r["stalls"]["cpu_max_ms"] for r in runs["on"]),
        "max_ui_cpu_stall_off_ms": max(r["stalls"]["cpu_max_ms"] for r in runs["off"]),
        "by_phase": {k: by_phase(v) for k, v in runs.items()},
        "ui_cpu_ms": {k: statistics.median(1000 * r["ui_cpu_s"] for r in v) for k, v in runs.items()},
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=None, help="every sample's epochs (default: see --seconds)")
    parser.add_argument("--seconds", type=float, default=3.0, help="each sample's epochs make a probes-off run last about this long")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "gui_probes.json"))
    parser.add_argument("--trace", action="store_true", help="time the UI thread's events in the probes-on runs and print the slow ones")
    args = parser.parse_args()
    torch.set_num_threads(1)
    app = QApplication.instance() or (TracingApplication if args.trace else QApplication)(sys.argv[:1])
    results = {name: measure(app, name, args.rounds, args.epochs, args.seconds) for name in SAMPLES}
    print()
    print(
        "| sample | epochs (run off) | throughput probes on / off | the views' cost per run | longest stall on / off | p99 on / off | run start, longest on / off "
        "| steady, longest on / off | UI thread CPU per run on / off | most UI CPU in one stall on / off |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        on, off = r["by_phase"]["on"], r["by_phase"]["off"]
        print(
            f"| {name} | {r['epochs']} ({r['run_seconds_off']:.1f} s) | **{r['ratio']:.3f}** | {r['views_ms_per_run']:.0f} ms | {r['max_stall_on_ms']:.1f} / {r['max_stall_off_ms']:.1f} ms "
            f"| {r['p99_stall_on_ms']:.1f} / {r['p99_stall_off_ms']:.1f} ms "
            f"| {on['start']['max_ms']:.1f} / {off['start']['max_ms']:.1f} ms | {on['steady']['max_ms']:.1f} / {off['steady']['max_ms']:.1f} ms "
            f"| {r['ui_cpu_ms']['on']:.0f} / {r['ui_cpu_ms']['off']:.0f} ms "
            f"| {r['max_ui_cpu_stall_on_ms']:.1f} / {r['max_ui_cpu_stall_off_ms']:.1f} ms |"
        )
    print("(stalls over the run's start and steady state; the results drawn after the end are not the live views')")
    print("(most UI CPU in one stall: the UI thread's own CPU time between two ticks, which other work on the machine hardly changes)")
    out = {
        "benchmark": "gui_probes",
        "command": "python benchmarks/gui_probes.py " + " ".join(sys.argv[1:]),
        "epochs": args.epochs,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "samples": results,
    }
    write_results(args.json, out)


if __name__ == "__main__":
    main()
