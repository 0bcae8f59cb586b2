"""ONNX export plus verification of each sample, in seconds.

In one process: the first export (which also pays for loading the exporter)
and then the median of repeated exports, each split into export and
verification (onnx.checker full check, and onnxruntime against torch at batch
1 and 5, and other sequence lengths where those vary); beside it the median of
the same export forced through torch.export (``dynamo=True``, what every
export used before the fast path). Then, per sample, what a user waits for:
``designer export FILE --onnx OUT`` in a fresh interpreter, start to exit,
launched alternately with a hand-written script that exports the same module
(the design's "Export as Python" class, ``torch.onnx.export(dynamo=False)``
with the same names and dynamic axes, no verification); the ratio of their
medians is the goal's figure (at most 1.2). Last, whether onnxruntime runs the
script's file at the sizes the designer verifies its own at: traced as torch
writes it, attention keeps the example's batch and length.

    python benchmarks/onnx_export.py [--samples digits_cnn ...] [--repeat 3] [--cli-repeat 5]
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

from designer.compile import export_onnx, export_python
from designer.compile.build import compile_design
from designer.compile.onnx_verify import cases_for
from designer.compile.signature import random_inputs, signature
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
    slow = [export_onnx(graph, exporter="torch.export").seconds for _ in range(1 + repeat)][1:]
    return {
        "sample": stem,
        "exporter": result.exporter,
        "inputs": [f"{p.name} [{p.display()}]" for p in result.signature.inputs],
        "max_abs_diff": result.verification.max_abs_diff,
        "first_s": {"export": first[0], "verify": first[1], "total": first[2]},
        "median_s": {key: statistics.median(r[i] for r in rest) for i, key in enumerate(("export", "verify", "total"))},
        "torch_export_total_median_s": statistics.median(slow),
    }


HAND_WRITTEN = """import sys
import torch
sys.path.insert(0, {folder!r})
from model import {cls}
module = {cls}().eval()
args = ({args},)
torch.onnx.export(module, args, {out!r}, input_names={inputs!r}, output_names={outputs!r},
                  dynamic_axes={axes!r}, opset_version=20, dynamo=False)
"""


def hand_written(stem: str, folder: Path) -> Path:
    """A script exporting the design's module as one would by hand (the TorchScript exporter)."""
    graph = load_project(ROOT / "samples" / f"{stem}.nnd").graph
    cls = export_python(graph, folder / "model.py").class_name
    sig = signature(graph, compile_design(graph).generated)
    example = random_inputs(sig, 2, min(sig.other_lengths, default=None))
    tensors = ", ".join(f"torch.zeros({tuple(x.shape)}, dtype={x.dtype})" for x in example)
    axes = {p.name: {i: d for i, d in enumerate(p.dims) if isinstance(d, str)} for p in (*sig.inputs, *sig.outputs)}
    script = folder / "hand_written.py"
    script.write_text(
        HAND_WRITTEN.format(
            folder=str(folder),
            cls=cls,
            args=tensors,
            out=str(folder / "hand.onnx"),
            inputs=[p.name for p in sig.inputs],
            outputs=[p.name for p in sig.outputs],
            axes=axes,
        )
    )
    return script


def runs_everywhere(path: Path, stem: str) -> bool:
    """Whether onnxruntime runs the file at the sizes the designer verifies its
    own at (batch 1 and 5, the other sequence lengths): the hand-written
    file's weights are its own, so only that it runs is compared."""
    graph = load_project(ROOT / "samples" / f"{stem}.nnd").graph
    sig = signature(graph, compile_design(graph).generated)
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4  # a refusal is the answer here, not news
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    try:
        for batch, length in cases_for(sig):
            feed = {p.name: x.numpy() for p, x in zip(sig.inputs, random_inputs(sig, batch, length))}
            session.run(None, feed)
    except Exception:  # onnxruntime's own error types: a Reshape that meets sizes baked in
        return False
    return True


def command_line(stem: str, repeat: int) -> tuple[float, float, bool]:
    """Median wall seconds of the real command and of the hand-written script,
    each in a fresh interpreter, launched alternately; and whether the
    script's file runs at other batch sizes and lengths."""
    ours, theirs = [], []
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
        script = [sys.executable, str(hand_written(stem, Path(folder)))]
        # Run from the temporary folder: ``-m`` puts the working directory first
        # on sys.path, where a checkout would win over PYTHONPATH's.
        for argv in (command, script):  # once each to warm the file cache
            subprocess.run(argv, check=True, capture_output=True, timeout=600, cwd=folder)
        for _ in range(repeat):
            for times, argv in ((ours, command), (theirs, script)):
                started = time.perf_counter()
                subprocess.run(argv, check=True, capture_output=True, timeout=600, cwd=folder)
                times.append(time.perf_counter() - started)
        script_runs = runs_everywhere(Path(folder) / "hand.onnx", stem)
    return statistics.median(ours), statistics.median(theirs), script_runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", nargs="+", default=SAMPLES, metavar="STEM")
    parser.add_argument("--repeat", type=int, default=3, help="exports per sample after the first, in one process")
    parser.add_argument("--cli-repeat", type=int, default=5, help="runs of the command line and the script per sample (0: skip)")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "onnx_export.json"))
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    rows = [in_process(stem, args.repeat) for stem in args.samples]
    for row in rows:
        timed = command_line(row["sample"], args.cli_repeat) if args.cli_repeat else (None, None, None)
        row["command_line_s"], row["hand_written_s"], row["hand_written_runs_at_other_sizes"] = timed
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
    header = ("sample", "exporter", "first", "export", "verify", "total", "dynamo", "command", "script", "ratio")
    print(f"{header[0]:20}{header[1]:>14}" + "".join(f"{h:>9}" for h in header[2:]) + "   max abs diff   script's file")
    for row in rows:
        median = row["median_s"]
        cli, script = row["command_line_s"], row["hand_written_s"]
        tail = f"{cli:>9.2f}{script:>9.2f}{cli / script:>9.2f}" if cli is not None else f"{'-':>9}" * 3
        print(
            f"{row['sample']:20}{row['exporter']:>14}{row['first_s']['total']:>9.3f}{median['export']:>9.3f}"
            f"{median['verify']:>9.3f}{median['total']:>9.3f}{row['torch_export_total_median_s']:>9.3f}{tail}   {row['max_abs_diff']:<15.2g}"
            f"{_script_file(row['hand_written_runs_at_other_sizes'])}"
        )
    print(
        "first: the process's first export of it; export/verify/total: medians of the repeats; dynamo: the same forced through "
        "torch.export;\ncommand: designer export, fresh interpreter; script: a hand-written export of the same module; ratio: command / script;\n"
        "script's file: whether onnxruntime runs it at the sizes the designer verifies at (batch 1 and 5, other lengths)"
    )
    target = Path(args.json)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")


def _script_file(runs: bool | None) -> str:
    return "-" if runs is None else "runs" if runs else "fails at other sizes"


if __name__ == "__main__":
    main()
