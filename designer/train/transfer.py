"""Loading weights into a design from another network: transfer learning.

The source is a state dict (from any ``.safetensors`` the designer wrote:
another run of this design, another design, an imported model). Its tensors
are grouped by their first name part (a node's attribute), and each node of
the design that has weights is matched in two passes: first by its own name,
then, for nodes the file has no group of that name for, by a group whose
tensors have exactly the node's names and shapes, in graph order (walking
forward through the file's groups, so layers keep their order). A matched
node takes every tensor of its group; any other node keeps its fresh
initialisation, and the report says why. Partial loads are the point: a
backbone loads, a new head stays fresh.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from designer.project.weights import ORDER_KEY, load_weights, read_metadata

if TYPE_CHECKING:
    import torch

    from designer.compile import CompiledDesign

LOADED, KEPT = "loaded", "kept"
BY_NAME, BY_SHAPE = "same name", "same shapes, in order"
Shapes = dict[str, tuple[int, ...]]  # tensor name inside a group -> shape


@dataclass(frozen=True)
class NodeLoad:
    """What happened to one node with weights: loaded from ``source`` (a group
    of the file) and how, or kept its initialisation and why."""

    node: str
    status: str  # LOADED or KEPT
    source: str  # the file's group it came from ("" when kept)
    reason: str  # BY_NAME or BY_SHAPE when loaded; why not when kept


@dataclass(frozen=True)
class TransferReport:
    nodes: list[NodeLoad]
    unused: list[str] = field(default_factory=list)  # the file's groups no node took

    @property
    def loaded(self) -> list[str]:
        return [n.node for n in self.nodes if n.status == LOADED]

    @property
    def kept(self) -> list[str]:
        return [n.node for n in self.nodes if n.status == KEPT]

    def lines(self) -> list[str]:
        """One line per node, then the file's unused groups (what the window and the command line show)."""
        width = max((len(n.node) for n in self.nodes), default=0)
        rows = [
            f"{n.node.ljust(width)}  loaded from {n.source} ({n.reason})" if n.status == LOADED else f"{n.node.ljust(width)}  kept its initialisation: {n.reason}"
            for n in self.nodes
        ]
        if self.unused:
            rows.append(f"not used from the file: {', '.join(self.unused)}")
        return rows

    def headline(self) -> str:
        return f"{len(self.loaded)} of {len(self.nodes)} layers with weights loaded, {len(self.kept)} kept their initialisation"


def group_state(state: Mapping[str, torch.Tensor]) -> dict[str, dict[str, torch.Tensor]]:
    """A state dict grouped by its first name part: {"conv1": {"weight": ..., "bias": ...}}."""
    groups: dict[str, dict[str, torch.Tensor]] = {}
    for name, tensor in state.items():
        head, _, rest = name.partition(".")
        groups.setdefault(head, {})[rest] = tensor
    return groups


def transfer(
    compiled: CompiledDesign, fresh: Mapping[str, torch.Tensor], source: Mapping[str, torch.Tensor], order: list[str] | None = None
) -> tuple[dict[str, torch.Tensor], TransferReport]:
    """``fresh`` (a new module's state dict) with the matching tensors of
    ``source`` put in, and the report. ``order``: the source's groups in its
    graph order (by default the natural order of their names)."""
    targets = group_state(fresh)
    sources = group_state(source)
    source_order = [g for g in (order or []) if g in sources]
    source_order += sorted((g for g in sources if g not in source_order), key=_natural)
    attributes = compiled.generated.attributes
    node_groups = [(nid, attr) for nid, attr in attributes.items() if attr in targets]
    taken: dict[str, tuple[str, str]] = {}  # node -> (group, how)
    reasons: dict[str, str] = {}
    used: set[str] = set()
    for nid, attr in node_groups:
        name = attr if attr in sources else nid if nid in sources else None
        if name is None:
            continue
        differs = _difference(_shapes(targets[attr]), _shapes(sources[name]))
        if differs:
            reasons[nid] = differs
        else:
            taken[nid] = (name, BY_NAME)
            used.add(name)
    position = 0
    for nid, attr in node_groups:
        if nid in taken or nid in reasons:
            continue
        wanted = _shapes(targets[attr])
        for index in range(position, len(source_order)):
            name = source_order[index]
            if name not in used and name not in attributes.values() and _shapes(sources[name]) == wanted:
                taken[nid] = (name, BY_SHAPE)
                used.add(name)
                position = index + 1
                break
        else:
            reasons[nid] = "no layer in the file has its tensors' shapes" + (" (after the ones already matched)" if position else "")
    state = dict(fresh)
    nodes = []
    for nid, attr in node_groups:
        if nid in taken:
            name, how = taken[nid]
            for rest, tensor in sources[name].items():
                key = f"{attr}.{rest}" if rest else attr
                state[key] = tensor.detach().to(dtype=fresh[key].dtype).clone()
            nodes.append(NodeLoad(nid, LOADED, name, how))
        else:
            nodes.append(NodeLoad(nid, KEPT, "", reasons[nid]))
    return state, TransferReport(nodes, [g for g in source_order if g not in used])


@dataclass(frozen=True)
class WeightsSource:
    """Weights read from a file, to start a design's runs from (what fits is
    decided against the design as it is when a run starts)."""

    name: str  # the file's name, for messages
    tensors: Mapping[str, torch.Tensor] = field(repr=False)
    order: list[str] = field(default_factory=list)


def read_source(path: str | os.PathLike[str]) -> WeightsSource:
    """The tensors of a weights file and its layers' order; ProjectError when it cannot be read."""
    tensors = load_weights(path)
    order = [g for g in read_metadata(path).get(ORDER_KEY, "").split(",") if g]
    return WeightsSource(os.path.basename(os.fspath(path)), tensors, order)


def start_state(compiled: CompiledDesign, source: WeightsSource, seed: int) -> tuple[dict[str, torch.Tensor], TransferReport]:
    """A fresh module's weights (torch seeded with ``seed``, as the trainer
    seeds it) with what fits from ``source``, and the report."""
    import torch

    torch.manual_seed(seed)
    fresh = {k: v.detach().clone() for k, v in compiled.new_module().state_dict().items()}
    return transfer(compiled, fresh, source.tensors, source.order)


def init_from_file(compiled: CompiledDesign, path: str | os.PathLike[str], seed: int) -> tuple[dict[str, torch.Tensor], TransferReport]:
    """:func:`start_state` from the weights file at ``path``; raises
    ProjectError when the file cannot be read."""
    return start_state(compiled, read_source(path), seed)


def _shapes(group: Mapping[str, torch.Tensor]) -> Shapes:
    return {name: tuple(tensor.shape) for name, tensor in group.items()}


def _difference(here: Shapes, there: Shapes) -> str:
    """'' when both groups hold the same tensors with the same shapes; else
    what differs, in words."""
    for name, shape in here.items():
        label = name or "tensor"
        if name not in there:
            return f"the file's layer has no {label}"
        if there[name] != shape:
            return f"shape differs: {label} is {_dims(shape)} here, {_dims(there[name])} in the file"
    extra = sorted(set(there) - set(here))
    return f"the file's layer also has {', '.join(extra)}" if extra else ""


def _dims(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape)) if shape else "a scalar"


def _natural(name: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
