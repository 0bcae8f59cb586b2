"""The legend of the plots: one row per run with its colour, settings and
result; the check box shows or hides its curves, Delete forgets it, and
selecting a row shows that run's results."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from designer.ui.training.runs import RunHistory, RunRecord


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class RunsList(QWidget):
    run_selected = Signal(object)  # RunRecord | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history: RunHistory | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        title = QLabel("<b>Runs</b>", self)
        title.setToolTip(
            "Every run of this project in this session, newest first: tick to show its curves (earlier runs are dimmed); select one to see its results"
        )
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setToolTip("Forget the selected run and remove its curves")
        self.delete_button.clicked.connect(self._on_delete_clicked)
        header.addWidget(title, 1)
        header.addWidget(self.delete_button)
        column.addLayout(header)
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.currentItemChanged.connect(self._on_current_changed)
        column.addWidget(self.list, 1)
        self._items: dict[int, QListWidgetItem] = {}
        self._update_buttons()

    def set_history(self, history: RunHistory) -> None:
        if self.history is not None:
            self.history.run_added.disconnect(self._on_run_added)
            self.history.run_changed.disconnect(self._on_run_changed)
            self.history.run_removed.disconnect(self._on_run_removed)
        self.history = history
        self.list.clear()
        self._items = {}
        history.run_added.connect(self._on_run_added)
        history.run_changed.connect(self._on_run_changed)
        history.run_removed.connect(self._on_run_removed)
        for record in history.runs:
            self._add(record)
        self.select(history.latest)

    @property
    def selected(self) -> RunRecord | None:
        item = self.list.currentItem()
        return self._record(item) if item is not None else None

    def select(self, record: RunRecord | None) -> None:
        item = self._items.get(record.number) if record is not None else None
        self.list.setCurrentItem(item)
        if item is None:
            self.run_selected.emit(None)

    def _record(self, item: QListWidgetItem) -> RunRecord | None:
        number = item.data(Qt.ItemDataRole.UserRole)
        return next((r for r in self.history.runs if r.number == number), None) if self.history else None

    def _add(self, record: RunRecord) -> None:
        item = QListWidgetItem(_swatch(record.colour), "")
        item.setData(Qt.ItemDataRole.UserRole, record.number)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        self._items[record.number] = item
        self.list.insertItem(0, item)  # newest first
        self._show(record)

    def _show(self, record: RunRecord) -> None:
        item = self._items.get(record.number)
        if item is None:
            return
        self.list.blockSignals(True)
        item.setText(f"{record.label}: {record.result_text()}\n{record.settings_text()}")
        item.setToolTip(
            f"{record.label} on {record.data_source} ({record.device or 'device not yet known'})\n{record.settings_text()}\n{record.message}"
        )
        item.setCheckState(Qt.CheckState.Unchecked if record.hidden else Qt.CheckState.Checked)
        self.list.blockSignals(False)
        self._update_buttons()

    def _on_run_added(self, record: RunRecord) -> None:
        self._add(record)
        self.select(record)

    def _on_run_changed(self, record: RunRecord) -> None:
        self._show(record)
        if record is self.selected:
            self.run_selected.emit(record)

    def _on_run_removed(self, record: RunRecord) -> None:
        item = self._items.pop(record.number, None)
        if item is not None:
            self.list.takeItem(self.list.row(item))
        self._update_buttons()

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        record = self._record(item)
        if record is not None and self.history is not None:
            self.history.set_hidden(record, item.checkState() != Qt.CheckState.Checked)

    def _on_current_changed(self, current: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        self._update_buttons()
        self.run_selected.emit(self._record(current) if current is not None else None)

    def _on_delete_clicked(self) -> None:
        record = self.selected
        if record is not None and not record.running and self.history is not None:
            self.history.remove(record)

    def _update_buttons(self) -> None:
        record = self.selected if self.history is not None else None
        self.delete_button.setEnabled(record is not None and not record.running)
