"""A grid of small images with a caption under each: data previews and the
validation samples after a run (true and predicted label, wrong ones in red)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from designer.data.deferred import deferred

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")  # imported with the first images drawn, not with the inspector's data form at start

WRONG = "#d73a49"
RIGHT = "#1f2328"


def to_pixmap(image: np.ndarray, size: int) -> QPixmap:
    """A (H, W) or (H, W, 3) array in [0, 1] as a pixmap ``size`` pixels high, pixels kept sharp."""
    data = np.ascontiguousarray(np.clip(image * 255.0, 0, 255).astype(np.uint8))
    height, width = data.shape[:2]
    if data.ndim == 2:
        qimage = QImage(data.data, width, height, width, QImage.Format.Format_Grayscale8)
    else:
        qimage = QImage(data.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    qimage = qimage.copy()  # own the pixels: the numpy buffer goes away
    scaled = qimage.scaled(
        max(1, size * width // height), size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )
    return QPixmap.fromImage(scaled)


class ImageGrid(QWidget):
    """``columns`` images per row, each with a one-line caption; ``tile_clicked``
    gives the position of a tile clicked."""

    tile_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None, tile: int = 48, columns: int = 8) -> None:
        super().__init__(parent)
        self.tile, self.columns = tile, columns
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(4)
        self.tiles: list[QWidget] = []

    def set_images(
        self, images: np.ndarray, captions: Sequence[str], colours: Sequence[str] | None = None, tips: Sequence[str] | None = None
    ) -> None:
        for tile in self.tiles:
            tile.deleteLater()
        self.tiles = []
        for i, image in enumerate(images):
            tile = QWidget(self)
            column = QVBoxLayout(tile)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(1)
            picture = QLabel(tile)
            picture.setPixmap(to_pixmap(image, self.tile))
            picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
            colour = colours[i] if colours else RIGHT
            border = "2px solid " + colour if colour == WRONG else "1px solid #d0d7de"
            picture.setStyleSheet(f"border: {border};")
            caption = QLabel(captions[i], tile)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption.setStyleSheet(f"color: {colour}; font-size: 11px;")
            column.addWidget(picture)
            column.addWidget(caption)
            if tips:
                tile.setToolTip(tips[i])
            self._grid.addWidget(tile, i // self.columns, i % self.columns)
            tile.installEventFilter(self)
            self.tiles.append(tile)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.MouseButtonRelease and watched in self.tiles:
            self.tile_clicked.emit(self.tiles.index(watched))
        return False
