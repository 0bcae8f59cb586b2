"""Undo commands: each one touches only the model, through its methods.

Every command is built from values checked *before* it is pushed (the
document does the checking), so ``redo`` never fails half way.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtGui import QUndoCommand

from designer.graph import Edge, Graph, Node
from designer.graph.model import Position, check_lr_factor
from designer.project.settings import Settings

MERGE_SET_PARAM = 1001


class AddNodeCommand(QUndoCommand):
    def __init__(
        self,
        graph: Graph,
        type_name: str,
        params: Mapping[str, Any],
        position: Position,
        node_id: str | None = None,
        parent: QUndoCommand | None = None,
    ) -> None:
        super().__init__(f"Add {type_name}", parent)
        self.graph = graph
        self.type_name = type_name
        self.params = graph.check_params(type_name, params)
        self.position = position
        self.node_id = node_id or graph.new_id(type_name)

    def redo(self) -> None:
        self.graph.add_node(self.type_name, self.params, node_id=self.node_id, position=self.position)

    def undo(self) -> None:
        self.graph.remove_node(self.node_id)


class RemoveNodesCommand(QUndoCommand):
    """Removes nodes with their edges; undo puts each back at its old place."""

    def __init__(self, graph: Graph, node_ids: list[str], parent: QUndoCommand | None = None) -> None:
        count = len(node_ids)
        super().__init__(f"Delete {node_ids[0]}" if count == 1 else f"Delete {count} nodes", parent)
        self.graph = graph
        self.node_ids = sorted(dict.fromkeys(node_ids), key=graph.index_of)
        self.removed: list[tuple[int, Node]] = []
        self.edges: list[Edge] = []

    def redo(self) -> None:
        self.removed = [(self.graph.index_of(nid), self.graph.node(nid)) for nid in self.node_ids]
        edges: dict[Edge, None] = {}
        with self.graph.batch():
            for nid in self.node_ids:
                for edge in self.graph.inputs_of(nid) + self.graph.outputs_of(nid):
                    edges[edge] = None
            self.edges = list(edges)
            self.graph.remove_nodes(self.node_ids)

    def undo(self) -> None:
        with self.graph.batch():
            for index, node in self.removed:
                self.graph.add_node(
                    node.type, dict(node.params), node_id=node.id, position=node.position, check=False, index=index,
                    frozen=node.frozen, lr_factor=node.lr_factor,
                )
            for edge in self.edges:
                self.graph.restore_edge(edge)


class ConnectCommand(QUndoCommand):
    def __init__(self, graph: Graph, edge: Edge, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Connect {edge.source} to {edge.target}", parent)
        self.graph, self.edge = graph, edge

    def redo(self) -> None:
        self.graph.restore_edge(self.edge)

    def undo(self) -> None:
        self.graph.disconnect(self.edge)


class DisconnectCommand(QUndoCommand):
    def __init__(self, graph: Graph, edge: Edge, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Disconnect {edge.source} from {edge.target}", parent)
        self.graph, self.edge = graph, edge

    def redo(self) -> None:
        self.graph.disconnect(self.edge)

    def undo(self) -> None:
        self.graph.restore_edge(self.edge)


class SetParamCommand(QUndoCommand):
    """Consecutive changes of the same parameter merge into one undo step."""

    def __init__(self, graph: Graph, node_id: str, name: str, value: Any, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Set {node_id}.{name}", parent)
        self.graph, self.node_id, self.name = graph, node_id, name
        self.new = graph.spec(node_id).check_param(name, value)
        self.old = graph.node(node_id).params[name]

    def id(self) -> int:
        return MERGE_SET_PARAM

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        if not isinstance(other, SetParamCommand) or (other.node_id, other.name) != (self.node_id, self.name):
            return False
        self.new = other.new
        return True

    def redo(self) -> None:
        self.graph.set_param(self.node_id, self.name, self.new, check=False)

    def undo(self) -> None:
        self.graph.set_param(self.node_id, self.name, self.old, check=False)


class SetNodeTrainingCommand(QUndoCommand):
    """Freeze or unfreeze nodes and set their learning-rate factor: one undo
    step however many nodes it changes (None keeps a value)."""

    def __init__(
        self, graph: Graph, node_ids: list[str], frozen: bool | None, lr_factor: float | None, parent: QUndoCommand | None = None
    ) -> None:
        what = ("Freeze" if frozen else "Unfreeze") if frozen is not None else "Set learning-rate factor of"
        super().__init__(f"{what} {node_ids[0]}" if len(node_ids) == 1 else f"{what} {len(node_ids)} nodes", parent)
        self.graph, self.frozen = graph, frozen
        self.lr_factor = check_lr_factor(lr_factor) if lr_factor is not None else None
        self.old = {nid: (graph.node(nid).frozen, graph.node(nid).lr_factor) for nid in node_ids}

    def redo(self) -> None:
        with self.graph.batch():
            for nid in self.old:
                self.graph.set_node_training(nid, self.frozen, self.lr_factor)

    def undo(self) -> None:
        with self.graph.batch():
            for nid, (frozen, factor) in self.old.items():
                self.graph.set_node_training(nid, frozen, factor)


class SetStartWeightsCommand(QUndoCommand):
    """The weights the design's next runs start from (None: fresh ones)."""

    def __init__(self, document: Any, source: Any, text: str, parent: QUndoCommand | None = None) -> None:
        super().__init__(text, parent)
        self.document, self.new, self.old = document, source, document.start_weights

    def redo(self) -> None:
        self.document.set_start_weights(self.new)

    def undo(self) -> None:
        self.document.set_start_weights(self.old)


