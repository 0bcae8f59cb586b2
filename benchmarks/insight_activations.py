"""Time to compute every node's output for one sample (designer.insight's
Inspector.activations), beside the module's plain forward on the same sample,
for the digits CNN and for a generated 200-node design.

The two are interleaved (all nodes, plain, plain, all nodes, ...) so a
machine that speeds up or slows down affects both alike; each repetition
times a block of calls, and the figure is the median over repetitions of the
time per call. Building the Inspector (compiling the design and rewriting its
forward) is timed once per design.

    python benchmarks/insight_activations.py [--rounds 21] [--calls 200] [--threads 1]
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

import numpy as np
import torch

from designer.graph import Graph
from designer.insight import Inspector
from designer.project import Project, load_project

ROOT = Path(__file__).resolve().parent.parent
WIDTH = 32


def generated_design(blocks: int = 66) -> Project:
    """Input -> ``blocks`` x (Linear, ReLU, Add with the block's input) -> Output: 2 + 3 * blocks nodes (200 for 66)."""
    graph = Graph("Generated residual MLP")
    with graph.batch():
        previous = graph.add("Input", shape=[WIDTH])
        for _ in range(blocks):
            linear, relu = graph.sequential(("Linear", {"out_features": WIDTH}), "ReLU", after=previous)
            add = graph.add("Add")
            graph.connect(relu, add)
            graph.connect(previous, add)
            previous = add
        graph.connect(previous, graph.add("Output"))
    return Project(graph)


def per_call(function, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - started) / calls


def measure(name: str, project: Project, sample: np.ndarray, rounds: int, calls: int) -> dict:
    started = time.perf_counter()
    inspector = Inspector(project, weights=0)
    build_ms = (time.perf_counter() - started) * 1000
    x = torch.as_tensor(sample[None])

    def all_nodes() -> None:
        inspector.activations(sample)

    def plain() -> None:
        with torch.no_grad():
            inspector.module(x)

    for function in (all_nodes, plain):
        per_call(function, calls // 4)  # warm-up
    ours, theirs = [], []
    for i in range(rounds):
        pair = (all_nodes, plain) if i % 2 == 0 else (plain, all_nodes)
        for function in pair:
            (ours if function is all_nodes else theirs).append(per_call(function, calls) * 1000)
    nodes = len(project.graph)
    return {
        "design": name,
        "nodes": nodes,
        "outputs_returned": len(inspector.activations(sample)),
        "inspector_build_ms": build_ms,
        "activations_ms": {"median": statistics.median(ours), "min": min(ours), "max": max(ours)},
        "plain_forward_ms": {"median": statistics.median(theirs), "min": min(theirs), "max": max(theirs)},
        "ratio_activations_to_forward": statistics.median(ours) / statistics.median(theirs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--calls", type=int, default=200, help="calls per timed block")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "insight_activations.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()[0]
    digits = load_project(ROOT / "samples" / "digits_cnn.nnd")
    digit = Inspector(load_project(ROOT / "samples" / "digits_cnn.nnd")).split.x[0]  # another copy, so the timed build starts cold
    rng = np.random.default_rng(0)
    results = [
        measure("digits_cnn", digits, digit, args.rounds, args.calls),
        measure("generated_200", generated_design(), rng.standard_normal(WIDTH).astype(np.float32), args.rounds, args.calls),
    ]
    result = {
        "benchmark": "insight_activations",
        "command": "python benchmarks/insight_activations.py " + " ".join(sys.argv[1:]),
        "torch": torch.__version__,
        "device": "cpu",
        "cpu": platform.machine(),
        "threads": args.threads,
        "rounds": args.rounds,
        "calls_per_round": args.calls,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
        "results": results,
    }
    target = Path(args.json)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n")
    for r in results:
        print(
            f"{r['design']} ({r['nodes']} nodes): all outputs {r['activations_ms']['median']:.3f} ms, plain forward "
            f"{r['plain_forward_ms']['median']:.3f} ms (ratio {r['ratio_activations_to_forward']:.2f}); Inspector built in {r['inspector_build_ms']:.0f} ms"
        )
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
