"""Train, Pause/Resume and Stop: the window's actions (toolbar, Train menu,
F5/F6/Shift+F5) and the Training panel's buttons alike. Made apart from the
panel so the window has them before the panel is built (on first use)."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence


class TrainingActions(NamedTuple):
    start: QAction
    pause: QAction
    stop: QAction


def training_actions(parent: QObject) -> TrainingActions:
    """The three actions, unconnected: the Training panel connects them to its run."""
    start = QAction("Train", parent)
    start.setShortcut(QKeySequence("F5"))
    start.setStatusTip("Train the design on its data (F5)")
    pause = QAction("Pause", parent)
    pause.setCheckable(True)
    pause.setShortcut(QKeySequence("F6"))
    pause.setStatusTip("Pause the run before its next batch, or resume it (F6)")
    stop = QAction("Stop", parent)
    stop.setShortcut(QKeySequence("Shift+F5"))
    stop.setStatusTip("Stop the run before its next batch; its weights so far are kept (Shift+F5)")
    return TrainingActions(start, pause, stop)
