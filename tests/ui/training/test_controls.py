"""The progress bar is blank until a run starts, then names the stage the
run is in from its first moment: Qt's bar shows no text until it has a value."""

from __future__ import annotations

from PySide6.QtGui import QAction

from designer.train import BatchReport
from designer.ui.training.controls import TrainingControls
from designer.ui.training.progress import ProgressClock


def test_the_stage_shows_before_any_progress(qtbot) -> None:
    controls = TrainingControls([QAction("Train")])
    qtbot.addWidget(controls)
    assert controls.progress.text() == ""  # no run in this session yet
    controls.start_run("loading the data…")
    assert controls.progress.text() == "loading the data…"


def test_a_new_run_starts_on_an_empty_bar(qtbot) -> None:
    controls = TrainingControls([QAction("Train")])
    qtbot.addWidget(controls)
    clock = ProgressClock(2, 10)
    clock.feed([BatchReport(2, 5, 5, (0.1,), 10, 0.1, 1.0)])  # the last batch of the last epoch: the bar full
    controls.show_progress(clock, "CPU, 1 thread")
    controls.show_stage("finished")
    assert controls.progress.value() == 1000
    controls.start_run("loading the data…")
    assert controls.progress.value() == 0 and controls.progress.text() == "loading the data…"
