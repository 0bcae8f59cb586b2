"""Every run of the project in one sortable table (best validation metric,
epochs, time, the settings that differ between runs, the node parameters a
sweep tried), and beside it a scatter of one setting against the result:
which learning rate, which width, did best."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer.runs.table import header, run_cells, setting_columns, sweep_columns
from designer.ui.training.plotting import BACKGROUND, style_plot
from designer.ui.training.runs import RunHistory, RunRecord

LOG_SCALE = ("learning_rate", "weight_decay")  # settings spread over decades


class _Cell(QTableWidgetItem):
    """Sorts by the cell's value, not its text (10 after 9, 1e-3 before 1e-2)."""

    def __init__(self, text: str, value: object) -> None:
        super().__init__(text)
        self.value = value
        self.setFlags(self.flags() & ~Qt.ItemFlag.ItemIsEditable)

    def __lt__(self, other: QTableWidgetItem) -> bool:  # Qt's sort calls it
        a, b = self.value, getattr(other, "value", None)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return (math.isnan(a), a) < (math.isnan(b), b)
        return str(a) < str(b)


class RunsTableDialog(QDialog):
    run_chosen = Signal(object)  # RunRecord: a row or a point clicked

    def __init__(self, history: RunHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Runs")
        self.resize(1240, 620)
        self.runs = list(history.runs)
        self.settings = setting_columns(self.runs)
        self.swept = sweep_columns(self.runs)
        column = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.table = QTableWidget(split)
        right = QWidget(split)
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Result against", right))
        self.axis = QComboBox(right)
        for name in [*self.settings, *self.swept]:
            if self._numbers(name) is not None:
                self.axis.addItem(name)
        self.axis.currentTextChanged.connect(self._plot)
        row.addWidget(self.axis, 1)
        right_column.addLayout(row)
        self.plot_widget = pg.PlotWidget(right, background=BACKGROUND)
        self.plot = style_plot(self.plot_widget.getPlotItem())
        right_column.addWidget(self.plot_widget, 1)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        column.addWidget(split)
        self._fill()
        self._plot(self.axis.currentText())

    def _fill(self) -> None:
        names = header(self.settings, self.swept)
        table = self.table
        table.setColumnCount(len(names))
        table.setRowCount(len(self.runs))
        table.setHorizontalHeaderLabels([n.replace("_", " ") for n in names])
        table.verticalHeader().hide()
        for i, record in enumerate(self.runs):
            for j, cell in enumerate(run_cells(record, self.settings, self.swept)):
                item = _Cell(cell.text, cell.value)
                item.setData(Qt.ItemDataRole.UserRole, record.number)
                if j == 0:
                    item.setForeground(pg.mkColor(record.colour))
                table.setItem(i, j, item)
        table.setSortingEnabled(True)
        table.sortItems(2, Qt.SortOrder.DescendingOrder)  # the best first
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.cellDoubleClicked.connect(self._on_double_clicked)

    def _numbers(self, name: str) -> np.ndarray | None:
        """The runs' values of a setting or swept parameter, when they are all numbers."""
        values = [self._value(r, name) for r in self.runs]
        if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return None
        return np.asarray(values, dtype=np.float64)

    @staticmethod
    def _value(record: RunRecord, name: str) -> object:
        params = (record.sweep or {}).get("params", {})
        if name in params:
            return params[name]
        return record.settings.get(name)

    def _plot(self, name: str) -> None:
        self.plot.clear()
        x = self._numbers(name) if name else None
        scored = [(i, r) for i, r in enumerate(self.runs) if r.best_metric is not None]
        if x is None or not scored:
            return
        log = name in LOG_SCALE and bool((x > 0).all())
        if log:
            x = np.log10(x)
        accuracy = self.runs[-1].metric_name == "accuracy"
        scale = 100.0 if accuracy else 1.0
        spots = [
            {"pos": (x[i], r.best_metric * scale), "brush": pg.mkBrush(r.colour), "size": 11, "data": r.number}
            if not (r.sweep or {}).get("pruned")
            else {"pos": (x[i], r.best_metric * scale), "brush": pg.mkBrush("#ffffff"), "pen": pg.mkPen(r.colour, width=1.5), "size": 9,
                  "data": r.number}  # a pruned trial: hollow (its best is from fewer epochs)  # fmt: skip
            for i, r in scored
        ]
        scatter = pg.ScatterPlotItem(spots, pen=pg.mkPen("#ffffff", width=0.8))
        scatter.sigClicked.connect(lambda _item, points, *_: self._on_points_clicked(points))
        self.plot.addItem(scatter)
        self.plot.setLabel("left", "best accuracy %" if accuracy else "best MAE")
        self.plot.setTitle("<span style='color:#57606a;font-size:9pt'>each dot a run · hollow: a trial the sweep pruned</span>")
        self.plot.setLabel("bottom", ("log10 " if log else "") + name.replace("_", " "))

    def _on_points_clicked(self, points) -> None:
        if len(points):
            record = next((r for r in self.runs if r.number == points[0].data()), None)
            if record is not None:
                self.run_chosen.emit(record)

    def _on_double_clicked(self, row: int, column: int) -> None:
        number = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        record = next((r for r in self.runs if r.number == number), None)
        if record is not None:
            self.run_chosen.emit(record)
