"""The Export menu: the canvas as PNG or SVG."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QMenu

from designer.ui import dialogs

if TYPE_CHECKING:
    from designer.ui.main_window import MainWindow


class ExportActions:
    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def fill_menu(self, menu: QMenu) -> None:
        menu.addAction("Canvas as &PNG…", self.export_png)
        menu.addAction("Canvas as &SVG…", self.export_svg)

    def _suggest(self, suffix: str) -> str:
        document = self.window.document
        base = document.path.with_suffix(suffix) if document.path else Path.cwd() / f"design{suffix}"
        return str(base)

    def export_png(self, path: str | None = None) -> Path | None:
        path = path or dialogs.ask_save_path(self.window, "Export canvas as PNG", self._suggest(".png"), "PNG images (*.png)")
        if not path:
            return None
        rect = self.window.scene.items_rect()
        scale = 2.0  # sharp on high-density screens and in documents
        image = QImage(QSize(int(rect.width() * scale), int(rect.height() * scale)), QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.white)
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.window.scene.render(painter, QRectF(image.rect()), rect)
        painter.end()
        if not image.save(path):
            dialogs.show_error(self.window, "Cannot export", f"{path}: the image could not be written")
            return None
        self.window.show_message(f"Exported the canvas to {Path(path).name}")
        return Path(path)

    def export_svg(self, path: str | None = None) -> Path | None:
        path = path or dialogs.ask_save_path(self.window, "Export canvas as SVG", self._suggest(".svg"), "SVG drawings (*.svg)")
        if not path:
            return None
        rect = self.window.scene.items_rect()
        generator = QSvgGenerator()
        generator.setFileName(path)
        generator.setSize(QSize(int(rect.width()), int(rect.height())))
        generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
        generator.setTitle(self.window.document.title)
        painter = QPainter(generator)
        self.window.scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
        painter.end()
        if not Path(path).exists():
            dialogs.show_error(self.window, "Cannot export", f"{path}: the drawing could not be written")
            return None
        self.window.show_message(f"Exported the canvas to {Path(path).name}")
        return Path(path)
