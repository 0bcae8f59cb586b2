"""The Playground views' cost to the UI thread: the longest stall while the
spirals MLP trains in the window with the live decision boundary and the
hidden units' maps on the canvas, against the same run with them off.

Each run trains in the real main window (offscreen, 1500x900, the canvas
zoomed so the unit maps are drawn, the Training panel in view), started with
the Train action; maps on and off interleaved (on, off, off, on, ...); the
'Watch it learn' probes are off in both, so only the plane maps differ. The
stall monitor is benchmarks/gui_training.py's: a 5 ms precise QTimer on the
UI thread, a stall being a gap beyond its interval. Also reported: how many
boundary pictures and unit-map pixmaps each run drew, and the throughput
ratio on/off (training samples times epochs over the wall time, click to results).

    python benchmarks/playground_stall.py [--rounds 3] [--epochs 150] [--json FILE]
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
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from gui_training import StallMonitor, gui_run  # noqa: E402

GOAL_MS = 50.0


def measure(app: QApplication, rounds: int, epochs: int) -> dict:
    from designer.ui.collector import keep_full_collections_short
    from designer.ui.main_window import MainWindow

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    keep_full_collections_short()  # as designer.app does before its window
    window = MainWindow(settings)
    window.resize(1500, 900)
    window.show()
    window.open_file(ROOT / "samples" / "spirals_mlp.nnd")
    window.document.set_setting("training", "epochs", epochs)
    window.document.set_setting("training", "device", "cpu")
    window.training.show_panel()
    window.view.set_zoom(0.8)
    window.view.centerOn(window.scene.nodes["relu1"].sceneBoundingRect().center())
    panel = window.training.panel
    panel.live.views.enabled.setChecked(False)
    monitor = StallMonitor()
    runs: dict[str, list[dict]] = {"on": [], "off": []}
    ratios = []
    for round_ in range(rounds):
        order = ("on", "off") if round_ % 2 == 0 else ("off", "on")
        for kind in order:
            panel.plane_maps = kind == "on"
            window.scene.unit_maps.clear()
            run = gui_run(app, window, monitor, epochs)
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
            f"throughput on/off {ratios[-1]:.3f}"
        )
    window.document.undo_stack.setClean()
    window.close()
    return {
        "max_stall_on_ms": max(r["stalls"]["max_ms"] for r in runs["on"]),
        "max_stall_off_ms": max(r["stalls"]["max_ms"] for r in runs["off"]),
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
    args = parser.parse_args()
    torch.set_num_threads(1)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    r = measure(app, args.rounds, args.epochs)
    print()
    print("| spirals MLP | longest stall | p99 stall |")
    print("|---|---|---|")
    print(f"| maps on | **{r['max_stall_on_ms']:.1f} ms** | {r['p99_stall_on_ms']:.1f} ms |")
    print(f"| maps off | {r['max_stall_off_ms']:.1f} ms | {r['p99_stall_off_ms']:.1f} ms |")
    print(f"goal: under {GOAL_MS:.0f} ms with the maps on; throughput on/off {r['throughput_ratio']:.3f}")
    out = {
        "benchmark": "playground_stall",
        "command": f"python benchmarks/playground_stall.py --rounds {args.rounds} --epochs {args.epochs}",
        "goal_ms": GOAL_MS,
        "epochs": args.epochs,
        "rounds": args.rounds,
        "spirals_mlp": r,
        "torch": torch.__version__,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "when": time.strftime("%Y-%m-%d"),
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
