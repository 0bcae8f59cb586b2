"""Watching a run learn in the window: the deep Sigmoid sample's vanishing
gradients on the canvas (bars, wires, amber tags) and in the panel (per-layer
gradients, weight histograms, problems); with the probes off nothing is attached."""

from __future__ import annotations

import shutil
from pathlib import Path

from paths import ROOT
from PySide6.QtCore import Qt

from designer.insight.diagnosis import VANISHING
from designer.train import FINISHED
from designer.ui.training.live_watch import RunWatch


def _train(window, qtbot, timeout: int = 60_000):
    panel = window.training.panel
    with qtbot.waitSignal(panel.running_changed, timeout=timeout, check_params_cb=lambda running: not running):
        panel.start_action.trigger()
    return panel.history.latest


def _deep_sigmoid(window, tmp_path: Path, epochs: int = 2) -> None:
    path = tmp_path / "deep_sigmoid.nnd"
    shutil.copy(ROOT / "samples" / "deep_sigmoid.nnd", path)
    window.open_file(path)
    window.document.set_setting("training", "epochs", epochs)
    window.document.set_setting("training", "device", "cpu")


def test_deep_sigmoid_shows_vanishing_gradients_on_its_early_nodes(window, qtbot, tmp_path: Path) -> None:
    _deep_sigmoid(window, tmp_path)
    record = _train(window, qtbot)
    assert record.status == FINISHED
    live, scene = window.training.panel.live, window.scene
    vanishing = {p.node for p in live.problems if p.kind == VANISHING}
    assert {"dense1", "dense2", "dense3"} <= vanishing and "dense9" not in vanishing
    tags = scene.gradient_flow.tags
    assert "dense1" in tags and "vanishing gradients" in tags["dense1"].toolTip() and "ReLU" in tags["dense1"].toolTip()
    assert "dense9" not in tags
    assert any("dense1" in live.views.problems.item(i).text() for i in range(live.views.problems.count()))


def test_gradient_flow_stays_on_the_canvas_after_the_run(window, qtbot, tmp_path: Path) -> None:
    _deep_sigmoid(window, tmp_path)
    _train(window, qtbot)
    flow = window.scene.gradient_flow
    norms = flow.norms
    assert norms["dense1"] < 1e-3 * norms["dense9"]  # the gradient fades towards the input
    # Its rows are close together: the unit maps that would cover a node stay hidden, none covers one.
    maps = window.scene.unit_maps.items
    assert maps and not all(item.isVisible() for item in maps.values())
    for item in (i for i in maps.values() if i.isVisible()):
        covered = [n for n, node in window.scene.nodes.items() if node is not item.node and node.sceneBoundingRect().intersects(item.sceneBoundingRect())]
        assert covered == []
    bars = flow.bars
    assert bars["dense9"].level > bars["dense1"].level >= 0 and "gradient norm" in bars["dense1"].toolTip()
    # Going backward across a Sigmoid the gradient shrinks: the wire into it is drawn blue (negative level).
    wire = next(w for edge, w in flow.wires.items() if (edge.source, edge.target) == ("dense8", "sigmoid8"))
    assert wire.level < 0
    legend = flow.legends[0]
    assert legend.isVisible() and "Gradient flow" in legend.text() and "red half" in legend.toolTip()
    one_line = legend.height()
    qtbot.mouseClick(legend, Qt.MouseButton.LeftButton)  # a click opens the full explanation
    assert "red half" in legend.text() and legend.height() > 2 * one_line
    qtbot.mouseClick(legend, Qt.MouseButton.LeftButton)
    assert legend.height() == one_line and "red half" not in legend.text()
    plot = window.training.panel.live.views.gradients
    assert set(plot.curves) == {f"dense{i}" for i in range(1, 10)}
    assert plot.latest()["dense1"] < plot.latest()["dense9"]
    weights = window.training.panel.live.views.weights
    window.scene.select_nodes(["dense3"])
    # The initialisation, then the epoch ends the probes' time budget allowed (2% of the run).
    assert weights.node == "dense3" and weights.matrix().shape[0] == 40 and 1 <= weights.matrix().shape[1] <= 3
    # Editing the design clears what no longer applies.
    window.document.set_param("dense1", "out_features", 16)
    assert not flow.bars and not flow.tags and not legend.isVisible()


def test_probes_off_attach_nothing(window, qtbot, tmp_path: Path) -> None:
    _deep_sigmoid(window, tmp_path, epochs=1)
    panel = window.training.panel
    panel.live.views.enabled.setChecked(False)
    extras: list[list] = []
    panel.running_changed.connect(lambda running: running and extras.append(list(panel.run.job.extras)))
    record = _train(window, qtbot)
    assert record.status == FINISHED and len(extras) == 1 and not any(isinstance(e, RunWatch) for e in extras[0])
    assert not window.scene.gradient_flow.bars and not panel.live.problems and not panel.live.views.gradients.curves


def test_a_run_that_finishes_with_problems_says_so_where_the_user_looks(window, qtbot, tmp_path: Path) -> None:
    """The deep Sigmoid sample "finishes" near chance: the panel's message names what
    watching it found (it said "finished 2 epochs" in green, the cause in a small list)."""
    _deep_sigmoid(window, tmp_path)
    record = _train(window, qtbot)
    controls = window.training.panel.controls
    assert record.status == FINISHED and window.training.panel.live.problems
    text = controls.message.text()
    assert text.startswith("finished 2 epochs; watching found vanishing gradients (") and "nodes)" in text
    assert "#9a6700" in controls.message.styleSheet()  # amber, not the green of a clean run
    window.training.panel.live.views.enabled.setChecked(False)
    _train(window, qtbot)
    assert controls.message.text() == "finished 2 epochs" and "#2a9467" in controls.message.styleSheet()
