"""What a run's start asks of the UI thread is done before the click where it
can be: the live boundary's column is laid out when a 2-D design opens (not
at the run's first pictures), the next run's curve items are made while the
window is idle, and the training thread waits for the click's repaint before
loading and compiling (which hold the interpreter lock)."""

from __future__ import annotations

from paths import sample

from designer.project import load_project
from designer.ui.training.plots import TrainingPlots
from designer.ui.training.runs import RunHistory
from designer.ui.training.worker import TrainingRun

WAIT_MS = 60_000


def test_a_2d_design_gets_the_boundary_column_when_it_opens_and_the_run_does_not_lay_it_out(qtbot, window) -> None:
    assert window.open_file(sample("spirals_mlp"))
    window.training.show_panel()
    panel = window.training.panel
    qtbot.waitUntil(lambda: panel.live_boundary.isVisible() and min(panel.curves.sizes()) > 0, timeout=5_000)
    qtbot.wait(500)  # the window's docks settle
    laid_out = panel.curves.sizes()
    assert laid_out[1] < laid_out[0]  # the loss curves keep the larger part
    window.document.set_setting("training", "epochs", 2)
    sizes_during_run: list[list[int]] = []
    assert panel.start()
    panel.run.observed.connect(lambda news: sizes_during_run.append(panel.curves.sizes()))
    qtbot.waitUntil(lambda: not panel.running, timeout=WAIT_MS)
    assert panel.live_boundary.updates >= 1 and sizes_during_run
    assert all(sizes == laid_out for sizes in sizes_during_run)  # no relayout while the pictures arrive

    assert window.open_file(sample("digits_cnn"))  # not 2-D: the column goes when the design opens
    qtbot.waitUntil(lambda: panel.live_boundary.isHidden(), timeout=5_000)


def test_a_run_takes_the_curve_items_made_ahead_and_the_next_ones_are_made_once_idle(qtbot) -> None:
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    history = RunHistory(plots)
    plots.set_history(history)
    qtbot.waitUntil(lambda: plots._spare is not None, timeout=5_000)  # made after the design opened
    spare = plots._spare
    record = history.new_run({"epochs": 3}, "moons", "f")
    assert plots.curves[record.number] is spare and plots._spare is None
    assert all(item.isVisible() for item in spare.items if item is not spare.lr) and spare.record is record
    qtbot.wait(2 * 400)
    assert plots._spare is None  # never made while a run is going on
    record.status = "finished"
    history.changed(record)
    qtbot.waitUntil(lambda: plots._spare is not None, timeout=5_000)
    assert not any(item.isVisible() for item in plots._spare.items)  # hidden until a run has it


def test_the_training_thread_waits_for_the_window_to_draw_the_click(qtbot) -> None:
    run = TrainingRun(load_project(sample("spirals_mlp")))
    run.job.run = lambda: None  # only the wait matters here
    run.start()
    assert not run.job.window_ready.is_set()  # set by a zero timer: after the events the click posted
    qtbot.waitUntil(run.job.window_ready.is_set, timeout=1_000)
    assert run.wait()


def test_the_gradient_legend_is_measured_once_and_fits_every_entry(qtbot, monkeypatch) -> None:
    import numpy as np
    from pyqtgraph.graphicsItems.LegendItem import LegendItem

    from designer.insight.probes import GradientSample
    from designer.ui.training.gradient_plot import GradientPlot

    plot = GradientPlot()
    qtbot.addWidget(plot)
    nodes = tuple(f"dense{i}" for i in range(6))
    measured: list[int] = []
    update_size = LegendItem.updateSize
    monkeypatch.setattr(LegendItem, "updateSize", lambda legend: measured.append(len(legend.items)) or update_size(legend))
    plot.add_samples([GradientSample(1, 1, 1, 0.5, nodes, np.ones(6), np.ones(6), np.ones(6))])
    assert measured[-1] == 6 and not set(measured) & {1, 2, 3, 4, 5}  # with every entry in it, never one by one
    assert [label.text for _, label in plot.legend.items] == list(nodes)
    row = plot.legend.items[0][1].height() - 6  # the legend's rows overlap by its spacing, -6
    rows = -(-6 // plot.legend.columnCount)  # in as many columns as fit across
    assert plot.legend.geometry().height() >= rows * row  # room for every entry
