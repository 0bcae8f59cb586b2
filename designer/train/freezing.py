"""Frozen nodes and learning-rate factors: which parameters train, and how fast.

A frozen node's parameters get ``requires_grad = False`` and stay out of the
optimizer (no gradient, no optimizer state), so training leaves them
bit-identical; a frozen normalisation layer also stays in eval mode, so its
running statistics are kept too. Every other node's parameters go into an
optimizer parameter group per learning-rate factor (the run's rate times the
factor); the factor-1 group comes first, so a schedule's reported rate is the
run's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from designer.train.errors import TrainError

if TYPE_CHECKING:
    import torch

    from designer.compile import CompiledDesign
    from designer.graph import Graph

FACTOR_KEY = "lr_factor"  # the factor, kept in each parameter group (torch keeps extra keys)


def frozen_fresh(graph: Graph) -> str:
    """'conv1, conv2 are frozen with fresh random weights and will not learn' for a design's
    frozen nodes, as a run without weights to start from would leave them ('' when none is
    frozen): the transfer sample trained before its pretrained weights were loaded
    'finished' near chance without a word."""
    frozen = [n.id for n in graph.nodes if n.frozen]
    if not frozen:
        return ""
    names = ", ".join(frozen[:3]) + (f" and {len(frozen) - 3} more" if len(frozen) > 3 else "")
    return f"{names} {'is' if len(frozen) == 1 else 'are'} frozen with fresh random weights and will not learn"


def node_modules(module: torch.nn.Module, compiled: CompiledDesign, node_ids: frozenset[str] | set[str]) -> dict[str, torch.nn.Module]:
    """node id -> its submodule, for the given nodes that have one (layers with weights or modules)."""
    attributes = compiled.generated.attributes
    return {nid: getattr(module, attributes[nid]) for nid in sorted(node_ids) if nid in attributes}


def parameter_groups(module: torch.nn.Module, compiled: CompiledDesign) -> list[dict[str, Any]]:
    """Freeze the frozen nodes' parameters and group the rest by learning-rate
    factor, as optimizer parameter groups; TrainError when every parameter is frozen."""
    frozen_ids: set[int] = set()
    for part in node_modules(module, compiled, compiled.frozen).values():
        for parameter in part.parameters():
            parameter.requires_grad_(False)
            frozen_ids.add(id(parameter))
    factor_of: dict[int, float] = {}
    for nid, part in node_modules(module, compiled, set(compiled.lr_factors)).items():
        for parameter in part.parameters():
            factor_of[id(parameter)] = compiled.lr_factors[nid]
    groups: dict[float, list[torch.nn.Parameter]] = {1.0: []}
    every = list(module.parameters())
    for parameter in every:
        if id(parameter) not in frozen_ids and parameter.requires_grad:
            groups.setdefault(factor_of.get(id(parameter), 1.0), []).append(parameter)
    result = [{"params": params, FACTOR_KEY: factor} for factor, params in groups.items() if params]
    if every and not result:
        raise TrainError("every layer with weights is frozen, so there is nothing to train: unfreeze at least one")
    return result


def keep_frozen_norms(module: torch.nn.Module, compiled: CompiledDesign) -> None:
    """Put frozen nodes' layers that keep running statistics (BatchNorm) in
    eval mode; called after every ``module.train()``."""
    for part in node_modules(module, compiled, compiled.frozen).values():
        for layer in part.modules():
            if getattr(layer, "track_running_stats", False):
                layer.eval()


def trainable_count(module: torch.nn.Module) -> tuple[int, int]:
    """(trainable, frozen) parameter element counts, as torch counts them."""
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in module.parameters() if not p.requires_grad)
    return trainable, frozen