class MoveNodesCommand(QUndoCommand):
    def __init__(
        self, graph: Graph, old: Mapping[str, Position], new: Mapping[str, Position], text: str = "", parent: QUndoCommand | None = None
    ) -> None:
        super().__init__(text or (f"Move {next(iter(new))}" if len(new) == 1 else f"Move {len(new)} nodes"), parent)
        self.graph, self.old, self.new = graph, dict(old), dict(new)

    def redo(self) -> None:
        self.graph.move_nodes(self.new)

    def undo(self) -> None:
        self.graph.move_nodes(self.old)


class RenameNodeCommand(QUndoCommand):
    def __init__(self, graph: Graph, old_id: str, new_id: str, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Rename {old_id} to {new_id}", parent)
        self.graph, self.old_id, self.new_id = graph, old_id, new_id

    def redo(self) -> None:
        self.graph.rename_node(self.old_id, self.new_id)

    def undo(self) -> None:
        self.graph.rename_node(self.new_id, self.old_id)


class PasteCommand(QUndoCommand):
    """The first redo picks free ids; later redos reuse exactly those."""

    def __init__(self, graph: Graph, records: Mapping[str, Any], offset: Position, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Paste {len(records.get('nodes', []))} nodes", parent)
        self.graph, self.records, self.offset = graph, records, offset
        self.node_ids: list[str] = []

    def redo(self) -> None:
        mapping = self.graph.paste(self.records, self.offset)
        if not self.node_ids:
            self.node_ids = list(mapping.values())
            self.records, self.offset = self.graph.records(self.node_ids), (0.0, 0.0)

    def undo(self) -> None:
        self.graph.remove_nodes(self.node_ids)


class UpdateSettingsCommand(QUndoCommand):
    """Training or data settings, written through the checked ``Settings`` object."""

    def __init__(self, settings: Settings, values: Mapping[str, Any], text: str, parent: QUndoCommand | None = None) -> None:
        super().__init__(text, parent)
        self.settings = settings
        self.new = settings.check_many(values)  # raises ParamError before anything is pushed
        self.old = {key: copy.deepcopy(settings[key]) for key in self.new}

    def redo(self) -> None:
        self.settings.update(self.new)

    def undo(self) -> None:
        self.settings.update(self.old)


class SetSettingCommand(QUndoCommand):
    """A project field without a declaration (name, description)."""

    def __init__(
        self, read: Callable[[], Any], write: Callable[[Any], None], value: Any, text: str, parent: QUndoCommand | None = None
    ) -> None:
        super().__init__(text, parent)
        self.read, self.write = read, write
        self.old, self.new = read(), value

    def redo(self) -> None:
        self.write(self.new)

    def undo(self) -> None:
        self.write(self.old)
