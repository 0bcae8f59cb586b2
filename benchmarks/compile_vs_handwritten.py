"""Training speed of a compiled design against the same network written by
hand (tests/compile/handwritten.py), per sample.

One training step = forward, mean-squared-error loss against a fixed random
target, backward, gradients cleared. Both modules hold the same weights and
get the same batch. They run in one process, interleaved (compiled, hand,
hand, compiled, ...) so a machine that speeds up or slows down affects both
alike; each repetition times a block of steps (about --block seconds, so
that a time slice taken by another process weighs little) after warm-up
steps, and the figure is the median over repetitions of the time per step.

    python benchmarks/compile_vs_handwritten.py [--samples digits_cnn ...] [--batch 64] [--rounds 21] [--block 0.2] [--threads 1] [--device cpu|cuda|mps]

On a GPU the clock is read after the device has finished (synchronised), and
the JSON names the GPU.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "compile"))

from handwritten import HANDWRITTEN  # noqa: E402 - the hand-written samples live beside their tests

from designer.compile import compile_design, random_inputs, signature  # noqa: E402
from designer.project import load_project  # noqa: E402


def _synchronize(device: torch.device) -> None:
    """Wait for queued GPU work, so the clock measures it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def step_time(module: nn.Module, inputs: list[torch.Tensor], target: torch.Tensor, steps: int, warmup: int) -> float:
    """Seconds per forward+backward step, over ``steps`` steps after ``warmup``."""
    device = target.device
    for i in range(warmup + steps):
        if i == warmup:
            _synchronize(device)
            started = time.perf_counter()
        loss = nn.functional.mse_loss(module(*inputs), target)
        loss.backward()
        module.zero_grad(set_to_none=True)
    _synchronize(device)
    return (time.perf_counter() - started) / steps


def measure(stem: str, batch: int, rounds: int, block: float, warmup: int, device: torch.device) -> dict:
    graph = load_project(ROOT / "samples" / f"{stem}.nnd").graph
    compiled = compile_design(graph)
    torch.manual_seed(0)
    generated = compiled.new_module().train().to(device)
    hand = HANDWRITTEN[stem]().train().to(device)
    hand.load_state_dict(generated.state_dict())
    inputs = [x.to(device) for x in random_inputs(signature(graph, compiled.generated), batch)]
    with torch.no_grad():
        target = torch.randn_like(generated(*inputs))
    steps = max(10, round(block / step_time(generated, inputs, target, 20, warmup)))
    times: dict[str, list[float]] = {"compiled": [], "handwritten": []}
    modules = [("compiled", generated), ("handwritten", hand)]
    for round_ in range(rounds):
        for name, module in modules if round_ % 2 == 0 else reversed(modules):
            times[name].append(step_time(module, inputs, target, steps, warmup))
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "sample": stem,
        "steps_per_repetition": steps,
        "compiled_ms": {"median": medians["compiled"] * 1e3, "min": min(times["compiled"]) * 1e3, "max": max(times["compiled"]) * 1e3},
        "handwritten_ms": {
            "median": medians["handwritten"] * 1e3,
            "min": min(times["handwritten"]) * 1e3,
            "max": max(times["handwritten"]) * 1e3,
        },
        "ratio_compiled_to_handwritten": medians["compiled"] / medians["handwritten"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", nargs="+", default=sorted(HANDWRITTEN), metavar="STEM", help="sample names (default: all)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=21, help="interleaved repetitions per module")
    parser.add_argument("--block", type=float, default=0.2, help="seconds of steps per repetition (sets the step count)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps before each repetition")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1: steadier on a shared machine)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda", "mps"))
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "compile_vs_handwritten.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    load_before = os.getloadavg()[0]
    device = torch.device(args.device)
    rows = [measure(stem, args.batch, args.rounds, args.block, args.warmup, device) for stem in args.samples]
    result = {
        "benchmark": "compile_vs_handwritten",
        "command": "python benchmarks/compile_vs_handwritten.py " + " ".join(sys.argv[1:]),
        "torch": torch.__version__,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else args.device,
        "cpu": platform.processor() or platform.machine(),
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "rounds": args.rounds,
        "block_seconds": args.block,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
        "samples": rows,
    }
    print(
        f"forward+backward step, batch {args.batch}, {result['device']} ({result['threads']} CPU threads), torch {torch.__version__}; medians of {args.rounds}"
    )
    print(f"{'sample':20}{'compiled ms':>13}{'hand ms':>10}{'ratio':>8}")
    for row in rows:
        print(
            f"{row['sample']:20}{row['compiled_ms']['median']:>13.3f}{row['handwritten_ms']['median']:>10.3f}"
            f"{row['ratio_compiled_to_handwritten']:>8.3f}"
        )
    target = Path(args.json)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")


if __name__ == "__main__":
    main()
