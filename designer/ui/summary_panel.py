"""The model summary: per node type, output shape, parameters, MACs and
memory, with totals; the same numbers as ``designer summary``. A block
instance's row opens (a click on its node cell) to the rows of the layers
inside it, named ``block1.conv1``."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from designer.document import Document
from designer.graph import summarize
from designer.graph.summary import human_bytes, human_count
from designer.ui.subscriptions import follow

HEADERS = ["node", "type", "output", "params", "MACs", "memory"]
NODE_ROLE = Qt.ItemDataRole.UserRole  # the row's node id in the design (its instance's for an inner row)
OPEN, CLOSED = "▾", "▸"


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
        # Columns fitted to their contents once per refresh (resizeColumnsToContents), not kept
        # fitted by the header: each item set into a shown table had it measure every row again,
        # and an edit of a 10,000-node design with this tab in front took minutes.
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(False)
        self.cellClicked.connect(self._on_cell_clicked)
        self._dirty = True
        self.opened: set[str] = set()  # block instances whose inside rows show
        self._inside: dict[int, str] = {}  # row -> the instance (or inner block) it is inside
        self._blocks: dict[int, str] = {}  # row -> the instance it opens
        self._shown: list[tuple[str, ...]] = []  # each row's texts as shown
        self._totals_at = 0  # the first row of the totals (bold)
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
        graph = self.document.graph
        summary = summarize(graph, expand_blocks=bool(graph.blocks))
        opens = {r.inside for r in summary.rows if r.inside}  # the rows that have rows inside
        self._inside, self._blocks = {}, {}
        rows = []
        for index, r in enumerate(summary.rows):
            depth = r.node.count(".")
            mark = (OPEN if r.node in self.opened else CLOSED) + " " if r.node in opens else "  " if graph.blocks else ""
            rows.append(
                (
                    "    " * depth + mark + r.node, r.type + (" (frozen)" if r.frozen else ""), r.output, f"{r.params:,}",
                    human_count(r.macs), human_bytes(r.activation_bytes),
                )
            )
            if r.inside:
                self._inside[index] = r.inside
            if r.node in opens:
                self._blocks[index] = r.node
        rows.append(
            ("total", "", "", f"{summary.total_params:,}", human_count(summary.total_macs), human_bytes(summary.total_activation_bytes))
        )
        if summary.frozen_params:  # transfer learning: what training changes, and what it leaves
            rows += [("trainable", "", "", f"{summary.trainable_params:,}", "", ""), ("frozen", "", "", f"{summary.frozen_params:,}", "", "")]
        # Only the rows whose texts changed are made again (a parameter's edit changes its row and
        # the totals; refilling every row took most of a second at 10,000 nodes).
        kept = self._shown if len(rows) == len(self._shown) and len(summary.rows) == self._totals_at else []
        if not kept:
            self.setRowCount(0)
            self.setRowCount(len(rows))
        self._shown, self._totals_at = rows, len(summary.rows)
        bold = QFont(self.font())
        bold.setBold(True)
        for r, row in enumerate(rows):
            if kept and kept[r] == row:
                continue
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if r >= len(summary.rows):
                    item.setFont(bold)
                elif c == 0:
                    item.setData(NODE_ROLE, summary.rows[r].node.split(".")[0])
                self.setItem(r, c, item)
        self._show_opened()
        self.resizeColumnsToContents()

    def _show_opened(self) -> None:
        """Inner rows show only while every block around them is open."""
        for row, inside in self._inside.items():
            parts = inside.split(".")
            shown = all(".".join(parts[: i + 1]) in self.opened for i in range(len(parts)))
            self.setRowHidden(row, not shown)
        if self._inside:
            self.resizeColumnToContents(0)  # the rows just shown (or hidden) count too

    def toggle(self, instance: str) -> None:
        """Open or close a block row (``block1``, or ``block1.inner2`` for a nested one)."""
        self.opened.symmetric_difference_update({instance})
        self.refresh()

    def _on_cell_clicked(self, row: int, column: int) -> None:
        if column == 0 and row in self._blocks:
            self.toggle(self._blocks[row])
        item = self.item(row, 0)
        node_id = item.data(NODE_ROLE) if item is not None else None
        if node_id in self.document.graph:
            self.node_activated.emit(node_id)
