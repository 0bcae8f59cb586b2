"""A widget on the screen for a test, as a user would have it."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def shown(qtbot, widget: QWidget, width: int, height: int) -> QWidget:
    """``widget`` at ``width`` x ``height``, shown and exposed; qtbot closes it after the test."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget
