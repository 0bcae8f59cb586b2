"""Each optimizer and loss a project names is the torch one of that name,
with the project's settings: the same steps and the same values as torch's
own, and a run is built with it."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from trainkit import classification_bundle, mlp, regression_bundle

from designer.train import Callback, Objective, RunStart, Trainer, TrainSettings
from designer.train.optim import make_optimizer

OPTIMIZERS = {
    "sgd": lambda p, s: torch.optim.SGD(p, lr=s.learning_rate, momentum=s.momentum, weight_decay=s.weight_decay),
    "rmsprop": lambda p, s: torch.optim.RMSprop(p, lr=s.learning_rate, momentum=s.momentum, weight_decay=s.weight_decay),
    "adam": lambda p, s: torch.optim.Adam(p, lr=s.learning_rate, weight_decay=s.weight_decay),
    "adamw": lambda p, s: torch.optim.AdamW(p, lr=s.learning_rate, weight_decay=s.weight_decay),
}
LOSSES = {
    "mse": nn.functional.mse_loss,
    "l1": nn.functional.l1_loss,
    "huber": nn.functional.huber_loss,
}


def _steps(make, settings: TrainSettings, steps: int = 4) -> torch.Tensor:
    """Parameters after ``steps`` updates on a fixed quadratic, from a fixed start."""
    weight = nn.Parameter(torch.tensor([1.5, -2.0, 0.25]))
    optimizer = make([weight], settings)
    target = torch.tensor([0.5, 0.5, -1.0])
    for _ in range(steps):
        optimizer.zero_grad()
        ((weight - target) ** 2 * torch.tensor([1.0, 3.0, 0.5])).sum().backward()
        optimizer.step()
    return weight.detach()


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_optimizer_steps_as_torchs_own(name: str) -> None:
    settings = TrainSettings.from_mapping(optimizer=name, learning_rate=0.05, momentum=0.8, weight_decay=0.01)
    ours = _steps(make_optimizer, settings)
    assert torch.allclose(ours, _steps(OPTIMIZERS[name], settings), atol=1e-6)
    others = [_steps(OPTIMIZERS[other], settings) for other in OPTIMIZERS if other != name]
    assert all(not torch.allclose(ours, other, atol=1e-4) for other in others)  # and unlike any other


def test_a_run_is_built_with_the_named_optimizer() -> None:
    seen: list[torch.optim.Optimizer] = []

    class Watch(Callback):
        def on_run_start(self, run: RunStart) -> None:
            seen.append(run.optimizer)

    for name, kind in [("rmsprop", torch.optim.RMSprop), ("sgd", torch.optim.SGD), ("adamw", torch.optim.AdamW)]:
        settings = TrainSettings.from_mapping(optimizer=name, epochs=1, device="cpu", learning_rate=0.02, momentum=0.5)
        Trainer(mlp(2, 2), classification_bundle(n=40), settings, Watch()).run()
        assert type(seen[-1]) is kind
        assert seen[-1].param_groups[0]["lr"] == 0.02


@pytest.mark.parametrize("name", list(LOSSES))
def test_each_regression_loss_is_torchs_own(name: str) -> None:
    bundle = regression_bundle(n=20)
    objective = Objective(name, bundle.spec)
    output = torch.tensor([[0.0], [1.0], [4.0], [-2.5]])
    target = torch.tensor([[0.5], [1.0], [1.0], [-2.0]])
    expected = LOSSES[name](output, target)
    assert torch.allclose(objective.loss(output, target), expected)
    others = [f(output, target) for other, f in LOSSES.items() if other != name]
    assert all(not torch.allclose(expected, other) for other in others)


def test_the_classification_losses_are_torchs_own() -> None:
    spec = classification_bundle(n=20).spec
    logits = torch.tensor([[2.0, -1.0], [0.5, 0.5], [-3.0, 1.0]])
    labels = torch.tensor([0, 1, 0])
    assert torch.allclose(Objective("cross_entropy", spec).loss(logits, labels), nn.functional.cross_entropy(logits, labels))
    one_hot = nn.functional.one_hot(labels, 2).float()
    assert torch.allclose(
        Objective("bce_with_logits", spec).loss(logits, labels), nn.functional.binary_cross_entropy_with_logits(logits, one_hot)
    )
