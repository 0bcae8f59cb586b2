"""The live views keep their plot items from run to run: a new run of the same
design empties them instead of making them again (making them cost the UI
thread 10-30 ms at every run's start, time the training thread waited for),
and shows nothing of the last run until its own first values arrive."""

from __future__ import annotations

import numpy as np

from designer.insight.playground import PlaneMaps
from designer.insight.probes import GradientSample
from designer.ui.training.gradient_plot import GradientPlot
from designer.ui.training.live_boundary import LiveBoundary


def _sample(nodes: tuple[str, ...], batch: int = 1, scale: float = 1.0) -> GradientSample:
    n = len(nodes)
    norms = np.linspace(0.1, 1.0, n) * scale
    return GradientSample(1, batch, batch, 0.5, nodes, norms, norms, np.full(n, 0.01))


def _maps(points: np.ndarray, labels: np.ndarray, epoch: int = 1) -> PlaneMaps:
    output = np.random.default_rng(epoch).random((64, 64, 2)).astype(np.float32)
    return PlaneMaps(epoch, epoch, (-1.0, 1.0, -1.0, 1.0), True, output / output.sum(-1, keepdims=True), {}, points, labels)


def test_a_new_run_of_the_same_nodes_reuses_the_gradient_curves(qtbot) -> None:
    plot = GradientPlot()
    qtbot.addWidget(plot)
    nodes = ("dense1", "dense2", "dense3")
    plot.add_samples([_sample(nodes), _sample(nodes, 2)])
    first = dict(plot.curves)
    assert list(first) == list(nodes) and len(first["dense1"].getData()[0]) == 2
    plot.clear_run()
    assert not plot.curves and not plot.latest() and not plot.legend.isVisible()
    assert all(curve.getData()[0] is None or len(curve.getData()[0]) == 0 for curve in first.values())  # nothing of the last run shows
    plot.add_samples([_sample(nodes, scale=2.0)])
    assert all(plot.curves[nid] is first[nid] for nid in nodes) and plot.legend.isVisible()
    assert len(plot.curves["dense3"].getData()[0]) == 1 and plot.latest()["dense3"] == 2.0
    assert len(plot.legend.items) == 3


def test_other_nodes_get_their_own_gradient_curves(qtbot) -> None:
    plot = GradientPlot()
    qtbot.addWidget(plot)
    plot.add_samples([_sample(("dense1", "dense2"))])
    old = plot.curves["dense1"]
    plot.clear_run()
    plot.add_samples([_sample(("dense1", "conv1", "dense2"))])
    assert list(plot.curves) == ["dense1", "conv1", "dense2"] and plot.curves["dense1"] is not old
    assert old not in plot.plot.listDataItems() and len(plot.legend.items) == 3


def test_the_live_boundary_keeps_its_items_and_redraws_points_only_when_they_change(qtbot) -> None:
    boundary = LiveBoundary()
    qtbot.addWidget(boundary)
    rng = np.random.default_rng(0)
    points, labels = rng.normal(size=(50, 2)).astype(np.float32), rng.integers(0, 2, 50)
    boundary.reset()
    boundary.show_maps(_maps(points, labels))
    image, scatters = boundary.image, list(boundary._scatters)
    assert image is not None and image.isVisible() and len(scatters) == 2 and boundary.updates == 1
    boundary.reset()  # a new run: the last run's picture goes until the new one's first maps
    assert not image.isVisible() and boundary.updates == 0
    boundary.show_maps(_maps(points.copy(), labels.copy(), 2))  # the same data, new arrays
    assert boundary.image is image and image.isVisible() and boundary._scatters == scatters
    moved = points + 1.0
    boundary.show_maps(_maps(moved, labels, 3))
    items = boundary.plot_widget.getPlotItem().items
    assert all(s not in items for s in scatters) and len(boundary._scatters) == 2
    assert all(s in items for s in boundary._scatters)
    shown = np.concatenate([np.column_stack(s.getData()) for s in boundary._scatters])
    assert np.allclose(np.sort(shown, axis=0), np.sort(moved, axis=0))


