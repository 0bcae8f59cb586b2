"""What one live update costs the UI thread, each view apart, without a run
beside it: the same recorded updates fed to the window again and again.

A short headless run of the sample records what the window's live views
receive (the probes' gradient samples, weight histograms and problems; the
plane maps' pictures for a 2-D design). The window (offscreen, 1500x900, the
canvas and the Training panel in view) then takes them as a run's paced
updates would: each update handed to the view, then the events it causes
processed (its repaints included), timed as the UI thread's CPU and wall
time. Each "run" first resets the views as a new run does, so the first
update of a run (items made, first paints) is reported apart from the rest.
Nothing trains meanwhile, so a busy machine changes these figures far less
than the stalls of benchmarks/gui_probes.py and playground_stall.py; the two
kinds of figures answer different questions (what a view costs; what the
user sees with a run holding the interpreter too).

    python benchmarks/live_update_cost.py [--runs 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import os
import shutil
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
from live_stalls import settle, write_results  # noqa: E402


def record_updates(path: Path, epochs: int) -> tuple[list[list[tuple[str, object]]], list[object]]:
    """The watch's news per epoch (each epoch's items as one update) and the plane pictures, from a headless run."""
    from designer.insight.playground import PlaneProbe, plane_reason
    from designer.project import load_project
    from designer.train import Callback, Trainer, TrainSettings, load_bundle, prepare
    from designer.ui.training.live_boundary import plane_pictures
    from designer.ui.training.live_watch import RunWatch

    project = load_project(path)
    bundle = load_bundle(project)
    news: list[tuple[int, str, object]] = []
    epoch = [1]

    class Epochs(Callback):
        def on_epoch_end(self, metrics) -> None:
            epoch[0] = metrics.epoch + 1

    watch = RunWatch(project.graph, lambda kind, item: news.append((epoch[0], kind, item)))
    watch.watch.budget.share = None  # every measurement: the updates of a long run
    watch.weights.budget.share = None
    pictures: list[object] = []
    callbacks = [Epochs(), watch]
    if plane_reason(project.graph) is None:
        callbacks.append(PlaneProbe(project.graph, lambda maps: pictures.append(plane_pictures(maps)), every_s=0.0))
    settings = TrainSettings.from_mapping(project.training, epochs=epochs, device="cpu")
    Trainer(prepare(project, bundle), bundle, settings, callbacks).run()
    updates = [[(kind, item) for e, kind, item in news if e == k] for k in range(1, epochs + 2)]
    return [u for u in updates if u], pictures


def timed(app: QApplication, handle) -> tuple[float, float]:
    """UI CPU and wall ms of one update: the handler, then the events (paints) it caused."""
    cpu, wall = time.thread_time(), time.perf_counter()
    handle()
    for _ in range(3):
        app.processEvents()
    return (time.thread_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def measure(app: QApplication, name: str, runs: int, epochs: int) -> dict[str, dict[str, float]]:
    from designer.ui.main_window import MainWindow

    updates, pictures = record_updates(ROOT / "samples" / f"{name}.nnd", epochs)
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.resize(1500, 900)
    window.show()
    copy = Path(tempfile.mkdtemp()) / f"{name}.nnd"
    shutil.copy(ROOT / "samples" / f"{name}.nnd", copy)
    window.open_file(copy)
    window.training.show_panel()
    if name == "spirals_mlp":
        window.view.set_zoom(0.8)
        window.view.centerOn(window.scene.nodes["relu1"].sceneBoundingRect().center())
    settle(app)
    panel, live = window.training.panel, window.training.panel.live
    costs: dict[str, dict[str, list[float]]] = {
        view: {"first_cpu": [], "first_wall": [], "cpu": [], "wall": []} for view in ("watch", "plane")
    }
    for _ in range(runs):
        # What a new run does to these views (LiveWatch.attach, the panel's launch), without a run.
        live.overfitting.clear()
        live.views.problems.clear()
        live.views.gradients.clear_run()
        live.views.weights.clear_run()
        window.scene.show_gradient_flow(None)
        window.scene.show_training_problems({})
        panel.live_boundary.reset()
        live.views.gradients.batches_per_epoch = 25
        for view in (live.views.gradients, live.views.weights):  # as the run's start tells them (views that know its length)
            if hasattr(view, "set_epochs"):
                view.set_epochs(len(updates))
        for i, news in enumerate(updates):
            cpu, wall = timed(app, lambda news=news: live.take(news))
            costs["watch"]["first_cpu" if i == 0 else "cpu"].append(cpu)
            costs["watch"]["first_wall" if i == 0 else "wall"].append(wall)
        for i, picture in enumerate(pictures):
            cpu, wall = timed(app, lambda picture=picture: panel._on_plane_mapped(picture))
            costs["plane"]["first_cpu" if i == 0 else "cpu"].append(cpu)
            costs["plane"]["first_wall" if i == 0 else "wall"].append(wall)
    window.document.undo_stack.setClean()
    window.close()
    out = {}
    for view, c in costs.items():
        if c["cpu"]:
            out[view] = {
                "updates": len(c["cpu"]) + len(c["first_cpu"]),
                "median_cpu_ms": statistics.median(c["cpu"]),
                "max_cpu_ms": max(c["cpu"]),
                "median_wall_ms": statistics.median(c["wall"]),
                "max_wall_ms": max(c["wall"]),
                "first_cpu_ms": statistics.median(c["first_cpu"]),
                "first_wall_ms": max(c["first_wall"]),
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="times the recorded updates are fed, each after a reset")
    parser.add_argument("--epochs", type=int, default=12, help="epochs of the headless run recorded")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "live_update_cost.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from designer.ui.collector import keep_full_collections_short

    keep_full_collections_short()
    results = {name: measure(app, name, args.runs, args.epochs) for name in ("deep_sigmoid", "digits_cnn", "spirals_mlp")}
    print(
        "| sample | view | updates | UI CPU per update, median / max | wall, median / max | a run's first update: UI CPU / longest wall |"
    )
    print("|---|---|---|---|---|---|")
    for name, views in results.items():
        for view, r in views.items():
            label = "gradient flow, gradient plot, histograms, problems" if view == "watch" else "live boundary and unit maps"
            print(
                f"| {name} | {label} | {r['updates']} | {r['median_cpu_ms']:.1f} / {r['max_cpu_ms']:.1f} ms "
                f"| {r['median_wall_ms']:.1f} / {r['max_wall_ms']:.1f} ms | {r['first_cpu_ms']:.1f} / {r['first_wall_ms']:.1f} ms |"
            )
    out = {
        "benchmark": "live_update_cost",
        "command": f"python benchmarks/live_update_cost.py --runs {args.runs} --epochs {args.epochs}",
        "samples": results,
    }
    write_results(args.json, out)


if __name__ == "__main__":
    main()
