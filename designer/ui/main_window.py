"""The main window: palette (left), canvas (centre), inspector (right),
problems and summary (bottom, tabbed), menus, toolbar and status bar.

The window owns one Document at a time; opening another file replaces the
scene and the panels that follow it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QPointF, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from designer.graph import EditError
from designer.layers import CATALOG
from designer.ui import dialogs, icons
from designer.ui.canvas_tabs import CanvasTabs
from designer.ui.files import FileActions
from designer.ui.importing import ImportActions
from designer.ui.problems_tab import ProblemsTab, counts_text
from designer.ui.start_page import StartPage
from designer.ui.start_weights import StartWeightsActions
from designer.ui.subscriptions import follow
from designer.ui.toolbar import MainToolBar
from designer.ui.training.actions import training_actions

if TYPE_CHECKING:
    # The design's side of the window (canvas, panels and what they import) is
    # built after a start on the start page has been painted: see build_design_side.
    from PySide6.QtWidgets import QGraphicsItem

    from designer.document import Document
    from designer.ui.canvas.scene import DesignScene
    from designer.ui.canvas.view import DesignView
    from designer.ui.inspector import Inspector
    from designer.ui.problems_panel import ProblemsPanel
    from designer.ui.selection_edits import SelectionEdits
    from designer.ui.summary_panel import SummaryPanel
    from designer.ui.training.lr_finder import LrFinderDialog

APP_NAME = "Neural Network Designer"
# The panels' first sizes (pixels): the canvas gets the rest, most of the window.
FIRST_PALETTE_WIDTH = 190
FIRST_INSPECTOR_WIDTH = 320
FIRST_BOTTOM_HEIGHT = 190


class MainWindow(QMainWindow):
    """The window. ``start_page_first``: open on the start page, painted before
    the design's side of the window is built (``designer`` with no file)."""

    def __init__(self, settings: QSettings | None = None, document: Document | None = None, *, start_page_first: bool = False) -> None:
        super().__init__()
        self.settings = settings or QSettings("nn-designer", "designer")
        self.setAcceptDrops(True)
        # The window's frame: what a start on the start page shows at once (menus,
        # tool bar, start page, status bar) and the actions behind them.
        self.document: Document | None = document  # or a new one, made by build_design_side
        self.scene: DesignScene | None = None
        self.inspector: Inspector | None = None
        self.problems: ProblemsPanel | None = None
        self.summary: SummaryPanel | None = None
        self.start_page: StartPage | None = None
        self._docks_shown: dict[QDockWidget, bool] | None = None  # the panels as they were when the start page hid them
        self.design_side_built = False
        self.central = QStackedWidget(self)  # the start page, or the canvas
        self.canvas_tabs = CanvasTabs(self.central, self)  # the design's tab and the opened blocks' tabs
        self.canvas_tabs.page_changed.connect(lambda page: self.blocks.on_page_changed(page))
        self.setCentralWidget(self.canvas_tabs)
        self.undo_group = QUndoGroup(self)  # Undo/Redo follow whichever document is open
        self.edit_actions = QActionGroup(self)  # every action that edits the design: off while it is locked
        self.edit_actions.setExclusionPolicy(QActionGroup.ExclusionPolicy.None_)
        self.design_actions = QActionGroup(self)  # actions on the design shown: off while the start page shows
        self.design_actions.setExclusionPolicy(QActionGroup.ExclusionPolicy.None_)
        self.files = FileActions(self)
        self.importing = ImportActions(self)
        self.start_weights = StartWeightsActions(self)
        self.run_actions = training_actions(self)  # Train, Pause, Stop: the Training panel connects them
        self._status = QLabel(self)
        self._counts = QLabel(self)
        self.statusBar().addWidget(self._status, 1)
        self.statusBar().addPermanentWidget(self._counts)
        self.device_label = QLabel("Device: auto", self)  # the Training panel's, there from the first frame
        self.statusBar().addPermanentWidget(self.device_label)
        self._build_docks()  # empty until build_design_side fills them
        self._build_actions()
        self._fit_first_size()
        self._docks_sized = False
        self._panels_state: QByteArray | None = None  # the panels as the user left them when the start page hid them
        # Restored before the window is shown: the tool bar where the user left it,
        # and which panels the start page hides and gives back.
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self._docks_sized = self.restoreState(state)
        self._update_title()
        if start_page_first:
            self.show_start_page()  # the rest is built once it has been painted
        else:
            self.build_design_side()

    def build_design_side(self) -> None:
        """The canvas, the palette, the inspector, the bottom panels and the
        menus' entries that belong to them, on ``self.document`` (a new, empty
        design when there is none). Built at once, or, on a start on the start
        page, right after its first paint: building them and importing their
        modules was most of a start's cost, for panels the start page hides.
        Anything that needs them sooner builds them first."""
        if self.design_side_built:
            return
        self.design_side_built = True
        from designer.ui.blocks_actions import BlockActions
        from designer.ui.canvas.view import DesignView
        from designer.ui.docks import put_in_dock
        from designer.ui.exports import ExportActions
        from designer.ui.insight.dock import InsightDock
        from designer.ui.palette import Palette
        from designer.ui.selection_edits import SelectionEdits
        from designer.ui.training.dock import TrainingDock

        on_start_page = self.start_page is not None and self.central.currentWidget() is self.start_page
        self.view = DesignView(None, self)
        self.central.addWidget(self.view)
        self.canvas_tabs.design_view = self.view
        self.view.message.connect(self.show_message)
        self.view.context_menu_requested.connect(self._on_context_menu)
        self.view.files_dropped.connect(self._on_files_dropped)
        self.view.block_open_requested.connect(lambda node_id: self.blocks.open_block(node_id))
        self.view.block_dropped.connect(lambda key, pos: self.blocks.add_block(key, pos))
        self.view.addAction(self.fit_action)  # a plain key: only on the canvas
        self.edits = SelectionEdits(self)
        self.exports = ExportActions(self)
        self.exports.fill_menu(self.export_menu)
        self.palette = Palette(self)
        put_in_dock(self.palette_dock, self.palette, scroll=False)  # its tree scrolls itself
        self.blocks = BlockActions(self)
        self.blocks.refresh_library()
        self.blocks.fill_menu(self.blocks_menu)
        # the Training panel, in the window's dock, with its actions and device label
        self.training = TrainingDock(self, self.view, self.training_dock, self.files.save_as, self.run_actions, self.device_label)
        self.training.message.connect(self.show_message)
        self.training.fill_menu(self.train_menu, before=self.lr_finder_action)
        # the Insight panel, tabbed with the Training panel; it follows the training runs' weights
        # (both panels are built when first shown or used: pyqtgraph and numpy stay off the start)
        self.insight = InsightDock(self, self.insight_dock, self.training)
        self.insight.message.connect(self.show_message)
        self.insight.node_clicked.connect(self.reveal_node)
        self.view_menu.addAction(self.insight.toggle_action)
        from designer.document import Document

        self.set_document(self.document or Document(), show=not on_start_page)
        self.palette.add_requested.connect(self._on_palette_add)
        self.palette.block_requested.connect(lambda key: self.blocks.add_block(key))
        self.palette.message.connect(self.show_message)
        if not on_start_page:
            self.view.setFocus()
        self._on_locked_changed()

    def _fit_first_size(self) -> None:
        """1400x860, or the screen's free area where that is smaller (a 1280x720 laptop)."""
        screen = self.screen() or QApplication.primaryScreen()
        free = screen.availableGeometry() if screen is not None else None
        width, height = 1400, 860
        if free is not None and free.width() > 0 and free.height() > 0:
            width, height = min(width, free.width()), min(height, free.height())
        self.resize(max(width, self.minimumSizeHint().width()), max(height, self.minimumSizeHint().height()))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._docks_sized:  # first start: the canvas gets most of the room
            self._docks_sized = True
            self.resizeDocks(
                [self.palette_dock, self.inspector_dock], [FIRST_PALETTE_WIDTH, FIRST_INSPECTOR_WIDTH], Qt.Orientation.Horizontal
            )
            self.resizeDocks([self.bottom_dock], [FIRST_BOTTOM_HEIGHT], Qt.Orientation.Vertical)

    # ------------------------------------------------------------ layout
    def _build_docks(self) -> None:
        """The panels' docks, empty (each holds a placeholder until its panel is
        built), so the panels' saved state is restored before the window shows."""
        self.palette_dock = self._dock("Layers", Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", Qt.DockWidgetArea.RightDockWidgetArea)
        self.bottom_tabs = QTabWidget(self)
        self.problems_tab = ProblemsTab(self.bottom_tabs)
        self.bottom_dock = self._dock("Problems and summary", Qt.DockWidgetArea.BottomDockWidgetArea, self.bottom_tabs)
        self.palette_dock.setMinimumWidth(190)
        self.inspector_dock.setMinimumWidth(300)
        self.training_dock = self._dock("Training", Qt.DockWidgetArea.BottomDockWidgetArea)
        self.insight_dock = self._dock("Insight", Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.bottom_dock, self.training_dock)
        self.tabifyDockWidget(self.training_dock, self.insight_dock)
        self.insight_dock.hide()  # until asked for: a hidden panel computes nothing
        self.bottom_dock.raise_()  # the problems in front

    def _dock(self, title: str, area: Qt.DockWidgetArea, widget: QWidget | None = None) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.replace(" ", "_").lower())
        dock.setWidget(widget or QWidget())
        self.addDockWidget(area, dock)
        return dock

    def set_document(self, document: Document, show: bool = True) -> None:
        """Show ``document``: a new scene and new panels that follow it (``show``:
        the canvas comes in front of the start page)."""
        from designer.ui.canvas.scene import DesignScene
        from designer.ui.inspector import Inspector
        from designer.ui.problems_panel import ProblemsPanel
        from designer.ui.summary_panel import SummaryPanel

        self.build_design_side()  # when the start page had the window to itself until now
        self._detach()
        self.canvas_tabs.close_all()  # the old design's blocks
        self.document = document
        self.scene = DesignScene(document)
        self.scene.setParent(self)
        self.view.setScene(self.scene)
        self.view.resetTransform()
        self.inspector = Inspector(document, self)
        self.blocks.show_inspector(self.inspector)
        self.problems = ProblemsPanel(document, self)
        self.summary = SummaryPanel(document, self)
        self.problems_tab.clear()
        self.problems_tab.show(self.problems, "Problems")
        self.bottom_tabs.addTab(self.summary, "Summary")
        self.scene.selectionChanged.connect(self._on_selection_changed)
        self.scene.refreshed.connect(self._update_counts)
        self.inspector.message.connect(self.show_message)
        self.problems.node_activated.connect(self.reveal_node)
        self.summary.node_activated.connect(self.reveal_node)
        self.problems.count_changed.connect(self._on_problem_counts)
        self.problems.message.connect(self.show_message)
        document.modified_changed.connect(self._update_title)
        document.path_changed.connect(self._update_title)
        document.settings_changed.connect(self._update_title)
        document.data_spec_changed.connect(self.scene.refresh)  # the data decides whether Input and Output fit
        document.locked_changed.connect(self._on_locked_changed)
        follow(self.scene, document.graph.events.blocks_changed, self._on_blocks_changed)
        self._on_blocks_changed()
        self.undo_group.addStack(document.undo_stack)
        self.undo_group.setActiveStack(document.undo_stack)
        self.training.set_document(document, self.scene)  # its gradient flow and warnings draw on this canvas
        self.insight.set_document(document, self.scene)
        self._on_locked_changed()
        self._update_title()
        self.problems.refresh()
        if show:
            self.show_canvas()
        self.view.fit(readable=True)

    def _detach(self) -> None:
        """Unhook the panels of the old document before they are replaced."""
        if self.document is not None:
            self.undo_group.removeStack(self.document.undo_stack)
        if self.scene is not None:
            self.scene.selectionChanged.disconnect(self._on_selection_changed)
            self.scene.document.data_spec_changed.disconnect(self.scene.refresh)
        for panel in (self.inspector, self.problems, self.summary):
            if panel is not None:
                panel.deleteLater()  # each follows the old document until it is gone
        if self.scene is not None:
            from PySide6.QtWidgets import QGraphicsScene

            # Tearing down a big scene item by item through its BSP index is
            # slow (seconds at 10,000 nodes); without an index it is not.
            self.scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
            self.scene.deleteLater()
        self.scene = self.inspector = self.problems = self.summary = None

    # ----------------------------------------------------------- actions
    def _action(
        self, text: str, slot, shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None, tip: str = "", *, edits: bool = False
    ) -> QAction:
        """A window action; ``edits``: it changes the design, so it is off while the design is locked."""
        action = QAction(text, self)
        if edits:
            self.edit_actions.addAction(action)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip or text)
        action.triggered.connect(lambda checked=False: self._run(slot))
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        # Keys spelled out, not the platform's standard keys: the F1 list names them, and they are the same everywhere.
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.new_action = self._action("&New", self.files.new, "Ctrl+N")
        self.open_action = self._action("&Open…", self.files.open, "Ctrl+O")
        self.save_action = self._action("&Save", self.files.save, "Ctrl+S")
        self.save_as_action = self._action("Save &As…", self.files.save_as, "Ctrl+Shift+S")
        self.revert_action = self._action("&Revert to Saved", self.files.revert)
        self.start_action = self._action("Start &Page", self.show_start_page, tip="Samples, recent designs and a new design")
        file_menu.addActions([self.start_action, self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(lambda: self.files.fill_recent_menu(self.recent_menu))
        file_menu.addActions([self.save_action, self.save_as_action, self.revert_action])
        file_menu.addSeparator()
        self.import_action = self._action("&Import Model…", self.importing.import_model, tip="An ONNX model as a design with its weights")
        file_menu.addAction(self.import_action)
        self.export_menu = file_menu.addMenu("&Export")  # its entries: build_design_side
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, "Ctrl+Q"))

        edit = bar.addMenu("&Edit")
        self.undo_action = self.undo_group.createUndoAction(self, "&Undo")
        self.redo_action = self.undo_group.createRedoAction(self, "&Redo")
        # Spelled out: the platform's standard keys differ between desktops (on
        # X11, Redo's first key is Ctrl+Shift+Z, elsewhere Ctrl+Y), and a key
        # given twice makes Qt refuse it as ambiguous.
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.undo_action.setIcon(icons.icon("undo"))
        self.redo_action.setIcon(icons.icon("redo"))
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        self.cut_action = self._action("Cu&t", self.cut, "Ctrl+X", edits=True)
        self.copy_action = self._action("&Copy", self.copy, "Ctrl+C")
        self.paste_action = self._action("&Paste", self.paste, "Ctrl+V", edits=True)
        self.duplicate_action = self._action("D&uplicate", self.duplicate, "Ctrl+D", edits=True)
        self.delete_action = self._action("&Delete", self.delete_selection, edits=True)
        self.delete_action.setShortcuts([QKeySequence("Delete"), QKeySequence("Backspace")])
        self.select_all_action = self._action("Select &All", self.select_all, "Ctrl+A")
        self.rename_action = self._action("Re&name…", self.rename_selected, "F2", edits=True)
        self.connect_action = self._action(
            "C&onnect Selected", self.connect_selected, "Ctrl+E", "Wire the two selected layers, left to right (Ctrl+E)", edits=True
        )
        self.connect_action.setIcon(icons.icon("connect"))
        edit.addActions([self.cut_action, self.copy_action, self.paste_action, self.duplicate_action, self.delete_action])
        edit.addSeparator()
        edit.addActions([self.select_all_action, self.rename_action, self.connect_action])
        edit.addSeparator()
        self.blocks_menu = edit.addMenu("&Blocks")  # its entries: build_design_side

        view = self.view_menu = bar.addMenu("&View")
        self.fit_action = self._action("&Fit to Window", lambda: self.canvas_view().fit(), "F", tip="Fit the design in the window (F)")
        self.fit_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # a plain key: only on the canvas
        self.removeAction(self.fit_action)  # the canvas has it (build_design_side)
        self.zoom_in_action = self._action("Zoom &In", lambda: self.canvas_view().set_zoom(self.canvas_view().zoom() * 1.25), "Ctrl++")
        self.zoom_in_action.setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])  # Ctrl+= is Ctrl++ without Shift
        self.zoom_out_action = self._action("Zoom &Out", lambda: self.canvas_view().set_zoom(self.canvas_view().zoom() / 1.25), "Ctrl+-")
        self.zoom_reset_action = self._action("&Actual Size", lambda: self.canvas_view().set_zoom(1.0), "Ctrl+0")
        self.layout_action = self._action(
            "Auto-&layout", self.auto_layout, "Ctrl+L", "Arrange the layers by depth, wrapped to fit the canvas (Ctrl+L)", edits=True
        )
        self.add_action = self._action(
            "&Add Layer…", lambda: self.canvas_view().open_quick_add(), tip="Search and add a layer (Tab on the canvas)", edits=True
        )
        view.addActions([self.fit_action, self.zoom_in_action, self.zoom_out_action, self.zoom_reset_action])
        view.addSeparator()
        view.addActions([self.layout_action, self.add_action])
        view.addSeparator()
        for dock in (self.palette_dock, self.inspector_dock, self.bottom_dock):
            view.addAction(dock.toggleViewAction())  # the Insight panel's entry follows (build_design_side)

        self.train_menu = bar.addMenu("&Train")  # Train, Pause, Stop and the Training panel's entry first (build_design_side)
        self.lr_finder_action = self._action(
            "Find &Learning Rate…",
            self.find_learning_rate,
            tip="Sweep the learning rate over a few hundred batches and suggest one to apply",
            edits=True,
        )
        self.train_menu.addAction(self.lr_finder_action)
        self.train_menu.addSeparator()
        self.load_weights_action = self._action(
            "Load &Weights into Design…",
            self.start_weights.load,
            tip="Start the next runs from another network's weights where they fit (transfer learning), with a report per layer",
            edits=True,
        )
        self.fresh_weights_action = self._action(
            "Start from &Fresh Weights", self.start_weights.clear, tip="Forget the loaded weights: runs start from fresh ones", edits=True
        )
        self.train_menu.addActions([self.load_weights_action, self.fresh_weights_action])

        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addAction(self._action("&Keyboard Shortcuts", self.show_shortcuts, "F1"))
        self.help_menu.addAction(
            self._action("&Guide to the Ideas", self.show_guide, tip="What a layer, an activation, a loss, an epoch and overfitting are")
        )
        self.help_menu.addAction(self._action(f"&About {APP_NAME}", self.show_about))

        self.toolbar = MainToolBar(self)
        self.addToolBar(self.toolbar)
        self.toolbar.add(self.new_action, "new")
        self.toolbar.add(self.open_action, "open")
        self.toolbar.add(self.save_action, "save")
        self.toolbar.addSeparator()
        self.toolbar.add(self.undo_action, "undo")
        self.toolbar.add(self.redo_action, "redo")
        self.toolbar.addSeparator()
        self.toolbar.add(self.fit_action, "fit")
        self.toolbar.add(self.layout_action, "layout")
        self.toolbar.add(self.connect_action, "connect")
        self.toolbar.addSeparator()
        for action, name in zip(self.run_actions, ("train", "pause", "stop")):
            self.toolbar.add(action, name)
        self.design_actions.addAction(self.run_actions.start)  # nothing to train while the start page shows
        self.run_actions.pause.setEnabled(False)  # nothing runs yet
        self.run_actions.stop.setEnabled(False)
        self._on_locked_changed()

    def _run(self, slot: Callable[[], object]) -> None:
        """An action's slot, on the design's side of the window (built first if
        the action comes in the moment between the start page's paint and it)."""
        self.build_design_side()
        slot()

    # -------------------------------------------------------------- edits
    def selected_ids(self) -> list[str]:
        return self.scene.selected_node_ids() if self.scene else []

    def current_edits(self) -> SelectionEdits:
        """The edits of the canvas shown: the design's, or an opened block's."""
        page = self.canvas_tabs.current_page()
        return page.edits if page is not None else self.edits

    def canvas_view(self) -> DesignView:
        """The canvas shown: the design's, or an opened block's."""
        page = self.canvas_tabs.current_page()
        return page.view if page is not None else self.view

    def _edit(self, edit: Callable[[SelectionEdits], None]) -> None:
        """Run a selection edit on the canvas shown. Inside a block an edit can be
        refused (the block would lose its Output, or an Input an instance still
        feeds): the reason goes to the status bar and nothing changes."""
        page = self.canvas_tabs.current_page()
        try:
            edit(self.current_edits())
        except EditError as exc:
            self.show_message(f"Cannot change block {page.block_name}: {exc}" if page is not None else f"Cannot do that: {exc}")

    def copy(self) -> None:
        self._edit(lambda edits: edits.copy())

    def cut(self) -> None:
        self._edit(lambda edits: edits.cut())

    def paste(self) -> None:
        self._edit(lambda edits: edits.paste())

    def duplicate(self) -> None:
        self._edit(lambda edits: edits.duplicate())

    def delete_selection(self) -> None:
        self._edit(lambda edits: edits.delete_selection())

    def select_all(self) -> None:
        self._edit(lambda edits: edits.select_all())

    def rename_selected(self) -> None:
        self._edit(lambda edits: edits.rename_selected())

    def connect_selected(self) -> None:
        self._edit(lambda edits: edits.connect_selected())

    def auto_layout(self) -> None:
        """Lay the design (or the open block) out for the canvas's shape (a long chain wraps into rows) and fit it."""
        view = self.canvas_view()
        try:
            view.document.auto_layout(view.fit_room())
        except EditError as exc:
            self.show_message(f"Cannot lay out: {exc}")
            return
        view.fit()

    def reveal_node(self, node_id: str) -> None:
        self.scene.select_nodes([node_id])
        self.view.center_on_node(node_id)

    def _on_palette_add(self, type_name: str) -> None:
        view = self.canvas_view()
        view.add_layer(type_name)  # after the selected node, or in free space in view
        view.setFocus()

    # ------------------------------------------------------------ blocks
    def _on_blocks_changed(self) -> None:
        """The design's blocks changed: the palette lists them."""
        if self.document is not None:
            self.palette.blocks.refresh_design(dict(self.document.graph.blocks))

    # ------------------------------------------------------- context menu
    def _on_context_menu(self, item, pos: QPointF) -> None:
        if self.document.locked:
            self.show_message(f"The design is locked: {self.document.lock_reason}")
            return
        menu = self.context_menu(item, pos)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view = self.canvas_view()
        menu.popup(view.mapToGlobal(view.mapFromScene(pos)))

    def context_menu(self, item: QGraphicsItem | None, pos: QPointF) -> QMenu:
        """The canvas menu for ``item`` (a node, an edge, or None for the empty
        canvas at scene point ``pos``): quick fixes and edits of what was clicked."""
        from designer.document import fixes_for
        from designer.ui.canvas.edge_item import EdgeItem
        from designer.ui.canvas.node_item import NodeItem

        menu = QMenu(self)
        view = self.canvas_view()  # the design's, or an opened block's
        if isinstance(item, NodeItem):
            for problem in view.document.analysis().problems_for(item.node_id):
                for fix in fixes_for(view.document, problem):
                    menu.addAction(f"Fix: {fix.title}", fix.apply)
            if menu.actions():
                menu.addSeparator()
            menu.addActions([self.rename_action, self.duplicate_action, self.copy_action, self.cut_action, self.delete_action])
            self.blocks.fill_node_menu(menu, item)
        elif isinstance(item, EdgeItem):
            menu.addAction("Delete connection", lambda: view.document.disconnect(item.edge))
        else:
            add = menu.addMenu("Add layer")
            for category, layers in CATALOG.by_category().items():
                sub = add.addMenu(category)
                for layer in layers:
                    sub.addAction(layer.name, lambda name=layer.name: view.add_layer(name, pos))
            menu.addActions([self.paste_action, self.select_all_action])
            menu.addSeparator()
            menu.addActions([self.layout_action, self.fit_action])
        return menu

    def _on_locked_changed(self, *_: object) -> None:
        """While a run uses the design nothing here edits it: the canvas, the
        palette, the inspector, every edit action and undo/redo are off. While
        the start page shows, the design behind it is not edited or trained either."""
        locked = self.document is not None and self.document.locked
        shown = self.design_side_built and self.canvas_tabs.canvas_shown()
        self.edit_actions.setEnabled(not locked and shown)
        self.design_actions.setEnabled(shown)
        if not self.design_side_built:
            return
        self.view.setInteractive(not locked)
        for page in self.canvas_tabs.pages:
            page.view.setInteractive(not locked)
        self.palette.setEnabled(not locked)
        if self.inspector is not None:
            self.inspector.setEnabled(not locked)
        if self.document is not None:
            self.undo_group.setActiveStack(None if locked or not shown else self.document.undo_stack)

    # ------------------------------------------------------------- status
    def show_message(self, text: str) -> None:
        self._status.setText(text)

    def _on_problem_counts(self, errors: int, warnings: int) -> None:
        self._counts.setText(counts_text(errors, warnings))
        if self.bottom_tabs.widget(0) is self.problems:  # not while it shows an opened block's problems
            self.problems_tab.show_counts(errors, warnings)

    def _update_counts(self) -> None:
        if self.document is None:
            return
        analysis = self.document.analysis()
        self.statusBar().setToolTip(f"{len(self.document.graph)} nodes, {analysis.total_params:,} parameters")

    def _on_selection_changed(self) -> None:
        if self.scene is not None and self.inspector is not None:
            self.inspector.show_selection(self.scene.selected_node_ids())
            self.insight.show_nodes(self.scene.selected_node_ids())

    def _update_title(self, *args) -> None:
        """The window is named after what it shows: the design, or only itself on the start page."""
        if self.document is None or not self.canvas_tabs.canvas_shown():
            self.setWindowModified(False)
            self.setWindowTitle(APP_NAME)
            return
        self.setWindowModified(self.document.modified)
        where = f" ({self.document.path.name})" if self.document.path else ""
        self.setWindowTitle(f"{self.document.title}{where}[*] — {APP_NAME}")

    def _on_files_dropped(self, paths: list[str]) -> None:
        self.files.open_path(paths[0])

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls() and any(u.toLocalFile().endswith(".nnd") for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.toLocalFile().endswith(".nnd")]
        if paths:
            self.files.open_path(paths[0])

    def latest_run_weights(self) -> tuple[str, dict] | None:
        """The latest training run's kept weights, when they fit the design as it is now (for the exports)."""
        history = self.training.panel.history
        fingerprint = self.document.graph.fingerprint() if self.document is not None else None
        for record in reversed(history.runs if history is not None else []):
            if record.kept_state is not None and record.fingerprint == fingerprint:
                return record.label, record.kept_state
        return None

    def has_run_weights(self) -> bool:
        """Whether a training run of this session kept weights (of this design or an earlier version of it)."""
        history = self.training.panel.history
        return any(record.kept_state is not None for record in (history.runs if history else []))

    # --------------------------------------------------------------- help
    def find_learning_rate(self) -> LrFinderDialog | None:
        """Open the learning-rate finder on the current design (a sweep on a worker)."""
        from designer.ui.training.lr_finder import LrFinderDialog  # pyqtgraph: not at start

        if self.document is None:
            return None
        dialog = LrFinderDialog(self.document, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.start()
        return dialog

    def show_shortcuts(self) -> None:
        from designer.ui.help import SHORTCUTS_HTML

        dialogs.show_info(self, "Keyboard shortcuts", SHORTCUTS_HTML)

    def show_guide(self) -> None:
        from designer.ui.help import GUIDE_HTML

        dialogs.show_text(self, "Guide to the ideas", GUIDE_HTML)

    def show_about(self) -> None:
        from designer import __version__

        dialogs.show_info(self, f"About {APP_NAME}", f"<b>{APP_NAME}</b> {__version__}<br>Design, check, train and export neural networks.")

    # -------------------------------------------------------------- close
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.build_design_side()  # closed the moment the start page showed: the panels' state is saved as ever
        if not self.files.maybe_save():
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        if self.canvas_tabs.canvas_shown():
            self.settings.setValue("window/state", self.saveState())
        elif self._panels_state is not None:  # the start page hides the panels: that is not how the user left them
            self.settings.setValue("window/state", self._panels_state)
        self.training.shutdown()  # a run stops before its next batch; its thread must end before the window
        self.insight.shutdown()  # and the Insight panel's questions
        from designer.document.workers import stop_all

        for owner in (self, self.document):  # exports and previews; reading the data file
            stop_all(owner=owner)
        self._detach()
        event.accept()

    def show_start_page(self) -> None:
        """Samples, recent designs and New; built afresh so the recent list is current."""
        if self.isVisible() and self.design_side_built and self.canvas_tabs.canvas_shown():
            self._panels_state = self.saveState()  # closing on the start page saves these, not its hidden panels
        if self.start_page is not None:
            self.central.removeWidget(self.start_page)
            self.start_page.deleteLater()
        self.start_page = StartPage(self.files.recent_files(), self)
        self.start_page.new_requested.connect(self.files.new)
        self.start_page.open_requested.connect(self.files.open)
        self.start_page.file_chosen.connect(self.files.open_path)
        self.start_page.first_painted.connect(self.build_design_side)
        self.central.addWidget(self.start_page)
        self.central.setCurrentWidget(self.start_page)
        self._set_docks_visible(False)
        self._on_locked_changed()
        self._update_title()
        self.show_message("Choose a sample to start from, or a new design")

    def show_canvas(self) -> None:
        if not self.canvas_tabs.canvas_shown():
            self.canvas_tabs.show_current()
            self._set_docks_visible(True)
            self._on_locked_changed()
            self._update_title()
        self.canvas_view().setFocus()

    def _set_docks_visible(self, visible: bool) -> None:
        """The start page has the window to itself; the panels come back with the
        canvas as the user had them (one they closed stays closed)."""
        self._counts.setVisible(visible)
        docks = (self.palette_dock, self.inspector_dock, self.bottom_dock, self.training_dock)
        if not visible and self._docks_shown is None:
            self._docks_shown = {dock: not dock.isHidden() for dock in docks}
        for dock in docks:
            dock.setVisible(visible and (self._docks_shown or {}).get(dock, True))
        if visible:
            self._docks_shown = None

    def open_file(self, path: str | Path) -> bool:
        return self.files.open_path(str(path))
