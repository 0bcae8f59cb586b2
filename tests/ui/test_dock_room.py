"""A bottom panel of plots brought forward by its tab gets room: at 1280x720
the Training tab clicked by hand showed its plots in the strip the Problems
list needs (about 150 pixels), and half the window still cut the accuracy
plot in two. Going back keeps the size (no jumping)."""

from __future__ import annotations

from paths import sample
from PySide6.QtWidgets import QTabBar

from designer.ui.training.dock import SHARE_WHILE_TRAINING


def _click_tab(window, title: str) -> None:
    for bar in window.findChildren(QTabBar):
        titles = [bar.tabText(i) for i in range(bar.count())]
        if title in titles:
            bar.setCurrentIndex(titles.index(title))
            return
    raise AssertionError(f"no tab {title!r}")


def test_the_training_tab_chosen_by_hand_gets_room_and_keeps_it(window, qtbot) -> None:
    window.resize(1280, 720)
    window.open_file(sample("digits_cnn"))
    qtbot.wait(50)
    dock = window.training.dock
    cramped = window.bottom_dock.height()
    assert cramped < 720 * SHARE_WHILE_TRAINING - 40  # the Problems list's strip
    _click_tab(window, "Training")
    qtbot.waitUntil(lambda: dock.height() >= 720 * SHARE_WHILE_TRAINING - 40)
    qtbot.wait(50)
    assert dock.widget().verticalScrollBar().maximum() == 0  # the whole panel: the accuracy plot was cut in two
    canvas = window.view.height()
    _click_tab(window, "Problems and summary")
    qtbot.wait(50)
    assert window.view.height() == canvas  # the canvas stays where it is
