"""The one diverging scale (designer.insight.colors) in Qt: signed arrays as
RGB images and bar brushes, and the legend every Insight view shows beside
its picture, so negative blue, zero white and positive red read the same
in each."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from designer.insight.colors import NEGATIVE, POSITIVE, ZERO, diverging_rgb, symmetric_limit

GAP = (208, 215, 222)  # between tiles of a grid: a grey the scale never uses
BACKGROUND = "#ffffff"
MUTED = "#57606a"


def signed_rgb(values: np.ndarray, limit: float | None = None) -> np.ndarray:
    """A 2-D array as an (H, W, 3) uint8 image on the diverging scale."""
    return diverging_rgb(np.asarray(values, np.float64), symmetric_limit(values) if limit is None else limit)


def brushes(values: np.ndarray, limit: float | None = None) -> list[QColor]:
    """One colour per value, on the scale (for bars)."""
    rgb = signed_rgb(np.asarray(values).reshape(-1), limit)
    return [QColor(int(r), int(g), int(b)) for r, g, b in rgb]


def outlined_brushes(values: np.ndarray, limit: float | None = None) -> tuple[list[QColor], list[QColor]]:
    """Fill and outline per bar: a faint value is near white, so its outline keeps it visible."""
    fills = brushes(values, limit)
    return fills, [c.darker(135) for c in fills]


def image_item(rgb: np.ndarray) -> pg.ImageItem:
    """An RGB image item in row-major order (row 0 at the top once the view is inverted)."""
    item = pg.ImageItem(np.ascontiguousarray(rgb), axisOrder="row-major")
    item.setAutoDownsample(False)
    return item


def picture_widget(parent: QWidget | None = None) -> tuple[pg.GraphicsLayoutWidget, pg.ViewBox]:
    """A plain view for images: no axes, aspect kept, row 0 at the top."""
    widget = pg.GraphicsLayoutWidget(parent)
    widget.setBackground(BACKGROUND)
    box = widget.addViewBox()
    box.setAspectLocked(True)
    box.invertY(True)
    box.setMenuEnabled(False)
    box.setMouseEnabled(False, False)
    return widget, box


class ColourLegend(QWidget):
    """A bar from -limit (blue) through 0 (white) to +limit (red), with its numbers."""

    def __init__(self, parent: QWidget | None = None, caption: str = "") -> None:
        super().__init__(parent)
        self.limit = 1.0
        self.caption = caption
        self.positive_only = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("One colour scale for every signed value: blue negative, white zero, red positive")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(260, 2 * self.fontMetrics().height() + 12)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(160, self.sizeHint().height())

    def set_limit(self, limit: float, caption: str | None = None, positive_only: bool = False) -> None:
        self.limit, self.positive_only = float(limit), positive_only
        if caption is not None:
            self.caption = caption
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        metrics = self.fontMetrics()
        text_h = metrics.height()
        bar = QRectF(4, 2, self.width() - 8, max(8, self.height() - text_h - 8))
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        stops = ((0.0, ZERO), (1.0, POSITIVE)) if self.positive_only else ((0.0, NEGATIVE), (0.5, ZERO), (1.0, POSITIVE))
        for position, rgb in stops:
            gradient.setColorAt(position, QColor(*rgb))
        painter.fillRect(bar, gradient)
        painter.setPen(QPen(QColor("#8c959f"), 1))
        painter.drawRect(bar)
        painter.setPen(QColor(MUTED))
        low = "0" if self.positive_only else f"−{_number(self.limit)}"
        middle = f"{_number(self.limit / 2)}" if self.positive_only else "0"
        text_top = bar.bottom() + 2
        row = QRectF(bar.left(), text_top, bar.width(), text_h)
        painter.drawText(row, Qt.AlignmentFlag.AlignLeft, low)
        painter.drawText(row, Qt.AlignmentFlag.AlignHCenter, f"{middle}   {self.caption}".strip() if self.caption else middle)
        painter.drawText(row, Qt.AlignmentFlag.AlignRight, f"+{_number(self.limit)}")


def _number(value: float) -> str:
    return f"{value:.3g}"
