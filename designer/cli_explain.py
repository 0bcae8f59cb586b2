"""``designer explain``: a thin wrapper over designer.insight's attributions.

Exit codes: 0 explained, 1 the design has problems, 2 unusable input (no such
node, Grad-CAM on a non-convolution, a sample out of range, weights of another
design or no weights file): one line, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from designer.cli import OK, PROBLEMS, UsageError, _load

if TYPE_CHECKING:
    from designer.insight import Attribution, Inspector
    from designer.project import Project

ATTRIBUTION_BATCH = 64  # samples an attribution runs at once (integrated gradients' steps, occlusion's windows)
METHOD_CHOICES = (
    "saliency",
    "integrated-gradients",
    "occlusion",
    "gradcam",
)  # designer.insight.METHODS, without importing torch for --help


def register(commands: argparse._SubParsersAction) -> None:
    explain = commands.add_parser(
        "explain",
        help="which parts of one input made the network answer as it did (saliency, integrated gradients, occlusion, Grad-CAM)",
        description=(
            "Attribute one validation sample's output to its input with captum, using trained weights "
            "(NAME.safetensors beside FILE unless --weights is given). Writes a picture (--out): the image with the "
            "attribution as a heat map over it, a signed bar per feature for tabular data, or a time line for sequences; "
            "blue is negative, white zero, red positive. --json prints the numbers. Exit 0 when done, 1 when the design "
            "has problems, 2 on unusable input."
        ),
    )
    explain.add_argument("file", metavar="FILE", help="project file (.nnd)")
    explain.add_argument("--weights", metavar="W", help="trained weights of this design (default: NAME.safetensors beside FILE)")
    explain.add_argument("--sample", type=int, default=0, metavar="N", help="index into the validation split (default 0)")
    explain.add_argument(
        "--method", choices=METHOD_CHOICES, default="integrated-gradients", help="attribution method (default integrated-gradients)"
    )
    explain.add_argument("--node", metavar="ID", help="gradcam: the convolution node (default: the last convolution)")
    explain.add_argument("--target", metavar="CLASS", help="the output to explain: a class index or name (default: the predicted class)")
    explain.add_argument("--out", metavar="PNG", help="write the picture here")
    explain.add_argument("--json", action="store_true", help="print the attribution as JSON")
    explain.set_defaults(handler=_explain)


def _explain(args: argparse.Namespace) -> int:
    from designer.insight import DesignNotReady, InsightError, Inspector

    if not args.out and not args.json:
        raise UsageError("nothing to write: give --out PICTURE.png, or --json to print the numbers")
    if args.out and Path(args.out).suffix.lower() != ".png":
        raise UsageError(f"{args.out}: the picture is written as PNG: name it .png")
    project = _load(args.file)
    weights = _weights_path(project, args)
    _check_memory(project, args.file)
    try:
        inspector = Inspector(project, weights)
        target = _target(inspector, args.target)
        result = inspector.attribute(args.sample, args.method, target, args.node)
    except DesignNotReady as exc:
        if not exc.problems:
            raise UsageError(f"{args.file}: {exc}") from None
        for problem in exc.problems:
            print(f"{args.file}: {problem.node or 'design'}: {problem.severity}: {problem.message}", file=sys.stderr)
        return PROBLEMS
    except InsightError as exc:
        raise UsageError(str(exc)) from None
    if args.out:
        from designer.insight.figure import write_png

        try:
            path = write_png(result, project.name, args.out)
        except OSError as exc:
            raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        if not args.json:
            print(f"wrote {path} ({_summary(result)})")
    if args.json:
        print(json.dumps(as_json(result, project.name), indent=1))
    return OK


def _check_memory(project: Project, path: str) -> None:
    """UsageError when the design would not fit in free memory for an attribution (run on the CPU)."""
    import torch

    from designer.train.errors import TrainError
    from designer.train.memory import check_design_memory

    try:
        check_design_memory(project.graph, torch.device("cpu"), ATTRIBUTION_BATCH, training=False, batch_advice=False)
    except TrainError as exc:
        raise UsageError(f"{path}: {exc}") from None


def _weights_path(project: Project, args: argparse.Namespace) -> Path:
    if args.weights:
        path = Path(args.weights)
        if not os.path.isfile(path):  # never raises, for a name too long as for a missing one
            raise UsageError(f"{args.weights}: no such weights file")
        return path
    path = project.weights_path
    if path is None or not os.path.exists(path):
        name = path.name if path is not None else "NAME.safetensors"
        raise UsageError(f"{args.file}: no trained weights ({name}): run 'designer train {args.file}' first, or pass --weights")
    return path


def _target(inspector: Inspector, text: str | None) -> int | None:
    """A class index, or a class name of the project's data."""
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        names = inspector.data.class_names
        if text in names:
            return names.index(text)
        known = f" (classes: {', '.join(names)})" if names else " (the data has no class names: give an output index)"
        raise UsageError(f"--target {text}: no such class{known}") from None


def _summary(result: Attribution) -> str:
    if result.predicted is None:
        return f"{result.method} on sample {result.sample}, output {result.target}"
    return (
        f"{result.method} on sample {result.sample}: predicted {result.class_name(result.predicted)}, true {result.class_name(result.true)}"
    )


def as_json(result: Attribution, design: str) -> dict[str, Any]:
    """The attribution's numbers, JSON-ready."""
    return {
        "design": design,
        "method": result.method,
        "sample": result.sample,
        "node": result.node,
        "target": result.target,
        "target_name": result.class_name(result.target),
        "predicted": result.predicted,
        "predicted_name": result.class_name(result.predicted) if result.predicted is not None else None,
        "true": result.true,
        "true_name": result.class_name(result.true) if result.true is not None else None,
        "kind": result.kind,
        "convergence_delta": result.delta,
        "output": result.output.tolist(),
        "feature_names": result.feature_names,
        "by_position": result.by_position.tolist(),
        "values": result.values.tolist(),
    }
