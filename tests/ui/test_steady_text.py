"""A message that follows every edit keeps its room: a shorter one leaves
the widgets below it where they are (nothing laid out again), a longer one
gets the room it needs, a new width fits the box to the message again."""

from __future__ import annotations

from helpers import LayoutRequests
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from designer.ui.steady_text import SteadyText

LONG = "<span style='color:#d73a49'>The design does not fit this data:<br><b>input1</b>: " + "shape 64 does not match " * 6 + "</span>"
SHORT = "<span style='color:#2a9467'>The design's Input and Output fit this data.</span>"


def panel(qtbot, width: int = 300) -> tuple[QWidget, SteadyText, QLabel]:
    host = QWidget()
    qtbot.addWidget(host)
    column = QVBoxLayout(host)
    message = SteadyText(host)
    below = QLabel("Settings below the message", host)
    column.addWidget(message)
    column.addWidget(below)
    column.addStretch(1)
    host.resize(width, 600)
    host.show()
    qtbot.waitExposed(host)
    return host, message, below


def test_a_shorter_message_keeps_the_room_and_moves_nothing(qtbot) -> None:
    host, message, below = panel(qtbot)
    message.setText(LONG)
    qtbot.wait(1)
    tall, where = message.height(), below.pos()
    requests = LayoutRequests(host)
    message.setText(SHORT)
    qtbot.wait(1)
    assert message.text() == SHORT and message.accessibleName() == "The design's Input and Output fit this data."
    assert message.height() == tall and below.pos() == where and requests.count == 0
    message.setText(LONG)  # back: it fits the room it kept
    qtbot.wait(1)
    assert message.height() == tall and below.pos() == where and requests.count == 0


def test_a_longer_message_gets_the_room_it_needs(qtbot) -> None:
    host, message, below = panel(qtbot)
    message.setText(SHORT)
    qtbot.wait(1)
    short_height, short_below = message.height(), below.y()
    message.setText(LONG)
    qtbot.wait(1)
    assert message.height() > short_height and message.height() >= message._needed(message.width())
    assert below.y() >= message.geometry().bottom() and below.y() > short_below


def test_a_new_width_fits_the_box_to_the_message_again(qtbot) -> None:
    host, message, below = panel(qtbot)
    message.setText(LONG)
    qtbot.wait(1)
    message.setText(SHORT)
    qtbot.wait(1)
    kept = message.height()
    host.resize(420, 600)
    qtbot.wait(1)
    assert message.height() < kept and message.height() == message._needed(message.width())
