"""Train every sample to its stated result on the CPU, then export it to ONNX
and verify the export: the promise each sample's description makes.

Each sample trains with its own settings (on the CPU) through the real
``Trainer``; its result is the last epoch's validation accuracy, or the
validation loss (mean squared error) for regression. A sample meets its
target when the result is on the right side of the bound and data loading,
compiling and training together took under a minute. The Dropout sample is
also trained as a copy with every Dropout's p set to 0: with Dropout the
validation loss stays close to the training loss, without it the training
loss falls to zero and the validation loss climbs away (overfitting). The
trained weights are exported to ONNX and checked against torch with
onnxruntime. Not a test (it takes a minute or two); the test suite trains
each sample for one epoch only.

    python benchmarks/train_samples.py [--threads N] [--only STEM ...] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from designer.project import Project, load_project
from designer.project.files import from_document, to_document
from designer.train import RunResult, Trainer, TrainSettings, load_bundle, prepare

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT = 60.0  # seconds: load, compile and train on the CPU
DROPOUT_SAMPLE = "cancer_dropout"
DROPOUT_GAP = 0.05  # with Dropout: |validation loss - training loss| stays below this
OVERFIT_GAP = 0.2  # with p = 0: the validation loss ends at least this far above the training loss


@dataclass(frozen=True)
class Target:
    """A sample's stated result: validation ``accuracy`` above ``bound``, or validation ``mse`` below it;
    ``stalls``: a sample that teaches a failure states an accuracy it stays below."""

    metric: str
    bound: float
    stalls: bool = False

    def met(self, value: float) -> bool:
        if self.stalls:
            return value < self.bound
        return value > self.bound if self.metric == "accuracy" else value < self.bound

    def describe(self) -> str:
        if self.stalls:
            return f"val accuracy < {self.bound:.0%} (it does not learn)"
        return f"val accuracy > {self.bound:.0%}" if self.metric == "accuracy" else f"val MSE < {self.bound:g}"


TARGETS = {
    "xor_mlp": Target("accuracy", 0.95),
    "spirals_mlp": Target("accuracy", 0.95),
    "cancer_dropout": Target("accuracy", 0.95),
    "digits_cnn": Target("accuracy", 0.95),
    "residual_cnn": Target("accuracy", 0.95),
    "residual_blocks": Target("accuracy", 0.95),
    "digits_autoencoder": Target("mse", 0.015),
    "sine_lstm": Target("mse", 0.01),
    "waves_gru": Target("accuracy", 0.95),
    "tokens_transformer": Target("accuracy", 0.95),
    "deep_sigmoid": Target("accuracy", 0.6, stalls=True),  # "leaves the network at 50%"
    "digits_pretrain": Target("accuracy", 0.95),
    "digits_transfer": Target("accuracy", 0.6),  # the mean over TRANSFER_SEEDS, starting from digits_pretrain's weights
}
TRANSFER_SAMPLE, PRETRAIN_SAMPLE = "digits_transfer", "digits_pretrain"
TRANSFER_SEEDS = range(5)  # data and training seeds: which image of each digit is labelled, and the fresh weights
TRANSFER_GAP = 0.05  # with transfer, the mean validation accuracy is at least this far above the same network's from scratch


@dataclass
class Row:
    sample: str
    result: str
    target: str
    met: bool
    seconds: float  # load, compile and train
    onnx: str
    value: float
    details: dict[str, Any]


def train(project: Project) -> tuple[RunResult, float]:
    """Train with the project's own settings on the CPU; (result, seconds for load, compile and train)."""
    started = time.perf_counter()
    bundle = load_bundle(project)
    compiled = prepare(project, bundle)
    result = Trainer(compiled, bundle, TrainSettings.from_mapping(project.training, device="cpu")).run()
    if not result.ok:
        raise SystemExit(f"{project.path}: training failed: {result.message}")
    return result, time.perf_counter() - started


def without_dropout(project: Project) -> Project:
    """A copy of the project with every Dropout's p set to 0."""
    copy = from_document(to_document(project))
    copy.path = project.path
    for node in copy.graph.nodes:
        if node.type == "Dropout":
            copy.graph.set_param(node.id, "p", 0.0)
    return copy


def value_of(result: RunResult, target: Target) -> float:
    last = result.epochs[-1]
    return float(last.val_metric if target.metric == "accuracy" else last.val_loss)


def export_check(project: Project, result: RunResult) -> str:
    """Export the trained weights to ONNX and verify them; a short verdict for the table."""
    try:
        from designer.compile import export_onnx  # ONNX export arrived after the samples; say so when it is missing
    except ImportError:
        return "n/a (no ONNX export)"
    try:
        exported = export_onnx(project.graph, weights=result.kept_state)
    except Exception as exc:  # report every failure in the table rather than stop the run
        return f"FAILED: {str(exc).splitlines()[0]}"
    diff = exported.verification.max_abs_diff if exported.verification else float("nan")
    return f"ok ({diff:.1e}, {exported.seconds:.1f}s)"


def dropout_details(project: Project, result: RunResult) -> tuple[bool, str, dict[str, Any]]:
    """Train the p = 0 copy; whether both gaps are as stated, a summary and the figures."""
    plain, _ = train(without_dropout(project))
    with_last, plain_last = result.epochs[-1], plain.epochs[-1]
    gap = with_last.val_loss - with_last.train_loss
    plain_gap = plain_last.val_loss - plain_last.train_loss
    details = {
        "dropout": {"train_loss": with_last.train_loss, "val_loss": with_last.val_loss, "gap": gap},
        "no_dropout": {"train_loss": plain_last.train_loss, "val_loss": plain_last.val_loss, "gap": plain_gap},
    }
    ok = abs(gap) < DROPOUT_GAP and plain_gap > OVERFIT_GAP
    return ok, f"; loss gap {gap:+.3f} (p=0: {plain_gap:+.3f})", details


