"""Undo commands for blocks: Make block, Expand block, Make unique, adding a
block to the design, and edits of a block's definition.

A block edit changes nodes, wires and definitions at once, so these
commands keep whole snapshots of the design (its nodes in order, its wires,
its block definitions) and undo or redo by bringing the graph back to one
of them through the model's own methods: only what differs is touched, so
the canvas keeps its items and the design comes back identical.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QUndoCommand

from designer.graph import Edge, Graph, Node


@dataclass(frozen=True)
class DesignState:
    """Everything a block edit may change: nodes (copies, in order), wires, definitions."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    blocks: dict[str, Any]

    @classmethod
    def of(cls, graph: Graph) -> DesignState:
        return cls(
            tuple(copy.deepcopy(node) for node in graph.nodes),
            tuple(graph.edges),
            {name: copy.deepcopy(definition) for name, definition in graph.blocks.items()},
        )


def restore(graph: Graph, state: DesignState) -> None:
    """Bring ``graph`` to ``state``, changing only what differs, as one batch."""
    wanted = {node.id: node for node in state.nodes}
    current = {node.id: node for node in graph.nodes}
    wanted_edges = set(state.edges)
    gone = [nid for nid, node in current.items() if nid not in wanted or wanted[nid].type != node.type]
    with graph.batch():
        for edge in graph.edges:
            if edge not in wanted_edges or edge.source in gone or edge.target in gone:
                graph.disconnect(edge)
        if gone:
            graph.remove_nodes(gone)
        _restore_definitions(graph, state.blocks)
        for index, node in enumerate(state.nodes):
            if node.id not in graph:
                graph.add_node(
                    node.type, copy.deepcopy(node.params), node_id=node.id, position=node.position, check=False,
                    index=index, frozen=node.frozen, lr_factor=node.lr_factor,
                )
            else:
                _restore_node(graph, node)
        for edge in state.edges:
            if edge not in graph.inputs_of(edge.target):
                graph.restore_edge(edge)


def _restore_node(graph: Graph, wanted: Node) -> None:
    node = graph.node(wanted.id)
    for name, value in wanted.params.items():
        if name not in node.params or node.params[name] != value or type(node.params[name]) is not type(value):
            if name in node.params:
                graph.set_param(node.id, name, copy.deepcopy(value), check=False)
            else:  # a parameter the definition's edit took away: put it back as it was
                node.params[name] = copy.deepcopy(value)
    for name in [n for n in node.params if n not in wanted.params]:
        del node.params[name]
    if node.position != wanted.position:
        graph.move_nodes({node.id: wanted.position})
    graph.set_node_training(node.id, wanted.frozen, wanted.lr_factor)


def _restore_definitions(graph: Graph, wanted: Mapping[str, Any]) -> None:
    """Definitions as in ``wanted``: changed ones replaced, new ones added, the
    others removed (a block holding another goes first)."""
    for name, definition in wanted.items():
        if name in graph.blocks and graph.blocks[name] != definition:
            graph.set_block_definition(name, copy.deepcopy(definition))
    pending = [name for name in wanted if name not in graph.blocks]
    while pending:  # a block after the blocks it holds
        ready = [n for n in pending if not (wanted[n].node_types() & set(pending) - {n})] or pending[:1]
        for name in ready:
            graph.add_block_definition(copy.deepcopy(wanted[name]))
            pending.remove(name)
    extra = [name for name in graph.blocks if name not in wanted]
    while extra:  # a block holding another goes first
        held = {t for name in extra for t in graph.blocks[name].node_types()}
        name = next((n for n in extra if n not in held), extra[0])
        graph.remove_block_definition(name)
        extra.remove(name)


class SnapshotCommand(QUndoCommand):
    """An edit the document has already made on the model (checked and done
    there, so a refused edit never reaches the stack): undo and redo bring the
    design back to the state before or after it."""

    def __init__(self, graph: Graph, text: str, before: DesignState, after: DesignState, parent: QUndoCommand | None = None) -> None:
        super().__init__(text, parent)
        self.graph, self.before, self.after = graph, before, after
        self._done = True  # the first redo (the push) finds the edit made

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        restore(self.graph, self.after)

    def undo(self) -> None:
        restore(self.graph, self.before)


class SetBlockDefinitionCommand(QUndoCommand):
    """An edit inside a block (its own tab): the definition before and after,
    shared by every instance, so all of them change in one undo step.
    ``done``: the edit is made already (the first redo, the push, skips it)."""

    def __init__(
        self, graph: Graph, name: str, old: Any, new: Any, text: str, done: bool = False, parent: QUndoCommand | None = None
    ) -> None:
        super().__init__(text, parent)
        self.graph, self.name, self.old, self.new = graph, name, copy.deepcopy(old), copy.deepcopy(new)
        self._done = done

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.graph.set_block_definition(self.name, copy.deepcopy(self.new))

    def undo(self) -> None:
        self.graph.set_block_definition(self.name, copy.deepcopy(self.old))
