"""Driving the canvas with real mouse events."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
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
