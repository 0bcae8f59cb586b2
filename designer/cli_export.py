"""``designer export``: a thin wrapper over designer.compile's exporters.

Exit codes: 0 exported, 1 the design has problems (or a layer cannot be
exported, or the exported model fails its check), 2 unusable input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from designer.cli import OK, PROBLEMS, UsageError, _load
from designer.graph import ERROR
from designer.project import Project, ProjectError

if TYPE_CHECKING:
    import torch

MIN_OPSET, MAX_OPSET = 7, 25
EXPORT_BATCH = 5  # the most samples the export traces or verifies with at once


def register(commands: argparse._SubParsersAction) -> None:
    from designer.compile.onnx_export import DEFAULT_OPSET
    from designer.compile.onnx_verify import TOLERANCE

    export = commands.add_parser(
        "export",
        help="export a design as a standalone PyTorch file (--python) or as ONNX (--onnx)",
        description=(
            "Export a design. --python writes the generated PyTorch class as a file that needs only torch; "
            "--onnx writes an ONNX model with named inputs and outputs and a dynamic batch dimension (and a dynamic "
            "sequence length where the design allows it), with the trained weights (NAME.safetensors beside FILE) "
            f"when they exist. Each ONNX export is checked: onnx.checker (full check), and onnxruntime's output on "
            f"random inputs must match torch's within {TOLERANCE:g}. Exit 0 when exported, 1 when the design has "
            "problems or the export fails its check, 2 on unusable input."
        ),
    )
    export.add_argument("file", metavar="FILE", help="project file (.nnd)")
    export.add_argument("--python", metavar="OUT.py", help="write the design as a standalone PyTorch file")
    export.add_argument(
        "--weights",
        action="store_true",
        help="with --python: also write the trained weights as OUT.safetensors (the file loads them when run)",
    )
    export.add_argument("--onnx", metavar="OUT.onnx", help="write the design as an ONNX model")
    export.add_argument(
        "--opset",
        type=_opset,
        default=DEFAULT_OPSET,
        metavar="N",
        help=f"ONNX opset version, {MIN_OPSET} to {MAX_OPSET} (default {DEFAULT_OPSET})",
    )
    export.add_argument("--no-verify", action="store_true", help="skip checking the ONNX model with onnx.checker and onnxruntime")
    export.add_argument("--untrained", action="store_true", help="export freshly initialised weights even when trained weights exist")
    export.set_defaults(handler=_export)


def _opset(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not MIN_OPSET <= value <= MAX_OPSET:
        raise argparse.ArgumentTypeError(f"{value} is outside {MIN_OPSET} to {MAX_OPSET}")
    return value


def _export(args: argparse.Namespace) -> int:
    from designer.compile import CompileError, ExportError, trained_weights
    from designer.train.errors import TrainError
    from designer.train.memory import out_of_memory_as_error

    if not args.python and not args.onnx:
        raise UsageError("nothing to export: give --python OUT.py or --onnx OUT.onnx (or both)")
    if args.weights and not args.python:
        raise UsageError("--weights goes with --python (an ONNX file always holds its weights)")
    if args.weights and args.untrained:
        raise UsageError("--weights writes the trained weights; it cannot go with --untrained")
    project = _load(args.file)
    errors = [p for p in project.graph.validate() if p.severity == ERROR]
    if errors:
        for problem in errors:
            print(f"{args.file}: {problem.node or 'design'}: error: {problem.message}", file=sys.stderr)
        print(f"designer: error: {args.file}: the design has problems; fix them, then export", file=sys.stderr)
        return PROBLEMS
    device = _check_memory(project, args.file)
    try:
        weights = None if args.untrained else trained_weights(project)
    except ProjectError as exc:
        raise UsageError(f"{exc} (or export with --untrained)") from None
    try:
        with out_of_memory_as_error(project.graph, device, EXPORT_BATCH, training=False, batch_advice=False):
            if args.python:
                _python(project, args, weights)
            if args.onnx:
                _onnx(project, args, weights)
    except TrainError as exc:  # out of memory after all
        raise UsageError(f"{args.file}: {exc}") from None
    except ProjectError as exc:  # weights of this design whose tensors do not fit it, named
        raise UsageError(f"{project.weights_path}: {exc} (or export with --untrained)") from None
    except CompileError as exc:  # validate() said the design compiles; kept for safety
        print(f"designer: error: {exc}", file=sys.stderr)
        return PROBLEMS
    except ExportError as exc:
        print(f"designer: error: {exc}", file=sys.stderr)
        return PROBLEMS
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or 'the output'}: {exc.strerror or exc}") from None
    return OK


def _check_memory(project: Project, path: str) -> torch.device:
    """The CPU the export runs on; UsageError when the design's weights would not fit in its memory."""
    import torch

    from designer.train.errors import TrainError
    from designer.train.memory import check_design_memory

    device = torch.device("cpu")
    try:
        check_design_memory(project.graph, device, EXPORT_BATCH, training=False, batch_advice=False)
    except TrainError as exc:
        raise UsageError(f"{path}: {exc}") from None
    return device


def _python(project: Project, args: argparse.Namespace, weights: dict | None) -> None:
    from designer.compile import export_python

    if args.weights and weights is None:
        raise UsageError(f"{args.file}: no trained weights ({_weights_name(project)}): train the design first, or leave out --weights")
    result = export_python(project.graph, args.python, weights=weights if args.weights else None)
    print(f"wrote {result.path} (class {result.class_name}; needs only torch; run it for a forward pass on random inputs)")
    if result.weights_path:
        print(f"wrote {result.weights_path} (trained weights; {result.path.name} loads them when run)")


def _onnx(project: Project, args: argparse.Namespace, weights: dict | None) -> None:
    from designer.compile import export_onnx

    result = export_onnx(project.graph, args.onnx, opset=args.opset, weights=weights, verify=not args.no_verify)
    size = Path(args.onnx).stat().st_size
    trained = "trained" if weights is not None else f"untrained (no {_weights_name(project)})" if not args.untrained else "untrained"
    print(f"wrote {args.onnx} (opset {result.opset}, {_size(size)}; weights: {trained}; exporter: {result.exporter})")
    ports = [f"{p.name} [{p.display()}]" for p in result.signature.inputs]
    outputs = [f"{p.name} [{p.display()}]" for p in result.signature.outputs]
    print(f"  inputs: {', '.join(ports)}; outputs: {', '.join(outputs)}")
    for note in result.notes:
        print(f"  note: {note}")
    if result.verification is not None:
        print(f"verified: {result.verification.describe()}; {result.seconds:.1f} s")


def _weights_name(project: Project) -> str:
    return project.weights_path.name if project.weights_path else "NAME.safetensors"


def _size(count: int) -> str:
    return f"{count / 1024:.1f} KB" if count < 1 << 20 else f"{count / (1 << 20):.1f} MB"
