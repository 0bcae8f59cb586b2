"""What a finished run shows: why it ended and its best epoch, then the views
that suit its data, each computed on the training thread (outcome.py):

- classification: a confusion matrix with the class names;
- 2-D points: the decision boundary over the validation points;
- regression: predicted against true values, with the ideal diagonal;
- images: validation samples with true and predicted labels, misclassified first.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from designer.runs.outcome import Boundary, Reconstructions, ResultViews, RunOutcome
from designer.train import EARLY_STOPPED, FAILED, FINISHED, STOPPED
from designer.ui.training.image_grid import RIGHT, WRONG, ImageGrid
from designer.ui.training.plotting import POINT_OUTLINE, class_colour, class_plane_rgb, class_scatter, plot_widget
from designer.ui.training.runs import RunRecord

REASONS = {FINISHED: "Finished", EARLY_STOPPED: "Stopped early", STOPPED: "Stopped by you", FAILED: "Failed"}
STATUS_COLOURS = {FINISHED: "#2a9467", EARLY_STOPPED: "#2a9467", STOPPED: "#b07d00", FAILED: "#d73a49"}


class ConfusionTable(QTableWidget):
    """Rows: true class; columns: predicted class; cells shaded by share of the row."""

    def show_matrix(self, matrix: np.ndarray, names: list[str]) -> None:
        n = len(matrix)
        labels = [names[i] if i < len(names) else str(i) for i in range(n)]
        self.clear()
        self.setRowCount(n)
        self.setColumnCount(n)
        self.setHorizontalHeaderLabels(labels)
        self.setVerticalHeaderLabels(labels)
        self.horizontalHeader().setToolTip("predicted class")
        self.verticalHeader().setToolTip("true class")
        totals = np.maximum(matrix.sum(axis=1, keepdims=True), 1)
        for i in range(n):
            for j in range(n):
                share = matrix[i, j] / totals[i, 0]
                item = QTableWidgetItem(str(int(matrix[i, j])))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                base = QColor("#2a9467" if i == j else "#d73a49")
                base.setAlphaF(float(min(1.0, 0.08 + 0.85 * share)) if matrix[i, j] else 0.0)
                item.setBackground(QBrush(base))
                item.setToolTip(f"true {labels[i]}, predicted {labels[j]}: {int(matrix[i, j])} ({100 * share:.0f}% of {labels[i]})")
                self.setItem(i, j, item)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rows = self.verticalHeader()
        rows.setMinimumSectionSize(self.fontMetrics().height() + 4)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # never squeezed under its text: it scrolls instead
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QTableWidget.ScrollMode.ScrollPerPixel)


class ConfusionView(QWidget):
    """The confusion table under its titles: predicted classes across, true classes down."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = ConfusionTable(self)
        grid = QGridLayout(self)
        grid.setContentsMargins(2, 2, 2, 2)
        grid.setSpacing(2)
        across = QLabel("predicted class →", self)
        across.setAlignment(Qt.AlignmentFlag.AlignCenter)
        down = QLabel("true\nclass\n↓", self)
        down.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        for label in (across, down):
            label.setStyleSheet("color: #57606a;")
        grid.addWidget(across, 0, 1)
        grid.addWidget(down, 1, 0)
        grid.addWidget(self.table, 1, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(1, 1)


class ResultsView(QWidget):
    """The reason, best epoch and the views of the run chosen (the latest by default)."""

    save_requested = Signal()
    export_requested = Signal()
    sample_requested = Signal(object, int)  # (RunRecord, validation index): a sample image clicked, to look inside

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel("Results appear here when a run ends.", self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # Room for two lines, always: "running…" and a run's summary differ in length, and a
        # label that grows lays the results' plots out again.
        self.summary.setMinimumHeight(2 * self.summary.fontMetrics().lineSpacing())
        column.addWidget(self.summary)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("Save weights", self)
        self.save_button.setToolTip("Write the kept weights beside the project as NAME.safetensors (and NAME.metrics.csv)")
        self.save_button.clicked.connect(self.save_requested)
        self.export_button = QPushButton("Export ONNX…", self)
        self.export_button.setToolTip("Export the trained model to ONNX, checked against PyTorch")
        self.export_button.clicked.connect(self.export_requested)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        self.tabs = QTabWidget(self)
        keep = self.tabs.sizePolicy()
        keep.setRetainSizeWhenHidden(True)  # hidden while a run trains: the panel must not be laid out again
        self.tabs.setSizePolicy(keep)
        self.confusion_view = ConfusionView(self)
        self.confusion = self.confusion_view.table
        self.boundary = plot_widget(self, "x2", "x1")
        self.regression = plot_widget(self, "predicted", "true")
        self.samples = ImageGrid(self, tile=44, columns=6)
        self.samples.tile_clicked.connect(self._on_sample_clicked)
        self.reconstructions = ImageGrid(self, tile=44, columns=6)
        pages = {
            "boundary": self.boundary,
            "samples": _scrolling(self.samples, self),
            "reconstructions": _scrolling(self.reconstructions, self),
            "confusion": self.confusion_view,
            "regression": self.regression,
        }
        titles = {
            "boundary": "Decision boundary",
            "samples": "Samples",
            "reconstructions": "Reconstructions",
            "confusion": "Confusion matrix",
            "regression": "Predicted vs true",
        }
        self._tab = {key: self.tabs.addTab(page, titles[key]) for key, page in pages.items()}
        column.addWidget(self.tabs, 1)
        column.addStretch(1)  # keeps the summary and buttons at the top while there are no views
        self._column = column
        self.record: RunRecord | None = None
        self.outcome: RunOutcome | None = None
        self.set_actions_enabled(False, False)

    def set_actions_enabled(self, save: bool, export: bool) -> None:
        self.save_button.setEnabled(save)
        self.export_button.setEnabled(export)

    def show_run(self, record: RunRecord | None) -> None:
        self.record = record
        self.outcome = record.outcome if record is not None else None  # what is shown (tests wait for it)
        self._show_tabs(False)
        outcome = record.outcome if record is not None else None
        if record is None or outcome is None:
            # The tabs keep their place and their set until the next results: a tab bar that
            # empties and fills again laid the results' plots out again at each run's start and end.
            self.summary.setText("Results appear here when a run ends." if record is None else f"<b>{record.label}</b> is running…")
            return
        self.summary.setText(summary_html(record, outcome))
        views = outcome.views
        if views is None:
            return
        shown = []
        if views.boundary is not None:
            self._draw_boundary(views.boundary, views.class_names)
            shown.append("boundary")
        if views.images is not None:
            self._draw_samples(views)
            shown.append("samples")
        if views.reconstructions is not None:
            self._draw_reconstructions(views.reconstructions)
            shown.append("reconstructions")
        if views.confusion is not None:
            self.confusion.show_matrix(views.confusion, views.class_names)
            shown.append("confusion")
        if views.true_values is not None and views.predicted_values is not None:
            self._draw_regression(views.true_values, views.predicted_values)
            shown.append("regression")
        for key, index in self._tab.items():
            if self.tabs.isTabVisible(index) != (key in shown):
                self.tabs.setTabVisible(index, key in shown)
        if shown:
            self.tabs.setCurrentIndex(self._tab[shown[0]])
            self._show_tabs(True)

    def _show_tabs(self, visible: bool) -> None:
        self.tabs.setVisible(visible)
        if visible:  # from then on hidden tabs keep their room (see __init__): the column is not laid out again
            self._column.setStretch(self._column.count() - 1, 0)

    def _draw_boundary(self, boundary: Boundary, names: list[str]) -> None:
        plot = self.boundary.getPlotItem()
        plot.clear()
        count = max(len(names), int(np.max(boundary.classes, initial=0)) + 1, int(np.max(boundary.labels, initial=0)) + 1)
        item = pg.ImageItem(axisOrder="row-major")
        # No levels: the 8-bit colours as they are (levels taken from the picture made its pale colours saturated).
        item.setImage(class_plane_rgb(boundary.classes, boundary.confidence, count), autoLevels=False)
        x0, x1, y0, y1 = boundary.extent
        item.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        plot.addItem(item)
        class_scatter(plot, boundary.points, boundary.labels, outline=POINT_OUTLINE)
        plot.setAspectLocked(True)
        plot.autoRange(padding=0)
        self.boundary.setToolTip(
            "Colours: the predicted class (white where the network is undecided); dots: validation samples by true class"
        )

    def _draw_regression(self, true: np.ndarray, predicted: np.ndarray) -> None:
        plot = self.regression.getPlotItem()
        plot.clear()
        lo, hi = float(min(true.min(), predicted.min())), float(max(true.max(), predicted.max()))
        plot.plot([lo, hi], [lo, hi], pen=pg.mkPen("#8c959f", style=Qt.PenStyle.DashLine))
        plot.addItem(pg.ScatterPlotItem(true, predicted, size=5, pen=None, brush=pg.mkBrush(class_colour(0, 150))))
        plot.autoRange()
        self.regression.setToolTip("Each validation sample: true value across, predicted value up; on the dashed line they agree")

    def _draw_samples(self, views: ResultViews) -> None:
        samples = views.images
        assert samples is not None
        names = views.class_names

        def name(k: int) -> str:
            return names[k] if k < len(names) else str(k)

        captions = [f"{name(t)} → {name(p)}" if t != p else name(t) for t, p in zip(samples.true, samples.predicted)]
        colours = [WRONG if t != p else RIGHT for t, p in zip(samples.true, samples.predicted)]
        tips = [f"true {name(t)}, predicted {name(p)}: click to look inside (Insight)" for t, p in zip(samples.true, samples.predicted)]
        self.samples.set_images(samples.images, captions, colours, tips)

    def _on_sample_clicked(self, position: int) -> None:
        views = self.outcome.views if self.outcome is not None else None
        found = views.images if views is not None else None
        if found is not None and found.indices is not None and views.split == "validation" and position < len(found.indices):
            self.sample_requested.emit(self.record, int(found.indices[position]))

    def _draw_reconstructions(self, found: Reconstructions) -> None:
        """Pairs of tiles: the validation image, then the network's version of
        it with its error; the worst first."""
        tiles = np.stack([image for pair in zip(found.inputs, found.outputs) for image in pair])
        captions = [text for error in found.errors for text in ("input", f"MSE {error:.3f}")]
        tips = [f"a validation image and its reconstruction (mean squared error {error:.4f})" for error in found.errors for _ in (0, 1)]
        self.reconstructions.set_images(tiles, captions, tips=tips)


def _scrolling(widget: QWidget, parent: QWidget) -> QScrollArea:
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area


def summary_html(record: RunRecord, outcome: RunOutcome) -> str:
    """The reason the run ended, its best epoch and metrics, and any notes."""
    status = outcome.status
    colour = STATUS_COLOURS.get(status, "#1f2328")
    lines = [f"<b>{record.label}</b>: <b style='color:{colour}'>{REASONS.get(status, status)}</b> — {_escape(outcome.message)}"]
    best = outcome.result.best
    if best is not None:
        metric = best.val_metric if best.val_metric is not None else best.train_metric
        shown = f"{100 * metric:.1f}% accuracy" if best.metric_name == "accuracy" else f"MAE {metric:.4g}"
        loss = best.val_loss if best.val_loss is not None else best.train_loss
        lines.append(f"Best epoch {best.epoch}: {'validation' if best.val_loss is not None else 'training'} loss {loss:.4g}, {shown}.")
    kept = outcome.result.kept_state
    if status == FAILED:
        lines.append("The last good weights are kept." if kept is not None else "No weights were kept: no epoch finished cleanly.")
    elif outcome.result.keep_best and kept is not None:
        lines.append(f"The weights kept are epoch {outcome.result.best_epoch}'s (the best).")
    lines.extend(f"<span style='color:#57606a'>{_escape(n)}</span>" for n in outcome.notes)
    return "<br>".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
