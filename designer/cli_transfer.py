"""``designer train --init-from W --freeze IDS``: transfer learning on the command line.

``--init-from`` starts the run from the layers of another network's weights
that fit (by node name, then by shapes in graph order; see
designer.train.transfer) and prints which node got weights from where and
which kept their initialisation; ``--freeze`` freezes nodes for this run (on
top of those the project freezes).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from designer.cli import UsageError

if TYPE_CHECKING:
    import torch

    from designer.compile import CompiledDesign
    from designer.project import Project
    from designer.train.transfer import TransferReport


def add_transfer_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--init-from",
        metavar="W",
        help="start from the weights in W (a .safetensors the designer wrote) where they fit: by node name, then by shapes in order; "
        "a report says which node got weights from where and which kept their initialisation",
    )
    parser.add_argument(
        "--freeze", metavar="ID,...", help="freeze these nodes for this run: training leaves their weights (and BatchNorm statistics) as they are"
    )


def transfer_argv(args: argparse.Namespace) -> list[str]:
    """The same flags again, for the processes of a --nproc run."""
    return [*(["--init-from", args.init_from] if args.init_from else []), *(["--freeze", args.freeze] if args.freeze else [])]


def apply_freeze(project: Project, args: argparse.Namespace) -> None:
    """Freeze the nodes ``--freeze`` names; UsageError naming one the design lacks."""
    if args.init_from and args.resume:
        raise UsageError("--init-from starts a new run from other weights; a resumed run goes on from its own: give one of them")
    if not args.freeze:
        return
    ids = [part.strip() for part in args.freeze.split(",") if part.strip()]
    if not ids:
        raise UsageError("--freeze: give node ids separated by commas, like conv1,conv2")
    graph = project.graph
    for node_id in ids:
        if node_id not in graph:
            raise UsageError(f"--freeze: the design has no node {node_id!r} (its nodes: {', '.join(graph.node_ids())})")
    for node_id in ids:
        graph.set_node_training(node_id, frozen=True)


def initial_weights(
    compiled: CompiledDesign, args: argparse.Namespace, seed: int, show: bool
) -> tuple[dict[str, torch.Tensor] | None, TransferReport | None]:
    """The run's starting weights from ``--init-from`` (None without it), its
    report printed when ``show``; UsageError when the file cannot be used."""
    if not args.init_from:
        return None, None
    from designer.project import ProjectError
    from designer.train.transfer import init_from_file

    try:
        state, report = init_from_file(compiled, args.init_from, seed)
    except ProjectError as exc:
        raise UsageError(str(exc)) from None
    if not report.loaded:
        raise UsageError(f"{args.init_from}: no layer of the file fits the design (by name or by shapes): nothing to start from")
    if show:
        print(f"{args.init_from}: {report.headline()}")
        for line in report.lines():
            print(f"  {line}")
    return state, report
