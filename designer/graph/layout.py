"""Automatic layout: left to right by topological depth (networkx).

Columns are the longest path from an input. Rows follow the main path: a
node stays on the row of its first input; when a node feeds several
layers, the first keeps the row and the others branch below, so a skip
connection runs straight along the main row while the block it skips sits
underneath. Nodes in a cycle are placed in one column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from designer.graph.model import Graph, Position

COLUMN_WIDTH = 270.0  # node width plus room for the shape label on the wire
ROW_HEIGHT = 120.0


def auto_layout(graph: Graph) -> dict[str, Position]:
    g = nx.DiGraph()
    g.add_nodes_from(graph.node_ids())
    g.add_edges_from((e.source, e.target) for e in graph.iter_edges())
    index = {nid: i for i, nid in enumerate(graph.node_ids())}
    if not nx.is_directed_acyclic_graph(g):
        return {nid: (0.0, i * ROW_HEIGHT) for i, nid in enumerate(graph.node_ids())}
    order = list(nx.lexicographical_topological_sort(g, key=index.__getitem__))
    column: dict[str, int] = {}
    for nid in order:
        column[nid] = max((column[p] + 1 for p in g.predecessors(nid)), default=0)
    row: dict[str, int] = {}
    taken: set[tuple[int, int]] = set()
    roots = 0
    for nid in order:
        inputs = graph.inputs_of(nid)
        if not inputs:
            wanted, roots = roots, roots + 1
        else:
            main = min(inputs, key=lambda e: (row[e.source], e.port)).source
            wanted = row[main] + _branch_rank(graph, main, nid, index)
        while (column[nid], wanted) in taken:
            wanted += 1
        row[nid] = wanted
        taken.add((column[nid], wanted))
    return {nid: (column[nid] * COLUMN_WIDTH, row[nid] * ROW_HEIGHT) for nid in graph.node_ids()}


def _branch_rank(graph: Graph, source: str, nid: str, index: dict[str, int]) -> int:
    """0 for the consumer of ``source`` that continues its row (a merge if
    there is one, else the first added); 1, 2... for the branches."""
    consumers = list(dict.fromkeys(e.target for e in graph.outputs_of(source)))
    consumers.sort(key=lambda t: (graph.catalog.get(graph.node(t).type).max_inputs is not None, index[t]))
    return consumers.index(nid) if nid in consumers else 0
