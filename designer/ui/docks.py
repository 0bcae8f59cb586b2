"""Which dock the user sees: for the panels that are built when first in view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar


def in_view(window: QMainWindow, dock: QDockWidget) -> bool:
    """Whether ``dock`` is shown and, tabbed with others, its tab is the current one.
    (Showing a window briefly reports every tabbed dock visible, so visibility alone
    does not say it.)"""
    if not dock.isVisible():
        return False
    if not window.tabifiedDockWidgets(dock):
        return True
    for bar in window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        titles = [bar.tabText(i) for i in range(bar.count())]
        if dock.windowTitle() in titles:
            return bar.currentIndex() == titles.index(dock.windowTitle())
    return True
