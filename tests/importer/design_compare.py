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


def flattened(graph: Graph) -> Graph:
    """The design with every block instance expanded, its inner layers named
    ``block1_conv1`` as the importers name a submodule's layers (an importer
    has no blocks: it reads the flat network)."""
    flat = Graph(graph.name, graph.catalog)
    flat.restore(graph.snapshot())
    for node in [n for n in flat.nodes if flat.is_block(n.id)]:
        inner = [r["id"] for r in flat.blocks[node.type].nodes if r["type"] not in ("Input", "Output")]
        with flat.batch():
            for old, wanted in zip(flat.expand_block(node.id), inner):
                flat.rename_node(old, f"{node.id}_{wanted}")
    return flattened(flat) if any(flat.is_block(n.id) for n in flat.nodes) else flat

