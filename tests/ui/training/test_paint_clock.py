"""A run paces its updates by everything they cost the UI thread to draw:
the curves, the canvas (gradient flow, unit maps) and the live views all
time their paints into one clock, which the run reads at each update."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import sample

from designer.project import load_project
from designer.ui.paint_clock import PAINT_CLOCK
from designer.ui.training import worker
from designer.ui.training.worker import TrainingRun


@pytest.mark.parametrize("view", ["canvas", "curves", "gradients", "weights", "boundary"])
def test_each_view_a_run_redraws_times_its_paints(window, view: str) -> None:
    assert window.open_file(sample("spirals_mlp"))
    window.training.show_panel()
    panel = window.training.panel
    widget = {
        "canvas": window.view.viewport(),
        "curves": panel.plots.canvas,
        "gradients": panel.live.views.gradients,
        "weights": panel.live.views.weights.canvas,
        "boundary": panel.live_boundary.plot_widget,
    }[view]
    panel.live_boundary.show()  # shown with a run's first maps
    if view == "weights":
        panel.live.views.tabs.setCurrentWidget(panel.live.views.weights)  # its tab in front: a hidden view paints nothing
    widget.resize(300, 200)
    PAINT_CLOCK.take()
    widget.repaint()  # paints now, on this thread
    assert PAINT_CLOCK.take() > 0
    assert PAINT_CLOCK.take() == 0  # taken once


def test_the_update_interval_stretches_with_the_cost_of_its_repaints(qtbot, tmp_path: Path) -> None:
    run = TrainingRun(load_project(sample("spirals_mlp")))
    run.buffer.add_news("probe", 1)
    PAINT_CLOCK.take()  # nothing painted since the last update
    run._on_flush()  # an update whose repaints are cheap
    cheap = run.interval_ms
    assert cheap == worker.FLUSH_MS
    run.buffer.add_news("probe", 2)
    PAINT_CLOCK.add(0.05)  # the canvas and the views took 50 ms to repaint after the last update
    run._on_flush()
    assert run.interval_ms >= 1000 * 0.3 * 0.05 / worker.BUDGET  # the smoothed cost over the budget

