"""Driving the canvas with real mouse events, and watching what Qt lays out."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from designer.ui.main_window import MainWindow


def view_point(window: MainWindow, scene_pos: QPointF) -> QPoint:
    return window.view.mapFromScene(scene_pos)


def output_port(window: MainWindow, node_id: str) -> QPoint:
    item = window.scene.nodes[node_id]
    return view_point(window, item.mapToScene(item.output_port_pos()))


def input_port(window: MainWindow, node_id: str, port: int = 0) -> QPoint:
    item = window.scene.nodes[node_id]
    return view_point(window, item.mapToScene(item.input_port_pos(port)))


def drag(window: MainWindow, start: QPoint, end: QPoint, button=Qt.MouseButton.LeftButton) -> None:
    viewport = window.view.viewport()
    QTest.mousePress(viewport, button, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 6):
        point = start + (end - start) * (step / 5)
        QTest.mouseMove(viewport, point)
    QTest.mouseRelease(viewport, button, Qt.KeyboardModifier.NoModifier, end)


def place(window: MainWindow, type_name: str, x: float, y: float, **params) -> str:
    node_id = window.document.add_node(type_name, (x, y), params)
    window.view.centerOn(QPointF(x, y))
    return node_id


class LayoutRequests(QObject):
    """Counts the layout requests ``widget`` receives (a change that makes Qt
    lay a panel out again, and repaint what moved)."""

    def __init__(self, widget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def problems_badge(window: MainWindow):
    """The count badge beside the Problems tab's title, None when it shows none."""
    from PySide6.QtWidgets import QTabBar

    badge = window.bottom_tabs.tabBar().tabButton(0, QTabBar.ButtonPosition.RightSide)
    return badge if badge is not None and badge.isVisibleTo(window) else None
