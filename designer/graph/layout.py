"""Automatic layout: left to right by topological depth (networkx)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from designer.graph.model import Graph, Position

COLUMN_WIDTH = 230.0
ROW_HEIGHT = 120.0


def auto_layout(graph: Graph) -> dict[str, Position]:
    """Positions for every node: column = longest path from a source, rows
    centred on zero and ordered by the mean row of their inputs (fewer
    crossings). Nodes in a cycle go in a last column."""
    g = nx.DiGraph()
    g.add_nodes_from(graph.node_ids())
    g.add_edges_from((e.source, e.target) for e in graph.iter_edges())
    index = {nid: i for i, nid in enumerate(graph.node_ids())}
    acyclic = nx.is_directed_acyclic_graph(g)
    depth: dict[str, int] = {}
    if acyclic:
        for nid in nx.lexicographical_topological_sort(g, key=index.__getitem__):
            depth[nid] = max((depth[p] + 1 for p in g.predecessors(nid)), default=0)
    else:
        for nid in graph.node_ids():
            depth[nid] = 0
    columns: dict[int, list[str]] = {}
    for nid in graph.node_ids():
        columns.setdefault(depth[nid], []).append(nid)
    row: dict[str, float] = {}
    positions: dict[str, Position] = {}
    for column in sorted(columns):
        members = columns[column]
        members.sort(key=lambda n: (_mean(row[p] for p in g.predecessors(n) if p in row), index[n]))
        top = -(len(members) - 1) / 2
        for i, nid in enumerate(members):
            row[nid] = top + i
            positions[nid] = (column * COLUMN_WIDTH, (top + i) * ROW_HEIGHT)
    return positions


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0
