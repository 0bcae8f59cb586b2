"""The sample picker: the validation split, browsable, each sample shown the
way its data reads (an image, a point among the others, a row), with the
misclassified ones marked once the chosen weights' predictions are in."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QListView, QSpinBox, QVBoxLayout, QWidget

from designer.ui.insight.colour_scale import BACKGROUND, image_item, picture_widget
from designer.ui.insight.runner import SampleSet
from designer.ui.training.image_grid import WRONG, to_pixmap
from designer.ui.training.plotting import class_scatter, style_plot

THUMB = 40
Index = QModelIndex | QPersistentModelIndex


class SampleModel(QAbstractListModel):
    """The samples shown (all, or only the misclassified), thumbnails made when first drawn."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.samples: SampleSet | None = None
        self.predicted: np.ndarray | None = None
        self.rows: list[int] = []
        self._thumbs: dict[int, object] = {}

    def set_samples(self, samples: SampleSet | None, predicted: np.ndarray | None, only_wrong: bool) -> None:
        self.beginResetModel()
        if samples is not self.samples:
            self._thumbs.clear()
        self.samples, self.predicted = samples, predicted
        count = samples.count if samples is not None else 0
        rows = range(count)
        if only_wrong and self.wrong is not None:
            rows = np.flatnonzero(self.wrong).tolist()
        self.rows = list(rows)
        self.endResetModel()

    @property
    def wrong(self) -> np.ndarray | None:
        """A boolean per sample: misclassified by the chosen weights (None before predictions)."""
        s = self.samples
        if s is None or s.labels is None or self.predicted is None or len(self.predicted) != s.count:
            return None
        return self.predicted != s.labels

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        s = self.samples
        if s is None or not index.isValid():
            return None
        k = self.rows[index.row()]
        wrong = self.wrong
        if role == Qt.ItemDataRole.DisplayRole:
            label = f"#{k}" if s.labels is None else f"#{k} {s.class_name(int(s.labels[k]))}"
            if s.targets is not None:
                label += f"  true {s.targets[k]:.3g}"
            if wrong is not None and wrong[k]:
                label += f"→{s.class_name(int(self.predicted[k]))}"
            return label
        if role == Qt.ItemDataRole.DecorationRole and s.images is not None and k < len(s.images):
            if k not in self._thumbs:
                self._thumbs[k] = to_pixmap(s.images[k], THUMB)
            return self._thumbs[k]
        if role == Qt.ItemDataRole.ForegroundRole and wrong is not None and wrong[k]:
            return QColor(WRONG)
        if role == Qt.ItemDataRole.ToolTipRole:
            truth = "" if s.labels is None else f": true {s.class_name(int(s.labels[k]))}"
            guess = (
                "" if self.predicted is None or len(self.predicted) != s.count else f", predicted {s.class_name(int(self.predicted[k]))}"
            )
            return f"validation sample {k}{truth}{guess}"
        if role == Qt.ItemDataRole.UserRole:
            return k
        return None


