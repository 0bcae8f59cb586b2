"""The Insight panel in the main window, driven as a user would: the digits
CNN's feature maps, the forward stepper, a neuron, an activation, attributions,
refusals, and the weights of a finished run with its misclassified samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from paths import sample

from designer.document.workers import running_workers
from designer.insight import Inspector
from designer.project import load_project
from designer.project.weights import save_weights
from designer.runs.outcome import ImageSamples, ResultViews, RunOutcome
from designer.train import FINISHED, EpochMetrics, RunResult

DIGITS = sample("digits_cnn")
SPIRALS = sample("spirals_mlp")
WAIT_MS = 60_000


@pytest.fixture(autouse=True)
def _one_thread(one_torch_thread) -> None:
    """The panel runs small models: one torch thread."""


def open_insight(qtbot, window, path: Path):
    """Open ``path``, bring up the Insight panel and wait for sample 0's outputs."""
    assert window.open_file(path)
    panel = window.insight.panel
    with qtbot.waitSignal(panel.outputs_shown, timeout=WAIT_MS):
        window.insight.show_panel()
    return panel


def select(qtbot, window, *nodes: str) -> None:
    window.scene.select_nodes(list(nodes))
    qtbot.wait(1)


def test_conv_nodes_show_a_grid_of_their_feature_maps(qtbot, window) -> None:
    panel = open_insight(qtbot, window, DIGITS)
    assert panel.outputs.sample == 0
    assert panel.outputs_tab.overview.count() == len(window.document.graph)
    answer = panel.outputs_tab.views[0]
    assert answer.mode == "probabilities"  # nothing selected: the answer
    assert "(the raw outputs); bars: the class probabilities" in answer.title.text()  # the range named is not the bars'
    select(qtbot, window, "conv1")
    view = panel.outputs_tab.views[0]
    assert (view.mode, view.maps) == ("maps", 16)
    select(qtbot, window, "conv2", "conv1")  # side by side, shallow first
    shown = [(v.mode, v.maps) for v in panel.outputs_tab.views if v.isVisibleTo(panel)]
    assert shown == [("maps", 16), ("maps", 32)]
    select(qtbot, window, "dense1")
    assert panel.outputs_tab.views[0].mode == "bars"


def test_picking_a_sample_recomputes_every_output(qtbot, window) -> None:
    panel = open_insight(qtbot, window, DIGITS)
    with qtbot.waitSignal(panel.outputs_shown, timeout=WAIT_MS) as shown:
        panel.picker.number.setValue(7)
    assert shown.args == [7]
    expected = Inspector(load_project(DIGITS), weights=None).activations(7)
    assert np.allclose(panel.outputs.outputs["conv2"], expected["conv2"][0], atol=1e-5)


def test_step_walks_the_graph_in_topological_order(qtbot, window) -> None:
    panel = open_insight(qtbot, window, DIGITS)
    panel.tabs.setCurrentWidget(panel.stepper)
    order = window.document.analysis().order
    seen = []
    panel.stepper.highlighted.connect(seen.append)
    for _ in order:
        qtbot.mouseClick(panel.stepper.step_button, _left())
        assert window.scene.highlighted == panel.stepper.node
        assert window.scene.nodes[panel.stepper.node].highlighted
    assert seen == order
    assert not panel.stepper.step_button.isEnabled()
    assert panel.stepper.tensor.mode == "probabilities"
    assert "The network's answer" in panel.stepper.narration.text()
    qtbot.mouseClick(panel.stepper.back_button, _left())
    assert panel.stepper.node == order[-2]
    assert not window.scene.nodes[order[-1]].highlighted
    qtbot.mouseClick(panel.stepper.reset_button, _left())
    assert window.scene.highlighted is None


