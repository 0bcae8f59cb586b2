"""``designer import``: an ONNX file or a PyTorch class -> a project with its weights.

Exit codes: 0 imported, 2 unusable input (a file that cannot be read, a
model with parts that have no equivalent, unless --partial). Nothing is
written unless the whole import succeeds.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from designer.cli import OK, UNUSABLE, UsageError

_SHAPE = re.compile(r"^\s*\d+(\s*[x,]\s*\d+)*\s*$")


def register(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "import",
        help="turn an ONNX file or a PyTorch class into a design with its weights",
        description=(
            "Import a model as an editable design: MODEL.onnx, or a Python file with --class NAME and --input-shape. "
            "Writes OUT.nnd (default: MODEL's name with .nnd) and its weights as OUT.safetensors, after checking that "
            "the design computes what the model computes. Operations with no equivalent in the designer are listed, "
            "one line each, and nothing is written, unless --partial keeps them as placeholders that fail 'designer "
            "check' until replaced. Importing a .py file RUNS that file (with the permissions of this command): import "
            "only code you trust. Opening a project never runs code."
        ),
    )
    command.add_argument("model", metavar="MODEL", help="an .onnx file, or a .py file defining a torch.nn.Module class")
    command.add_argument("-o", "--out", metavar="OUT.nnd", help="the project to write (default: MODEL with .nnd)")
    command.add_argument("--class", dest="class_name", metavar="NAME", help="for a .py file: the nn.Module class to import")
    command.add_argument("--args", metavar="JSON", help="for a .py file: the class's arguments, e.g. '{\"classes\": 10}'")
    command.add_argument(
        "--input-shape",
        action="append",
        type=_shape,
        metavar="SHAPE",
        help="one sample's shape without the batch, e.g. 3,32,32: for a .py file, once per input of forward; for an ONNX file, "
        "where it leaves sizes free (a sequence length)",
    )
    command.add_argument(
        "--input-dtype",
        action="append",
        choices=("float32", "int64"),
        help="for a .py file: float32 (default) or int64 token ids, once per input",
    )
    command.add_argument("--weights", metavar="W.safetensors", help="for a .py file: load this state dict into the class before importing")
    command.add_argument("--partial", action="store_true", help="keep unmapped operations as placeholders instead of refusing the model")
    command.set_defaults(handler=_import)


def _shape(text: str) -> list[int]:
    if not _SHAPE.match(text):
        raise argparse.ArgumentTypeError(f"'{text}' is not a shape: give sizes like 3,32,32")
    sizes = [int(v) for v in re.split(r"\s*[x,]\s*", text.strip())]
    if min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"'{text}': sizes must be 1 or more")
    return sizes


def _import(args: argparse.Namespace) -> int:
    from designer.importer import ModelImportError

    source = Path(args.model)
    out = Path(args.out) if args.out else source.with_suffix(".nnd")
    if out.suffix != ".nnd":
        raise UsageError(f"{out}: the project to write must end in .nnd")
    try:
        imported = _read(source, args)
    except ModelImportError as exc:
        _report(source, exc)
        return UNUSABLE
    try:
        project_path, weights_path = imported.save(out)
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or out}: {exc.strerror or exc}") from None
    _summary(imported, project_path, weights_path)
    return OK


def _read(source: Path, args: argparse.Namespace):
    from designer.importer import import_python_file

    python_only = {"--class": args.class_name, "--args": args.args, "--input-dtype": args.input_dtype, "--weights": args.weights}
    if source.suffix == ".py":
        if not args.class_name or not args.input_shape:
            raise UsageError("importing a .py file needs --class NAME and --input-shape (e.g. --input-shape 3,32,32)")
        return import_python_file(
            source,
            args.class_name,
            args.input_shape,
            dtypes=args.input_dtype,
            arguments=args.args,
            weights=args.weights,
            partial=args.partial,
        )
    given = [flag for flag, value in python_only.items() if value]
    if given:
        raise UsageError(f"{', '.join(given)} go{'es' if len(given) == 1 else ''} with a .py file, not {source.suffix or 'this file'}")
    from designer.importer import from_onnx

    if args.input_shape and len(args.input_shape) > 1:
        raise UsageError("an ONNX model is imported with one input: give --input-shape once")
    return from_onnx(source, input_shape=tuple(args.input_shape[0]) if args.input_shape else None, partial=args.partial)


def _report(source: Path, exc) -> None:
    """One line; for unmapped operations, one more line each."""
    unmapped = exc.unmapped
    if len(unmapped) == 1:
        print(f"designer: error: {source}: {unmapped[0].line()} (--partial keeps it as a placeholder)", file=sys.stderr)
        return
    advice = " (--partial keeps them as placeholders):" if unmapped else ""
    print(f"designer: error: {source}: {exc}{advice}", file=sys.stderr)
    for item in unmapped:
        print(f"  {item.line()}", file=sys.stderr)


def _summary(imported, project_path: Path, weights_path: Path | None) -> None:
    graph = imported.graph
    count = graph.analyze().total_params if not imported.partial else None
    size = f"{len(graph)} nodes" + (f", {count:,} parameters" if count is not None else "")
    weights = f" and {weights_path}" if weights_path else ""
    print(f"wrote {project_path} ({size}){weights}, imported from {imported.source}")
    if imported.max_difference is not None:
        print(f"checked: the design's outputs match the model's within {imported.max_difference:.2g}")
    for note in imported.notes:
        print(f"note: {note}")
    if imported.partial:
        print(f"partial: {len(imported.unmapped)} placeholder(s) fail 'designer check' until replaced; no weights written:")
        for item in imported.unmapped:
            print(f"  {item.line()}")
