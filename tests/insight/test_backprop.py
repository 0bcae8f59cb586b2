"""The backpropagation walk: each node's output gradient is autograd's, the
step is w - lr * grad, a small step lowers the sample's loss, and the
Inspector's weights are untouched."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from paths import sample

from designer.insight import Inspector, Unsupported
from designer.insight.backprop import backprop_walk
from designer.project import load_project


@pytest.fixture(autouse=True)
def _threads(one_torch_thread):
    yield


@pytest.fixture(scope="module")
def inspector() -> Inspector:
    return Inspector(load_project(sample("spirals_mlp")), weights=3)


def _by_hand(inspector: Inspector, index: int, node: str) -> tuple[np.ndarray, float]:
    """dL/d(node's output) with the intermediate made a leaf of its own: the
    rest of the network recomputed from it, the loss differentiated by autograd."""
    x = inspector.inputs(index)
    y = torch.as_tensor(inspector.split.y[[index]])
    module = inspector.module
    order = ["input1", "dense1", "relu1", "dense2", "relu2", "dense3"]
    layers = {
        "dense1": module.dense1,
        "relu1": torch.relu,
        "dense2": module.dense2,
        "relu2": torch.relu,
        "dense3": module.dense3,
    }
    value = x
    for nid in order[1 : order.index(node) + 1]:
        value = layers[nid](value)
    leaf = value.detach().requires_grad_(True)
    value = leaf
    for nid in order[order.index(node) + 1 :]:
        value = layers[nid](value)
    loss = torch.nn.functional.cross_entropy(value, y)
    (grad,) = torch.autograd.grad(loss, leaf)
    return grad[0].numpy(), float(loss.detach())


def test_output_gradients_are_autograds_node_by_node_in_reverse_order(inspector: Inspector) -> None:
    walk = backprop_walk(inspector, 7)
    assert [g.node for g in walk.backward] == list(reversed(walk.forward))
    assert walk.forward[0] == "input1" and walk.backward[0].node == "output1"
    for node in ("input1", "dense1", "relu1", "dense2", "relu2", "dense3"):
        expected, loss = _by_hand(inspector, 7, node)
        step = walk.gradient_of(node)
        assert step.gradient is not None and step.gradient.shape == step.shape
        np.testing.assert_allclose(step.gradient, expected, rtol=1e-5, atol=1e-7, err_msg=node)
        assert walk.loss == pytest.approx(loss, rel=1e-6)
    np.testing.assert_array_equal(walk.gradient_of("output1").gradient, walk.gradient_of("dense3").gradient)
    # cross entropy's gradient at the logits: softmax minus the one-hot target
    probabilities = np.exp(walk.prediction) / np.exp(walk.prediction).sum()
    np.testing.assert_allclose(walk.gradient_of("dense3").gradient, probabilities - np.eye(2)[walk.target], atol=1e-6)


def test_the_update_is_w_minus_lr_grad_and_lowers_the_loss(inspector: Inspector) -> None:
    before = {k: v.clone() for k, v in inspector.module.state_dict().items()}
    walk = backprop_walk(inspector, 7, learning_rate=0.01)
    assert walk.parameter_names("dense2") == ["weight", "bias"] and walk.parameter_names("relu1") == []
    x = inspector.inputs(7).requires_grad_(False)
    y = torch.as_tensor(inspector.split.y[[7]])
    inspector.module.zero_grad()
    torch.nn.functional.cross_entropy(inspector.module(x), y).backward()
    for node, param, index in (("dense2", "weight", (3, 5)), ("dense3", "bias", 1), ("dense1", "weight", (10, 0))):
        update = walk.update(node, param, index)
        tensor = getattr(getattr(inspector.module, node), param)
        where = (index,) if isinstance(index, int) else index
        assert update.old == pytest.approx(float(tensor.detach()[where]))
        assert update.gradient == pytest.approx(float(tensor.grad[where]), rel=1e-5, abs=1e-9)
        assert update.learning_rate == 0.01
        assert update.new == pytest.approx(update.old - 0.01 * update.gradient)
    inspector.module.zero_grad(set_to_none=True)
    assert walk.loss_after < walk.loss
    for name, value in inspector.module.state_dict().items():  # the step was taken on a copy
        assert torch.equal(value, before[name]), name


def test_the_learning_rate_comes_from_the_project_and_bad_choices_are_refused(inspector: Inspector) -> None:
    walk = backprop_walk(inspector, 0)
    assert walk.learning_rate == inspector.project.training["learning_rate"]
    assert walk.loss_name == "cross_entropy"
    with pytest.raises(Unsupported, match="no trainable parameter"):
        walk.update("relu1", "weight", 0)
    with pytest.raises(Unsupported, match="outside"):
        walk.update("dense3", "weight", (2, 0))
