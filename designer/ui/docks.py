"""Which dock the user sees: for the panels that are built when first in view,
and that need room when they are."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QTabBar, QWidget

from designer.ui.scrolling import scrolling


def in_view(window: QMainWindow, dock: QDockWidget) -> bool:
    """Whether ``dock`` is shown and, tabbed with others, its tab is the current one.
    (Showing a window briefly reports every tabbed dock visible, so visibility alone
    does not say it.)"""
    if not dock.isVisible():
        return False
    bar = _tab_bar(window, dock)
    if bar is None:
        return True
    titles = [bar.tabText(i) for i in range(bar.count())]
    return bar.currentIndex() == titles.index(dock.windowTitle())


def _tab_bar(window: QMainWindow, dock: QDockWidget) -> QTabBar | None:
    """The tab bar ``dock`` is tabbed in, if it is tabbed with others."""
    if not window.tabifiedDockWidgets(dock):
        return None
    for bar in window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if dock.windowTitle() in [bar.tabText(i) for i in range(bar.count())]:
            return bar
    return None


def build_when_in_view(window: QMainWindow, dock: QDockWidget, built: Callable[[], bool], build: Callable[[], None]) -> None:
    """Call ``build`` the first time ``dock`` is really in view (its tab in front)."""

    def build_if_in_view() -> None:
        if not built() and in_view(window, dock):
            build()

    def on_visibility_changed(visible: bool) -> None:
        # Showing the window shows every tabbed dock for a moment, then hides those behind
        # another tab: whether this one is really in view is known once the events settle.
        if visible and not built():
            QTimer.singleShot(0, dock, build_if_in_view)

    dock.visibilityChanged.connect(on_visibility_changed)


def put_in_dock(dock: QDockWidget, panel: QWidget, scroll: bool = True) -> None:
    """Put the built ``panel`` where the dock's placeholder was; squeezed, it
    scrolls (``scroll``), so the canvas keeps its room."""
    placeholder = dock.widget()
    dock.setWidget(scrolling(panel) if scroll else panel)
    placeholder.deleteLater()


MOST_SHARE = 0.6  # of the window's height a panel's room may take to fit its whole panel (the canvas keeps the rest)


def give_room(window: QMainWindow, dock: QDockWidget, share: float) -> None:
    """Make the (bottom) ``dock`` about ``share`` of the window's height when it
    is less; more, up to MOST_SHARE, when its panel needs more not to scroll
    (at 1280x720 half the window cut the Training panel's accuracy plot in two)."""
    content = dock.widget()
    inner = content.widget() if isinstance(content, QScrollArea) and content.widget() is not None else content
    whole = inner.minimumSizeHint().height() + dock.height() - content.height()  # the panel and the dock's title
    wanted = max(int(window.height() * share), min(whole, int(window.height() * MOST_SHARE)))
    if dock.height() < wanted - 40:
        bar = _tab_bar(window, dock)  # the size asked for is the dock area's, its tabs included
        window.resizeDocks([dock], [wanted + (bar.height() if bar is not None else 0)], Qt.Orientation.Vertical)


def give_room_when_chosen(window: QMainWindow, dock: QDockWidget, share: float) -> None:
    """The user bringing ``dock``'s tab forward gives it room (``give_room``): a panel of plots
    in the strip a list of problems needs is unreadable. Going back to another tab keeps the
    size, so the canvas does not move back and forth."""
    def on_activated(chosen: QDockWidget) -> None:
        if chosen is dock:  # once the events settle: a panel built when first in view (build_when_in_view) is built by then
            QTimer.singleShot(0, dock, lambda: give_room(window, dock, share))

    window.tabifiedDockWidgetActivated.connect(on_activated)
