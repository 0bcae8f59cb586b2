"""The document's block edits: Make block, Expand block, Make unique, adding
a built-in or library block, renaming and replacing a definition. Each one
is checked and made by the model, then pushed as one undo step that brings
the whole design back exactly (designer.document.block_commands)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from designer.document.block_commands import DesignState, SnapshotCommand, restore
from designer.graph import EditError
from designer.graph.blocks import BlockDefinition, BlockError
from designer.graph.layout import free_position, node_height
from designer.graph.model import Position

if TYPE_CHECKING:
    from designer.graph import Graph

T = TypeVar("T")


class BlockEdits:
    """Mixed into Document (which supplies ``graph``, ``push`` and ``_check_unlocked``)."""

    graph: Graph

    def _snapshot_edit(self, text: str, edit: Callable[[], T]) -> T:
        """Run ``edit`` on the model and push it as one undo step; a refused
        edit (EditError) leaves the design as it was and pushes nothing."""
        self._check_unlocked()  # type: ignore[attr-defined]
        before = DesignState.of(self.graph)
        try:
            result = edit()
        except Exception:
            if DesignState.of(self.graph) != before:
                restore(self.graph, before)
            raise
        after = DesignState.of(self.graph)
        if after != before:
            self.push(SnapshotCommand(self.graph, text, before, after))  # type: ignore[attr-defined]
        return result

    def is_block(self, node_id: str) -> bool:
        """Whether the node is an instance of one of the design's blocks."""
        return node_id in self.graph and self.graph.is_block(node_id)

    def make_block(self, node_ids: Iterable[str], name: str) -> str:
        """Collapse the nodes into one instance of a new block ``name``; returns its id."""
        ids = list(dict.fromkeys(node_ids))
        if not ids:
            raise EditError("select the layers to make a block of")
        order = {nid: i for i, nid in enumerate(self.graph.analyze().order)}
        first = min((nid for nid in ids if nid in self.graph), key=lambda nid: order.get(nid, len(order)), default=None)
        where = self.graph.node(first).position if first is not None else None

        def edit() -> str:
            node_id = self.graph.make_block(ids, name)
            if where is not None:  # where the first of its layers was, covering no other node
                height = node_height(self.graph.input_slots(node_id))
                self.graph.move_nodes({node_id: free_position(self.graph, where, height, ignore=[node_id])})
            return node_id

        return self._snapshot_edit(f"Make block {name}", edit)

    def expand_block(self, node_id: str) -> list[str]:
        """Put the block's layers in place of the instance; returns their ids."""
        self._check_block(node_id)
        return self._snapshot_edit(f"Expand {node_id}", lambda: self.graph.expand_block(node_id))

    def make_unique(self, node_id: str, new_name: str) -> str:
        """Give the instance a definition of its own, named ``new_name`` (a copy of its block's)."""
        self._check_block(node_id)
        return self._snapshot_edit(f"Make {node_id} unique", lambda: self.graph.make_unique(node_id, new_name))

    def rename_block(self, old: str, new: str) -> None:
        if old != new:
            self._snapshot_edit(f"Rename block {old} to {new}", lambda: self.graph.rename_block(old, new))

    def set_block_definition(self, name: str, definition: Any, text: str = "") -> None:
        """Replace a definition (every instance changes) as one undo step."""
        if self.graph.blocks.get(name) != definition:
            self._snapshot_edit(text or f"Edit block {name}", lambda: self.graph.set_block_definition(name, copy.deepcopy(definition)))

    def add_block(
        self, name: str, definition: BlockDefinition, position: Position = (0.0, 0.0), held: Mapping[str, BlockDefinition] | None = None
    ) -> str:
        """An instance of a built-in or library block, its definition (and the
        ``held`` blocks it contains) copied into the design when the design has
        none of that name: one undo step. A different definition of the same
        name comes in under a free name (Name2, Name3...)."""
        have = self.graph.blocks
        for inner, wanted in (held or {}).items():
            if inner in have and have[inner] != wanted:
                raise BlockError(f"{name} holds a block {inner}, and this design has a different {inner}: rename one of them first")
        chosen, number = name, 2
        while chosen in have and have[chosen] != definition:
            chosen, number = f"{name}{number}", number + 1

        def edit() -> str:
            for inner, wanted in (held or {}).items():
                if inner not in self.graph.blocks:
                    self.graph.add_block_definition(wanted)
            if chosen not in self.graph.blocks:
                self.graph.add_block_definition(definition if definition.name == chosen else definition.renamed(chosen))
            return self.graph.add_node(chosen, None, position=position).id

        return self._snapshot_edit(f"Add {chosen}", edit)

    def brings_blocks(self, records: Mapping[str, Any]) -> bool:
        """Whether copied ``records`` carry block definitions the design lacks."""
        blocks = records.get("blocks")
        return isinstance(blocks, Mapping) and any(name not in self.graph.blocks for name in blocks)

    def paste_with_blocks(self, records: Mapping[str, Any], offset: Position) -> list[str]:
        """Paste nodes together with the block definitions they need (one undo step)."""
        return self._snapshot_edit(
            f"Paste {len(records.get('nodes', []))} nodes", lambda: list(self.graph.paste(records, offset).values())
        )

    def _check_block(self, node_id: str) -> None:
        if not self.is_block(node_id):
            kind = self.graph.node(node_id).type
            raise EditError(f"{node_id} is a {kind} layer, not a block")