class SamplePicker(QWidget):
    """Choose a validation sample by number, from the list, or among the misclassified."""

    sample_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Sample", self))
        self.number = QSpinBox(self)
        self.number.setKeyboardTracking(False)
        self.number.setToolTip("The sample's number in the validation split")
        row.addWidget(self.number)
        self.only_wrong = QCheckBox("misclassified only", self)
        self.only_wrong.setEnabled(False)
        self.only_wrong.setToolTip("After predictions with the chosen weights: list only the samples they get wrong")
        row.addWidget(self.only_wrong)
        row.addStretch(1)
        column.addLayout(row)
        self.model = SampleModel(self)
        self.list = QListView(self)
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QListView.SelectionMode.SingleSelection)
        column.addWidget(self.list, 1)
        self.preview, self._box = picture_widget(self)
        self.preview.setFixedHeight(120)
        self.points = pg.PlotWidget(self, background=BACKGROUND)
        style_plot(self.points.getPlotItem())
        self.points.setFixedHeight(150)
        self.points.setMouseEnabled(False, False)
        column.addWidget(self.preview)
        column.addWidget(self.points)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        column.addWidget(self.status)
        self.preview.hide()
        self.points.hide()
        self.current: int | None = None
        self._marker: pg.ScatterPlotItem | None = None
        self._wrong_marks: pg.ScatterPlotItem | None = None  # a red ring round each misclassified point
        self.number.valueChanged.connect(self._on_number)
        self.list.selectionModel().currentChanged.connect(self._on_current)
        self.only_wrong.toggled.connect(lambda _: self._refill())

    # ------------------------------------------------------------ content
    def set_samples(self, samples: SampleSet | None) -> None:
        self.model.set_samples(samples, None, False)
        self.only_wrong.setChecked(False)
        self.only_wrong.setEnabled(False)
        image = samples is not None and samples.kind == "image"
        self.list.setViewMode(QListView.ViewMode.IconMode if image else QListView.ViewMode.ListMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setGridSize(QSize(THUMB + 34, THUMB + 20) if image else QSize())
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setWrapping(image)
        self.list.setFlow(QListView.Flow.LeftToRight if image else QListView.Flow.TopToBottom)
        self.number.blockSignals(True)
        self.number.setRange(0, max(0, (samples.count if samples else 1) - 1))
        self.number.blockSignals(False)
        self.preview.setVisible(image)
        self.points.setVisible(samples is not None and samples.kind == "points")
        if samples is not None and samples.kind == "points":
            plot = self.points.getPlotItem()
            plot.clear()
            labels = samples.labels if samples.labels is not None else np.zeros(samples.count, int)
            class_scatter(plot, samples.points, labels, size=4)
            self._wrong_marks = pg.ScatterPlotItem(size=9, pen=pg.mkPen(WRONG, width=1.5), brush=None)
            plot.addItem(self._wrong_marks)
            self._marker = pg.ScatterPlotItem(size=14, pen=pg.mkPen("#1f2328", width=2), brush=None)
            plot.addItem(self._marker)
        else:
            self._wrong_marks = self._marker = None
        self.status.setText("" if samples else "No samples yet.")
        self.current = None

    def set_predictions(self, predicted: np.ndarray | None, accuracy: float | None) -> None:
        """Mark the samples the chosen weights misclassify."""
        self.model.set_samples(self.model.samples, predicted, self.only_wrong.isChecked())
        wrong = self.model.wrong
        self.only_wrong.setEnabled(wrong is not None)
        if wrong is not None:
            count = int(wrong.sum())
            share = f"({100 * (accuracy or 0):.1f}% right)"
            self.status.setText(
                f"{count} of {len(wrong)} misclassified {share}, marked in red."
                if count
                else f"None of {len(wrong)} misclassified {share}."
            )
        samples = self.model.samples
        if self._wrong_marks is not None and samples is not None and samples.points is not None:
            at = samples.points[wrong] if wrong is not None else samples.points[:0]
            self._wrong_marks.setData(at[:, 0], at[:, 1])
        self._reselect()

    def wrong_samples(self) -> list[int]:
        wrong = self.model.wrong
        return [] if wrong is None else np.flatnonzero(wrong).tolist()

    def _refill(self) -> None:
        self.model.set_samples(self.model.samples, self.model.predicted, self.only_wrong.isChecked())
        self._reselect()

    # ---------------------------------------------------------- choosing
    def select(self, sample: int) -> None:
        """Choose ``sample`` as if the user had (emits sample_chosen when it changes)."""
        s = self.model.samples
        if s is None or not 0 <= sample < s.count:
            return
        if sample not in self.model.rows and self.only_wrong.isChecked():
            self.only_wrong.setChecked(False)
        changed = sample != self.current
        self.current = sample
        self.number.blockSignals(True)
        self.number.setValue(sample)
        self.number.blockSignals(False)
        self._reselect()
        self._show_preview(sample)
        if changed:
            self.sample_chosen.emit(sample)

    def _reselect(self) -> None:
        if self.current is None or self.current not in self.model.rows:
            return
        index = self.model.index(self.model.rows.index(self.current))
        selection = self.list.selectionModel()
        selection.blockSignals(True)
        selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect)
        selection.blockSignals(False)
        self.list.scrollTo(index)

    def _on_number(self, value: int) -> None:
        self.select(value)

    def _on_current(self, index: QModelIndex, previous: QModelIndex) -> None:
        if index.isValid():
            self.select(int(self.model.data(index, Qt.ItemDataRole.UserRole)))

    def _show_preview(self, sample: int) -> None:
        s = self.model.samples
        if s is None:
            return
        if s.images is not None and sample < len(s.images):
            self._box.clear()
            image = s.images[sample]
            rgb = np.repeat((image * 255).astype(np.uint8)[..., None], 3, axis=2) if image.ndim == 2 else (image * 255).astype(np.uint8)
            self._box.addItem(image_item(rgb))
            self._box.autoRange(padding=0)
        if s.points is not None and self._marker is not None:
            self._marker.setData([float(s.points[sample, 0])], [float(s.points[sample, 1])])
