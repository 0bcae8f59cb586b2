"""Comparing two designs as the import round trips require: the same nodes
(ids, types, parameters) and edges, positions aside; and running a design
with given weights."""

from __future__ import annotations

import torch

from designer.compile import compile_design, export_module, generate, random_inputs, signature
from designer.graph import Graph


def nodes(graph: Graph) -> list[tuple[str, str, dict]]:
    return [(n.id, n.type, dict(n.params)) for n in graph.nodes]


def edges(graph: Graph) -> list[tuple[str, str, int]]:
    return sorted((e.source, e.target, e.port) for e in graph.edges)


def assert_same_design(original: Graph, imported: Graph) -> None:
    assert nodes(imported) == nodes(original)
    assert edges(imported) == edges(original)


def seeded_module(graph: Graph, seed: int = 0) -> torch.nn.Module:
    """The compiled design in eval mode with seeded fresh weights."""
    return export_module(compile_design(graph), None, seed=seed)


def example_batch(graph: Graph, batch: int = 3) -> tuple[torch.Tensor, ...]:
    torch.manual_seed(1)
    return tuple(random_inputs(signature(graph, generate(graph)), batch))


def outputs(graph: Graph, weights: dict, inputs: tuple[torch.Tensor, ...]) -> torch.Tensor:
    module = export_module(compile_design(graph), weights)
    with torch.no_grad():
        return module(*inputs)
