"""The problems list (severity, node, message), updated on every edit and
whenever what the project's data yields becomes known; clicking a row selects
and centres its node."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from designer.document import Document
from designer.ui.subscriptions import follow

COLOURS = {"error": QColor("#d73a49"), "warning": QColor("#b07d00")}


class ProblemsPanel(QTreeWidget):
    node_activated = Signal(str)
    count_changed = Signal(int, int)  # errors, warnings

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setHeaderLabels(["", "node", "problem"])
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        header = self.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.itemClicked.connect(self._on_item_clicked)
        self.itemActivated.connect(self._on_item_clicked)
        follow(self, document.graph.events.changed, self.refresh)
        document.data_spec_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        problems = self.document.data_problems + self.document.analysis().problems
        self.clear()
        for problem in problems:
            item = QTreeWidgetItem([problem.severity, problem.node or "design", problem.message])
            item.setForeground(0, QBrush(COLOURS[problem.severity]))
            item.setToolTip(2, problem.message)
            item.setData(0, Qt.ItemDataRole.UserRole, problem.node)
            self.addTopLevelItem(item)
        if not problems:
            item = QTreeWidgetItem(["", "", "No problems: the design is ready to train."])
            item.setForeground(2, QBrush(QColor("#2a9467")))
            self.addTopLevelItem(item)
        errors = sum(p.severity == "error" for p in problems)
        self.count_changed.emit(errors, len(problems) - errors)

    def _on_item_clicked(self, item: QTreeWidgetItem, column: int = 0) -> None:
        node = item.data(0, Qt.ItemDataRole.UserRole)
        if node:
            self.node_activated.emit(node)
