"""Two runs side by side: their curves overlaid, their settings in a table
with the differences marked, and the diff of their designs as a picture
(diff_view.py) and as a list. Either run's design can be opened on the
canvas from here (one undo step)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer.runs.compare import RunComparison, compare_runs
from designer.runs.diff import REMOVED
from designer.ui.training.diff_view import DIFF_COLOURS, DiffView, legend_html
from designer.ui.training.plotting import BACKGROUND, style_plot
from designer.ui.training.runs import RunRecord

DIFFERS = QColor("#fff1c2")


class CompareDialog(QDialog):
    """Compares ``first`` (older) with ``second``; ``open_design_requested`` asks the window to open a run's design."""

    open_design_requested = Signal(object)  # RunRecord

    def __init__(self, first: RunRecord, second: RunRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Compare {first.label} and {second.label}")
        self.resize(1280, 760)
        self.comparison: RunComparison = compare_runs(first, second)
        column = QVBoxLayout(self)
        self.headline = QLabel(self)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.headline)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QSplitter(Qt.Orientation.Vertical, split)
        self.curves = pg.GraphicsLayoutWidget(left)
        self.curves.setBackground(BACKGROUND)
        self.loss_plot = style_plot(self.curves.addPlot(row=0, col=0), "loss")
        self.metric_plot = style_plot(self.curves.addPlot(row=1, col=0), "accuracy %" if second.metric_name == "accuracy" else "MAE", "epoch")
        self.metric_plot.setXLink(self.loss_plot)
        self.loss_plot.addLegend(offset=(-10, 10))
        self.settings = QTableWidget(left)
        right = QWidget(split)
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        title = QLabel(f"<b>Design</b>: from {first.label} to {second.label} · {legend_html()}", right)
        right_column.addWidget(title)
        self.diff_view = DiffView(right)
        right_column.addWidget(self.diff_view, 3)
        self.changes = QListWidget(right)
        right_column.addWidget(self.changes, 1)
        buttons = QHBoxLayout()
        for record in (first, second):
            button = QPushButton(f"Open {record.label}'s design", right)
            button.setToolTip(f"Put {record.label}'s design and settings on the canvas (one undo step; Undo brings back the current one)")
            button.setEnabled(record.snapshot is not None)
            button.clicked.connect(lambda _=False, r=record: self.open_design_requested.emit(r))
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QPushButton("Close", right)
        close.clicked.connect(self.close)
        buttons.addWidget(close)
        right_column.addLayout(buttons)
        left.setSizes([380, 360])  # the curves and the settings share the column
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        column.addWidget(split, 1)
        self._fill()

    def _fill(self) -> None:
        c = self.comparison
        a, b = c.first, c.second
        results = {r.name: r for r in c.rows if r.section == "result"}
        best = results["best metric"]
        self.headline.setText(
            f"<b style='color:{a.colour}'>{a.label}</b> {best.first} → <b style='color:{b.colour}'>{b.label}</b> {best.second}"
            f" · {len(c.differences)} settings differ · {len(c.design.lines()) if not c.design.same else 0} design changes"
        )
        for record in (a, b):
            self._plot(record)
        self._fill_settings()
        if a.snapshot is not None and b.snapshot is not None:
            self.diff_view.show_diff(a.snapshot.graph.records(), b.snapshot.graph.records(), c.design)
        for line in c.design.lines():
            self.changes.addItem(line)
            kind = line.split(" ", 1)[0]
            colour = {"added": "added", "removed": REMOVED, "renamed": "renamed", "changed": "changed"}.get(kind)
            if colour is None and kind in ("wired", "unwired"):
                colour = "added" if kind == "wired" else REMOVED
            if colour is not None:
                self.changes.item(self.changes.count() - 1).setForeground(QColor(DIFF_COLOURS[colour]))

    def _plot(self, record: RunRecord) -> None:
        pen = pg.mkPen(record.colour, width=2.0)
        self.loss_plot.plot(record.batch_x.view(), record.batch_smooth.view(), pen=pen, name=f"{record.label} loss")
        x, y = record.epoch_array("val_loss")
        self.loss_plot.plot(x, y, pen=pg.mkPen(record.colour, width=1.4, style=Qt.PenStyle.DashLine), symbol="o", symbolSize=6,
                       symbolBrush=record.colour, name=f"{record.label} validation")  # fmt: skip
        scale = 100.0 if record.metric_name == "accuracy" else 1.0
        x, y = record.epoch_array("val_metric")
        if not len(x):
            x, y = record.epoch_array("train_metric")
        self.metric_plot.plot(x, y * scale, pen=pen, symbol="o", symbolSize=6, symbolBrush=record.colour)

    def _fill_settings(self) -> None:
        rows = self.comparison.rows
        a, b = self.comparison.first, self.comparison.second
        table = self.settings
        table.setColumnCount(3)
        table.setRowCount(len(rows))
        table.setHorizontalHeaderLabels(["setting", a.label, b.label])
        table.verticalHeader().hide()
        bold = QFont()
        bold.setBold(True)
        for i, row in enumerate(rows):
            cells = [QTableWidgetItem(f"{row.section}.{row.name}" if row.section != "result" else row.name), QTableWidgetItem(row.first),
                     QTableWidgetItem(row.second)]  # fmt: skip
            for j, cell in enumerate(cells):
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if row.differs and row.section != "result":
                    cell.setBackground(QBrush(DIFFERS))
                    if j:
                        cell.setFont(bold)
                table.setItem(i, j, cell)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
