"""The tab bar over the window's central stack: the design's canvas and each
block opened for editing (``designer.ui.blocks_tabs.BlockPage``). Made with
the window's frame, before the canvas (``MainWindow.build_design_side``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QTabBar, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from designer.document import Document
    from designer.ui.blocks_tabs import BlockPage
    from designer.ui.canvas.view import DesignView


class CanvasTabs(QWidget):
    """The tab bar over the window's central stack (start page, design canvas,
    block pages). The bar shows only while a block is open and a canvas shows."""

    page_changed = Signal(object)  # the BlockPage now shown, or None for the design

    def __init__(self, stack: QStackedWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack = stack
        self.design_view: DesignView | None = None  # the design's canvas, once the window has built it
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
        return next((page for page in self.pages if page is widget), None)

    def canvas_shown(self) -> bool:
        return self.stack.currentWidget() is self.design_view or self.current_page() is not None

    def page_for(self, name: str) -> BlockPage | None:
        return next((page for page in self.pages if page.block_name == name), None)

    def open_block(self, design: Document, name: str) -> BlockPage:
        """Show the block's tab, making it when it is not open yet."""
        page = self.page_for(name)
        if page is None:
            from designer.ui.blocks_tabs import BlockPage  # its canvas: not before a block is opened

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
