"""How long a project with many recorded runs takes to open: the same design
opened in the real main window (offscreen) with 50 runs beside it and with
none, interleaved, and reading the 50 runs alone (designer.runs.RunStore).

The runs are one recorded training of the spirals MLP (its 30 epochs, 750
batch losses, results views) copied to 50 numbered folders; as after real
use, only one of them (the best) keeps its weights. Opening is timed from
``open_file`` to the window having drawn everything it was asked to (the
event queue empty). The figure is the median extra time with the runs
(goal: under 1 s).

    python benchmarks/open_runs.py [--runs 50] [--rounds 7] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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

from designer.project import load_project, save_project  # noqa: E402
from designer.runs import RunRecorder, RunStore, new_run  # noqa: E402
from designer.runs.layout import RUN_FILE, WEIGHTS, run_id  # noqa: E402
from designer.train import Trainer, TrainSettings, load_bundle, prepare  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def make_runs(folder: Path, count: int) -> tuple[Path, Path]:
    """A project with ``count`` recorded runs beside it, and a copy with none."""
    project = load_project(ROOT / "samples" / "spirals_mlp.nnd")
    with_runs = save_project(project, folder / "with" / "spirals.nnd")
    without = save_project(project, folder / "without" / "spirals.nnd")
    store = RunStore.of(with_runs)
    record, snapshot = new_run(store, project, origin="command line")
    bundle = load_bundle(snapshot)
    trainer = Trainer(prepare(snapshot, bundle), bundle, TrainSettings.from_mapping(snapshot.training, device="cpu"))
    trainer.callbacks = [RunRecorder(store, record, snapshot, trainer)]
    trainer.run()
    for number in range(2, count + 1):
        target = store.folder / run_id(number)
        shutil.copytree(record.folder, target)
        (target / WEIGHTS).unlink(missing_ok=True)  # only the best run keeps its weights
        meta = json.loads((target / RUN_FILE).read_text())
        meta.update(id=target.name, number=number)
        (target / RUN_FILE).write_text(json.dumps(meta))
    return with_runs, without


def settle(app: QApplication) -> None:
    for _ in range(3):
        app.processEvents()


def open_seconds(app: QApplication, window, path: Path) -> float:
    started = time.perf_counter()
    assert window.open_file(path)
    settle(app)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "open_runs.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    load_before = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="designer-open-runs-"))
    try:
        with_runs, without = make_runs(folder, args.runs)
        reads = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            runs, unreadable = RunStore.of(with_runs).read_all()
            reads.append(time.perf_counter() - started)
        assert len(runs) == args.runs and not unreadable
        app = QApplication.instance() or QApplication(sys.argv[:1])
        from designer.ui.main_window import MainWindow

        window = MainWindow(QSettings(str(folder / "bench.ini"), QSettings.Format.IniFormat))
        window.resize(1500, 900)
        window.show()
        settle(app)
        open_seconds(app, window, without)  # warm-up: first-use costs of the window's views
        open_seconds(app, window, with_runs)
        plain, recorded = [], []
        for round_ in range(args.rounds):
            for path in (without, with_runs) if round_ % 2 == 0 else (with_runs, without):
                window.training.panel._histories.clear()  # read the folder again each time, as a fresh window does
                (recorded if path == with_runs else plain).append(open_seconds(app, window, path))
        shown = len(window.training.panel.history.runs) if window.document.path == with_runs else None
        window.document.undo_stack.setClean()
        window.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    extra = [r - p for r, p in zip(recorded, plain)]
    result = {
        "benchmark": "open_runs",
        "device_name": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "runs": args.runs,
        "rounds": args.rounds,
        "command": "python benchmarks/open_runs.py " + " ".join(sys.argv[1:]),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
        "read_all_s": {"median": statistics.median(reads), "min": min(reads), "max": max(reads)},
        "open_without_runs_s": {"median": statistics.median(plain), "min": min(plain), "max": max(plain)},
        "open_with_runs_s": {"median": statistics.median(recorded), "min": min(recorded), "max": max(recorded)},
        "extra_s": {"median": statistics.median(extra), "min": min(extra), "max": max(extra)},
        "runs_shown": shown,
        "goal_extra_s": 1.0,
    }
    print(f"opening the spirals MLP with {args.runs} recorded runs beside it, {args.rounds} rounds (medians)")
    print(f"  reading the runs alone      {result['read_all_s']['median'] * 1000:7.0f} ms")
    print(f"  open, no runs               {result['open_without_runs_s']['median'] * 1000:7.0f} ms")
    print(f"  open, {args.runs} runs              {result['open_with_runs_s']['median'] * 1000:7.0f} ms")
    print(f"  extra                       {result['extra_s']['median'] * 1000:7.0f} ms [{result['extra_s']['min'] * 1000:.0f}, {result['extra_s']['max'] * 1000:.0f}]")
    target = Path(args.json)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
