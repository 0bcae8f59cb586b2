"""The window's edits of the selection: copy, cut, paste, duplicate, delete,
select all, rename, and connecting two selected layers from the keyboard.
Pasted and duplicated nodes land where they cover no other node."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QApplication

from designer.document import Document
from designer.document.clipboard import from_mime, to_mime
from designer.graph import EditError, layout
from designer.ui import dialogs, style
from designer.ui.canvas.scene import DesignScene
from designer.ui.canvas.view import DesignView


class EditingWindow(Protocol):
    """What the edits need of the window (the main window), so this module does not import it."""

    document: Document | None
    scene: DesignScene | None
    view: DesignView

    def show_message(self, text: str) -> None: ...


class SelectionEdits:
    def __init__(self, window: EditingWindow) -> None:
        self.window = window

    def _selected(self) -> list[str]:
        return self.window.scene.selected_node_ids() if self.window.scene else []

    def copy(self) -> None:
        ids = self._selected()
        if ids:
            QApplication.clipboard().setMimeData(to_mime(self.window.document.graph.records(ids)))
            self.window.show_message(f"Copied {len(ids)} node{'s' if len(ids) != 1 else ''}")

    def cut(self) -> None:
        self.copy()
        self.delete_selection()

    def paste(self) -> None:
        records = from_mime(QApplication.clipboard().mimeData())
        if not records or not records["nodes"]:
            self.window.show_message("The clipboard holds no layers to paste")
            return
        rects = _record_rects(records)
        centre = self.window.view.view_centre()
        left, top = min((r.x for r in rects), default=0.0), min((r.y for r in rects), default=0.0)
        wanted = (centre.x() - left - style.NODE_WIDTH / 2, centre.y() - top - style.HEADER_HEIGHT)
        offset = layout.free_offset(self.window.document.graph, rects, wanted)  # in view, covering no node
        try:
            new_ids = self.window.document.paste(records, offset)
        except (EditError, KeyError, TypeError) as exc:
            self.window.show_message(f"Cannot paste: {exc}")
            return
        self.window.scene.select_nodes(new_ids)
        self.window.show_message(f"Pasted {len(new_ids)} node{'s' if len(new_ids) != 1 else ''}")

    def duplicate(self) -> None:
        """A copy of the selection beside it, covering no node."""
        ids = self._selected()
        if ids:
            records = self.window.document.graph.records(ids)
            new_ids = self.window.document.paste(records, layout.free_offset(self.window.document.graph, _record_rects(records), (40.0, 40.0)))
            self.window.scene.select_nodes(new_ids)

    def delete_selection(self) -> None:
        ids = self._selected()
        edges = [e for e in self.window.scene.selected_edges() if e.source not in ids and e.target not in ids]
        if not ids and not edges:
            return
        with self.window.document.macro("Delete selection"):
            for edge in edges:
                self.window.document.disconnect(edge)
            self.window.document.remove_nodes(ids)

    def select_all(self) -> None:
        self.window.scene.select_nodes(list(self.window.scene.nodes))

    def rename_selected(self) -> None:
        ids = self._selected()
        if len(ids) != 1:
            return
        new = dialogs.ask_text(self.window, "Rename layer", "New id:", ids[0])
        if new is None:
            return
        try:
            self.window.document.rename_node(ids[0], new.strip())
        except EditError as exc:
            self.window.show_message(f"Cannot rename: {exc}")

    def connect_selected(self) -> None:
        """Wire the two selected layers (the keyboard's way to connect): the
        one that can feed the other does, the left one when both could."""
        ids = self._selected()
        if len(ids) != 2:
            self.window.show_message("Select two layers to connect them (Ctrl+E)")
            return
        graph = self.window.document.graph
        ordered = sorted(ids, key=lambda nid: graph.node(nid).position)
        reasons = []
        for source, target in (ordered, ordered[::-1]):
            try:
                edge = self.window.document.connect(source, target)
            except EditError as exc:
                reasons.append(str(exc))
                continue
            self.window.show_message(f"Connected {edge.source} to {edge.target}")
            return
        self.window.show_message(f"Cannot connect: {reasons[0]}")


def _record_rects(records: dict) -> list[layout.Rect]:
    """The footprints of the nodes in clipboard ``records`` where they were."""
    rects = []
    for record in records.get("nodes", []):
        position = record.get("position")
        x, y = (float(position[0]), float(position[1])) if isinstance(position, list) and len(position) == 2 else (0.0, 0.0)
        rects.append(layout.Rect(x, y, style.NODE_WIDTH, layout.node_height(1)))
    return rects
