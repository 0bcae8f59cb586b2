"""The model summary: per node type, output shape, parameters, MACs and
memory, with totals; the same numbers as ``designer summary``."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from designer.document import Document
from designer.graph import summarize
from designer.graph.summary import human_bytes, human_count
from designer.ui.subscriptions import follow

HEADERS = ["node", "type", "output", "params", "MACs", "memory"]


class SummaryPanel(QTableWidget):
    node_activated = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.document = document
        self.setHorizontalHeaderLabels(HEADERS)
        self.verticalHeader().hide()
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(False)
        self.cellClicked.connect(self._on_cell_clicked)
        self._dirty = True
        follow(self, document.graph.events.changed, self._on_changed)  # filled when first shown

    def _on_changed(self) -> None:
        # Rebuilding thousands of rows is wasted work while the tab is hidden.
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._dirty:
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        self._dirty = False
        summary = summarize(self.document.graph)
        rows = [
            (r.node, r.type + (" (frozen)" if r.frozen else ""), r.output, f"{r.params:,}", human_count(r.macs), human_bytes(r.activation_bytes))
            for r in summary.rows
        ]
        rows.append(
            ("total", "", "", f"{summary.total_params:,}", human_count(summary.total_macs), human_bytes(summary.total_activation_bytes))
        )
        if summary.frozen_params:  # transfer learning: what training changes, and what it leaves
            rows += [("trainable", "", "", f"{summary.trainable_params:,}", "", ""), ("frozen", "", "", f"{summary.frozen_params:,}", "", "")]
        self.setRowCount(len(rows))
        bold = QFont(self.font())
        bold.setBold(True)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if r >= len(summary.rows):
                    item.setFont(bold)
                self.setItem(r, c, item)

    def _on_cell_clicked(self, row: int, column: int) -> None:
        item = self.item(row, 0)
        if item is not None and item.text() in self.document.graph:
            self.node_activated.emit(item.text())