def test_the_canvas_outlines_the_stepped_node_only_while_its_tab_is_in_front(qtbot, window) -> None:
    panel = open_insight(qtbot, window, DIGITS)
    panel.tabs.setCurrentWidget(panel.stepper)
    for _ in range(3):
        qtbot.mouseClick(panel.stepper.step_button, _left())
    stepped = panel.stepper.node
    assert window.scene.highlighted == stepped
    panel.tabs.setCurrentWidget(panel.outputs_tab)
    assert window.scene.highlighted is None and not window.scene.nodes[stepped].highlighted
    panel.tabs.setCurrentWidget(panel.stepper)
    assert window.scene.highlighted == stepped


def _left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_a_linear_neuron_shows_its_weights_bias_and_sum(qtbot, window) -> None:
    panel = open_insight(qtbot, window, DIGITS)
    panel.tabs.setCurrentWidget(panel.weights_view)
    plots = panel.weights_view.stack
    assert not plots.currentWidget().findChildren(pg.GraphicsView)  # no empty axes under "Select a node"
    with qtbot.waitSignal(panel.runner.details_ready, timeout=WAIT_MS):
        select(qtbot, window, "dense1")
    assert panel.weights_view.matrix.isVisibleTo(panel) and plots.currentWidget().findChildren(pg.GraphicsView)
    details = panel.details
    assert details.units == 64 and [p.name for p in details.parameters] == ["weight", "bias"]
    with qtbot.waitSignal(panel.runner.details_ready, timeout=WAIT_MS):
        panel.weights_view.unit.setValue(5)
    view = panel.details.neuron
    assert view.neuron.index == 5 and view.neuron.weights.shape == (128,)
    assert view.pre_activation == pytest.approx(float(view.inputs @ view.neuron.weights + view.neuron.bias), abs=1e-5)
    assert "z =" in panel.weights_view.formula.text() and "relu3" in panel.weights_view.formula.text()


def test_a_first_convolutions_filters_fill_the_weights_view(qtbot, window) -> None:
    """Sixteen 3x3 filters of one channel: bands side by side, not a column three pixels wide."""
    panel = open_insight(qtbot, window, DIGITS)
    panel.tabs.setCurrentWidget(panel.weights_view)
    with qtbot.waitSignal(panel.runner.details_ready, timeout=WAIT_MS):
        select(qtbot, window, "conv1")
    plot = panel.weights_view.matrix.getPlotItem()
    image = next(item for item in plot.items if isinstance(item, pg.ImageItem)).image
    assert image.shape[1] > 3 * 4 and image.shape[0] < 16 * 4 - 1  # wider than one band, shorter than sixteen rows
    assert "bands" in plot.getAxis("bottom").labelText


def test_an_activation_node_draws_its_curve_and_names_dead_units(qtbot, window) -> None:
    panel = open_insight(qtbot, window, DIGITS)
    panel.tabs.setCurrentWidget(panel.activation)
    with qtbot.waitSignal(panel.runner.details_ready, timeout=WAIT_MS):
        select(qtbot, window, "relu1")
    view = panel.activation.view
    assert view.curve.layer_type == "ReLU" and view.counts.sum() == view.stats.samples * view.stats.units
    x, y = panel.activation.curve_items[0].getData()
    assert np.allclose(y, np.maximum(x, 0))
    assert "dead" in panel.activation.sentence.text()


def test_explain_with_integrated_gradients_and_gradcam(qtbot, window) -> None:
    panel = open_insight(qtbot, window, DIGITS)
    with qtbot.waitSignal(panel.runner.explained, timeout=WAIT_MS):
        panel.tabs.setCurrentWidget(panel.explain)
    found = panel.explain.attribution
    assert found.method == "integrated-gradients" and found.by_position.shape == (8, 8) and found.delta is not None
    assert "Integrated gradients" in panel.explain.title.text()
    with qtbot.waitSignal(panel.runner.explained, timeout=WAIT_MS):
        panel.explain.method.setCurrentIndex(panel.explain.method.findData("gradcam"))
    assert panel.explain.attribution.node == "conv2"  # the deepest convolution by default
    with qtbot.waitSignal(panel.runner.explained, timeout=WAIT_MS):
        select(qtbot, window, "conv1")
    assert panel.explain.attribution.node == "conv1" and (panel.explain.attribution.by_position >= 0).all()


