"""What recording a run costs: training throughput with the run recorder
(designer.runs.RunRecorder, as ``designer train`` and the window run it:
epochs and batch losses appended as it goes, checkpoints within their time
budget, the results views, weights and run.json at the end) against
without, on the spirals MLP and the digits CNN.

Both runs carry a callback that takes every batch report, as ``designer
train``'s progress and the window always do (the trainer reads batch losses
only for callbacks that want them), so the difference is the recorder's.
Both run in one process, interleaved (off, on, on, off, ...) so a machine that
speeds up or slows down affects both alike. Each run trains a fresh module for
the sample's own number of epochs (or ``--epochs``). Two rates per run:

- while training: training samples times epochs 2..N over the time from the
  end of epoch 1 to the end of the last epoch (after every callback's epoch
  end), so each epoch's appends, checkpoints and statistics are in it (goal:
  ratio 0.98);
- whole run: from before the run's folder is claimed to the end of ``run()``,
  so the fixed costs of a recorded run are in it too: claiming its folder and
  writing the design at the start, the results views, the best run's weights
  and run.json at the end (given in milliseconds as well).

Recorded runs go to a temporary folder. The figures are the medians over
rounds of the per-round ratios on/off (1.0: no cost). On a busy machine the
ratios scatter by several per cent either way, so the time spent inside the
recorder's per-batch and per-epoch hooks is given too, as a share of the
training time: the cost itself, without the noise of two runs compared.

    python benchmarks/recording_cost.py [--rounds 10] [--epochs N] [--json FILE]
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

import torch

from designer.project import load_project
from designer.runs import RunRecorder, RunStore, new_run
from designer.train import Callback, Callbacks, Trainer, TrainSettings, load_bundle, prepare

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ("spirals_mlp", "digits_cnn")


class TimedRecorder(RunRecorder):
    """The recorder, with the time spent in its per-batch and per-epoch hooks added up."""

    spent = 0.0

    def on_report(self, report) -> None:
        started = time.perf_counter()
        super().on_report(report)
        self.spent += time.perf_counter() - started

    def on_epoch_end(self, metrics) -> None:
        started = time.perf_counter()
        super().on_epoch_end(metrics)
        self.spent += time.perf_counter() - started


class EpochClock(Callback):
    """When the first and the last epoch's end hooks were done (it comes after the recorder)."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs
        self.first = self.last = 0.0

    def on_epoch_end(self, metrics) -> None:
        if metrics.epoch == 1:
            self.first = time.perf_counter()
        if metrics.epoch == self.epochs:
            self.last = time.perf_counter()


def run_rates(project, compiled, bundle, settings: TrainSettings, store: RunStore | None) -> tuple[float, float, float, float, float]:
    """(training rate, whole-run rate, seconds to the end of epoch 1, seconds after the last epoch,
    share of the training time in the recorder's hooks) of one run."""
    started = time.perf_counter()
    trainer = Trainer(compiled, bundle, settings)
    clock = EpochClock(settings.epochs)
    progress = Callbacks(on_batch=lambda report: None, on_epoch=lambda metrics: None)  # as designer train's progress and the window
    trainer.callbacks = [progress, clock]
    if store is not None:  # claiming the folder counts too
        record, snapshot = new_run(store, project, settings.as_dict(), origin="command line")
        recorder = TimedRecorder(store, record, snapshot, trainer)
        trainer.callbacks = [progress, recorder, clock]
    result = trainer.run()
    ended = time.perf_counter()
    assert result.status == "finished", result.message
    samples = len(bundle.train)
    training = samples * (settings.epochs - 1) / (clock.last - clock.first)
    hooks = recorder.spent / (clock.last - started) if store is not None else 0.0
    return training, samples * settings.epochs / (ended - started), clock.first - started, ended - clock.last, hooks


