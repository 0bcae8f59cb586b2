"""ONNX export plus verification of each sample, in seconds.

In one process: the first export (which also pays for loading the exporter:
onnxscript, the operator registry) and then the median of repeated exports;
each split into export and verification (onnx.checker full check, and
onnxruntime against torch at batch 1 and 5, and other sequence lengths where
those vary). Then, per sample, what a user waits for: ``designer export FILE
--onnx OUT`` in a fresh interpreter, start to exit.

    python benchmarks/onnx_export.py [--samples digits_cnn ...] [--repeat 3] [--cli-repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import onnx
import onnxruntime
import torch

from designer.compile import export_onnx
from designer.project import load_project

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(p.stem for p in (ROOT / "samples").glob("*.nnd"))


def in_process(stem: str, repeat: int) -> dict:
    graph = load_project(ROOT / "samples" / f"{stem}.nnd").graph
    runs = []
    for _ in range(1 + repeat):
        result = export_onnx(graph)
        assert result.verification is not None
        runs.append((result.seconds - result.verification.seconds, result.verification.seconds, result.seconds))
    first, rest = runs[0], runs[1:]
    return {
        "sample": stem,
        "exporter": result.exporter,
        "inputs": [f"{p.name} [{p.display()}]" for p in result.signature.inputs],
        "max_abs_diff": result.verification.max_abs_diff,
        "first_s": {"export": first[0], "verify": first[1], "total": first[2]},
        "median_s": {key: statistics.median(r[i] for r in rest) for i, key in enumerate(("export", "verify", "total"))},
    }


def command_line(stem: str, repeat: int) -> float:
    """Median wall seconds of the real command in a fresh interpreter."""
    times = []
    with tempfile.TemporaryDirectory() as folder:
        command = [
            sys.executable,
            "-m",
            "designer",
            "export",
            str(ROOT / "samples" / f"{stem}.nnd"),
            "--onnx",
            str(Path(folder) / "m.onnx"),
        ]
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, timeout=600)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", nargs="+", default=SAMPLES, metavar="STEM")
    parser.add_argument("--repeat", type=int, default=3, help="exports per sample after the first, in one process")
    parser.add_argument("--cli-repeat", type=int, default=1, help="runs of the command line per sample (0: skip)")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "onnx_export.json"))
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    rows = [in_process(stem, args.repeat) for stem in args.samples]
    for row in rows:
        row["command_line_s"] = command_line(row["sample"], args.cli_repeat) if args.cli_repeat else None
    result = {
        "benchmark": "onnx_export",
        "command": "python benchmarks/onnx_export.py " + " ".join(sys.argv[1:]),
        "torch": torch.__version__,
        "onnx": onnx.__version__,
        "onnxruntime": onnxruntime.__version__,
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "repeat": args.repeat,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
        "samples": rows,
    }
    print(f"ONNX export + verification per sample (s); torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, opset 20")
    print(f"{'sample':20}{'exporter':>14}{'first':>8}{'export':>8}{'verify':>8}{'total':>8}{'command':>9}   max abs diff")
    for row in rows:
        median = row["median_s"]
        cli = f"{row['command_line_s']:>9.2f}" if row["command_line_s"] is not None else f"{'-':>9}"
        print(
            f"{row['sample']:20}{row['exporter']:>14}{row['first_s']['total']:>8.2f}{median['export']:>8.2f}"
            f"{median['verify']:>8.2f}{median['total']:>8.2f}{cli}   {row['max_abs_diff']:.2g}"
        )
    print(
        "first: the process's first export of it; export/verify/total: medians of the repeats; command: designer export, fresh interpreter"
    )
    target = Path(args.json)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")


if __name__ == "__main__":
    main()
