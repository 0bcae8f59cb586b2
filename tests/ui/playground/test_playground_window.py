"""Playground views in the window: the live decision boundary and the hidden
units' maps while the spirals MLP trains (none for a convolutional design),
and the backpropagation stepper walking every node back to the update."""

from __future__ import annotations

import numpy as np
import pytest
from paths import sample
from PySide6.QtCore import Qt

SPIRALS = sample("spirals_mlp")
DIGITS = sample("digits_cnn")
WAIT_MS = 120_000


@pytest.fixture(autouse=True)
def _one_thread(one_torch_thread) -> None:
    """Small models: one torch thread."""


def _train(qtbot, window, epochs: int):
    window.document.set_setting("training", "epochs", epochs)
    panel = window.training.panel
    assert panel.start()
    return panel


def test_the_decision_boundary_is_redrawn_while_the_spirals_mlp_trains(qtbot, window) -> None:
    assert window.open_file(SPIRALS)
    panel = _train(qtbot, window, 500)  # long enough to be seen redrawn; stopped once it has been
    boundary = panel.live_boundary
    pictures: list[np.ndarray] = []

    def two_pictures() -> None:
        if boundary.image is not None and boundary.image.image is not None:
            picture = np.array(boundary.image.image)
            if not pictures or not np.array_equal(pictures[-1], picture):
                pictures.append(picture)
        assert len(pictures) >= 2 and panel.running

    qtbot.waitUntil(two_pictures, timeout=WAIT_MS)  # during the run, not after it
    assert boundary.isVisible() and boundary.updates >= 2
    assert pictures[-1].shape == (64, 64, 3)
    panel.stop()
    qtbot.waitUntil(lambda: not panel.running, timeout=WAIT_MS)
    assert "epoch" in boundary.title.text()


def test_hidden_nodes_draw_their_unit_maps_and_a_conv_design_has_none(qtbot, window) -> None:
    assert window.open_file(SPIRALS)
    panel = _train(qtbot, window, 500)  # long enough to be redrawn on any machine; stopped once it has been
    maps = window.scene.unit_maps.items
    qtbot.waitUntil(lambda: "relu1" in maps and maps["relu1"].updates >= 2 and panel.running, timeout=WAIT_MS)
    panel.stop()
    qtbot.waitUntil(lambda: not panel.running, timeout=WAIT_MS)
    assert set(maps) == {"dense1", "relu1", "dense2", "relu2", "dense3"}
    relu1 = maps["relu1"]
    assert relu1.parentItem() is window.scene.nodes["relu1"]  # moves with its node
    assert relu1.pixmap is not None and not relu1.pixmap.isNull()
    assert all(item.isVisible() for item in maps.values())  # the sample leaves room under its first row
    assert relu1.caption == "16 of 64 units (most varied)" and maps["dense3"].caption == "2 units"
    # Editing the design after the run removes maps that no longer show it.
    window.document.set_param("dense1", "out_features", 8)
    assert window.scene.unit_maps.items == {}

    assert window.open_file(DIGITS)
    panel = _train(qtbot, window, 1)
    qtbot.waitUntil(lambda: not panel.running, timeout=WAIT_MS)
    assert window.scene.unit_maps.items == {}
    assert not panel.live_boundary.isVisible()


def test_the_backprop_stepper_walks_every_node_back_and_shows_the_update(qtbot, window) -> None:
    assert window.open_file(SPIRALS)
    panel = window.insight.panel
    with qtbot.waitSignal(panel.outputs_shown, timeout=WAIT_MS):
        window.insight.show_panel()
    view = panel.backprop
    with qtbot.waitSignal(view.walked, timeout=WAIT_MS):
        panel.tabs.setCurrentWidget(view)
    walk = view.walk
    assert walk is not None and walk.sample == panel.sample
    seen: list[object] = []
    view.highlighted.connect(seen.append)
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)  # forward
    assert "Forward" in view.text.text()
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)  # loss
    assert f"{walk.loss:.4g}" in view.text.text()
    backward = []
    for _ in walk.backward:
        qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
        backward.append(window.scene.highlighted)
        assert "norm" in view.text.text()
    order = window.document.analysis().order
    assert backward == list(reversed(order))  # every node, Output to Input, outlined on the canvas
    assert view.picture.mode == "bars"  # the input's gradient: one bar per feature
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)  # the update
    assert not view.next_button.isEnabled()
    view.node_box.setCurrentText("dense2")
    view.param_box.setCurrentText("weight")
    view.index_box.setValue(64 * 3 + 5)
    update = view.update_shown
    assert (update.node, update.param, update.index) == ("dense2", "weight", (3, 5))
    assert update.learning_rate == window.document.project.training["learning_rate"]
    text = view.text.text()
    for number in (f"{update.old:.6g}", f"{update.gradient:.6g}", f"{update.new:.6g}", f"{walk.loss_after:.4g}"):
        assert number in text
    assert window.scene.highlighted == "dense2"
    qtbot.mouseClick(view.reset_button, Qt.MouseButton.LeftButton)
    assert window.scene.highlighted is None
