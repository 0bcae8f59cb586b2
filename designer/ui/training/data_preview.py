"""A look at the data before training: a scatter plot for 2-D points, a curve,
a few sequences, a grid of images, or a table of a CSV file's first rows
(``designer.data.preview`` decides which). Previews are made off the UI
thread (the data section's ``LatestRequest`` runs ``make_preview``), since a
preview may have to read the user's file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from designer.data import Preview
from designer.ui.training.image_grid import ImageGrid
from designer.ui.training.plotting import class_colour, class_scatter, plot_widget


def make_preview(settings: Mapping[str, Any], base_dir: Path | None) -> Preview:
    """The preview of some data settings (off the UI thread: it may read the
    user's file); raises DataError, or whatever a broken file raises."""
    from designer.data import preview

    return preview(settings, base_dir)


class DataPreview(QStackedWidget):
    """Shows a :class:`designer.data.Preview` in the form that suits it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = plot_widget(self)
        self.plot.setMinimumHeight(180)
        self.images = ImageGrid(self, tile=40, columns=6)
        images_page = QWidget(self)
        images_layout = QVBoxLayout(images_page)
        images_layout.setContentsMargins(0, 0, 0, 0)
        images_layout.addWidget(self.images)
        images_layout.addStretch(1)
        self.table = QTableWidget(self)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.setMinimumHeight(180)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        for page in (self.plot, images_page, self.table, self.message):
            self.addWidget(page)
        self._images_page = images_page
        self.kind = ""

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #d73a49;" if error else "color: #57606a;")
        self.setCurrentWidget(self.message)
        self.kind = "error" if error else "message"

    def show_preview(self, preview: Preview) -> None:
        self.kind = preview.kind
        if preview.kind == "images":
            captions = [preview.label(i) for i in range(len(preview.x))]
            self.images.set_images(preview.x, captions)
            self.setCurrentWidget(self._images_page)
        elif preview.kind == "table":
            self._fill_table(preview.columns, preview.rows)
            self.setCurrentWidget(self.table)
        else:
            self._fill_plot(preview)
            self.setCurrentWidget(self.plot)

    def _fill_table(self, columns: list[str], rows: list[list[str]]) -> None:
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(columns)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def _fill_plot(self, preview: Preview) -> None:
        plot = self.plot.getPlotItem()
        plot.clear()
        if preview.kind == "points":
            class_scatter(plot, preview.x, preview.y)
            plot.setLabel("left", "x2")
            plot.setLabel("bottom", "x1")
            plot.setAspectLocked(True)
        elif preview.kind == "curve":
            order = np.argsort(preview.x)
            plot.addItem(pg.ScatterPlotItem(preview.x[order], preview.y[order], size=4, pen=None, brush=pg.mkBrush(class_colour(0, 160))))
            plot.setLabel("left", "target")
            plot.setLabel("bottom", "input")
            plot.setAspectLocked(False)
        else:  # series: a few sequences, one line each
            for i, row in enumerate(preview.x):
                plot.plot(np.arange(len(row)), row, pen=pg.mkPen(class_colour(i), width=1.5))
            plot.setLabel("left", "value (first feature)")
            plot.setLabel("bottom", "step")
            plot.setAspectLocked(False)
        plot.autoRange()
