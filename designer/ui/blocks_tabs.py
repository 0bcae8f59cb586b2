"""The canvas's tabs: the design, and each block opened for editing.

A block's tab shows its inside on a canvas of its own, under a breadcrumb
("Design › ResidualBlock", the first part a link back). Edits there change
the block's definition, so every instance changes; they go on the design's
undo stack, one step each. Closing the tab (or the definition going away,
by an undo) returns to the design.
"""

from __future__ import annotations

import html

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QTabBar, QVBoxLayout, QWidget

from designer.document import Document
from designer.document.block_document import BlockDocument
from designer.ui.blocks_inspector import BlockInspector
from designer.ui.canvas.scene import DesignScene
from designer.ui.canvas.view import DesignView
from designer.ui.problems_panel import ProblemsPanel
from designer.ui.selection_edits import SelectionEdits

BREADCRUMB_STYLE = "QLabel { padding: 4px 8px; background: #e9eef5; border-bottom: 1px solid #c9d1db; }"


class BlockPage(QWidget):
    """One block's inside: breadcrumb, canvas, and the edits of its selection."""

    message = Signal(str)
    back_requested = Signal()

    def __init__(self, design: Document, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.wired = False  # connected to the window (once, when first shown)
        self.document = BlockDocument(design, name, self)
        self.scene = DesignScene(self.document)
        self.scene.setParent(self)
        self.view = DesignView(self.scene, self)
        self.view.message.connect(self.message)
        self.edits = SelectionEdits(self)
        self.breadcrumb = QLabel(self)
        self.breadcrumb.setStyleSheet(BREADCRUMB_STYLE)
        self.breadcrumb.setTextFormat(Qt.TextFormat.RichText)
        self.breadcrumb.linkActivated.connect(lambda _link: self.back_requested.emit())
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        row = QHBoxLayout()
        row.addWidget(self.breadcrumb, 1)
        column.addLayout(row)
        column.addWidget(self.view, 1)
        self.scene.refreshed.connect(self._update_breadcrumb)
        self.document.data_spec_changed.connect(self.scene.refresh)  # what reaches the block changed: its shapes too
        self.inspector = BlockInspector(self.document, self)  # the window shows it in its dock while this tab shows
        self.inspector.hide()
        self.problems = ProblemsPanel(self.document, self)  # the inside's problems, in the window's Problems tab while this tab shows
        self.problems.hide()
        self.problems.node_activated.connect(self.reveal_node)
        self.scene.selectionChanged.connect(self._on_selection_changed)
        self._update_breadcrumb()

    def reveal_node(self, node_id: str) -> None:
        self.scene.select_nodes([node_id])
        self.view.center_on_node(node_id)

    def _on_selection_changed(self) -> None:
        if shiboken6.isValid(self.scene) and shiboken6.isValid(self.inspector):  # not while the page is torn down
            self.inspector.show_selection(self.scene.selected_node_ids())

    @property
    def block_name(self) -> str:
        return self.document.block_name

    def show_message(self, text: str) -> None:
        self.message.emit(text)

    def _update_breadcrumb(self) -> None:
        count = len(self.document.instances()) if self.document.is_open else 0
        uses = f"used {count} time{'s' if count != 1 else ''} in the design" if count else "not used in the design yet"
        self.breadcrumb.setText(
            f'<a href="design">Design</a> &nbsp;›&nbsp; <b>{html.escape(self.block_name)}</b>'
            f'&nbsp;&nbsp;<span style="color:#57606a">— block, {uses}; an edit here changes every instance</span>'
        )

    def close_page(self) -> None:
        self.document.close()


class CanvasTabs(QWidget):
    """The tab bar over the window's central stack (start page, design canvas,
    block pages). The bar shows only while a block is open and a canvas shows."""

    page_changed = Signal(object)  # the BlockPage now shown, or None for the design

    def __init__(self, stack: QStackedWidget, design_view: DesignView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack, self.design_view = stack, design_view
        self.pages: list[BlockPage] = []
        self.bar = QTabBar(self)
        self.bar.setTabsClosable(True)
        self.bar.setDocumentMode(True)
        self.bar.setExpanding(False)
        self.bar.addTab("Design")
        self._hide_close_button(0)
        self.bar.currentChanged.connect(self._on_tab_changed)
        self.bar.tabCloseRequested.connect(self._on_close_requested)
        self.stack.currentChanged.connect(lambda _index: self._update_bar())
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.bar)
        column.addWidget(self.stack, 1)
        self._update_bar()

    def _hide_close_button(self, index: int) -> None:
        for side in (QTabBar.ButtonPosition.RightSide, QTabBar.ButtonPosition.LeftSide):
            button = self.bar.tabButton(index, side)
            if button is not None:
                button.resize(0, 0)
                button.hide()

    # ------------------------------------------------------------ pages
    def current_page(self) -> BlockPage | None:
        """The block page shown, or None when the design (or the start page) is."""
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, BlockPage) else None

    def canvas_shown(self) -> bool:
        return self.stack.currentWidget() is self.design_view or self.current_page() is not None

    def page_for(self, name: str) -> BlockPage | None:
        return next((page for page in self.pages if page.block_name == name), None)

    def open_block(self, design: Document, name: str) -> BlockPage:
        """Show the block's tab, making it when it is not open yet."""
        page = self.page_for(name)
        if page is None:
            page = BlockPage(design, name, self)
            page.back_requested.connect(self.show_design)
            page.document.closed.connect(lambda page=page: self.close_page(page))
            self.pages.append(page)
            self.stack.addWidget(page)
            self.bar.addTab(name)
            self.bar.setTabToolTip(self.bar.count() - 1, f"The inside of block {name}: edits change every instance")
        self.bar.setCurrentIndex(1 + self.pages.index(page))
        page.view.fit(readable=True)
        page.view.setFocus()
        return page

    def show_design(self) -> None:
        self.bar.setCurrentIndex(0)

    def close_page(self, page: BlockPage) -> None:
        if page not in self.pages:
            return
        index = self.pages.index(page)
        shown = self.current_page() is page
        self.pages.remove(page)
        page.close_page()
        self.bar.blockSignals(True)
        self.bar.removeTab(1 + index)
        self.bar.blockSignals(False)
        self.stack.removeWidget(page)
        page.deleteLater()
        if shown:
            self.bar.setCurrentIndex(0)
            self._on_tab_changed(0)
        self._update_bar()

    def close_all(self) -> None:
        """Another design is opened: the old design's blocks close."""
        for page in list(self.pages):
            self.close_page(page)

    # ----------------------------------------------------------- events
    def _on_tab_changed(self, index: int) -> None:
        if not (self.canvas_shown() or self.stack.currentWidget() is None):
            return  # the start page shows; its own action brings the canvas back
        page = self.pages[index - 1] if 1 <= index <= len(self.pages) else None
        self.stack.setCurrentWidget(page if page is not None else self.design_view)
        (page.view if page is not None else self.design_view).setFocus()
        self.page_changed.emit(page)

    def _on_close_requested(self, index: int) -> None:
        if index >= 1:
            self.close_page(self.pages[index - 1])

    def show_current(self) -> None:
        """Show the canvas of the current tab (after the start page)."""
        page = self.pages[self.bar.currentIndex() - 1] if self.bar.currentIndex() >= 1 else None
        self.stack.setCurrentWidget(page if page is not None else self.design_view)
        self.page_changed.emit(page)

    def _update_bar(self) -> None:
        self.bar.setVisible(bool(self.pages) and self.canvas_shown())
