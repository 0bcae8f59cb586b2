"""Training throughput: the designer's Trainer against a minimal hand-written
PyTorch loop, on the same model (a sample: the digits CNN by default) and the
same data.

Without ``--threads`` each side keeps its own defaults: the Trainer picks its
thread count (one for a small design, timed on this machine for a mid-sized
one: the figure includes that choice, not the timing's 0.1 s before the first
epoch) and its optimizer step (fused), the loop
uses PyTorch's (one thread per core, Adam's per-tensor loop on the CPU), which
is what a user's script gets. ``--threads N`` gives both sides N threads.

Both run in one process, interleaved (trainer, loop, loop, trainer, ...) so a
machine that speeds up or slows down during the run affects both alike; the
figure is the median of per-epoch samples per second, first epoch of each
run left out (warm-up). The hand loop is the fastest simple form: data on the
device, a shuffled index per epoch, forward, loss, backward, step; no metrics.
The trainer's figure includes what it does on top: accuracy, per-batch loss
reports, pause/stop checks.

    python benchmarks/train_throughput.py [--device cpu] [--rounds 8] [--epochs 3] [--threads N] [--sample NAME] [--busy-core] [--json FILE]

``--busy-core`` keeps one core busy with another process (a Python loop)
during the whole run, as another program on a user's machine would.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

from designer.project import load_project
from designer.train import Trainer, TrainSettings, load_bundle, pick_device, prepare

ROOT = Path(__file__).resolve().parent.parent


def trainer_rates(compiled, bundle, settings: TrainSettings, threads_chosen: list[int]) -> list[float]:
    result = Trainer(compiled, bundle, settings).run()
    assert result.status == "finished", result.message
    threads_chosen.append(result.threads)
    return [m.samples_per_second for m in result.epochs[1:]]


def loop_rates(compiled, bundle, settings: TrainSettings, device: torch.device) -> list[float]:
    """The minimal loop a person would write by hand, with the same settings."""
    torch.manual_seed(settings.seed)
    model = compiled.new_module().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = torch.from_numpy(bundle.train.x).to(device), torch.from_numpy(bundle.train.y).to(device)
    generator = torch.Generator().manual_seed(settings.seed)
    rates = []
    for _ in range(settings.epochs):
        started = time.perf_counter()
        model.train()
        for idx in torch.randperm(len(x), generator=generator).split(settings.batch_size):
            idx = idx.to(device)
            loss = loss_fn(model(x[idx]), y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        float(loss.detach())  # wait for the device, as the trainer does at an epoch's end
        rates.append(len(x) / (time.perf_counter() - started))
    return rates[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", choices=("auto", "cpu", "cuda", "mps"))
    parser.add_argument("--rounds", type=int, default=8, help="interleaved rounds (each: trainer and loop, order alternating)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs per run (the first is warm-up)")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the sample's")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--sample", default="digits_cnn", help="sample stem (default: digits_cnn)")
    parser.add_argument("--busy-core", action="store_true", help="another process keeps one core busy during the run")
    parser.add_argument("--json", default=None, help="default: benchmarks/results/train_throughput[_SAMPLE].json")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    sample = ROOT / "samples" / f"{args.sample}.nnd"
    project = load_project(sample)
    bundle = load_bundle(project)
    compiled = prepare(project, bundle)
    # Constant learning rate for both, so the schedule is not part of the comparison.
    settings = TrainSettings.from_mapping(
        project.training, epochs=args.epochs, schedule="none", device=args.device, batch_size=args.batch_size, threads=args.threads
    )
    device = pick_device(settings.device)
    load_before = os.getloadavg()[0]  # other work on the machine makes the figures noisy
    trainer, loop, threads_chosen = [], [], []
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy_core else None
    try:
        for round_ in range(args.rounds):
            runs = [("trainer", trainer), ("loop", loop)]
            for name, rates in runs if round_ % 2 == 0 else reversed(runs):
                rates += (
                    trainer_rates(compiled, bundle, settings, threads_chosen) if name == "trainer" else loop_rates(compiled, bundle, settings, device)
                )
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()

    result = {
        "benchmark": "train_throughput",
        "model": sample.name,
        "trainer_threads": threads_chosen,  # per run: a mid-sized design's count is timed at each start
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or platform.machine(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "train_samples": len(bundle.train),
        "batch_size": settings.batch_size,
        "rounds": args.rounds,
        "busy_core": args.busy_core,
        "epochs_per_run": args.epochs,
        "command": "python benchmarks/train_throughput.py " + " ".join(sys.argv[1:]),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
        "trainer_samples_per_s": {"median": statistics.median(trainer), "min": min(trainer), "max": max(trainer), "n": len(trainer)},
        "loop_samples_per_s": {"median": statistics.median(loop), "min": min(loop), "max": max(loop), "n": len(loop)},
    }
    result["ratio_trainer_to_loop"] = result["trainer_samples_per_s"]["median"] / result["loop_samples_per_s"]["median"]

    print(
        f"{sample.stem}, {len(bundle.train)} training samples, batch {settings.batch_size}, {device} "
        f"(trainer {'/'.join(map(str, sorted(set(threads_chosen))))} threads, loop {result['threads']}), torch {torch.__version__}"
    )
    print(f"{'':10}{'median':>12}{'min':>12}{'max':>12}   samples/s over {len(trainer)} epochs each")
    for name in ("trainer", "loop"):
        stats = result[f"{name}_samples_per_s"]
        print(f"{name:10}{stats['median']:>12,.0f}{stats['min']:>12,.0f}{stats['max']:>12,.0f}")
    print(f"ratio trainer/loop (medians): {result['ratio_trainer_to_loop']:.3f}")
    suffix = "" if args.sample == "digits_cnn" else f"_{args.sample}"
    target = Path(args.json or ROOT / "benchmarks" / "results" / f"train_throughput{suffix}.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
