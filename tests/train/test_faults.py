"""Faults end a run with a message that says what to change, never a crash."""

from __future__ import annotations

import pytest
import torch
from trainkit import Bundle, Split, classification_bundle, mlp, regression_bundle

from designer.train import FAILED, Trainer, TrainSettings


def settings(**values) -> TrainSettings:
    return TrainSettings.from_mapping({"epochs": 5, "batch_size": 16, "device": "cpu", **values})


def test_a_diverging_loss_is_caught_with_its_epoch_and_batch() -> None:
    ends = []
    bundle = regression_bundle(scale=1000.0)
    trainer = Trainer(mlp(3, 1), bundle, settings(loss="mse", optimizer="sgd", learning_rate=10.0), callbacks=None)
    trainer.callbacks.on_end = ends.append
    result = trainer.run()
    assert result.status == FAILED and ends == [result]
    assert "loss became" in result.message and "at epoch 1, batch" in result.message
    assert "learning rate (10) is probably too high" in result.message and "grad_clip" in result.message
    assert result.best_state is None and result.kept_state is None  # nothing trustworthy to keep


def test_a_failure_after_good_epochs_keeps_the_best_weights(monkeypatch) -> None:
    from designer.train import trainer as trainer_module

    bundle = classification_bundle()
    run = Trainer(mlp(2, 2), bundle, settings(epochs=3))
    real = trainer_module.Trainer._train_epoch

    def third_epoch_fails(self, epoch, *args):
        if epoch == 3:
            raise trainer_module.NonFinite(3, 7, float("nan"))
        return real(self, epoch, *args)

    monkeypatch.setattr(trainer_module.Trainer, "_train_epoch", third_epoch_fails)
    result = run.run()
    assert result.status == FAILED and "NaN at epoch 3, batch 7" in result.message
    assert result.best_epoch in (1, 2) and result.kept_state is result.best_state


def test_a_shape_error_names_the_node() -> None:
    bundle = classification_bundle()
    wrong = Bundle(Split(bundle.train.x[:, :1].copy(), bundle.train.y), None, None, bundle.spec)
    result = Trainer(mlp(2, 2), wrong, settings()).run()
    assert result.status == FAILED and result.node == "dense1"
    assert result.message.startswith("node dense1 failed at epoch 1, batch 1: ")


def test_running_out_of_memory_suggests_a_smaller_batch(monkeypatch) -> None:
    compiled = mlp(2, 2)

    class Hungry(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.weight = torch.nn.Parameter(torch.zeros(1))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(type(compiled), "new_module", lambda self: Hungry())
    result = Trainer(compiled, classification_bundle(), settings(batch_size=512)).run()
    assert result.status == FAILED
    assert result.message.startswith("out of CPU memory at batch size 512 (epoch 1): use a smaller batch (e.g. --batch-size 256), or fewer units")


def test_an_unexpected_error_is_a_message_too(monkeypatch) -> None:
    compiled = mlp(2, 2)
    monkeypatch.setattr(type(compiled), "new_module", lambda self: (_ for _ in ()).throw(ValueError("broken\nsecond line")))
    result = Trainer(compiled, classification_bundle(), settings()).run()
    assert result.status == FAILED and result.message == "training could not start: ValueError: broken"


@pytest.mark.parametrize("device", ["cuda", "mps"])
def test_a_missing_device_is_refused_before_the_run(device: str) -> None:
    from designer.train import TrainError, pick_device

    available = torch.cuda.is_available() if device == "cuda" else torch.backends.mps.is_available()
    if available:
        assert pick_device(device).type == device
    else:
        with pytest.raises(TrainError, match=f"device {device} was asked for"):
            Trainer(mlp(2, 2), classification_bundle(), settings(device=device))


def test_a_design_with_two_inputs_is_refused() -> None:
    import designer
    from designer.compile import compile_design
    from designer.train import TrainError

    g = designer.Graph("two inputs")
    a, b = g.add("Input", shape=[2]), g.add("Input", shape=[2])
    add = g.add("Add")
    g.connect(a, add)
    g.connect(b, add, 1)
    g.connect(add, g.add("Output"))
    with pytest.raises(TrainError, match="one Input and one Output; this one has 2 and 1"):
        Trainer(compile_design(g), classification_bundle(), settings())
