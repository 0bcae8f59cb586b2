"""The Playground views' cost to the UI thread: the longest stall while the
spirals MLP trains in the window with the live decision boundary and the
hidden units' maps on the canvas, against the same run with them off.

Each run trains in the real main window (offscreen, 1500x900, the canvas
zoomed so the unit maps are drawn, the Training panel in view), started with
the Train action; maps on and off interleaved (on, off, off, on, ...); the
'Watch it learn' probes are off in both, so only the plane maps differ. The
stall monitor is benchmarks/live_stalls.py's: a 5 ms precise QTimer on the
UI thread, a stall being a gap beyond its interval, each put in its phase
(the run's start until the first epoch's metrics reach the window, the
steady state, the results after the end; the longest stall and p99 are over
start and steady). Before the first run the window is painted and the device
warm-up done, as before a user's first click. Also reported: how many
boundary pictures and unit-map pixmaps each run drew, and the throughput
ratio on/off (training samples times epochs over the wall time, click to results).

``--watch``: the 'Watch it learn' probes on in both runs, so the maps-on runs
draw the gradient flow on the canvas beside the unit maps (the issue's
scene: its longest stall is the goal's figure) and the maps-off runs the
gradient flow alone.

    python benchmarks/playground_stall.py [--rounds 3] [--epochs 150] [--watch] [--json FILE] [--trace]

``--trace``: the UI thread's events timed (benchmarks/ui_trace.py) during
the maps-on runs, with the stacks of the slow ones.
"""

from __future__ import annotations

import argparse
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

GOAL_MS = 50.0


def measure(app: QApplication, rounds: int, epochs: int, watch: bool = False) -> dict:
    from designer.ui.collector import keep_full_collections_short
    from designer.ui.main_window import MainWindow

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    keep_full_collections_short()  # as designer.app does before its window
    window = MainWindow(settings)
    window.resize(1500, 900)
    window.show()
    copy = Path(tempfile.mkdtemp()) / "spirals_mlp.nnd"  # runs are recorded beside the project: never the checkout's sample
    shutil.copy(ROOT / "samples" / "spirals_mlp.nnd", copy)
    window.open_file(copy)
    window.document.set_setting("training", "epochs", epochs)
    window.document.set_setting("training", "device", "cpu")
    window.training.show_panel()
    window.view.set_zoom(0.8)
    window.view.centerOn(window.scene.nodes["relu1"].sceneBoundingRect().center())
    panel = window.training.panel
    panel.live.views.enabled.setChecked(watch)
    settle(app)
    tracing = isinstance(app, TracingApplication)
    monitor = CpuStallMonitor()
    runs: dict[str, list[dict]] = {"on": [], "off": []}
    ratios = []
    for round_ in range(rounds):
        order = ("on", "off") if round_ % 2 == 0 else ("off", "on")
        for kind in order:
            settle(app, 0.5)  # idle before the click, as a user's hand takes at least
            panel.plane_maps = kind == "on"
            window.scene.unit_maps.clear()
            if tracing:
                app.tracing = kind == "on"
            run = phased_gui_run(app, window, monitor, epochs)
            if tracing:
                app.tracing = False
            record = panel.history.latest
            samples = record.epochs[0].samples_per_second * record.epochs[0].seconds
            run["wall_rate"] = samples * epochs / run["seconds"]
            run["boundary_pictures"] = panel.live_boundary.updates if kind == "on" else 0
            run["unit_map_pixmaps"] = sum(item.updates for item in window.scene.unit_maps.items.values())
            runs[kind].append(run)
        ratios.append(runs["on"][-1]["wall_rate"] / runs["off"][-1]["wall_rate"])
        on, off = runs["on"][-1], runs["off"][-1]
        print(
            f"round {round_ + 1}: longest stall on {on['stalls']['max_ms']:.1f} ms, off {off['stalls']['max_ms']:.1f} ms; "
            f"{on['boundary_pictures']} boundary pictures, {on['unit_map_pixmaps']} unit-map pixmaps; "
            f"throughput on/off {ratios[-1]:.3f}; {phases(on, off)}"
        )
    window.document.undo_stack.setClean()
    window.close()
    if tracing:
        print(f"maps on, UI thread trace:\n{app.summary()}")
    return {
        "by_phase": {kind: by_phase(v) for kind, v in runs.items()},
        "ui_cpu_ms": {k: statistics.median(1000 * r["ui_cpu_s"] for r in v) for k, v in runs.items()},
        "max_stall_on_ms": max(r["stalls"]["max_ms"] for r in runs["on"]),
        "max_stall_off_ms": max(r["stalls"]["max_ms"] for r in runs["off"]),
        "max_ui_cpu_stall_on_ms": max(r["stalls"]["cpu_max_ms"] for r in runs["on"]),
        "max_ui_cpu_stall_off_ms": max(r["stalls"]["cpu_max_ms"] for r in runs["off"]),
        "p99_stall_on_ms": max(r["stalls"]["p99_ms"] for r in runs["on"]),
        "p99_stall_off_ms": max(r["stalls"]["p99_ms"] for r in runs["off"]),
        "throughput_ratio": statistics.median(ratios),
        "ratios": ratios,
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "playground_stall.json"))
    parser.add_argument("--trace", action="store_true", help="time the UI thread's events in the maps-on runs and print the slow ones")
    parser.add_argument("--watch", action="store_true", help="the probes and the canvas's gradient flow on in every run")
    args = parser.parse_args()
    torch.set_num_threads(1)
    app = QApplication.instance() or (TracingApplication if args.trace else QApplication)(sys.argv[:1])
    r = measure(app, args.rounds, args.epochs, args.watch)
    print()
    print(
        "| spirals MLP | longest stall | p99 stall | run start, longest | steady, longest | UI thread CPU per run | most UI CPU in one stall |"
    )
    print("|---|---|---|---|---|---|---|")
    flow = " + gradient flow" if args.watch else ""
    for kind, bold in (("on", "**"), ("off", "")):
        ph = r["by_phase"][kind]
        print(
            f"| maps {kind}{flow} | {bold}{r[f'max_stall_{kind}_ms']:.1f} ms{bold} | {r[f'p99_stall_{kind}_ms']:.1f} ms "
            f"| {ph['start']['max_ms']:.1f} ms | {ph['steady']['max_ms']:.1f} ms | {r['ui_cpu_ms'][kind]:.0f} ms "
            f"| {r[f'max_ui_cpu_stall_{kind}_ms']:.1f} ms |"
        )
    print("(stalls over the run's start and steady state; the results drawn after the end are not the live views')")
    print(f"goal: under {GOAL_MS:.0f} ms with the maps on; throughput on/off {r['throughput_ratio']:.3f}")
    out = {
        "benchmark": "playground_stall",
        "command": "python benchmarks/playground_stall.py " + " ".join(sys.argv[1:]),
        "watch": args.watch,
        "goal_ms": GOAL_MS,
        "epochs": args.epochs,
        "rounds": args.rounds,
        "spirals_mlp": r,
    }
    write_results(args.json, out)


if __name__ == "__main__":
    main()
