"""Panels that scroll: a panel in a scroll area, and fields that leave the
mouse wheel to it.

A spin box or a drop-down list takes the wheel to change its value, even
when the pointer merely passes over it while the user scrolls the panel:
samples 1000 became 1001 and the project was marked modified. Here only a
field that has the keyboard focus (the user clicked or tabbed into it) takes
the wheel; over any other field the wheel scrolls the panel around it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSlider, QAbstractSpinBox, QApplication, QComboBox, QScrollArea, QWidget

VALUE_FIELDS = (QAbstractSpinBox, QComboBox, QAbstractSlider)


class WheelGuard(QObject):
    """An event filter: a wheel over an unfocused field scrolls the nearest scroll area instead."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget) or watched.hasFocus():
            return False
        assert isinstance(event, QWheelEvent)
        area = _scroll_area_around(watched)
        if area is not None:
            viewport = area.viewport()
            at = viewport.mapFromGlobal(event.globalPosition().toPoint())
            QApplication.sendEvent(
                viewport,
                QWheelEvent(
                    at.toPointF(),
                    event.globalPosition(),
                    event.pixelDelta(),
                    event.angleDelta(),
                    event.buttons(),
                    event.modifiers(),
                    event.phase(),
                    event.inverted(),
                ),
            )
        event.ignore()
        return True  # the field keeps its value


_GUARD: WheelGuard | None = None


def guard_wheel(*fields: QWidget) -> None:
    """Let ``fields`` take the wheel only while they have the focus (which the wheel no longer gives them)."""
    global _GUARD
    if _GUARD is None:
        _GUARD = WheelGuard(QApplication.instance())
    for field in fields:
        if field.focusPolicy() == Qt.FocusPolicy.WheelFocus:
            field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        field.installEventFilter(_GUARD)


def guard_wheel_within(root: QWidget) -> None:
    """guard_wheel for every spin box, drop-down list and slider inside ``root``."""
    guard_wheel(*(w for w in root.findChildren(QWidget) if isinstance(w, VALUE_FIELDS)))


def scrolling(widget: QWidget, parent: QWidget | None = None) -> QScrollArea:
    """``widget`` in a frameless scroll area that resizes it: a panel squeezed
    below its minimum size scrolls instead of forcing its size on the window."""
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


def _scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and not isinstance(parent, VALUE_FIELDS):
            return parent
        parent = parent.parentWidget()
    return None
