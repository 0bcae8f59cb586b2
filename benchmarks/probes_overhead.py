"""Training throughput with the probes on (gradient and activation probes plus
problem detection: designer.insight.watch.TrainingWatch, as ``designer train``
runs them) against off, on the spirals MLP and the digits CNN.

Both run in one process, interleaved (off, on, on, off, ...) so a machine that
speeds up or slows down affects both alike. Each run trains a fresh module for
the sample's own number of epochs (or ``--epochs``), with the batch-loss
reports every run carries (the progress line, the window's curves); its rate is training samples times epochs over the whole
run's wall time, so everything the probes add is in it: tracing at the start,
sampled batches, the probe batch and detection at every epoch end. The figure
is the median over rounds of the per-round ratio on/off (1.0: no cost).

By default the probes keep within their live time budget (``LIVE_SHARE`` of
the run, as ``designer train`` and the window run them); ``--every-epoch``
measures what ``--layer-stats`` costs, every sampled batch and epoch end.

    python benchmarks/probes_overhead.py [--rounds 10] [--epochs N] [--every-epoch] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

from designer.insight.probes import DEFAULT_EVERY, LIVE_SHARE, ProbeBudget
from designer.insight.watch import TrainingWatch
from designer.project import load_project
from designer.train import Callback, Trainer, TrainSettings, load_bundle, prepare

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ("spirals_mlp", "digits_cnn", "deep_sigmoid")


class BatchReports(Callback):
    """What every run carries with the probes on or off: batch losses read for
    the progress display (``designer train``'s progress line, the window's curves)."""

    def on_report(self, report) -> None:
        self.last = report


def run_rate(project, compiled, bundle, settings: TrainSettings, probes: bool, share: float | None) -> float:
    callbacks: list[Callback] = [BatchReports()]
    if probes:  # as designer train runs them
        callbacks.append(TrainingWatch(project.graph, budget=ProbeBudget(share, floor_s=math.inf)))
    started = time.perf_counter()
    result = Trainer(compiled, bundle, settings, callbacks).run()
    seconds = time.perf_counter() - started
    assert result.status == "finished", result.message
    return len(bundle.train) * settings.epochs / seconds


def measure(name: str, rounds: int, epochs: int | None, share: float | None) -> dict:
    project = load_project(ROOT / "samples" / f"{name}.nnd")
    bundle = load_bundle(project)
    compiled = prepare(project, bundle)
    settings = TrainSettings.from_mapping(project.training, epochs=epochs or project.training["epochs"], device="cpu")
    run_rate(project, compiled, bundle, settings, True, share)  # warm-up: imports, first-call costs
    off, on, ratios = [], [], []
    for round_ in range(rounds):
        order = (False, True) if round_ % 2 == 0 else (True, False)
        rates = {probes: run_rate(project, compiled, bundle, settings, probes, share) for probes in order}
        off.append(rates[False])
        on.append(rates[True])
        ratios.append(rates[True] / rates[False])
    return {
        "model": f"{name}.nnd",
        "train_samples": len(bundle.train),
        "batch_size": settings.batch_size,
        "batches_per_epoch": -(-len(bundle.train) // settings.batch_size),
        "epochs_per_run": settings.epochs,
        "off_samples_per_s": {"median": statistics.median(off), "min": min(off), "max": max(off)},
        "on_samples_per_s": {"median": statistics.median(on), "min": min(on), "max": max(on)},
        "ratio_on_to_off": {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios), "n": len(ratios)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=None, help="epochs per run (default: the sample's)")
    parser.add_argument(
        "--every-epoch",
        action="store_true",
        help="measure at every sampled batch and epoch end (designer train --layer-stats) instead of within the live time budget",
    )
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "probes_overhead.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    load_before = os.getloadavg()[0]  # other work on the machine makes the figures noisy
    share = None if args.every_epoch else LIVE_SHARE
    models = [measure(name, args.rounds, args.epochs, share) for name in SAMPLES]
    result = {
        "benchmark": "probes_overhead",
        "device": "cpu",
        "device_name": platform.processor() or platform.machine(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "gradient_sample_every": DEFAULT_EVERY,
        "time_budget_share": share,
        "rounds": args.rounds,
        "command": "python benchmarks/probes_overhead.py " + " ".join(sys.argv[1:]),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
        "models": models,
        "goal_ratio": 0.95,
    }
    within = "every epoch (--layer-stats)" if share is None else f"within {share:.0%} of the run's time (designer train, the window)"
    print(f"probes on/off, measured {within}, cpu (1 thread), torch {torch.__version__}, {args.rounds} rounds")
    print(f"{'model':16}{'off':>12}{'on':>12}   samples/s (medians)   ratio on/off: median [min, max]")
    for m in models:
        r = m["ratio_on_to_off"]
        print(
            f"{m['model']:16}{m['off_samples_per_s']['median']:>12,.0f}{m['on_samples_per_s']['median']:>12,.0f}"
            f"{'':24}{r['median']:.3f} [{r['min']:.3f}, {r['max']:.3f}]"
        )
    target = Path(args.json)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
