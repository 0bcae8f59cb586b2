"""Blocks against the same layers drawn flat: checking the design after an
edit, generating its source, and compiling it to a module.

A ResNet-style stack of N instances of the built-in ResidualBlock, and the
same design with every instance expanded in place (identical layers, wires
and parameter count), timed side by side in one process, alternating, the
median of the rounds; reported as blocks/flat ratios. "check" is a fresh
analysis after an edit of the Input's shape (what every edit in the window
costs); "source" is the code generator; "module" is compile_design plus one
new module.

    python benchmarks/blocks_analysis.py [--instances 100] [--rounds 7]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from designer.compile import compile_design, to_source  # noqa: E402
from designer.graph import Graph  # noqa: E402
from designer.layers import builtin_blocks  # noqa: E402


def designs(instances: int) -> tuple[Graph, Graph]:
    blocks = Graph("blocks")
    blocks.add_block_definition(builtin_blocks()["ResidualBlock"])
    blocks.sequential(("Input", {"shape": [16, 8, 8]}), *[("ResidualBlock", {"channels": 16})] * instances, "GlobalAvgPool", "Output")
    flat = Graph("flat", blocks.catalog)
    flat.restore(blocks.snapshot())
    for node in [n for n in flat.nodes if flat.is_block(n.id)]:
        flat.expand_block(node.id)
    assert flat.analyze().total_params == blocks.analyze().total_params and not flat.analyze().errors
    return blocks, flat


def timings(graph: Graph, size: int) -> dict[str, float]:
    started = time.perf_counter()
    graph.set_param("input1", "shape", [16, size, size])  # a new revision, and new shapes for every block
    graph.analyze()
    checked = time.perf_counter()
    to_source(graph)
    generated = time.perf_counter()
    compile_design(graph).new_module()
    built = time.perf_counter()
    return {"check": checked - started, "source": generated - checked, "module": built - generated}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "blocks_analysis.json"))
    args = parser.parse_args()
    blocks, flat = designs(args.instances)
    runs: dict[str, list[dict[str, float]]] = {"blocks": [], "flat": []}
    for round_ in range(args.rounds + 1):
        for name, graph in (("blocks", blocks), ("flat", flat)) if round_ % 2 else (("flat", flat), ("blocks", blocks)):
            result = timings(graph, 8 + round_)  # new shapes each round: no inner analysis is cached yet
            if round_:  # the first round loads torch and warms the caches of both
                runs[name].append(result)
    median = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in runs.items()}
    ratios = {k: median["blocks"][k] / median["flat"][k] for k in median["flat"]}
    print(f"{args.instances} ResidualBlock instances ({len(blocks)} nodes) against the same {len(flat)} layers drawn flat; median of {args.rounds}")
    for key in ("check", "source", "module"):
        print(f"  {key:6}  blocks {median['blocks'][key] * 1000:8.1f} ms   flat {median['flat'][key] * 1000:8.1f} ms   ratio {ratios[key]:.2f}")
    result = {
        "benchmark": "blocks_analysis",
        "command": "python benchmarks/blocks_analysis.py " + " ".join(sys.argv[1:]),
        "instances": args.instances,
        "nodes": {"blocks": len(blocks), "flat": len(flat)},
        "median_seconds": median,
        "ratio_blocks_to_flat": ratios,
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
        "load_average": os.getloadavg()[0],
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
