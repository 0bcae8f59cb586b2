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
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

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
