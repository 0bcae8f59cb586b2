"""The legend of the plots and the project's run history: one row per run
with its colour, settings and result; the check box shows or hides its
curves, selecting a row shows that run's results. Below the list, what can
be done with the selected run (resume, pin, open its design, an HTML
report, delete) and with two (compare). Folders that could not be read are listed
last, greyed, with the reason; they can only be deleted."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from designer.runs import UnreadableRun
from designer.ui.training.runs import RunHistory, RunRecord

UNREADABLE = "#8c959f"


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


def _button(text: str, tip: str, parent: QWidget) -> QPushButton:
    button = QPushButton(text, parent)
    button.setToolTip(tip)
    return button


class RunsList(QWidget):
    run_selected = Signal(object)  # RunRecord | None
    delete_requested = Signal(object)  # RunRecord or UnreadableRun: the panel asks first
    resume_requested = Signal(object)  # RunRecord
    compare_requested = Signal(object, object)  # two RunRecords, older first
    open_design_requested = Signal(object)  # RunRecord
    report_requested = Signal(object)  # RunRecord
    table_requested = Signal()
    sweep_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history: RunHistory | None = None
        self.running = False  # a run of this window trains (no resume, no second run)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        title = QLabel("<b>Runs</b>", self)
        title.setToolTip(
            "Every run of this project, kept beside it (NAME.runs), newest first: tick to show its curves; "
            "select one to see its results, two (Ctrl+click) to compare them"
        )
        self.compare_button = _button("Compare", "Compare the two selected runs: curves, settings and the diff of their designs", self)
        self.table_button = _button("Table", "Every run in a sortable table, with a plot of a setting against the result", self)
        self.sweep_button = _button("Sweep…", "Try many settings and node parameters, each trial a recorded run (Optuna)", self)
        header.addWidget(title, 1)
        for button in (self.compare_button, self.table_button, self.sweep_button):
            header.addWidget(button)
        column.addLayout(header)
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        column.addWidget(self.list, 1)
        actions = QHBoxLayout()
        self.resume_button = _button("Resume", "Continue the selected stopped or crashed run from its last checkpoint", self)
        self.pin_button = _button("Pin", "Keep this run's weights beside the project whatever runs come later", self)
        self.pin_button.setCheckable(True)
        self.open_button = _button("Open design", "Put this run's design and settings on the canvas (one undo step)", self)
        self.report_button = _button("Report…", "Export this run as a self-contained HTML report", self)
        self.delete_button = _button("Delete", "Delete the selected run and its files (asks first)", self)
        for button in (self.resume_button, self.pin_button, self.open_button, self.report_button, self.delete_button):
            actions.addWidget(button)
        actions.addStretch(1)
        column.addLayout(actions)
        self.compare_button.clicked.connect(self._on_compare_clicked)
        self.table_button.clicked.connect(self.table_requested)
        self.sweep_button.clicked.connect(self.sweep_requested)
        self.resume_button.clicked.connect(lambda: self._emit_for_selected(self.resume_requested))
        self.open_button.clicked.connect(lambda: self._emit_for_selected(self.open_design_requested))
        self.report_button.clicked.connect(lambda: self._emit_for_selected(self.report_requested))
        self.pin_button.clicked.connect(self._on_pin_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self._items: dict[int, QListWidgetItem] = {}
        self._unreadable_items: list[QListWidgetItem] = []
        self._update_buttons()

    def set_history(self, history: RunHistory) -> None:
        if self.history is not None:
            self.history.run_added.disconnect(self._on_run_added)
            self.history.run_changed.disconnect(self._on_run_changed)
            self.history.run_removed.disconnect(self._on_run_removed)
            self.history.unreadable_changed.disconnect(self._show_unreadable)
        self.history = history
        self.list.clear()
        self._items = {}
        self._unreadable_items = []
        history.run_added.connect(self._on_run_added)
        history.run_changed.connect(self._on_run_changed)
        history.run_removed.connect(self._on_run_removed)
        history.unreadable_changed.connect(self._show_unreadable)
        for record in history.runs:
            self._add(record)
        self._show_unreadable()
        self.select(history.latest)

    def set_running(self, running: bool) -> None:
        self.running = running
        self._update_buttons()

    # ------------------------------------------------------------ selection
    @property
    def selected(self) -> RunRecord | None:
        item = self.list.currentItem()
        return self._record(item) if item is not None else None

    @property
    def selected_runs(self) -> list[RunRecord]:
        """The selected runs, oldest first."""
        runs = [r for item in self.list.selectedItems() if (r := self._record(item)) is not None]
        return sorted(runs, key=lambda r: r.number)

    @property
    def selected_unreadable(self) -> UnreadableRun | None:
        item = self.list.currentItem()
        found = item.data(Qt.ItemDataRole.UserRole + 1) if item is not None else None
        return found if isinstance(found, UnreadableRun) else None

    def select(self, record: RunRecord | None) -> None:
        item = self._items.get(record.number) if record is not None else None
        self.list.setCurrentItem(item)
        if item is None:
            self.run_selected.emit(None)

    def select_two(self, first: RunRecord, second: RunRecord) -> None:
        self.list.clearSelection()
        for record in (first, second):
            item = self._items.get(record.number)
            if item is not None:
                item.setSelected(True)
        self._update_buttons()

    def _record(self, item: QListWidgetItem) -> RunRecord | None:
        number = item.data(Qt.ItemDataRole.UserRole)
        return self.history.find(number) if self.history is not None and isinstance(number, int) else None

    # --------------------------------------------------------------- rows
    def _add(self, record: RunRecord) -> None:
        item = QListWidgetItem(_swatch(record.colour), "")
        item.setData(Qt.ItemDataRole.UserRole, record.number)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        self._items[record.number] = item
        later = sum(1 for n in self._items if n > record.number)
        self.list.insertItem(later, item)  # newest first
        self._show(record)

    def _show(self, record: RunRecord) -> None:
        item = self._items.get(record.number)
        if item is None:
            return
        self.list.blockSignals(True)
        pin = " · pinned" if record.pinned else ""
        where = "" if record.origin == "window" else f" · {record.origin}"
        item.setText(f"{record.label}: {record.result_text()}{pin}{where}\n{record.settings_text()}")
        notes = "\n".join(record.outcome.notes) if record.outcome is not None else ""
        item.setToolTip(
            f"{record.label} ({record.id or 'not saved'}) on {record.data_source} ({record.device or 'device not yet known'})\n"
            f"{record.settings_text()}\n{record.message}" + (f"\n{notes}" if notes else "")
        )
        item.setCheckState(Qt.CheckState.Unchecked if record.hidden else Qt.CheckState.Checked)
        self.list.blockSignals(False)
        self._update_buttons()

    def _show_unreadable(self) -> None:
        for item in self._unreadable_items:
            self.list.takeItem(self.list.row(item))
        self._unreadable_items = []
        for bad in self.history.unreadable if self.history is not None else []:
            item = QListWidgetItem(f"{bad.id}: unreadable\n{bad.reason}")
            item.setData(Qt.ItemDataRole.UserRole + 1, bad)
            item.setForeground(QColor(UNREADABLE))
            item.setToolTip(f"{bad.folder} cannot be read: {bad.reason}. Delete it, or repair its files.")
            self.list.addItem(item)
            self._unreadable_items.append(item)
        self._update_buttons()

    def _on_run_added(self, record: RunRecord) -> None:
        self._add(record)
        if record.running:
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

    # ------------------------------------------------------------ actions
    def _emit_for_selected(self, signal: Signal) -> None:
        record = self.selected
        if record is not None:
            signal.emit(record)

    def _on_compare_clicked(self) -> None:
        runs = self.selected_runs
        if len(runs) == 2:
            self.compare_requested.emit(runs[0], runs[1])

    def _on_pin_clicked(self) -> None:
        record = self.selected
        if record is not None and self.history is not None:
            self.history.set_pinned(record, self.pin_button.isChecked())

    def _on_delete_clicked(self) -> None:
        bad = self.selected_unreadable
        if bad is not None:
            self.delete_requested.emit(bad)
            return
        record = self.selected
        if record is not None and not record.running:
            self.delete_requested.emit(record)

    def _update_buttons(self) -> None:
        record = self.selected if self.history is not None else None
        bad = self.selected_unreadable if self.history is not None else None
        ended = record is not None and not record.running
        self.delete_button.setEnabled(ended or bad is not None)
        self.resume_button.setEnabled(ended and not self.running and record.resumable)
        self.pin_button.setEnabled(ended)
        self.pin_button.setChecked(record is not None and record.pinned)
        self.open_button.setEnabled(ended and record.snapshot is not None and not self.running)
        self.report_button.setEnabled(ended)
        self.compare_button.setEnabled(len(self.selected_runs) == 2 if self.history is not None else False)
        self.table_button.setEnabled(self.history is not None and bool(self.history.runs))
        self.sweep_button.setEnabled(self.history is not None and self.history.store is not None and not self.running)
