"""A word-wrapped rich-text message whose box does not shrink under the
widgets below it while its width stays.

A panel line that follows every edit of the design (whether the design fits
its data) changed height with its message: everything below it moved, and
the panel was laid out again and repainted at each such edit (10 ms of a
delete's undo on a 2,000-node design, ``benchmarks/model_scale.py``), the
settings under it jumping up and down while the user edited. Its box now
grows when a message needs more room and otherwise keeps its height, so a
new message repaints the line alone; a new width (the panel resized) fits
the box to the message again.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QSizePolicy, QWidget

HINT_CHARS = 40  # the width asked for, in characters: a sentence, as a word-wrapped QLabel asks


class SteadyText(QWidget):
    """Rich text, word-wrapped to the widget's width, in a box that only grows
    while that width stays (see the module's note)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._document = QTextDocument(self)
        self._document.setDocumentMargin(0)
        self._document.setDefaultFont(self.font())
        self._floor = (0, 0)  # (width, height): the height kept at that width
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name, which this stands in for
        if text == self._text:
            return
        self._text = text
        self._document.setHtml(text)
        self.setAccessibleName(self._document.toPlainText())
        if not self.isVisible() or self._needed(self.width()) > self.height():
            self.updateGeometry()  # more room needed (or not laid out yet): the layout gives it
        self.update()

    def _needed(self, width: int) -> int:
        if not self._text:
            return 0
        self._document.setTextWidth(max(1, width))
        return int(self._document.size().height() + 0.999)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        needed = self._needed(width)
        floor_width, floor_height = self._floor
        return max(needed, floor_height) if width == floor_width else needed

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """As wide as the message up to a sentence's width: the panel's width is its layout's to give."""
        self._document.setTextWidth(-1)
        width = int(min(self._document.idealWidth(), self.fontMetrics().averageCharWidth() * HINT_CHARS))
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self.fontMetrics().averageCharWidth() * 8, 0)  # the height follows the width (heightForWidth)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        width, height = event.size().width(), event.size().height()
        if width != self._floor[0]:
            self._floor = (width, self._needed(width))  # a new width: the box fits the message again
        else:
            self._floor = (width, max(self._floor[1], height))
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        self._document.setTextWidth(max(1, self.width()))
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.ColorRole.Text, self.palette().color(QPalette.ColorRole.WindowText))
        context.clip = event.rect().toRectF()
        self._document.documentLayout().draw(painter, context)
        painter.end()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.type() == event.Type.FontChange:
            self._document.setDefaultFont(self.font())
        super().changeEvent(event)

