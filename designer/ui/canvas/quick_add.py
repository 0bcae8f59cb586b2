"""Tab on the canvas: a search box at the cursor that adds the chosen layer
there (as in Blender or Unreal)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from designer.layers import CATALOG


class QuickAddPopup(QFrame):
    chosen = Signal(str)  # layer type

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Add layer…")
        self.list = QListWidget(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(240, 300)
        for layer in CATALOG:
            item = QListWidgetItem(f"{layer.name}    ·  {layer.category}")
            item.setData(Qt.ItemDataRole.UserRole, layer.name)
            item.setToolTip(layer.help)
            self.list.addItem(item)
        self.search.textChanged.connect(self._on_text_changed)
        self.search.returnPressed.connect(self._on_return)
        self.list.itemActivated.connect(self._on_activated)
        self.search.installEventFilter(self)

    def popup(self, global_pos: QPoint) -> None:
        self.search.clear()
        self._on_text_changed("")
        self.move(global_pos)
        self.show()
        self.search.setFocus()

    def _on_text_changed(self, text: str) -> None:
        needle = text.strip().lower()
        first = None
        for row in range(self.list.count()):
            item = self.list.item(row)
            visible = needle in item.text().lower()
            item.setHidden(not visible)
            if visible and first is None:
                first = item
        self.list.setCurrentItem(first)

    def _on_return(self) -> None:
        item = self.list.currentItem()
        if item is not None and not item.isHidden():
            self._on_activated(item)

    def _on_activated(self, item: QListWidgetItem) -> None:
        self.hide()
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        """Up/Down in the search box move through the list."""
        if watched is self.search and event.type() == event.Type.KeyPress and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            rows = [r for r in range(self.list.count()) if not self.list.item(r).isHidden()]
            if rows:
                current = self.list.currentRow()
                index = rows.index(current) if current in rows else -1
                step = 1 if event.key() == Qt.Key.Key_Down else -1
                self.list.setCurrentRow(rows[max(0, min(len(rows) - 1, index + step))])
            return True
        return super().eventFilter(watched, event)
