"""Convolution designs train in channels-last on the CPU (measured faster):
the results match the default layout to float rounding, and every copy the
trainer hands out is contiguous, so weights save as before."""

from __future__ import annotations

import pytest
import torch
from paths import sample
from safetensors.torch import save

from designer.data import load_data
from designer.project import load_project
from designer.train import Trainer, TrainSettings, memory_layout
from designer.train.session import prepare

DIGITS = {"source": "digits", "options": {"labelled_per_class": 12}, "validation_split": 0.2, "seed": 0}


def train(project, **settings):
    bundle = load_data(DIGITS)
    trainer = Trainer(prepare(project, bundle), bundle, TrainSettings.from_mapping(project.training, epochs=2, device="cpu", batch_size=16, **settings))
    result = trainer.run()
    assert result.status == "finished", result.message
    return trainer, result


@pytest.fixture(scope="module")
def cnn():
    return load_project(sample("digits_cnn"))


def test_a_convolution_design_trains_channels_last_and_hands_out_plain_copies(cnn) -> None:
    trainer, result = train(cnn)
    weight = trainer.module.conv2.weight
    assert weight.is_contiguous(memory_format=torch.channels_last) and not weight.is_contiguous()
    for state in (result.best_state, result.last_state, trainer.train_state().model):
        assert all(t.is_contiguous() for t in state.values())
    save(result.best_state)  # safetensors refuses strided tensors


def test_channels_last_gives_the_default_layouts_results_to_rounding(cnn, monkeypatch: pytest.MonkeyPatch) -> None:
    _, fast = train(cnn)
    monkeypatch.setattr(memory_layout, "channels_last_wins", lambda *a, **k: False)
    _, plain = train(cnn)
    for key, value in plain.last_state.items():
        torch.testing.assert_close(fast.last_state[key], value, rtol=1e-4, atol=1e-5)
    assert fast.epochs[-1].val_metric == pytest.approx(plain.epochs[-1].val_metric, abs=0.02)


def test_designs_without_convolutions_and_other_devices_keep_the_default_layout() -> None:
    dense = torch.nn.Sequential(torch.nn.Linear(4, 3))
    conv = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3))
    assert not memory_layout.channels_last_wins(dense, torch.device("cpu"))
    assert memory_layout.channels_last_wins(conv, torch.device("cpu"))
    assert not memory_layout.channels_last_wins(conv, torch.device("mps"))
    assert not memory_layout.channels_last_wins(conv, torch.device("cuda"))
    assert memory_layout.channels_last_wins(conv, torch.device("cuda"), bf16=True)
