"""The layer palette: every catalog layer by category, with a search box.
Drag a layer onto the canvas, or double-click to add it at the view centre."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QIcon, QPixmap
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from designer.layers import CATALOG
from designer.ui import style
from designer.ui.blocks_palette import BLOCK_ROLE, PROBLEM_ROLE, BlocksSection

TYPE_ROLE = Qt.ItemDataRole.UserRole


def _swatch(colour: QColor) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(colour)
    return QIcon(pixmap)


class LayerTree(QTreeWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setDragEnabled(True)
        self.setRootIsDecorated(True)
        self.setIndentation(12)

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:  # noqa: N802 - Qt override
        mime = QMimeData()
        type_name = items[0].data(0, TYPE_ROLE) if items else None
        if type_name:
            mime.setData(style.LAYER_MIME, type_name.encode())
        block = items[0].data(0, BLOCK_ROLE) if items else None
        if block:
            mime.setData(style.BLOCK_MIME, block.encode())
        return mime

    def startDrag(self, actions) -> None:  # noqa: N802 - Qt override
        item = self.currentItem()
        if item is None or not (item.data(0, TYPE_ROLE) or item.data(0, BLOCK_ROLE)):
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData([item]))
        drag.exec(Qt.DropAction.CopyAction)


class Palette(QWidget):
    add_requested = Signal(str)  # layer type, to add at the view centre
    block_requested = Signal(str)  # a block row's key (designer.ui.blocks_palette), to add at the view centre
    message = Signal(str)  # for the status bar: why a library file cannot be used

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search layers")
        self.search.setClearButtonEnabled(True)
        self.tree = LayerTree(self)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._groups: list[QTreeWidgetItem] = []
        for category, layers in CATALOG.by_category().items():
            group = QTreeWidgetItem(self.tree, [category])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setIcon(0, _swatch(style.category_colour(category)))
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            for layer in layers:
                item = QTreeWidgetItem(group, [layer.name])
                item.setData(0, TYPE_ROLE, layer.name)
                item.setToolTip(0, f"<b>{layer.name}</b><br>{layer.help}")
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
            self._groups.append(group)
        self.blocks = BlocksSection(self.tree, _swatch)
        self.blocks.refresh_builtin()
        self.tree.expandAll()
        self.search.textChanged.connect(self._on_search_changed)
        self.tree.itemDoubleClicked.connect(self._on_double_clicked)

    def _on_search_changed(self, text: str) -> None:
        needle = text.strip().lower()
        for group in self._groups:
            shown = 0
            for i in range(group.childCount()):
                child = group.child(i)
                hidden = bool(needle) and needle not in child.text(0).lower() and needle not in group.text(0).lower()
                child.setHidden(hidden)
                shown += not hidden
            group.setHidden(shown == 0)
        self.blocks.filter(needle)
        self.tree.expandAll()

    def _on_double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        type_name = item.data(0, TYPE_ROLE)
        if type_name:
            self.add_requested.emit(type_name)
        elif item.data(0, BLOCK_ROLE):
            self.block_requested.emit(item.data(0, BLOCK_ROLE))
        elif item.data(0, PROBLEM_ROLE):
            self.message.emit(f"{item.text(0).removesuffix(' (unreadable)')} cannot be used: {item.data(0, PROBLEM_ROLE)}")

    def item_for(self, type_name: str) -> QTreeWidgetItem | None:
        for group in self._groups:
            for i in range(group.childCount()):
                if group.child(i).data(0, TYPE_ROLE) == type_name:
                    return group.child(i)
        return None
