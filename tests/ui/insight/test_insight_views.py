"""Insight views on their own, from plain arrays and a bare Document."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from designer.document import Document
from designer.insight.colors import NEGATIVE, POSITIVE, ZERO
from designer.insight.parameters import Neuron
from designer.ui.insight.colour_scale import GAP
from designer.ui.insight.outputs import TensorView, map_grid, thumbnail, unit_ticks
from designer.ui.insight.panel import InsightPanel
from designer.ui.insight.runner import NeuronView
from designer.ui.insight.weights import filter_bands, filter_grid, perceptron_text
from designer.ui.training.image_grid import WRONG


def test_feature_maps_are_one_image_on_the_diverging_scale() -> None:
    maps = np.zeros((64, 4, 4))
    maps[0, 0, 0], maps[1, 0, 0] = -2.0, 2.0
    grid, rows, columns = map_grid(maps)
    assert rows * columns >= 64 and grid.shape == (rows * 5 - 1, columns * 5 - 1, 3)
    assert tuple(grid[0, 0]) == NEGATIVE and tuple(grid[0, 5]) == POSITIVE and tuple(grid[1, 1]) == ZERO
    assert thumbnail(maps).shape == grid.shape


def test_a_tensor_is_drawn_by_its_shape(qtbot) -> None:
    view = TensorView()
    qtbot.addWidget(view)
    view.show_output("maps", np.random.default_rng(0).normal(size=(8, 5, 5)).astype(np.float32))
    assert (view.mode, view.maps) == ("maps", 8) and "8 feature maps (" in view.title.text()
    view.show_output("image", np.zeros((1, 8, 8), np.float32))
    assert view.maps == 1 and "one map" in view.title.text() and "feature maps" not in view.title.text()
    view.show_output("sequence", np.zeros((12, 3), np.float32))
    assert view.mode == "heatmap"
    view.show_output("units", np.linspace(-1, 1, 10))
    assert view.mode == "bars" and view.legend.limit == 1.0
    view.show_output("attention", np.zeros((6, 16)), attention=np.full((6, 6), 1 / 6))
    assert view.mode == "attention"
    view.show_output("output", np.zeros(3), probabilities=np.array([0.2, 0.7, 0.1]), class_names=["a", "b", "c"], predicted=1, true=0)
    assert view.mode == "probabilities" and not view.legend.isVisibleTo(view)
    view.clear("Step to begin.")  # nothing to draw: the words alone, no empty axes or colour scale
    assert view.title.text() == "Step to begin." and not view.plot.isVisibleTo(view) and not view.legend.isVisibleTo(view)
    view.show_output("units", np.linspace(-1, 1, 10))
    assert view.plot.isVisibleTo(view) and view.legend.isVisibleTo(view)


def test_a_sequence_after_the_class_probabilities_has_no_class_names_on_its_steps(qtbot) -> None:
    """The tokens Transformer's encoder output, drawn after its Output's probabilities, had
    the three class names over its steps (unreadable), in a strip a tenth of the plot wide."""
    view = TensorView()
    qtbot.addWidget(view)
    names = ["marker 0", "marker 1", "marker 2"]
    view.show_output("output", np.zeros(3), probabilities=np.array([0.2, 0.7, 0.1]), class_names=names, predicted=1, true=1)
    view.show_output("encoder", np.random.default_rng(0).normal(size=(16, 32)).astype(np.float32))
    plot = view.plot.getPlotItem()
    assert view.mode == "heatmap" and plot.getAxis("bottom")._tickLevels is None  # numbered steps again
    assert not plot.getViewBox().state["aspectLocked"]  # a table of values fills the plot
    view.show_output("maps", np.zeros((4, 5, 5), np.float32))
    assert plot.getViewBox().state["aspectLocked"]  # pictures keep square pixels


def test_conv_filters_tile_by_output_and_input_channel() -> None:
    weight = np.ones((3, 2, 3, 3))
    weight[1, 1] = -1
    grid = filter_grid(weight, 1.0)
    assert grid.shape == (3 * 4 - 1, 2 * 4 - 1, 3)
    assert tuple(grid[4, 4]) == NEGATIVE and tuple(grid[0, 0]) == POSITIVE


def test_a_first_convolutions_filters_are_laid_out_in_bands_not_a_thin_column() -> None:
    """Sixteen 3x3 filters of one input channel, one under another, were a column
    three pixels wide in a wide view: in four bands of four they are a square."""
    weight = -np.ones((16, 1, 3, 3))
    weight[5] = 1  # the sixth filter: second band, second row
    grid = filter_grid(weight, 1.0)
    assert grid.shape == (4 * 4 - 1, 4 * 5 - 2, 3)
    assert tuple(grid[4, 5]) == POSITIVE and tuple(grid[0, 0]) == NEGATIVE and tuple(grid[4, 0]) == NEGATIVE
    assert tuple(grid[0, 3]) == tuple(grid[0, 4]) == GAP  # two pixels between bands, one between rows
    # in a wide view, the bands that draw the tiles largest there
    assert filter_bands(32, 16, 3, 3) == 1 and filter_bands(32, 16, 3, 3, (380, 190)) == 2
    assert filter_grid(np.ones((32, 16, 3, 3)), 1.0, (380, 190)).shape == (16 * 4 - 1, 2 * (16 * 4 + 1) - 2, 3)


def test_the_perceptron_sentence_adds_inputs_weights_and_bias() -> None:
    neuron = Neuron("dense1", 2, np.array([0.5, -1.0]), 0.25)
    view = NeuronView(neuron, np.array([2.0, 1.0]), 0.25, ("relu1", 0.25))
    text = perceptron_text(view)
    assert "Σ input×weight = 0" in text and "bias +0.25" in text and "relu1" in text


def test_an_empty_design_is_named_a_problem_not_run(qtbot) -> None:
    panel = InsightPanel()
    qtbot.addWidget(panel)
    panel.set_document(Document(), None)
    panel.show()
    qtbot.waitUntil(lambda: panel.problem.isVisible())
    assert panel.problem.text().startswith("Fix the design's problems first")
    assert panel.weights.currentText() == "initialised (seed 0)" and panel.weights.count() == 2


def test_bars_of_units_are_ticked_at_whole_numbers() -> None:
    """Two units had ticks at -0.4, -0.3 ... 1.4: units are counted."""
    assert [label for _, label in unit_ticks(2)] == ["0", "1"]
    assert [label for _, label in unit_ticks(30)] == ["0", "5", "10", "15", "20", "25"]
    assert all(len(unit_ticks(n)) <= 12 for n in range(1, 1025))


def test_misclassified_points_are_ringed_in_red_where_the_status_says(qtbot) -> None:
    from designer.ui.insight.runner import SampleSet
    from designer.ui.insight.samples import SamplePicker

    picker = SamplePicker()
    qtbot.addWidget(picker)
    points = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [3.0, 3.0]], dtype=np.float32)
    picker.set_samples(SampleSet(4, "points", np.array([0, 1, 0, 1]), ["a", "b"], points=points))
    picker.set_predictions(np.array([0, 0, 0, 0]), 0.5)
    assert "marked in red" in picker.status.text()
    rings = picker._wrong_marks
    assert rings is not None and rings.opts["pen"].color().name() == WRONG
    assert sorted(zip(*rings.getData())) == [(1.0, 1.0), (3.0, 3.0)]
    picker.set_predictions(np.array([0, 1, 0, 1]), 1.0)
    assert len(rings.getData()[0]) == 0 and picker.status.text() == "None of 4 misclassified (100.0% right)."
    assert len(unit_ticks(64, 3)) <= 3 and len(unit_ticks(50_000)) <= 12  # a narrow plot; a neuron fed by a large flatten


def _neuron_plots(qtbot, size: tuple[int, int]) -> tuple[object, list]:
    from PySide6.QtCore import QSize

    from designer.ui.insight.weights import WeightsView

    view = WeightsView()
    qtbot.addWidget(view)
    view.show()
    view.neuron_plot.setFixedSize(QSize(*size))
    qtbot.waitUntil(lambda: view.neuron_plot.size() == QSize(*size))
    weights = np.linspace(-1, 1, 64)
    view.show_neuron(NeuronView(Neuron("dense2", 0, weights, 0.1), np.ones(64), 0.1, None))
    qtbot.wait(10)
    return view, [item for item in view.neuron_plot.ci.items if isinstance(item, pg.PlotItem)]  # the view keeps them


def test_a_neurons_weights_and_products_fit_their_pane_side_by_side_when_it_is_wide(qtbot) -> None:
    """At 1280x720 the pane was 365x190: stacked, each plot was about 60 pixels
    high; side by side, long titles had pushed the second past the pane's edge."""
    _, wide = _neuron_plots(qtbot, (365, 190))
    assert len(wide) == 2 and wide[1].sceneBoundingRect().left() >= wide[0].sceneBoundingRect().right() - 1
    assert all(plot.sceneBoundingRect().right() <= 365 + 1 for plot in wide)
    ticks = wide[0].getAxis("bottom")._tickLevels[0]
    assert all(float(value).is_integer() for value, _ in ticks) and len(ticks) <= 4
    _, tall = _neuron_plots(qtbot, (300, 400))
    assert tall[1].sceneBoundingRect().top() >= tall[0].sceneBoundingRect().bottom() - 1


