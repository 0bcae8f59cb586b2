"""Neuron views, parameter arrays, activation curves and dead/saturated units."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from paths import sample

from designer.graph import Graph
from designer.insight import SATURATION, Inspector, Unsupported
from designer.insight import activation_functions as af
from designer.project import Project, load_project

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _project(*layers, width: int = 4) -> Project:
    graph = Graph("probe")
    ids = graph.sequential(("Input", {"shape": [width]}), *layers, "Output")
    assert ids
    return Project(graph)


def test_neuron_of_a_linear_and_of_a_conv():
    inspector = Inspector(load_project(sample("digits_cnn")), weights=0)
    dense = inspector.submodule("dense1")
    unit = inspector.neuron("dense1", 5)
    np.testing.assert_array_equal(unit.weights, dense.weight.detach()[5].numpy())
    assert unit.bias == pytest.approx(float(dense.bias.detach()[5])) and unit.fan_in == 128

    channel = inspector.neuron("conv2", 31)
    assert channel.weights.shape == (16, 3, 3)  # in_channels x kernel
    np.testing.assert_array_equal(channel.weights, inspector.submodule("conv2").weight.detach()[31].numpy())
    with pytest.raises(Unsupported, match="conv2 has 32 units .0 to 31.; there is no unit 32"):
        inspector.neuron("conv2", 32)
    with pytest.raises(Unsupported, match="relu1 is a ReLU: neurons are shown for"):
        inspector.neuron("relu1", 0)


def test_neuron_of_a_transposed_conv_reads_the_second_axis():
    inspector = Inspector(load_project(sample("digits_autoencoder")), weights=0)
    weight = inspector.submodule("deconv1").weight.detach()  # in 16 x out 1 x 2 x 2
    np.testing.assert_array_equal(inspector.neuron("deconv1", 0).weights, weight[:, 0].numpy())


def test_parameters_by_pytorch_name_with_flat_arrays():
    inspector = Inspector(load_project(sample("sine_lstm")), weights=0)
    lstm = {p.name: p for p in inspector.parameters("lstm1")}
    assert set(lstm) == {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}
    assert lstm["weight_hh_l0"].shape == (128, 32) and lstm["weight_hh_l0"].flat.shape == (128 * 32,)
    counts, edges = lstm["weight_hh_l0"].histogram(bins=20)
    assert counts.sum() == 128 * 32 and len(edges) == 21
    assert inspector.parameters("input1") == []


def test_sigmoid_curve_and_its_derivative():
    inspector = Inspector(load_project(sample("xor_mlp")))
    curve = inspector.activation_curve("sigmoid1", -6, 6, 121)
    s = 1 / (1 + np.exp(-curve.x.astype(np.float64)))
    np.testing.assert_allclose(curve.y, s, atol=1e-6)
    np.testing.assert_allclose(curve.derivative, s * (1 - s), atol=1e-6)


def test_curves_use_the_nodes_parameters():
    inspector = Inspector(_project(("Linear", {"out_features": 3}), ("LeakyReLU", {"negative_slope": 0.2})))
    curve = inspector.activation_curve("leakyrelu1")
    assert np.allclose(curve.derivative[curve.x < 0], 0.2) and np.allclose(curve.derivative[curve.x > 0], 1.0)
    with pytest.raises(Unsupported, match="dense1 is a Linear, not an element-wise activation"):
        inspector.activation_curve("dense1")


def test_dead_relu_units_on_a_constructed_case():
    inspector = Inspector(_project(("Linear", {"out_features": 3}), "ReLU"))
    linear = inspector.submodule("dense1")
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[0.0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]))
        linear.bias.copy_(torch.tensor([-1.0, 0, 0]))  # unit 0 always gets -1: dead
    x = np.array([[1, 0, 0, -1], [-1, 0, 0, 2], [0.5, 0, 0, -3]], np.float32)
    stats = inspector.activation_stats("relu1", x)
    assert stats.dead == pytest.approx(1 / 3) and stats.units == 3 and stats.samples == 3
    assert stats.sentence.startswith("1 of 3 units of relu1 (33%) are dead on these 3 samples")
    with torch.no_grad():
        linear.bias.fill_(5.0)
    assert inspector.activation_stats("relu1", x).dead == 0



def test_of_feature_maps_a_dead_unit_is_a_whole_channel() -> None:
    """A filter that never fires anywhere is lost; a blank border of a live one is no dead filter."""
    rng = np.random.default_rng(0)
    maps = rng.random((10, 4, 6, 6))
    maps[:, 2] = -rng.random((10, 6, 6))  # channel 2: never positive
    maps[:, :, 0, :] = -1.0  # the top row of every channel: never positive
    stats = af.stats("relu1", "ReLU", maps)
    assert stats.dead == pytest.approx(1 / 4) and stats.units == 4 * 36 and stats.maps == (4, 6, 6)
    assert stats.sentence.startswith("1 of 4 channels of relu1 (25%) are dead on these 10 samples")
    maps[:, 2] = rng.random((10, 6, 6))
    maps[:, 2, 0, :] = -1.0
    live = af.stats("relu1", "ReLU", maps)
    assert live.dead == 0 and live.sentence.startswith("No dead channels in relu1: each of its 4 feature maps fires")
    assert "24 of its 144 single values (17%) never fire" in live.sentence

def test_saturated_sigmoid_units():
    inspector = Inspector(_project(("Linear", {"out_features": 2}), "Sigmoid", width=1))
    with torch.no_grad():
        inspector.submodule("dense1").weight.copy_(torch.tensor([[10.0], [0.1]]))
        inspector.submodule("dense1").bias.zero_()
    x = np.array([[1.0], [-2.0], [0.05], [3.0]], np.float32)  # unit 0 sees 10, -20, 0.5, 30: beyond 4 on 3 of 4
    stats = inspector.activation_stats("sigmoid1", x)
    assert stats.threshold == SATURATION["Sigmoid"] and stats.saturated == pytest.approx(0.5)
    assert "1 of 2 units of sigmoid1 (50%) are saturated" in stats.sentence


def test_activation_stats_on_the_validation_split_by_default():
    stats = Inspector(load_project(sample("spirals_mlp")), weights=0).activation_stats("relu1")
    assert stats.samples == 200 and stats.units == 64 and 0 <= stats.dead <= 1
