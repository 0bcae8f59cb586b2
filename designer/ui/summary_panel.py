"""The model summary: per node type, output shape, parameters, MACs and
memory, with totals; the same numbers as ``designer summary``. A block
instance's row opens (a click on its node cell) to the rows of the layers
inside it, named ``block1.conv1``.

A table model over the summary's texts, not a table of items: an edit tells
the view which rows it removed, inserted or changed, and the view asks for
the cells it shows. With the tab in front, a delete's undo on a 2,000-node
design remade every row's items (about 200 ms, and 50 ms for a parameter
that changes one row); the columns are fitted from the texts' widths rather
than by asking the view to measure up to a thousand rows."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView, QWidget

from designer.document import Document
from designer.graph import summarize
from designer.graph.summary import human_bytes, human_count
from designer.ui.subscriptions import follow

HEADERS = ["node", "type", "output", "params", "MACs", "memory"]
NODE_ROLE = Qt.ItemDataRole.UserRole  # the row's node id in the design (its instance's for an inner row)
OPEN, CLOSED = "▾", "▸"
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
MEASURED = 12  # the longest texts of a column measured to fit it (a proportional font: the longest is nearly the widest)

Row = tuple[str, ...]


class SummaryModel(QAbstractTableModel):
    """The summary's rows as texts; ``show`` says what changed since the last rows."""

    def __init__(self, bold: QFont, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []
        self.nodes: list[str | None] = []  # each row's node in the design (None for the totals)
        self.totals_at = 0  # the first row of the totals
        self.bold = bold  # the totals' font

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt override
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[row][column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 3:
            return RIGHT
        if role == Qt.ItemDataRole.FontRole and row >= self.totals_at:
            return self.bold
        if role == NODE_ROLE and column == 0:
            return self.nodes[row]
        return None

    def show(self, rows: list[Row], nodes: list[str | None], totals_at: int) -> list[int]:
        """Take ``rows`` (and each one's node): the rows kept in place by
        their node and unchanged are left alone, the others are removed,
        inserted or changed. Returns the columns whose texts changed."""
        keys_old = [(n, r[0]) for n, r in zip(self.nodes, self.rows, strict=True)]
        keys_new = [(n, r[0]) for n, r in zip(nodes, rows, strict=True)]
        start = 0
        limit = min(len(keys_old), len(keys_new))
        while start < limit and keys_old[start] == keys_new[start]:
            start += 1
        end_old, end_new = len(keys_old), len(keys_new)
        while end_old > start and end_new > start and keys_old[end_old - 1] == keys_new[end_new - 1]:
            end_old -= 1
            end_new -= 1
        changed_columns: set[int] = set()
        if end_old - start > len(rows) // 2 + 1:  # most rows are new: one reset is cheaper than the pieces
            self.beginResetModel()
            self.rows, self.nodes, self.totals_at = list(rows), list(nodes), totals_at
            self.endResetModel()
            return list(range(len(HEADERS)))
        # The rows between the kept prefix and suffix are replaced (a delete's row, an added layer's).
        if end_old > start:
            self.beginRemoveRows(QModelIndex(), start, end_old - 1)
            del self.rows[start:end_old], self.nodes[start:end_old]
            self.endRemoveRows()
        if end_new > start:
            self.beginInsertRows(QModelIndex(), start, end_new - 1)
            self.rows[start:start] = rows[start:end_new]
            self.nodes[start:start] = nodes[start:end_new]
            self.endInsertRows()
            changed_columns.update(range(len(HEADERS)))
        self.totals_at = totals_at  # moved with the rows before it: the totals were in the kept suffix
        # Every row is in place now: find the runs of changed ones, take the new
        # texts, then tell the view (which may read them at once).
        runs: list[list[int]] = []
        for index, (old, new) in enumerate(zip(self.rows, rows, strict=True)):
            if old != new:
                changed_columns.update(c for c, (a, b) in enumerate(zip(old, new, strict=True)) if a != b)
                if runs and runs[-1][1] == index - 1:
                    runs[-1][1] = index
                else:
                    runs.append([index, index])
        self.rows, self.nodes = list(rows), list(nodes)
        for first, last in runs:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(HEADERS) - 1))
        return sorted(changed_columns)


class SummaryPanel(QTableView):
    node_activated = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        bold = QFont(self.font())
        bold.setBold(True)
        self.table = SummaryModel(bold, self)
        self.setModel(self.table)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)  # a line of text: Qt's 30 pixels showed three rows at 1280x720
        self.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(False)
        self.clicked.connect(self._on_clicked)
        self._dirty = True
        self.opened: set[str] = set()  # block instances whose inside rows show
        self._inside: dict[int, str] = {}  # row -> the instance (or inner block) it is inside
        self._blocks: dict[int, str] = {}  # row -> the instance it opens
        follow(self, document.graph.events.changed, self._on_changed)  # filled when first shown

    def _on_changed(self) -> None:
        # Working out thousands of rows is wasted work while the tab is hidden.
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._dirty:
            self.refresh()
        super().showEvent(event)

    def text(self, row: int, column: int) -> str:
        """A cell's text, as shown."""
        return self.table.rows[row][column]

    def refresh(self) -> None:
        self._dirty = False
        graph = self.document.graph
        summary = summarize(graph, expand_blocks=bool(graph.blocks))
        opens = {r.inside for r in summary.rows if r.inside}  # the rows that have rows inside
        self._inside, self._blocks = {}, {}
        rows: list[Row] = []
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
        nodes: list[str | None] = [r.node.split(".")[0] for r in summary.rows] + [None] * (len(rows) - len(summary.rows))
        changed = self.table.show(rows, nodes, len(summary.rows))
        self._show_opened()
        self._fit_columns(changed)

    def _fit_columns(self, columns: list[int]) -> None:
        """Each of ``columns`` as wide as its widest text (or its header), from the
        texts' widths: the view would measure up to a thousand rows through the model."""
        rows, totals_at = self.table.rows, self.table.totals_at
        hidden = {row for row in self._inside if self.isRowHidden(row)}  # a closed block's inside rows
        shown = [row for index, row in enumerate(rows[:totals_at]) if index not in hidden] if hidden else rows[:totals_at]
        plain, bold = QFontMetrics(self.font()), QFontMetrics(self.table.bold)
        margin = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1) + 2
        header = self.horizontalHeader()
        for column in columns:
            longest = sorted({row[column] for row in shown}, key=len)[-MEASURED:]
            width = max([plain.horizontalAdvance(text) for text in longest] + [bold.horizontalAdvance(row[column]) for row in rows[totals_at:]] + [0])
            width = max(width + margin, header.sectionSizeHint(column))
            if width != self.columnWidth(column):
                self.setColumnWidth(column, width)

    def _show_opened(self) -> None:
        """Inner rows show only while every block around them is open."""
        for row, inside in self._inside.items():
            parts = inside.split(".")
            shown = all(".".join(parts[: i + 1]) in self.opened for i in range(len(parts)))
            self.setRowHidden(row, not shown)

    def toggle(self, instance: str) -> None:
        """Open or close a block row (``block1``, or ``block1.inner2`` for a nested one)."""
        self.opened.symmetric_difference_update({instance})
        self.refresh()
        self._fit_columns([0])  # the rows just shown (or hidden) count too

    def _on_clicked(self, index: QModelIndex) -> None:
        row = index.row()
        if index.column() == 0 and row in self._blocks:
            self.toggle(self._blocks[row])
        node_id = self.table.nodes[row] if row < len(self.table.nodes) else None
        if node_id is not None and node_id in self.document.graph:
            self.node_activated.emit(node_id)
