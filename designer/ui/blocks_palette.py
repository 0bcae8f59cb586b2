"""The palette's "Blocks" category: the built-in blocks, the design's own
blocks and the user's library, each a row to drag onto the canvas or
double-click. A library file that cannot be used is a row in red saying why."""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from designer.graph.blocks import BLOCK_CATEGORY, BlockDefinition
from designer.ui import style
from designer.ui.blocks_library import LibraryEntry, builtin_block_names, builtin_blocks, scan

BLOCK_ROLE = Qt.ItemDataRole.UserRole + 1  # "builtin:NAME", "design:NAME" or "library:PATH"
PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 2  # why a library file cannot be used
UNREADABLE = QColor("#d73a49")
BUILTIN, DESIGN, LIBRARY = "Built-in", "In this design", "Library"


class BlocksSection:
    """The rows of the Blocks category in ``tree``; ``refresh_*`` rebuild one part."""

    def __init__(self, tree: QTreeWidget, swatch) -> None:
        self.group = QTreeWidgetItem(tree, [BLOCK_CATEGORY])
        self.group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.group.setIcon(0, swatch(style.category_colour(BLOCK_CATEGORY)))
        font = self.group.font(0)
        font.setBold(True)
        self.group.setFont(0, font)
        self.parts: dict[str, QTreeWidgetItem] = {}
        for title in (BUILTIN, DESIGN, LIBRARY):
            part = QTreeWidgetItem(self.group, [title])
            part.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.parts[title] = part
        self._builtin: dict[str, BlockDefinition] | None = None  # read when first needed (see builtin)
        self.design: dict[str, BlockDefinition] = {}
        self.library: list[LibraryEntry] = []
        self.library_folder: Path | None = None

    # ------------------------------------------------------------ parts
    def refresh_builtin(self) -> None:
        """The built-in blocks' rows, by name: their definitions are read (about
        5 ms, each inner design checked) when a row's tip or block is first needed."""
        self._builtin = None
        self._fill(BUILTIN, [(name, f"builtin:{name}", partial(self._builtin_tip, name), "") for name in builtin_block_names()])

    @property
    def builtin(self) -> dict[str, BlockDefinition]:
        """The built-in blocks by name, read now if they were not yet."""
        if self._builtin is None:
            try:
                self._builtin = dict(builtin_blocks())
            except Exception:  # noqa: BLE001 - the palette goes on without them rather than not at all
                self._builtin = {}
        return self._builtin

    def _builtin_tip(self, name: str) -> str:
        definition = self.builtin.get(name)
        return _tip(definition, "comes with the designer") if definition is not None else f"{html.escape(name)} could not be read"

    def refresh_design(self, blocks: dict[str, BlockDefinition]) -> None:
        if blocks == self.design and self.parts[DESIGN].childCount() == len(blocks):
            return
        self.design = dict(blocks)
        self._fill(DESIGN, [(name, f"design:{name}", _tip(d, "this design's own block"), "") for name, d in self.design.items()])

    def refresh_library(self, folder: Path) -> None:
        self.library_folder = folder
        self.library = scan(folder)
        rows = []
        for entry in self.library:
            if entry.definition is None:
                tip = f"<b>{html.escape(entry.path.name)}</b> cannot be used: {html.escape(entry.problem)}"
                rows.append((f"{entry.path.name} (unreadable)", "", tip, entry.problem))
            else:
                rows.append((entry.name, f"library:{entry.path}", _tip(entry.definition, f"from the library: {entry.path.name}"), ""))
        self._fill(LIBRARY, rows)
        self.parts[LIBRARY].setToolTip(0, f"Block files in {folder} (Edit > Blocks > Block Library Folder…)")

    def _fill(self, title: str, rows: list[tuple[str, str, str | Callable[[], str], str]]) -> None:
        """Rows of (text, key, tip, problem); a tip may be a function, called when the tip is first shown."""
        part = self.parts[title]
        part.takeChildren()
        for text, key, tip, problem in rows:
            if callable(tip):
                item: QTreeWidgetItem = _LateTipRow(part, text, tip)
            else:
                item = QTreeWidgetItem(part, [text])
                item.setToolTip(0, tip)
            if key:
                item.setData(0, BLOCK_ROLE, key)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
            else:
                item.setData(0, PROBLEM_ROLE, problem)
                item.setForeground(0, QBrush(UNREADABLE))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        part.setText(0, f"{title} ({len(rows)})" if rows else f"{title} (none)")
        part.setExpanded(True)

    # ----------------------------------------------------------- lookup
    def lookup(self, key: str) -> tuple[BlockDefinition, dict[str, BlockDefinition]] | None:
        """The block a row's key names with the blocks it holds, or None when it is gone."""
        kind, _, rest = key.partition(":")
        found: BlockDefinition | None = None
        held: dict[str, BlockDefinition] = {}
        if kind == "builtin":
            found = self.builtin.get(rest)
        elif kind == "design":
            found = self.design.get(rest)
        elif kind == "library":
            entry = next((e for e in self.library if str(e.path) == rest), None)
            found, held = (entry.definition, entry.held) if entry is not None else (None, {})
        return (found, held) if found is not None else None

    def filter(self, needle: str) -> int:
        """Hide the rows that do not match; returns how many show."""
        shown_total = 0
        for part in self.parts.values():
            shown = 0
            for i in range(part.childCount()):
                child = part.child(i)
                hidden = bool(needle) and needle not in child.text(0).lower() and needle not in "blocks"
                child.setHidden(hidden)
                shown += not hidden
            part.setHidden(bool(needle) and shown == 0)
            shown_total += shown
        self.group.setHidden(bool(needle) and shown_total == 0)
        return shown_total


class _LateTipRow(QTreeWidgetItem):
    """A row whose tooltip is made when it is first shown (it needs the block read)."""

    def __init__(self, parent: QTreeWidgetItem, text: str, tip: Callable[[], str]) -> None:
        super().__init__(parent, [text])
        self._tip = tip
        self._made: str | None = None

    def data(self, column: int, role: int) -> object:  # Qt override
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            if self._made is None:
                self._made = self._tip()
            return self._made
        return super().data(column, role)


def _tip(definition: BlockDefinition, where: str) -> str:
    layers = definition.layer_count
    ports = ", ".join(definition.input_ids)
    about = f"<br>{html.escape(definition.description[:500])}" if definition.description else ""
    return f"<b>{html.escape(definition.name)}</b> — block of {layers} layers, inputs: {html.escape(ports)}<br><i>{html.escape(where)}</i>{about}"