def measure(name: str, rounds: int, epochs: int | None, folder: Path) -> dict:
    project = load_project(ROOT / "samples" / f"{name}.nnd")
    project.path = folder / f"{name}.nnd"
    bundle = load_bundle(load_project(ROOT / "samples" / f"{name}.nnd"))
    compiled = prepare(project, bundle)
    settings = TrainSettings.from_mapping(project.training, epochs=epochs or project.training["epochs"], device="cpu", threads=1)
    store = RunStore.of(project.path)
    run_rates(project, compiled, bundle, settings, store)  # warm-up: imports, first-call costs
    off, on, ratios, whole_ratios, start_costs, end_costs, hooks = [], [], [], [], [], [], []
    for round_ in range(rounds):
        order = (False, True) if round_ % 2 == 0 else (True, False)
        rates = {recording: run_rates(project, compiled, bundle, settings, store if recording else None) for recording in order}
        off.append(rates[False][0])
        on.append(rates[True][0])
        ratios.append(rates[True][0] / rates[False][0])
        whole_ratios.append(rates[True][1] / rates[False][1])
        start_costs.append(rates[True][2] - rates[False][2])
        end_costs.append(rates[True][3] - rates[False][3])
        hooks.append(rates[True][4])
    sizes = [sum(f.stat().st_size for f in run.iterdir()) for run in store.run_folders()]
    return {
        "model": f"{name}.nnd",
        "train_samples": len(bundle.train),
        "batches_per_epoch": -(-len(bundle.train) // settings.batch_size),
        "epochs_per_run": settings.epochs,
        "off_samples_per_s": {"median": statistics.median(off), "min": min(off), "max": max(off)},
        "on_samples_per_s": {"median": statistics.median(on), "min": min(on), "max": max(on)},
        "ratio_on_to_off": {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios), "n": len(ratios)},
        "whole_run_ratio_on_to_off": {"median": statistics.median(whole_ratios), "min": min(whole_ratios), "max": max(whole_ratios)},
        "share_in_recorder_hooks": {"median": statistics.median(hooks), "max": max(hooks)},
        "start_of_run_ms": {"median": 1000 * statistics.median(start_costs), "max": 1000 * max(start_costs)},
        "end_of_run_ms": {"median": 1000 * statistics.median(end_costs), "max": 1000 * max(end_costs)},
        "run_folder_bytes": {"median": statistics.median(sizes), "max": max(sizes)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=None, help="epochs per run (default: the sample's)")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "recording_cost.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    load_before = os.getloadavg()[0]  # other work on the machine makes the figures noisy
    folder = Path(tempfile.mkdtemp(prefix="designer-recording-"))
    try:
        models = [measure(name, args.rounds, args.epochs, folder) for name in SAMPLES]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = {
        "benchmark": "recording_cost",
        "device": "cpu",
        "device_name": platform.processor() or platform.machine(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "rounds": args.rounds,
        "command": "python benchmarks/recording_cost.py " + " ".join(sys.argv[1:]),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
        "models": models,
        "goal_ratio": 0.98,
    }
    print(f"recording on/off, cpu (1 thread), torch {torch.__version__}, {args.rounds} rounds")
    print(f"{'model':16}{'off':>10}{'on':>10}  samples/s while training  ratio on/off [min, max]  in hooks  whole run  start  end  folder")
    for m in models:
        r, w = m["ratio_on_to_off"], m["whole_run_ratio_on_to_off"]
        print(
            f"{m['model']:16}{m['off_samples_per_s']['median']:>10,.0f}{m['on_samples_per_s']['median']:>10,.0f}{'':26}"
            f"{r['median']:.3f} [{r['min']:.3f}, {r['max']:.3f}]  {m['share_in_recorder_hooks']['median']:7.2%}  {w['median']:9.3f}  {m['start_of_run_ms']['median']:3.0f} ms"
            f" {m['end_of_run_ms']['median']:3.0f} ms"
            f"  {m['run_folder_bytes']['median'] / 1024:,.0f} KiB"
        )
    target = Path(args.json)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
