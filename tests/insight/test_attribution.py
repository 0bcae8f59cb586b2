"""Attributions with captum: completeness of integrated gradients, Grad-CAM on
the trained digits CNN, and typed refusals."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from paths import sample

from designer.insight import Inspector, NotConvolution, SampleOutOfRange, UnknownNode, Unsupported, WrongWeights, attributions
from designer.project import load_project
from designer.project.weights import save_weights
from designer.train import Trainer, TrainSettings, load_bundle, prepare

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def digits():
    return load_project(sample("digits_cnn"))


def test_integrated_gradients_are_complete(digits):
    """Attributions sum to f(x) - f(baseline): captum's delta is that gap, and we check it ourselves too."""
    inspector = Inspector(digits, weights=0)
    for index in (0, 7, 42):
        result = inspector.attribute(index, "integrated-gradients")
        x = torch.as_tensor(result.input)[None]
        with torch.no_grad():
            gap = float(inspector.module(x)[0, result.target] - inspector.module(torch.zeros_like(x))[0, result.target])
        assert result.delta is not None and result.delta < 1e-3 * max(1.0, abs(gap))
        assert result.values.sum() == pytest.approx(gap, abs=1e-3 * max(1.0, abs(gap)))
        assert result.target == result.predicted == int(np.argmax(result.output))
        assert result.values.shape == (1, 8, 8) and result.by_position.shape == (8, 8)


def test_gradcam_on_the_trained_digits_cnn_follows_the_strokes(digits):
    bundle = load_bundle(digits)
    settings = TrainSettings.from_mapping(digits.training, device="cpu")  # 12 epochs, ~98% validation accuracy, ~3 s
    result = Trainer(prepare(digits, bundle), bundle, settings).run()
    assert result.best is not None and result.best.val_metric > 0.95
    inspector = Inspector(digits, result.kept_state, data=bundle)
    wins = []
    for index in range(len(inspector.split)):
        cam = inspector.attribute(index, "gradcam", node="conv1")
        assert cam.values.shape == (8, 8) and cam.values.min() >= 0  # upsampled to the image; ReLU'd
        image = cam.input[0]
        strokes, empty = image > 0.25, image == 0  # from the image's own pixels (scaled to [0, 1])
        wins.append(cam.values[strokes].sum() > cam.values[empty].sum())
    # Measured: 89% of the 359 validation digits have more Grad-CAM mass on their strokes
    # (about 39% of the pixels) than on their empty pixels (about 49%). 75% leaves room for
    # other torch versions while failing a map that is misplaced, flipped or spread evenly.
    # conv1 is chosen because its maps have the image's full 8x8 resolution; the last
    # convolution (conv2, 4x4 maps) does not single the strokes out (31% on the same measure).
    assert np.mean(wins) > 0.75


def test_tabular_attribution_per_feature_with_column_names():
    project = load_project(sample("cancer_dropout"))
    result = attributions(project, 1, 4, method="occlusion")
    assert result.kind == "tabular" and result.by_position.shape == (30,)
    assert result.feature_names[0] == "mean radius" and len(result.feature_names) == 30
    assert result.true in (0, 1) and result.class_names == ["malignant", "benign"]
    # Occluding one feature at a time: its attribution is the output's drop when it is set to 0.
    inspector = Inspector(project, 1)
    x = torch.as_tensor(result.input)[None]
    cut = x.clone()
    cut[0, 3] = 0
    with torch.no_grad():
        drop = float(inspector.module(x)[0, result.target] - inspector.module(cut)[0, result.target])
    assert result.values[3] == pytest.approx(drop, abs=1e-5)


def test_saliency_is_the_signed_input_gradient_per_time_step():
    project = load_project(sample("waves_gru"))
    inspector = Inspector(project, 0)
    result = inspector.attribute(2, "saliency", target=1)
    x = torch.as_tensor(result.input)[None].requires_grad_(True)
    inspector.module(x)[0, 1].backward()
    np.testing.assert_allclose(result.values, x.grad[0].numpy(), rtol=1e-5, atol=1e-7)
    assert result.kind == "sequence" and result.by_position.shape == (32,)
    assert (result.values < 0).any() and (result.values > 0).any()  # signed, not absolute


def test_refusals_are_typed_with_a_reason(digits, tmp_path):
    inspector = Inspector(digits)
    with pytest.raises(NotConvolution, match="gradcam needs a convolution node; dense1 is a Linear .convolutions: conv1, conv2."):
        inspector.attribute(0, "gradcam", node="dense1")
    with pytest.raises(UnknownNode, match="there is no node 'conv7'"):
        inspector.attribute(0, "gradcam", node="conv7")
    with pytest.raises(SampleOutOfRange, match="sample 9999 is out of range"):
        inspector.attribute(9999, "saliency")
    with pytest.raises(Unsupported, match="target 10 is out of range: the output has 10 values"):
        inspector.attribute(0, "saliency", target=10)
    with pytest.raises(NotConvolution, match="has none"):
        Inspector(load_project(sample("spirals_mlp"))).attribute(0, "gradcam")
    with pytest.raises(Unsupported, match="token ids have none: use occlusion$"):  # no convolution for gradcam
        Inspector(load_project(sample("tokens_transformer"))).attribute(0, "integrated-gradients")

    other = Inspector(load_project(sample("spirals_mlp"))).module.state_dict()
    with pytest.raises(WrongWeights, match="do not fit the design"):
        Inspector(digits, other)
    foreign = save_weights(tmp_path / "other.safetensors", other, load_project(sample("spirals_mlp")).graph.fingerprint())
    with pytest.raises(WrongWeights, match="trained for a different version of the design"):
        Inspector(digits, foreign)
    with pytest.raises(WrongWeights, match="no such weights file"):
        Inspector(digits, tmp_path / "missing.safetensors")
