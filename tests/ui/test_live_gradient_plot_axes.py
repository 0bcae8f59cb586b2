"""The per-layer gradient plot's axes stay put while points arrive (each move
redrew both axes and made every curve measure itself again): the epoch axis
doubles when the points reach its end, up to the planned run, and the norms
span whole decades, widened only when a value leaves them. The weight
histograms' view fits their columns and the chosen node's bins."""

from __future__ import annotations

import numpy as np

from designer.insight.probes import GradientSample
from designer.ui.training.gradient_plot import GradientPlot

NODES = ("dense1", "dense2")


def _sample(epoch: int, norms: tuple[float, float]) -> GradientSample:
    values = np.array(norms)
    return GradientSample(epoch, 1, epoch, 0.5, NODES, values, values, np.full(2, 0.01))


def test_the_axes_move_only_when_a_value_leaves_them(qtbot) -> None:
    plot = GradientPlot()
    qtbot.addWidget(plot)
    plot.clear_run(batches_per_epoch=10)
    plot.set_epochs(20)
    changes: list[object] = []
    plot.plot.vb.sigRangeChanged.connect(lambda *args: changes.append(args))
    plot.add_samples([_sample(3, (0.02, 0.5))])  # x = 2.0: the epoch axis doubles to 4
    (x0, x1), (y0, y1) = plot.plot.vb.viewRange()
    assert x0 < 0 < 4 < x1 < 4.2 and plot.decades == (-2, 0) and y0 < -2 and 0 < y1 < 0.2
    settled = len(changes)
    plot.add_samples([_sample(4, (0.03, 0.4))])  # within the epochs and decades shown: the view stays
    assert len(changes) == settled and plot.decades == (-2, 0)
    plot.add_samples([_sample(5, (0.004, 0.9))])  # a vanishing gradient: one more decade; epoch 4 doubles the axis
    assert plot.decades == (-3, 0) and len(changes) > settled and 8 < plot.plot.vb.viewRange()[0][1] < 8.2
    plot.add_samples([_sample(18, (0.01, 0.9))])  # x = 17: doubled to 32, but never past the planned 20 epochs
    assert 20 < plot.plot.vb.viewRange()[0][1] < 20.5
    assert len(plot.curves["dense1"].getData()[0]) == 4


def test_a_new_run_starts_from_its_own_plan(qtbot) -> None:
    plot = GradientPlot()
    qtbot.addWidget(plot)
    plot.set_epochs(50)
    plot.add_samples([_sample(60, (1.0, 2.0))])  # a run resumed past its plan widens the epoch axis
    assert plot.plot.vb.viewRange()[0][1] > 59
    plot.clear_run(batches_per_epoch=10)
    plot.set_epochs(5)
    plot.add_samples([_sample(1, (10.0, 300.0))])
    assert 2 < plot.plot.vb.viewRange()[0][1] < 2.1 and plot.decades == (1, 3)  # two whole epochs to begin with
    plot.clear_run(batches_per_epoch=10)
    plot.set_epochs(1)
    plot.add_samples([_sample(1, (10.0, 300.0))])
    assert plot.plot.vb.viewRange()[0][1] < 1.1  # never past a one-epoch plan
    dots = plot.dots.getData()  # one sample draws no line: a dot per node shows it, in its curve's colour, at its norm
    assert list(dots[0]) == [plot.curves["dense1"].getData()[0][0]] * 2 and np.allclose(10 ** np.asarray(dots[1]), [10.0, 300.0])
    assert [b.color() for b in plot.dots.data["brush"]] == [c.opts["pen"].color() for c in plot.curves.values()]
    plot.curves["dense2"].setVisible(False)  # as a click on its legend entry does
    assert np.allclose(10 ** np.asarray(plot.dots.getData()[1]), [10.0])
    plot.curves["dense2"].setVisible(True)
    assert len(plot.dots.getData()[0]) == 2
    plot.add_samples([_sample(1, (9.0, 200.0))])
    assert len(plot.dots.getData()[0]) == 0  # the lines show it now
    plot.clear_run(batches_per_epoch=10)
    assert len(plot.dots.getData()[0]) == 0


def test_weight_histograms_fit_their_columns_and_the_chosen_nodes_bins(qtbot) -> None:
    from designer.insight.probes import WeightHistograms
    from designer.ui.training.weight_histograms import WeightHistogramView

    view = WeightHistogramView()
    qtbot.addWidget(view)
    edges = (np.linspace(-1.0, 1.0, 41), np.linspace(-0.5, 0.5, 41))
    rng = np.random.default_rng(0)

    def sample(epoch: int) -> WeightHistograms:
        return WeightHistograms(epoch, NODES, edges, tuple(rng.integers(0, 9, 40) for _ in NODES))

    view.add_samples([sample(0)])
    view.add_samples([sample(1), sample(2)])
    (x0, x1), (y0, y1) = view.plot.vb.viewRange()
    assert view.matrix().shape == (40, 3)
    assert x0 <= -0.5 and x1 >= 2.5 and x1 - x0 < 1.3 * 3 and y0 <= -1.0 and y1 >= 1.0 and y1 - y0 < 1.3 * 2
    view.select("dense2")  # another node's bins: the view follows
    (y0, y1) = view.plot.vb.viewRange()[1]
    assert y0 <= -0.5 and y1 >= 0.5 and y1 - y0 < 1.3


def test_weight_histograms_read_in_epochs_when_the_budget_skips_some(qtbot) -> None:
    from designer.insight.probes import WeightHistograms
    from designer.ui.training.weight_histograms import WeightHistogramView

    view = WeightHistogramView()
    qtbot.addWidget(view)
    edges = (np.linspace(-1.0, 1.0, 41), np.linspace(-0.5, 0.5, 41))
    columns = {epoch: np.eye(40, dtype=np.int64)[k] * 5 for k, epoch in enumerate((0, 1, 5))}
    view.add_samples([WeightHistograms(epoch, NODES, edges, (c, c)) for epoch, c in columns.items()])
    assert view.matrix().shape == (40, 3)  # the histograms taken
    picture = view.image.image
    assert picture.shape[:2] == (40, 6)  # epochs 0 to 5
    reddest = picture[..., 1].argmin(axis=0)  # the bin with the count, per epoch column
    assert list(reddest) == [0, 1, 1, 1, 1, 2]  # epochs 2-4 show epoch 1's histogram, the newest then
    (x0, x1) = view.plot.vb.viewRange()[0]
    assert x0 <= -0.5 and x1 >= 5.5 and x1 - x0 < 1.3 * 6


def test_the_epoch_axes_tick_whole_epochs_only(qtbot) -> None:
    from designer.ui.training.weight_histograms import WeightHistogramView

    plot = GradientPlot()
    histograms = WeightHistogramView()
    qtbot.addWidget(plot)
    qtbot.addWidget(histograms)
    for axis in (plot.plot.getAxis("bottom"), histograms.plot.getAxis("bottom")):
        for low, high in ((0.0, 1.0), (-0.5, 0.5), (0.0, 40.0)):  # a run's first epoch, one histogram, a long run
            spacings = [spacing for spacing, _ in axis.tickSpacing(low, high, 120)]
            assert spacings and all(spacing >= 1 and spacing == int(spacing) for spacing in spacings), (low, high, spacings)
