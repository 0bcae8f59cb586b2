"""The Outputs tab: every node's output for the chosen sample as a small
picture in topological order (one list of thumbnails, however many nodes),
and beside it the nodes selected on the canvas drawn in full, side by side,
so a first convolution's edge-like maps sit next to a deeper one's coarse ones."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QSplitter, QWidget

from designer.graph.analysis import OUTPUT_TYPE
from designer.ui.insight.outputs import TensorView
from designer.ui.insight.runner import SampleOutputs

THUMB = 44
MAX_DETAILED = 3  # selected nodes drawn side by side


def to_icon_pixmap(rgb: np.ndarray, size: int) -> QPixmap:
    data = np.ascontiguousarray(rgb)
    height, width = data.shape[:2]
    image = QImage(data.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
    scaled = image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
    return QPixmap.fromImage(scaled)


class OutputsTab(QWidget):
    """All nodes as thumbnails (clicking one selects it on the canvas), the selected ones in full."""

    node_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.overview = QListWidget(split)
        self.overview.setViewMode(QListWidget.ViewMode.ListMode)  # a picture with its node's name and shape beside it
        self.overview.setIconSize(QSize(THUMB, THUMB))
        self.overview.setSpacing(2)
        self.overview.setUniformItemSizes(True)
        self.overview.setToolTip("Every node's output for this sample, in the order the data flows; click one to select it")
        self.details = QWidget(split)
        self._details_row = QHBoxLayout(self.details)
        self._details_row.setContentsMargins(0, 0, 0, 0)
        self.views: list[TensorView] = []
        split.addWidget(self.overview)
        split.addWidget(self.details)
        split.setStretchFactor(1, 1)
        split.setSizes([230, 730])
        layout.addWidget(split)
        self.outputs: SampleOutputs | None = None
        self.nodes: list[str] = []
        self.overview.itemClicked.connect(lambda item: self.node_clicked.emit(item.data(Qt.ItemDataRole.UserRole)))

    def set_outputs(self, outputs: SampleOutputs | None) -> None:
        same = outputs is not None and self.outputs is not None and outputs.order == self.outputs.order
        self.outputs = outputs
        if not same:  # another design: new items; the same one: new pictures only
            self.overview.clear()
            for nid in outputs.order if outputs is not None else []:
                shape = "×".join(str(s) for s in outputs.outputs[nid].shape)
                item = QListWidgetItem(f"{nid}\n{outputs.types[nid]} [{shape}]")
                item.setData(Qt.ItemDataRole.UserRole, nid)
                item.setToolTip(f"{nid} ({outputs.types[nid]}): [{shape}]")
                self.overview.addItem(item)
        if outputs is not None:
            self.overview.setUpdatesEnabled(False)
            for row, nid in enumerate(outputs.order):
                self.overview.item(row).setIcon(to_icon_pixmap(outputs.thumbnails[nid], THUMB))
            self.overview.setUpdatesEnabled(True)
        self._draw()

    def show_nodes(self, nodes: list[str]) -> None:
        self.nodes = list(nodes)
        self._draw()

    def _draw(self) -> None:
        outputs = self.outputs
        shown = [n for n in self.nodes if outputs is not None and n in outputs.outputs][:MAX_DETAILED]
        if outputs is not None and not shown:
            shown = [outputs.order[-1]]  # nothing selected: the network's answer
        while len(self.views) < max(1, len(shown)):
            view = TensorView(self.details)
            self._details_row.addWidget(view, 1)
            self.views.append(view)
        for k, view in enumerate(self.views):
            view.setVisible(k < max(1, len(shown)))
        if outputs is None:
            self.views[0].clear("Pick a sample to see every node's output.")
            return
        for view, nid in zip(self.views, shown):
            kind = outputs.types[nid]
            last = kind == OUTPUT_TYPE and outputs.probabilities is not None
            view.show_output(
                f"{nid} ({kind})",
                outputs.outputs[nid],
                attention=outputs.attention.get(nid),
                probabilities=outputs.probabilities if last else None,
                class_names=outputs.class_names,
                predicted=outputs.predicted,
                true=outputs.true,
            )
        for row in range(self.overview.count()):
            item = self.overview.item(row)
            item.setSelected(item.data(Qt.ItemDataRole.UserRole) in shown)
