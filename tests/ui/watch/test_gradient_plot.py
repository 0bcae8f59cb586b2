"""The per-layer gradient plot stays readable when small: its log axis labels
only 1, 2 and 5 times a power of ten, so less than a decade of range does not
print 0.04 ... 0.09 on top of each other, and its legend sits under the plot;
the weight histograms have a tab of their own."""

from __future__ import annotations

import math

from qtkit import shown

from designer.ui.training.gradient_plot import GradientPlot


def test_log_ticks_are_labelled_at_1_2_and_5_only(qtbot) -> None:
    plot = GradientPlot()
    qtbot.addWidget(plot)
    axis = plot.plot.getAxis("left")
    values = [math.log10(v) for v in (0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.2, 0.3)]
    labels = axis.logTickStrings(values, 1.0, 0.1)
    assert [bool(text) for text in labels] == [False, True, False, False, False, False, True, True, False]
    assert labels[1] == "0.05" and labels[6] == "0.1"


def _sampled(plot: GradientPlot, nodes: tuple[str, ...]) -> None:
    import numpy as np

    from designer.insight.probes import GradientSample

    ones = np.ones(len(nodes))
    plot.add_samples([GradientSample(1, 1, 1, 0.5, nodes, ones, ones, ones), GradientSample(1, 2, 2, 0.5, nodes, ones / 10, ones, ones)])


def test_the_legend_sits_under_the_plot_and_takes_the_columns_that_fit(qtbot) -> None:
    """Inside the plot, a narrow panel's legend covered most of the curves."""
    plot = shown(qtbot, GradientPlot(), 180, 300)
    nodes = tuple(f"dense{i}" for i in range(1, 10))
    _sampled(plot, nodes)
    qtbot.waitUntil(lambda: plot.legend.geometry().top() > 0)  # placed by the layout again after it measured itself
    narrow = plot.legend.columnCount
    assert plot.legend.geometry().top() >= plot.plot.geometry().bottom() - 1  # under the plot, not over its curves
    assert plot.legend.geometry().bottom() <= plot.height()  # and whole in the widget
    assert 1 < narrow < len(nodes)
    plot.resize(600, 300)
    qtbot.waitUntil(lambda: plot.legend.columnCount > narrow)
    widest = max(label.item.boundingRect().width() for _, label in plot.legend.items)
    assert plot.legend.columnCount * widest < 600  # as many as fit, no more


def test_the_weights_have_a_tab_of_their_own_beside_the_gradients(qtbot) -> None:
    from designer.ui.training.live_watch import LiveViews

    views = shown(qtbot, LiveViews(), 200, 320)
    assert [views.tabs.tabText(i) for i in range(views.tabs.count())] == ["Gradients", "Weights"]
    assert views.gradients.isVisible() and not views.weights.isVisible()
    views.tabs.setCurrentWidget(views.weights)
    assert views.weights.isVisible() and views.weights.canvas.height() > 150  # the whole tab's height, not a strip
    assert views.problems.isVisible()  # the problems found stay in view under either tab
