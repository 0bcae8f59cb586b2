"""The problems list (severity, node, message, quick fix), updated on every
edit and whenever what the project's data yields becomes known; clicking a
row selects and centres its node. A problem with an obvious repair shows it
in the last column: a click there applies it (one undo step), and the row's
context menu lists every fix it has."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QHeaderView, QMenu, QTreeWidget, QTreeWidgetItem, QWidget

from designer.document import Document, QuickFix, fixes_for
from designer.graph import EditError
from designer.ui import icons
from designer.ui.severity import SEVERITY_COLOURS
from designer.ui.subscriptions import follow

COLOURS = {severity: QColor(hex_) for severity, hex_ in SEVERITY_COLOURS.items()}
FIX_COLOUR = QColor("#0969da")
FIX_COLUMN = 3


class ProblemsPanel(QTreeWidget):
    node_activated = Signal(str)
    count_changed = Signal(int, int)  # errors, warnings
    message = Signal(str)  # for the status bar: a fix that could not be applied

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.fixes: list[list[QuickFix]] = []  # per row
        self.setHeaderLabels(["", "node", "problem", "quick fix"])
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.setMouseTracking(True)
        header = self.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(FIX_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_context_menu)
        self.itemClicked.connect(self._on_item_clicked)
        self.itemActivated.connect(self._on_item_clicked)
        follow(self, document.graph.events.changed, self.refresh)
        document.data_spec_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        problems = self.document.data_problems + self.document.analysis().problems
        self.clear()
        self.fixes = []
        link = QFont(self.font())
        link.setUnderline(True)
        for problem in problems:
            fixes = fixes_for(self.document, problem)
            item = QTreeWidgetItem([problem.severity, problem.node or "design", problem.message, fixes[0].title if fixes else ""])
            item.setForeground(0, QBrush(COLOURS[problem.severity]))
            item.setToolTip(2, problem.message)
            item.setData(0, Qt.ItemDataRole.UserRole, problem.node)
            if fixes:
                item.setIcon(FIX_COLUMN, icons.icon("fix"))
                item.setForeground(FIX_COLUMN, QBrush(FIX_COLOUR))
                item.setFont(FIX_COLUMN, link)
                more = f" ({len(fixes) - 1} more in the row's menu)" if len(fixes) > 1 else ""
                item.setToolTip(FIX_COLUMN, f"Click to apply: {fixes[0].title}{more}")
            self.fixes.append(fixes)
            self.addTopLevelItem(item)
        if not problems:
            item = QTreeWidgetItem(["", "", self._all_clear()])
            item.setForeground(2, QBrush(QColor("#2a9467")))
            self.addTopLevelItem(item)
            self.fixes.append([])
        errors = sum(p.severity == "error" for p in problems)
        self.count_changed.emit(errors, len(problems) - errors)

    def _all_clear(self) -> str:
        block = getattr(self.document, "block_name", None)  # a block's inside, edited in its own tab
        if block is not None:
            return f"No problems in {block}." if len(self.document.graph) else f"No problems yet: {block} is empty."
        return "No problems: the design is ready to train." if len(self.document.graph) else "No problems yet: the design is empty."

    def apply_fix(self, row: int, index: int = 0) -> bool:
        """Apply the ``index``-th quick fix of ``row``; False (with the reason) when it cannot be."""
        if not 0 <= row < len(self.fixes) or not 0 <= index < len(self.fixes[row]):
            return False
        fix = self.fixes[row][index]
        try:
            fix.apply()
        except EditError as exc:
            self.message.emit(f"Cannot apply the fix: {exc}")
            return False
        self.message.emit(f"Applied: {fix.title}")
        return True

    def _on_item_clicked(self, item: QTreeWidgetItem, column: int = 0) -> None:
        row = self.indexOfTopLevelItem(item)
        if column == FIX_COLUMN and 0 <= row < len(self.fixes) and self.fixes[row]:
            self.apply_fix(row)
            return
        node = item.data(0, Qt.ItemDataRole.UserRole)
        if node:
            self.node_activated.emit(node)

    def _on_context_menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        row = self.indexOfTopLevelItem(item) if item is not None else -1
        if row < 0 or row >= len(self.fixes) or not self.fixes[row]:
            return
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for index, fix in enumerate(self.fixes[row]):
            menu.addAction(icons.icon("fix"), f"Fix: {fix.title}", lambda r=row, i=index: self.apply_fix(r, i))
        menu.popup(self.viewport().mapToGlobal(pos))
