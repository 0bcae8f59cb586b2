"""What image augmentation costs and what it buys, on the 8x8 digits.

Cost: the digits CNN sample trains with its own settings (12 epochs) with no
augmentation and with two sets of options, in alternating rounds in one
process (so the machine's load falls on every arm alike); the ratio of
seconds per epoch with and without is reported (median over rounds).

Benefit: the residual CNN sample trains on a small training split
(``labelled_per_class`` images of each digit, 15 and 5 of about 144: some 10%
and 3.5% of the training images; validation stays the whole 20%)
with and without augmentation, over several training seeds; the validation
accuracy of both is set against the sample trained on all the training images
(the ceiling), and the share of the gap augmentation closes is stated.

    python benchmarks/augmentation.py [--rounds 3] [--seeds 5] [--per-class 15 5] [--epochs 80] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch

from designer.data import load_data
from designer.project import load_project
from designer.train import Trainer, TrainSettings, prepare

ROOT = Path(__file__).resolve().parent.parent
LIGHT = {"rotate": 10, "crop": 1, "noise": 0.05}
HEAVY = {"rotate": 15, "crop": 1, "resized_crop": 0.8, "brightness": 0.1, "contrast": 0.1, "noise": 0.05, "cutout": 0.25, "mixup": 0.3}
# Chosen among a few sets tried on seeds 0-2 (shift-crops by a pixel hurt: a pixel is an eighth of
# these images); no flips: a mirrored digit is another shape.
FOR_DIGITS = {"rotate": 10, "noise": 0.05}


def train(stem: str, data: dict[str, Any], **training: Any) -> tuple[float, float]:
    """(seconds per epoch, last validation accuracy) of one run of a sample."""
    project = load_project(ROOT / "samples" / f"{stem}.nnd")
    bundle = load_data({**project.data.as_dict(), **data})
    settings = TrainSettings.from_mapping(project.training, device="cpu", threads=1, **training)
    trainer = Trainer(prepare(project, bundle), bundle, settings)
    started = time.perf_counter()
    result = trainer.run()
    seconds = time.perf_counter() - started
    if result.status != "finished":
        raise SystemExit(f"{stem}: {result.message}")
    return seconds / len(result.epochs), float(result.epochs[-1].val_metric or 0.0)


def cost(rounds: int) -> dict[str, Any]:
    arms = {"off": {}, "light": LIGHT, "heavy": HEAVY}
    seconds: dict[str, list[float]] = {name: [] for name in arms}
    for _ in range(rounds):
        for name, options in arms.items():
            seconds[name].append(train("digits_cnn", {"augment": options})[0])
    ratios = {name: statistics.median(a / b for a, b in zip(seconds[name], seconds["off"])) for name in arms if name != "off"}
    project = load_project(ROOT / "samples" / "digits_cnn.nnd")
    batches = math.ceil(len(load_data(project.data).train) / project.training["batch_size"])
    extra = {name: (statistics.median(seconds[name]) - statistics.median(seconds["off"])) / batches * 1000 for name in ratios}
    return {"seconds_per_epoch": seconds, "ratio_median": ratios, "extra_ms_per_batch": extra, "options": {"light": LIGHT, "heavy": HEAVY}}


def benefit(seeds: int, per_class: list[int], epochs: int) -> dict[str, Any]:
    rows = []
    for seed in range(seeds):
        row: dict[str, Any] = {"seed": seed, "full": train("residual_cnn", {}, seed=seed)[1]}
        for count in per_class:
            small = {"options": {"labelled_per_class": count}}
            row[f"small_{count}"] = train("residual_cnn", small, seed=seed, epochs=epochs)[1]
            row[f"augmented_{count}"] = train("residual_cnn", {**small, "augment": FOR_DIGITS}, seed=seed, epochs=epochs)[1]
        rows.append(row)
        print(", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()), flush=True)
    full = statistics.mean(r["full"] for r in rows)
    summary = {}
    for count in per_class:
        plain = statistics.mean(r[f"small_{count}"] for r in rows)
        augmented = statistics.mean(r[f"augmented_{count}"] for r in rows)
        gap = full - plain
        summary[count] = {
            "small": plain,
            "augmented": augmented,
            "gap_closed": (augmented - plain) / gap if gap > 0 else float("nan"),
            "seeds_better": sum(r[f"augmented_{count}"] > r[f"small_{count}"] for r in rows),
        }
    return {"epochs": epochs, "augment": FOR_DIGITS, "runs": rows, "full": full, "per_class": summary}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--per-class", type=int, nargs="+", default=[15, 5], help="training images kept per digit (validation stays whole)")
    parser.add_argument("--epochs", type=int, default=80, help="epochs on a small split (both arms)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "augmentation.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    spent = cost(args.rounds)
    for name, ratio in spent["ratio_median"].items():
        off, on = statistics.median(spent["seconds_per_epoch"]["off"]), statistics.median(spent["seconds_per_epoch"][name])
        extra = spent["extra_ms_per_batch"][name]
        print(
            f"digits CNN, {name} augmentation: {on:.3f} s per epoch against {off:.3f} s without, ratio {ratio:.2f} ({extra:.1f} ms more a batch)",
            flush=True,
        )
    gained = benefit(args.seeds, args.per_class, args.epochs)
    for count, line in gained["per_class"].items():
        print(
            f"residual CNN, {count} images per digit: {line['small']:.3f} -> {line['augmented']:.3f} with augmentation "
            f"(all images: {gained['full']:.3f}); {line['gap_closed']:.0%} of the gap closed, better on {line['seeds_better']} of {args.seeds} seeds"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "machine": platform.platform(),
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "cost": spent,
        "benefit": gained,
    }
    args.json.write_text(json.dumps(record, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