def test_a_convolution_units_kernel_is_a_picture_without_half_unit_ticks(qtbot) -> None:
    """A 3x3 kernel was drawn over axes reading 0, 0.5 ... 3, the rows' axis named "weight"."""
    from PySide6.QtCore import QSize

    from designer.ui.insight.weights import WeightsView

    view = WeightsView()
    qtbot.addWidget(view)
    view.show()
    view.neuron_plot.setFixedSize(QSize(600, 220))
    qtbot.waitUntil(lambda: view.neuron_plot.size() == QSize(600, 220))
    kernel = np.linspace(-1, 1, 9).reshape(1, 3, 3)
    view.show_neuron(NeuronView(Neuron("conv1", 0, kernel, 0.1), None, None, None))
    (plot,) = [item for item in view.neuron_plot.ci.items if isinstance(item, pg.PlotItem)]
    assert plot.getAxis("bottom").labelText == "its 3x3 kernel" and plot.getAxis("left").labelText == ""
    assert not plot.getAxis("left").style["showValues"] and not plot.getAxis("bottom").style["showValues"]
    view.show_neuron(NeuronView(Neuron("conv2", 0, np.ones((16, 3, 3)), 0.1), None, None, None))
    (plot,) = [item for item in view.neuron_plot.ci.items if isinstance(item, pg.PlotItem)]
    assert plot.getAxis("bottom").labelText == "its 3x3 kernel for each of its 16 input channels"