def test_views_that_do_not_apply_say_why(qtbot, window) -> None:
    panel = open_insight(qtbot, window, SPIRALS)
    panel.explain.method.setCurrentIndex(panel.explain.method.findData("gradcam"))
    with qtbot.waitSignal(panel.runner.failed, timeout=WAIT_MS):
        panel.tabs.setCurrentWidget(panel.explain)
    assert "needs a convolution" in panel.explain.title.text()
    assert not panel.explain.legend.isVisibleTo(panel) and not panel.explain.pictures.isVisibleTo(panel)  # the reason alone
    panel.tabs.setCurrentWidget(panel.weights_view)
    relu = next(n.id for n in window.document.graph.nodes if n.type == "ReLU")
    with qtbot.waitSignal(panel.runner.details_ready, timeout=WAIT_MS):
        select(qtbot, window, relu)
    assert "has no weights" in panel.weights_view.title.text() and not panel.weights_view.matrix.isVisibleTo(panel)
    panel.tabs.setCurrentWidget(panel.activation)
    with qtbot.waitSignal(panel.runner.details_ready, timeout=WAIT_MS):
        select(qtbot, window, "input1" if "input1" in window.document.graph else window.document.analysis().order[0])
    assert "not an element-wise activation" in panel.activation.title.text()


def test_a_design_with_problems_is_named_instead_of_run(qtbot, window) -> None:
    panel = open_insight(qtbot, window, DIGITS)
    window.document.disconnect(window.document.graph.inputs_of("dense1")[0])
    qtbot.waitUntil(lambda: panel.problem.isVisibleTo(panel), timeout=WAIT_MS)
    assert panel.problem.text().startswith("Fix the design's problems first: dense1")
    assert panel.outputs is None and not running_workers()


def test_a_hidden_panel_computes_nothing(qtbot, window) -> None:
    assert window.open_file(DIGITS)
    panel = window.insight.panel
    assert not panel.isVisible()
    select(qtbot, window, "conv1")
    panel.open_sample(3)
    qtbot.wait(50)
    assert panel.samples is None and panel.outputs is None and not running_workers()
    with qtbot.waitSignal(panel.outputs_shown, timeout=WAIT_MS) as shown:
        window.insight.toggle_action.trigger()
    assert shown.args == [3] and panel.outputs_tab.views[0].maps == 16  # what was asked while hidden
    with qtbot.waitSignal(window.insight.dock.visibilityChanged):
        window.insight.toggle_action.trigger()
    assert not panel.isVisible() and not panel.runner.busy("outputs")


def test_weights_of_a_finished_run_are_chosen_and_misclassified_samples_marked(qtbot, window) -> None:
    panel = open_insight(qtbot, window, DIGITS)
    history = window.training.panel.history
    project = load_project(DIGITS)
    state = Inspector(project, weights=5).module.state_dict()  # another initialisation: mostly wrong
    record = history.new_run(dict(project.training), "digits", project.graph.fingerprint())
    metrics = EpochMetrics(
        epoch=1,
        train_loss=2.3,
        val_loss=2.3,
        train_metric=0.1,
        val_metric=0.125,
        metric_name="accuracy",
        lr=0.01,
        seconds=1.0,
        samples_per_second=1000.0,
    )
    record.outcome = RunOutcome(RunResult(FINISHED, "done", epochs=[metrics], best_epoch=1, last_state=state))
    with qtbot.waitSignal(panel.runner.predicted, timeout=WAIT_MS):
        history.changed(record)
    assert panel.weights.currentText() == "Run 1: 12.5%" and panel.weights_choice.key == ("run", record.number)
    inspector = Inspector(project, weights=state)
    outputs = inspector.activations(list(range(len(inspector.split))))["output1"]
    expected = np.flatnonzero(outputs.argmax(axis=1) != inspector.split.y).tolist()
    assert panel.picker.wrong_samples() == expected and expected
    panel.picker.only_wrong.setChecked(True)
    assert panel.picker.model.rows == expected

    # a misclassified image clicked in the run's results opens here, with that run's weights
    shown = ResultViews("validation", "classification", [str(k) for k in range(10)])
    pick = np.array(expected[:3])
    images = np.zeros((3, 8, 8), np.float32)
    shown.images = ImageSamples(images, inspector.split.y[pick], outputs.argmax(axis=1)[pick], pick)
    record.outcome.views = shown
    results = window.training.panel.results
    results.show_run(record)
    panel.weights.choose(0)
    with qtbot.waitSignal(panel.outputs_shown, timeout=WAIT_MS, check_params_cb=lambda sample: sample == pick[1]):
        qtbot.mouseClick(results.samples.tiles[1], _left())
    assert panel.weights_choice.key == ("run", record.number) and panel.outputs.predicted != panel.outputs.true


