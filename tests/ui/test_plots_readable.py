"""The training plots and results read right: accuracy in percent from the
start, the learning rate drawn only while a schedule changes it, and the
confusion matrix titled, every row reachable at its text's height."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel

from designer.train import EpochMetrics
from designer.ui.training.plots import TrainingPlots
from designer.ui.training.results import ConfusionView
from designer.ui.training.runs import RunHistory


def epochs(rates: list[float]) -> list[EpochMetrics]:
    return [EpochMetrics(i + 1, 1.0 / (i + 1), 1.1 / (i + 1), 0.5 + 0.1 * i, 0.45 + 0.1 * i, "accuracy", lr, 1.0, 100.0) for i, lr in enumerate(rates)]


@pytest.fixture
def plots(qtbot) -> TrainingPlots:
    widget = TrainingPlots()
    qtbot.addWidget(widget)
    widget.set_history(RunHistory(widget))
    widget.resize(600, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_before_a_run_accuracy_reads_in_percent_and_no_rate_is_drawn(plots) -> None:
    low, high = plots.metric_plot.vb.viewRange()[1]
    assert (low, high) == (0.0, 100.0)
    assert not plots.lr.isVisible()
    assert plots.metric_plot.getAxis("bottom").style["showValues"], "the lowest plot shown carries the epochs"


def test_the_rate_plot_shows_only_while_a_schedule_changes_it(plots, qtbot) -> None:
    constant = plots.history.new_run({"epochs": 3}, "spirals", "a")
    constant.add_epochs(epochs([0.01, 0.01, 0.01]))
    plots.update_run(constant)
    assert not plots.lr.isVisible()
    scheduled = plots.history.new_run({"epochs": 3}, "spirals", "a")
    scheduled.add_epochs(epochs([0.01, 0.005, 0.001]))
    plots.update_run(scheduled)
    assert plots.lr.isVisible()
    qtbot.waitUntil(lambda: plots.lr.height() >= 40)  # once laid out: tall enough for its ticks
    assert not plots.metric_plot.getAxis("bottom").style["showValues"]
    low, high = plots.metric_plot.vb.viewRange()[1]
    assert (low, high) == (0.0, 100.0), "percent, and the curve is drawn in percent too"
    x, y = plots.curves[scheduled.number].val_metric.getData()
    assert np.allclose(y, [45.0, 55.0, 65.0])


def test_the_confusion_matrix_is_titled_and_its_last_row_can_be_read(qtbot) -> None:
    view = ConfusionView()
    qtbot.addWidget(view)
    view.resize(320, 220)
    view.show()
    qtbot.waitExposed(view)
    names = [str(d) for d in range(10)]
    view.table.show_matrix(np.eye(10, dtype=int) * 5, names)
    titles = " ".join(label.text() for label in view.findChildren(QLabel))
    assert "predicted" in titles and "true" in titles
    table = view.table
    qtbot.wait(50)  # laid out
    text_height = table.fontMetrics().height()
    assert all(table.rowHeight(r) >= text_height for r in range(10))
    table.scrollToItem(table.item(9, 9))
    last = table.visualItemRect(table.item(9, 9))
    assert table.viewport().rect().contains(last), "the last row can be scrolled into view whole"


@pytest.mark.parametrize("width", [240, 320, 600])
def test_the_plots_fit_a_narrow_panel_and_the_caption_wraps(plots, qtbot, width: int) -> None:
    """The caption above the curves used to be the loss plot's title, whose
    whole text's width made the plots wider than their view: cut off at the
    right, with the last epochs."""
    plots.resize(width, 400)
    qtbot.waitUntil(lambda: plots.canvas.ci.geometry().width() == plots.canvas.viewport().width(), timeout=2000)
    for plot in (plots.loss, plots.metric_plot):
        assert plot.sceneBoundingRect().right() <= plots.canvas.viewport().width()
    line = plots.caption.item.document().size().height()
    assert plots.caption.isVisible() and "each batch" in plots.caption.text
    assert (line > 30) == (width < 400)  # two lines when narrow, one when there is room


def test_a_new_run_takes_the_bright_style_and_the_earlier_one_dims(plots, qtbot) -> None:
    first = plots.history.new_run({"epochs": 3}, "spirals", "a")
    first.add_epochs(epochs([0.01, 0.01, 0.01]))
    first.status = "finished"
    plots.update_run(first)
    assert plots.curves[first.number].current
    second = plots.history.new_run({"epochs": 5}, "spirals", "a")  # running: a click started it
    assert plots.curves[second.number].current
    qtbot.waitUntil(lambda: not plots.curves[first.number].current, timeout=1000)  # the pass after the click
    assert plots.loss.vb.viewRange()[0][1] >= 5  # the epoch axis spans the new run's planned epochs


def test_an_earlier_run_draws_a_decimated_line_and_the_axis_still_holds_every_run(plots, qtbot) -> None:
    """Every batch of every earlier run, drawn and downsampled again whenever a new
    run moved the axes, made a run's start slower with each run kept."""
    from designer.train import BatchReport
    from designer.ui.training.plots import EARLIER_POINTS

    first = plots.history.new_run({"epochs": 40}, "spirals", "a")
    first.add_batches([BatchReport(e, b, 50, (5.0 / e,), 32 * b, 1.0, 0.5) for e in range(1, 41) for b in range(1, 51)])
    first.add_epochs(epochs([0.01] * 40))
    first.status = "finished"
    plots.update_run(first)
    second = plots.history.new_run({"epochs": 40}, "spirals", "a")
    second.add_batches([BatchReport(1, b, 50, (0.5,), 32 * b, 0.5, 0.5) for b in range(1, 51)])
    plots.update_run(second)
    qtbot.waitUntil(lambda: not plots.curves[first.number].current, timeout=1000)
    earlier, latest = plots.curves[first.number], plots.curves[second.number]
    x, y = earlier.smooth.getData()
    assert 2 <= len(x) <= EARLIER_POINTS + 1 and x[-1] == first.batch_x.view()[-1]  # decimated, the last point kept
    assert earlier.val.opts["symbol"] is None and latest.val.opts["symbol"] == "o"
    assert len(latest.raw.getData()[0]) == 50 and not earlier.raw.isVisible()
    low, high = plots.loss.vb.viewRange()[1]
    assert low <= 0.0 and high >= float(np.nanmax(first.batch_smooth.view()))  # the earlier run's losses still fit
