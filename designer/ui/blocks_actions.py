"""The window's block actions: Make Block (Ctrl+B), Expand Block, Make
Unique, Open Block, saving a block to the library and adding one from a
file, and choosing the library folder. Each edit is one undo step of the
document; a mistake is one line in the status bar."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import shiboken6
from PySide6.QtCore import QPointF, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenu, QTabWidget, QWidget

from designer.document import Document
from designer.graph import EditError
from designer.graph.analysis import INPUT_TYPE, OUTPUT_TYPE
from designer.project import ProjectError
from designer.project.block_files import BLOCK_SUFFIX, read_block_file
from designer.ui import dialogs
from designer.ui.blocks_library import library_folder, save_to_library, set_library_folder
from designer.ui.blocks_tabs import BlockPage
from designer.ui.canvas.node_item import NodeItem
from designer.ui.canvas.scene import DesignScene
from designer.ui.canvas.view import DesignView
from designer.ui.canvas_tabs import CanvasTabs
from designer.ui.palette import Palette
from designer.ui.problems_panel import ProblemsPanel


class BlocksWindow(Protocol):
    """What the block actions need of the main window (which imports this module, so it is not imported here)."""

    document: Document
    scene: DesignScene
    view: DesignView
    settings: QSettings
    palette: Palette
    canvas_tabs: CanvasTabs
    inspector: QWidget | None
    inspector_dock: QDockWidget
    problems: ProblemsPanel | None
    bottom_tabs: QTabWidget
    fit_action: QAction

    def show_message(self, text: str) -> None: ...

    def _action(self, text: str, slot: Callable[[], object], shortcut: str | None = None, tip: str = "", *, edits: bool = False) -> QAction: ...

    def _on_context_menu(self, item: object, pos: QPointF) -> None: ...

    def _on_locked_changed(self, *_: object) -> None: ...

BLOCK_FILTER = f"Block files (*{BLOCK_SUFFIX});;All files (*)"


class BlockActions:
    """The block actions of ``window`` (the main window) and the wiring of its block tabs."""

    def __init__(self, window: BlocksWindow) -> None:
        self.window = window
        self._block_shown = False  # the canvas shown is a block's inside (the status line says which)

    def fill_menu(self, menu: QMenu) -> None:
        """Edit > Blocks: the actions, made here (each edits the design: off while it is locked)."""
        action = self.window._action
        self.make_action = action("Make &Block…", self.make_block, "Ctrl+B", "Collapse the selected layers into one block (Ctrl+B)", edits=True)
        self.expand_action = action("E&xpand Block", self.expand_block, tip="Put the block's layers in its place", edits=True)
        self.unique_action = action(
            "Make Block &Unique…", self.make_unique, tip="Give this instance a definition of its own; the others stay as they are", edits=True
        )
        self.open_action = action("&Open Block", self.open_block, tip="Edit the block's inside in its own tab (or double-click it)", edits=True)
        self.rename_action = action("&Rename Block…", self.rename_block, tip="Rename the block; its instances follow", edits=True)
        self.save_action = action("&Save Block to Library…", self.save_to_library, tip="Keep the block in your block library", edits=True)
        self.add_file_action = action(
            "Add Block from &File…", self.add_from_file, tip="Add a block from a block file (loading it runs nothing)", edits=True
        )
        self.folder_action = action(
            "Block Library &Folder…", self.choose_library_folder, tip="The folder whose block files the palette lists under Blocks", edits=True
        )
        menu.addActions([self.make_action, self.expand_action, self.unique_action, self.open_action, self.rename_action])
        menu.addSeparator()
        menu.addActions([self.save_action, self.add_file_action, self.folder_action])

    def fill_node_menu(self, menu: QMenu, item: NodeItem) -> None:
        """The node menu's block edits: on the design, Make Block of the selection;
        on an instance, Open, Expand, Make Unique and Save to Library."""
        page = self._page()
        menu.addSeparator()
        if item.block:
            menu.addAction(self.open_action)
            if page is None:
                menu.addActions([self.expand_action, self.unique_action, self.rename_action, self.save_action])
        if page is None:
            menu.addAction(self.make_action)
        elif item.node_id in page.document.graph and item.type_name not in (INPUT_TYPE, OUTPUT_TYPE):
            self._fill_param_menu(menu.addMenu("Block &Parameters"), page, item.node_id)

    def _fill_param_menu(self, menu: QMenu, page: BlockPage, node_id: str) -> None:
        """Expose a layer's parameter as the block's own (each instance sets it), or stop."""
        exposed = page.document.exposed_as(node_id)
        for param in page.document.graph.spec(node_id).param_names():
            if param in exposed:
                menu.addAction(f"Stop Exposing {param} ({exposed[param]})", lambda key=exposed[param]: self._unexpose(page, key))
            else:
                menu.addAction(f"Expose {param}…", lambda param=param: self.expose(page, node_id, param))

    def expose(self, page: BlockPage, node_id: str, param: str) -> None:
        """Ask the block parameter's name (an existing one sets this layer too) and expose it."""
        name = dialogs.ask_text(
            self._parent, "Expose as a block parameter", f"Name of the block parameter that sets {node_id}.{param} on each instance:", param
        )
        if not name:
            return
        try:
            page.document.expose(node_id, param, name.strip())
        except EditError as exc:
            self.window.show_message(f"Cannot expose {node_id}.{param}: {exc}")
            return
        self.window.show_message(f"{page.block_name}.{name.strip()} now sets {node_id}.{param}: each instance has its own value")

    def _unexpose(self, page: BlockPage, name: str) -> None:
        try:
            page.document.unexpose(name)
        except EditError as exc:
            self.window.show_message(f"Cannot stop exposing {name}: {exc}")

    # ------------------------------------------------------------- tabs
    def on_page_changed(self, page: BlockPage | None) -> None:
        """A block's tab or the design's shows: the inspector follows its canvas."""
        window = self.window
        if page is not None and not page.wired:
            page.wired = True
            page.message.connect(window.show_message)
            page.view.context_menu_requested.connect(window._on_context_menu)
            page.view.block_open_requested.connect(self.open_block)
            page.view.block_dropped.connect(self.add_block)  # says that blocks go on the design's canvas
            page.view.addAction(window.fit_action)
            page.inspector.message.connect(window.show_message)
            page.problems.message.connect(window.show_message)
            page.problems.count_changed.connect(lambda errors, warnings, page=page: self._on_block_problem_counts(page, errors, warnings))
            page.destroyed.connect(lambda *_, panels=(page.inspector, page.problems): self._on_page_gone(*panels))
        inspector = page.inspector if page is not None else window.inspector
        if inspector is not None:
            self.show_inspector(inspector)
        problems = page.problems if page is not None else window.problems
        if problems is not None:
            self._show_problems(problems, f"Problems in {page.block_name}" if page is not None else "Problems")
        window._on_locked_changed()
        # The status line says which canvas an edit goes to (it kept "Editing block ..." over the design)
        if page is not None:
            window.show_message(f"Editing block {page.block_name}: every change applies to all its instances (Ctrl+Z undoes)")
        elif self._block_shown:
            window.show_message("Editing the design")
        self._block_shown = page is not None

    def _show_problems(self, panel: QWidget, title: str) -> None:
        """The Problems tab lists the problems of the canvas shown (the design's, or a block's inside)."""
        if self.window.problems_tab.show(panel, title):
            panel.refresh()  # its counts in the tab's badge

    def _on_block_problem_counts(self, page: BlockPage, errors: int, warnings: int) -> None:
        tabs = self.window.bottom_tabs
        if shiboken6.isValid(tabs) and tabs.widget(0) is page.problems:
            self.window.problems_tab.show_counts(errors, warnings)

    def show_inspector(self, inspector: QWidget) -> None:
        """Put ``inspector`` in the window's dock; the one it replaces stays with its owner, hidden."""
        dock = self.window.inspector_dock
        old = dock.widget()
        if old is not inspector:
            dock.setWidget(inspector)
            inspector.show()
            if old is not None:
                old.hide()

    def _on_page_gone(self, inspector: QWidget, problems: QWidget) -> None:
        """A block's tab closed: its inspector and problems list go with it."""
        if not shiboken6.isValid(self.window.inspector_dock):
            return  # the window is closing
        if shiboken6.isValid(inspector):
            if self.window.inspector_dock.widget() is inspector and self.window.inspector is not None:
                self.show_inspector(self.window.inspector)
            inspector.deleteLater()
        if shiboken6.isValid(problems):
            if self.window.bottom_tabs.widget(0) is problems and self.window.problems is not None:
                self._show_problems(self.window.problems, "Problems")
            problems.deleteLater()

    @property
    def _parent(self) -> QWidget:
        return self.window  # type: ignore[return-value]

    def _page(self) -> BlockPage | None:
        return self.window.canvas_tabs.current_page()

    def _selected(self) -> list[str]:
        page = self._page()
        scene = page.scene if page is not None else self.window.scene
        return scene.selected_node_ids() if scene is not None else []

    def _selected_instance(self, verb: str) -> str | None:
        """The one selected block instance on the design's canvas, or None (said in the status bar)."""
        if self._page() is not None:
            self.window.show_message(f"{verb} works on the design's canvas: go back to the Design tab")
            return None
        ids = [nid for nid in self._selected() if self.window.document.is_block(nid)]
        if len(ids) != 1:
            self.window.show_message(f"Select one block to {verb.lower()} it")
            return None
        return ids[0]

    def _shown_block(self, verb: str) -> str | None:
        """The open tab's block, else the selected instance's block (or None, said in the status bar)."""
        page = self._page()
        if page is not None:
            return page.block_name
        node_id = self._selected_instance(verb)
        return None if node_id is None else self.window.document.graph.node(node_id).type

    # ------------------------------------------------------------ edits
    def make_block(self) -> str | None:
        """Collapse the selected layers into a block; asks for its name."""
        if self._page() is not None:
            self.window.show_message("Make Block works on the design's canvas: go back to the Design tab")
            return None
        ids = self._selected()
        if not ids:
            self.window.show_message("Select the layers to make a block of (Ctrl+B)")
            return None
        document = self.window.document
        name = dialogs.ask_text(self._parent, "Make block", "Block name (CamelCase, such as ResidualBlock):", _free_name(document, "Block"))
        if not name:
            return None
        try:
            node_id = document.make_block(ids, name.strip())
        except EditError as exc:
            self.window.show_message(f"Cannot make a block: {exc}")
            return None
        self.window.scene.select_nodes([node_id])
        self.window.show_message(f"Made block {name.strip()} of {len(ids)} layers: {node_id} (double-click it to open it)")
        return node_id

    def expand_block(self) -> list[str]:
        node_id = self._selected_instance("Expand")
        if node_id is None:
            return []
        try:
            ids = self.window.document.expand_block(node_id)
        except EditError as exc:
            self.window.show_message(f"Cannot expand {node_id}: {exc}")
            return []
        self.window.scene.select_nodes(ids)
        self.window.show_message(f"Expanded {node_id} into {len(ids)} layers")
        return ids

    def make_unique(self) -> str | None:
        node_id = self._selected_instance("Make unique")
        if node_id is None:
            return None
        document = self.window.document
        old = document.graph.node(node_id).type
        name = dialogs.ask_text(self._parent, "Make unique", f"A name for {node_id}'s own copy of {old}:", _free_name(document, old))
        if not name:
            return None
        try:
            document.make_unique(node_id, name.strip())
        except EditError as exc:
            self.window.show_message(f"Cannot make {node_id} unique: {exc}")
            return None
        self.window.show_message(f"{node_id} is now a {name.strip()} of its own; the other {old} blocks are unchanged")
        return name.strip()

    def rename_block(self) -> str | None:
        """Rename the open tab's block, or the selected instance's; every instance follows."""
        page = self._page()
        old = self._shown_block("Rename")
        if old is None:
            return None
        new = dialogs.ask_text(self._parent, "Rename block", f"New name for {old} (CamelCase):", old)
        if not new or new.strip() == old:
            return None
        try:
            self.window.document.rename_block(old, new.strip())
        except EditError as exc:
            self.window.show_message(f"Cannot rename {old}: {exc}")
            return None
        if page is not None:  # its tab closed with the old name: open the block again under the new one
            self.window.canvas_tabs.open_block(self.window.document, new.strip())
        self.window.show_message(f"Renamed block {old} to {new.strip()}")
        return new.strip()

    def open_block(self, node_id: str | None = None) -> BlockPage | None:
        """Open the inside of the instance (double-clicked, or the one selected) in its own tab."""
        page = self._page()
        if node_id is None:
            node_id = self._selected_instance("Open")
        if node_id is None:
            return None
        graph = (page.document if page is not None else self.window.document).graph
        if node_id not in graph or not graph.is_block(node_id):
            return None
        name = graph.node(node_id).type
        if page is not None and name not in self.window.document.graph.blocks:
            self.window.show_message(f"{name} is a block inside {page.block_name}: open it from the design")
            return None
        return self.window.canvas_tabs.open_block(self.window.document, name)  # the status line follows the tab shown

    def add_block(self, key: str, pos: QPointF | None = None) -> str | None:
        """A palette row's block (built-in, the design's or the library's), added to the design."""
        found = self.window.palette.blocks.lookup(key)
        if found is None:
            self.window.show_message("That block is no longer there: the palette was out of date")
            return None
        if self._page() is not None:
            self.window.show_message("Blocks are added to the design's canvas: go back to the Design tab")
            return None
        definition, held = found
        return self.window.view.add_block(definition.name, definition, pos, held)

    # ------------------------------------------------------------ files
    def save_to_library(self) -> Path | None:
        """The selected block (or the open tab's) as a file in the library folder."""
        document = self.window.document
        name = self._shown_block("Save to the library")
        if name is None:
            return None
        definition = document.graph.blocks[name]
        folder = library_folder(self.window.settings)
        try:
            path = save_to_library(folder, definition, document.graph.blocks)
        except (OSError, ProjectError) as exc:
            self.window.show_message(f"Cannot save {name} to the library: {exc}")
            return None
        self.refresh_library()
        self.window.show_message(f"Saved block {name} to {path}")
        return path

    def add_from_file(self) -> str | None:
        """A block file chosen anywhere, added to the design (loading it runs nothing)."""
        path = dialogs.ask_open_file(self._parent, "Add block from file", str(library_folder(self.window.settings)), BLOCK_FILTER)
        if not path:
            return None
        try:
            definition, held = read_block_file(path)
        except (ProjectError, OSError, EditError) as exc:
            self.window.show_message(f"Cannot use {Path(path).name}: {str(exc).removeprefix(f'{path}: ')}")
            return None
        return self.window.view.add_block(definition.name, definition, None, held)

    def choose_library_folder(self) -> None:
        folder = dialogs.ask_folder(self._parent, "Block library folder", str(library_folder(self.window.settings)))
        if folder:
            set_library_folder(self.window.settings, folder)
            self.refresh_library()
            self.window.show_message(f"Block library: {folder}")

    def refresh_library(self) -> None:
        self.window.palette.blocks.refresh_library(library_folder(self.window.settings))


def _free_name(document: Document, base: str) -> str:
    """A block name not taken yet: ``base``, then base2, base3..."""
    stem = re.sub(r"\d+$", "", base) or "Block"
    taken = set(document.graph.blocks) | set(document.graph.catalog.base.names())
    name, number = stem, 2
    while name in taken:
        name, number = f"{stem}{number}", number + 1
    return name
