"""Quick fixes: one-click repairs for problems that have an obvious one.

Each fix is a title and a function that edits the document (one undo step).
A layer left without its input (a layer deleted from a chain) is offered the
loose ends nearest it.
A node a fix inserts goes where it covers no other: between the two ends
of its wire, with the nodes downstream moved right when they are too close.
The canvas's context menu, the Problems list and the inspector offer them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from designer.document.document import Document
from designer.graph import GraphError, Problem

MAX_CONNECT_FIXES = 3  # "Connect X to it" fixes offered for one unconnected input


@dataclass(frozen=True)
class QuickFix:
    title: str
    apply: Callable[[], None]


def fixes_for(document: Document, problem: Problem) -> list[QuickFix]:
    graph = document.graph
    node = problem.node
    if node is None or node not in graph:
        return []
    if problem.code == "linear-needs-flatten":
        edge = graph.inputs_of(node)[0]
        return [
            QuickFix("Insert Flatten before it", lambda: document.insert_on_edge(edge, "Flatten"))  # room is made downstream
        ]
    if problem.code == "missing-input" and graph.spec(node).min_inputs == 1:
        return [
            QuickFix(f"Connect {source} to it", lambda source=source: document.connect(source, node))
            for source in _loose_ends(document, node)
        ]
    if problem.code == "channel-mismatch":
        return [QuickFix("Insert 1x1 Conv2d projections so the channels match", lambda: _project_channels(document, node))]
    if problem.suggestion is not None:
        target, param, value = problem.suggestion
        if target in graph:
            shown = "x".join(map(str, value)) if isinstance(value, (list, tuple)) else value
            return [QuickFix(f"Set {target}.{param} to {shown}", lambda: document.set_param(target, param, value))]
    return []


def _loose_ends(document: Document, node: str, most: int = MAX_CONNECT_FIXES) -> list[str]:
    """The layers whose output goes nowhere (the design's "not used" warnings) that could
    feed ``node``, nearest first: deleting a layer from a chain leaves one on each side."""
    graph = document.graph
    x, y = graph.node(node).position
    loose = sorted(
        (nid for nid in document.analysis().unused if nid in graph),
        key=lambda nid: (graph.node(nid).position[0] - x) ** 2 + (graph.node(nid).position[1] - y) ** 2,
    )
    found = []
    for source in loose:
        try:
            graph.check_connect(source, node)
        except GraphError:  # it would make a cycle (the node feeds it)
            continue
        found.append(source)
        if len(found) == most:
            break
    return found


def _project_channels(document: Document, merge: str) -> None:
    graph = document.graph
    analysis = graph.analyze()
    edges = graph.inputs_of(merge)
    widest = max(analysis.nodes[e.source].output.shape[0] for e in edges)  # type: ignore[union-attr]
    with document.macro("Insert 1x1 projections"):
        for edge in edges:
            channels = analysis.nodes[edge.source].output.shape[0]  # type: ignore[union-attr]
            if channels != widest:
                document.insert_on_edge(edge, "Conv2d", None, {"out_channels": widest, "kernel_size": 1})