def test_a_short_training_run_becomes_the_weights_looked_at(qtbot, window) -> None:
    panel = open_insight(qtbot, window, SPIRALS)
    window.document.set_setting("training", "epochs", 2)
    training = window.training.panel
    with qtbot.waitSignal(training.running_changed, timeout=WAIT_MS, check_params_cb=lambda running: not running):
        assert training.start()
    qtbot.waitUntil(lambda: panel.weights_choice.key == ("run", 1), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: panel.picker.model.wrong is not None, timeout=WAIT_MS)
    assert panel.weights.currentText().startswith("Run 1: ")
    assert "misclassified" in panel.picker.status.text()


def test_opened_after_a_run_it_looks_at_the_trained_weights(qtbot, window) -> None:
    """Train, then look inside: the run's weights, not a fresh initialisation."""
    assert window.open_file(SPIRALS)
    window.document.set_setting("training", "epochs", 2)
    training = window.training.panel
    with qtbot.waitSignal(training.running_changed, timeout=WAIT_MS, check_params_cb=lambda running: not running):
        assert training.start()
    panel = window.insight.panel
    with qtbot.waitSignal(panel.outputs_shown, timeout=WAIT_MS):
        window.insight.show_panel()
    assert panel.weights.currentText().startswith("Run 1: ") and panel.weights_choice.key == ("run", 1)
    qtbot.waitUntil(lambda: panel.picker.model.wrong is not None, timeout=WAIT_MS)  # its mistakes marked
    assert "misclassified" in panel.picker.status.text()


def test_weights_of_another_design_are_refused_and_nothing_is_lost(qtbot, window, tmp_path: Path) -> None:
    panel = open_insight(qtbot, window, DIGITS)
    other = load_project(SPIRALS)
    path = save_weights(tmp_path / "spirals.safetensors", Inspector(other).module.state_dict(), other.graph.fingerprint())
    with qtbot.waitSignal(panel.runner.failed, timeout=WAIT_MS):
        panel.load_weights_file(path)
    assert panel.problem.isVisibleTo(panel) and "spirals" not in panel.weights.currentText()
    assert panel.weights_choice.key[0] == "seed"
    with qtbot.waitSignal(panel.outputs_shown, timeout=WAIT_MS):
        panel.picker.number.setValue(2)
    assert panel.outputs.outputs["conv1"].shape == (16, 8, 8)


def test_a_regressions_headline_compares_the_prediction_with_the_truth(qtbot, window) -> None:
    panel = open_insight(qtbot, window, sample("sine_lstm"))
    outputs = panel.outputs
    assert outputs.target is not None and outputs.target.shape == (1,) and outputs.output.shape == (1,)
    assert f"true <b>{outputs.target[0]:.3g}</b>" in panel.headline.text() and "off by" in panel.headline.text()
    first = panel.picker.model.index(0).data()
    assert first == f"#0  true {outputs.target[0]:.3g}"  # the list says each sample's true value too