def test_a_layer_with_many_parameters_gets_as_many_histograms_as_fit_and_no_idle_neuron_pane(qtbot) -> None:
    """A Transformer layer's twelve parameters made four histograms about 40 pixels high,
    beside an empty plot and a disabled Neuron box over the reason there is no neuron."""
    from PySide6.QtCore import QSize

    from designer.insight.parameters import ParameterValues
    from designer.ui.insight.runner import NodeDetails
    from designer.ui.insight.weights import HISTOGRAM_ROOM, WeightsView

    view = WeightsView()
    qtbot.addWidget(view)
    view.resize(QSize(1000, 260))
    view.show()
    qtbot.waitUntil(lambda: view.histograms.height() > 0)
    rng = np.random.default_rng(0)
    parameters = [ParameterValues(f"p{k}", rng.normal(size=(8, 4))) for k in range(12)]
    refusal = "encoder1 is a TransformerEncoderLayer: neurons are shown for Linear layers"
    view.show_details(NodeDetails("encoder1", "TransformerEncoderLayer", parameters, None, refusal, 0, None, ""))
    drawn = [item for item in view.histograms.ci.items if isinstance(item, pg.PlotItem)]
    assert 1 <= len(drawn) <= max(1, view.histograms.height() // HISTOGRAM_ROOM) < 4
    assert view.formula.text() == refusal and not view.neuron_plot.isVisibleTo(view) and not view.unit.isVisibleTo(view)


def test_a_regressions_sample_is_told_by_its_prediction_and_truth() -> None:
    from designer.ui.insight.outputs import regression_text

    assert regression_text(np.array([0.558]), np.array([0.571])) == "predicted <b>0.558</b>, true <b>0.571</b> (off by 0.013)"
    assert regression_text(np.array([[1.0, 2.0]]), np.array([1.5, 2.5])).startswith("mean absolute error <b>0.5</b> over its 2")
    assert regression_text(np.array([1.0]), None) == ""


def test_bar_names_that_would_overlap_give_way_to_the_largest_attributions() -> None:
    """The breast cancer data's thirty feature names ran into one unreadable line."""
    from designer.ui.insight.explain import TICK_GAP, readable_ticks

    names = [f"feature number {k}" for k in range(30)]
    values = np.zeros(30)
    values[[3, 4, 20]] = [0.1, -0.9, 0.5]  # 4 and 3 are neighbours: 4 is the larger

    def width(name: str) -> int:
        return 7 * len(name)

    ticks = readable_ticks(names, values, 1000, width)
    shown = [i for i, _ in ticks]
    assert 4 in shown and 20 in shown and 3 not in shown and len(shown) < 30
    step = 1000 / 30
    spans = sorted(((i + 0.5) * step - (width(n) + TICK_GAP) / 2, (i + 0.5) * step + (width(n) + TICK_GAP) / 2) for i, n in ticks)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # none overlaps the next
    assert len(readable_ticks(names, values, 30 * 200, width)) == 30  # room for all: all named