def with_seed(project: Project, seed: int, frozen: bool = True) -> Project:
    """A copy with the data and training seeds set (and, unless ``frozen``, nothing frozen)."""
    copy = from_document(to_document(project))
    copy.path = project.path
    copy.data["seed"], copy.training["seed"] = seed, seed
    if not frozen:
        for node in copy.graph.nodes:
            copy.graph.set_node_training(node.id, frozen=False)
    return copy


def transfer_details(project: Project) -> tuple[float, bool, str, dict[str, Any]]:
    """Train digits_pretrain, then the transfer sample from its weights and the
    same network from scratch (nothing frozen, fresh weights) for each seed;
    (mean accuracy with transfer, whether the gap is as stated, a summary, the figures)."""
    from designer.train.transfer import transfer

    pretrained, _ = train(load_project(project.path.with_name(f"{PRETRAIN_SAMPLE}.nnd")))
    with_transfer, from_scratch = [], []
    for seed in TRANSFER_SEEDS:
        copy = with_seed(project, seed)
        bundle = load_bundle(copy)
        compiled = prepare(copy, bundle)
        torch.manual_seed(seed)
        start, report = transfer(compiled, compiled.new_module().state_dict(), pretrained.kept_state)
        settings = TrainSettings.from_mapping(copy.training, device="cpu")
        result = Trainer(compiled, bundle, settings, initial_state=start).run()
        with_transfer.append(float(result.epochs[-1].val_metric))
        scratch, _ = train(with_seed(project, seed, frozen=False))
        from_scratch.append(float(scratch.epochs[-1].val_metric))
    mean, scratch_mean = sum(with_transfer) / len(with_transfer), sum(from_scratch) / len(from_scratch)
    details = {
        "seeds": list(TRANSFER_SEEDS),
        "loaded": report.loaded,
        "transfer": with_transfer,
        "scratch": from_scratch,
        "transfer_mean": mean,
        "scratch_mean": scratch_mean,
        "pretrain_val_accuracy": float(pretrained.epochs[-1].val_metric),
        "seeds_transfer_better": sum(t > s for t, s in zip(with_transfer, from_scratch)),
    }
    summary = f" (mean of {len(with_transfer)} seeds; from scratch {scratch_mean:.1%})"
    return mean, mean - scratch_mean > TRANSFER_GAP, summary, details


def run_sample(path: Path) -> Row:
    project = load_project(path)
    target = TARGETS[path.stem]
    result, seconds = train(project)
    value = value_of(result, target)
    met = target.met(value) and seconds < TIME_LIMIT
    shown = f"val accuracy {value:.1%}" if target.metric == "accuracy" else f"val MSE {value:.4f}"
    details: dict[str, Any] = {"epochs": len(result.epochs), "status": result.status}
    wanted = target.describe()
    if path.stem == DROPOUT_SAMPLE:
        ok, summary, extra = dropout_details(project, result)
        met, shown, wanted = met and ok, shown + summary, wanted + f"; |gap| < {DROPOUT_GAP:g} (p=0: > {OVERFIT_GAP:g})"
        details.update(extra)
    if path.stem == TRANSFER_SAMPLE:
        value, ok, summary, extra = transfer_details(project)
        met = target.met(value) and ok and seconds < TIME_LIMIT
        shown, wanted = f"val accuracy {value:.1%}{summary}", wanted + f"; > scratch + {TRANSFER_GAP:.0%}"
        details.update(extra)
    return Row(path.stem, shown, wanted, met, seconds, export_check(project, result), value, details)


def print_table(rows: list[Row]) -> None:
    header = ("sample", "result", "target", "met?", "seconds", "ONNX (max diff, time)")
    cells = [header] + [(r.sample, r.result, r.target, "yes" if r.met else "NO", f"{r.seconds:.1f}", r.onnx) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    for n, line in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--only", nargs="*", default=None, help="sample stems to train (default: all)")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "train_samples.json"))
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    found = {p.stem: p for p in (ROOT / "samples").glob("*.nnd")}
    missing = sorted(set(found) - set(TARGETS))
    if missing:
        raise SystemExit(f"no stated result for {', '.join(missing)}: add it to TARGETS")
    paths = [found[stem] for stem in TARGETS if stem in found and (args.only is None or stem in args.only)]  # teaching order
    print(f"torch {torch.__version__}, CPU, {torch.get_num_threads()} threads, {os.cpu_count()} cores")
    load_before = os.getloadavg()[0]
    rows = [run_sample(p) for p in paths]
    print_table(rows)
    result = {
        "benchmark": "train_samples",
        "torch": torch.__version__,
        "device": "cpu",
        "device_name": platform.processor() or platform.machine(),
        "threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "command": "python benchmarks/train_samples.py " + " ".join(sys.argv[1:]),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
        "time_limit_s": TIME_LIMIT,
        "samples": [asdict(r) for r in rows],
        "all_met": all(r.met for r in rows),
    }
    target = Path(args.json)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{sum(r.met for r in rows)} of {len(rows)} samples met their targets; wrote {target}")
    if not result["all_met"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