def test_curves_prepared_at_a_runs_start_are_made_a_few_per_pass_and_serve_its_first_sample(qtbot) -> None:
    plot = GradientPlot()
    qtbot.addWidget(plot)
    nodes = tuple(f"dense{k}" for k in range(1, 11))
    plot.prepare_curves(nodes)
    assert 0 < len(plot._kept) < len(nodes)  # the rest wait for the next passes of the event loop
    qtbot.waitUntil(lambda: len(plot._kept) == len(nodes), timeout=2000)
    made = dict(plot._kept)
    plot.add_samples([_sample(nodes)])
    assert all(plot.curves[nid] is made[nid] for nid in nodes) and len(plot.legend.items) == len(nodes)


def test_a_sample_before_the_prepared_curves_are_done_finishes_them(qtbot) -> None:
    plot = GradientPlot()
    qtbot.addWidget(plot)
    nodes = tuple(f"dense{k}" for k in range(1, 11))
    plot.prepare_curves(nodes)
    first = plot._kept["dense1"]
    plot.add_samples([_sample(nodes)])  # at once: the curves not made yet are made now
    assert list(plot.curves) == list(nodes) and plot.curves["dense1"] is first and len(plot.legend.items) == len(nodes)
    other = ("dense1", "conv1")
    plot.clear_run()
    plot.prepare_curves(("dense1", "dense2"))  # what a run said it would sample ...
    plot.add_samples([_sample(other)])  # ... and what it did: the samples decide
    assert list(plot.curves) == list(other) and len(plot.legend.items) == 2


def test_the_nodes_a_run_names_at_its_start_reach_the_gradient_plot(qtbot) -> None:
    """The run publishes them (RunWatch), the live watch hands them on: the curves are made before the first sample."""
    from designer.ui.training.live_watch import GRADIENT_NODES, LiveWatch
    from designer.ui.training.plots import TrainingPlots

    plots = TrainingPlots()
    qtbot.addWidget(plots)
    live = LiveWatch(plots.loss, plots)
    nodes = ("dense1", "dense2", "dense3")
    live.take([(GRADIENT_NODES, nodes)])
    qtbot.waitUntil(lambda: list(live.views.gradients._kept) == list(nodes), timeout=2000)


def test_a_new_run_stops_the_curves_an_earlier_run_named_and_never_used(qtbot) -> None:
    plot = GradientPlot()
    qtbot.addWidget(plot)
    plot.prepare_curves(tuple(f"dense{k}" for k in range(1, 11)))  # a run stopped before its first sample
    plot.clear_run()
    assert not plot._to_make and not plot._making.isActive()
    made = list(plot._kept)
    qtbot.wait(50)
    assert list(plot._kept) == made  # nothing more made for the run that is gone


def test_the_plots_say_what_they_will_show_until_a_run_gives_them_something(qtbot) -> None:
    """Before a run the Training panel's plots were bare axes (ticks at 2 and 5, nothing else)."""
    from designer.ui.training.weight_histograms import WeightHistogramView

    plot = GradientPlot()
    qtbot.addWidget(plot)
    plot.resize(300, 200)
    plot.show()
    assert plot.empty.isVisible() and "gradient" in plot.empty.text()
    assert plot.empty.geometry().width() == 300 - 2 * plot.empty.MARGIN  # it covers the plot's bare axes, at its size
    plot.add_samples([_sample(("dense1", "dense2"))])
    assert not plot.empty.isVisible()
    plot.clear_run()
    assert plot.empty.isVisible()  # a new run: until its first sample
    weights = WeightHistogramView()
    qtbot.addWidget(weights)
    weights.show()
    assert weights.empty.isVisible() and "weights" in weights.empty.text()

    boundary = LiveBoundary()
    qtbot.addWidget(boundary)
    boundary.show()
    assert boundary.empty.isVisible() and "decision boundary" in boundary.empty.text()
    rng = np.random.default_rng(0)
    boundary.show_maps(_maps(rng.normal(size=(20, 2)).astype(np.float32), rng.integers(0, 2, 20)))
    assert not boundary.empty.isVisible()


def test_a_run_that_does_not_map_the_plane_says_so_over_the_last_runs_points(qtbot) -> None:
    boundary = LiveBoundary()
    qtbot.addWidget(boundary)
    boundary.show()
    rng = np.random.default_rng(0)
    boundary.reset()
    boundary.show_maps(_maps(rng.normal(size=(20, 2)).astype(np.float32), rng.integers(0, 2, 20)))
    assert not boundary.empty.isVisible()
    boundary.reset(mapped=False)
    assert boundary.empty.isVisible() and boundary.empty.text() == "This run does not map the plane"
