"""The Problems tab of the window's bottom panel: the list it shows (the
design's, or an opened block's) under its title, and how many problems there
are in a badge beside the title.

The count is a badge, not part of the title: a tab's new title lays the whole
tab widget out again and repaints the list and the panel around it (5 ms of
each edit that changes the count on a 2,000-node design,
``benchmarks/model_scale.py``). The badge keeps its size while its number
keeps its digits, so a new count repaints the badge alone.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QTabBar, QTabWidget, QWidget

from designer.ui.severity import SEVERITY_COLOURS

ERROR_BADGE = QColor(SEVERITY_COLOURS["error"])
WARNING_BADGE = QColor(SEVERITY_COLOURS["warning"])  # white reads on both
RIGHT = QTabBar.ButtonPosition.RightSide


def counts_text(errors: int, warnings: int) -> str:
    """'2 errors, 1 warning': what the badge's tooltip and the status bar say."""
    return f"{errors:,} error{'s' if errors != 1 else ''}, {warnings:,} warning{'s' if warnings != 1 else ''}"


class CountBadge(QWidget):
    """A rounded badge with a number: red when errors are among the problems,
    amber for warnings alone. Its size is fixed (Qt lays nothing out again
    when its number changes) and only grows, when the number needs more room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._height = QFontMetrics(self.font()).height()  # the title's line: the tab grows no taller for its badge
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(max(8, self._height - 4))
        self.setFont(font)
        self.text = ""
        self.colour = ERROR_BADGE
        self.setFixedSize(*self._size_for("0"))

    def _size_for(self, text: str) -> tuple[int, int]:
        return max(self._height, QFontMetrics(self.font()).horizontalAdvance(text) + 10), self._height

    def show_count(self, errors: int, warnings: int) -> bool:
        """Show ``errors + warnings``; True when the badge had to grow (its tab
        then makes room for it)."""
        self.text = f"{errors + warnings:,}" if errors + warnings else ""
        self.colour = ERROR_BADGE if errors else WARNING_BADGE
        self.setToolTip(counts_text(errors, warnings))
        self.setAccessibleName(counts_text(errors, warnings))  # what a screen reader says for the number
        width, height = self._size_for(self.text)
        grown = width > self.width()
        if grown:
            self.setFixedSize(width, height)
        self.update()
        return grown

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.colour)
        rect = QRectF(self.rect())
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.text)
        painter.end()


class ProblemsTab:
    """The first tab of ``tabs``: a problems list under its title, with the
    count badge beside the title while there are problems."""

    def __init__(self, tabs: QTabWidget) -> None:
        self.tabs = tabs
        self.badge = CountBadge(tabs.tabBar())
        self.badge.hide()

    def show(self, panel: QWidget, title: str) -> bool:
        """Put ``panel`` in the first tab under ``title`` (the tab in front stays
        in front); its counts come with its next ``show_counts``. False when
        it was there already."""
        tabs = self.tabs
        if tabs.count() and tabs.widget(0) is panel:
            return False
        self._detach()  # a tab's buttons are deleted with it
        current = tabs.currentIndex()
        old = tabs.widget(0) if tabs.count() else None
        if old is not None:
            tabs.removeTab(0)
            old.hide()
        tabs.insertTab(0, panel, title)
        tabs.setCurrentIndex(max(current, 0))
        return True

    def clear(self) -> None:
        """Every tab out (a design is replaced), the badge kept."""
        self._detach()
        self.tabs.clear()

    def show_counts(self, errors: int, warnings: int) -> None:
        grown = self.badge.show_count(errors, warnings)
        attached = self.tabs.count() > 0 and self.tabs.tabBar().tabButton(0, RIGHT) is self.badge
        if self.badge.text and (grown or not attached):
            self.tabs.tabBar().setTabButton(0, RIGHT, self.badge)  # the tab makes room for it
            self.badge.show()  # the bar hides the button it replaces, this same one when it grew
        elif not self.badge.text and attached:
            self._detach()

    def _detach(self) -> None:
        bar = self.tabs.tabBar()
        if bar.count() and bar.tabButton(0, RIGHT) is self.badge:
            bar.setTabButton(0, RIGHT, None)
        self.badge.hide()
