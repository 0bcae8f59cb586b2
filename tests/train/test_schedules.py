"""Optimizers and learning-rate schedules from the settings."""

from __future__ import annotations

import pytest
from trainkit import classification_bundle

from designer.train import FINISHED, Trainer, TrainSettings


def run(classifier, **values):
    s = TrainSettings.from_mapping({"epochs": 4, "batch_size": 50, "learning_rate": 0.1, "device": "cpu", **values})
    return Trainer(classifier, classification_bundle(n=200), s).run()


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", "rmsprop"])
def test_every_optimizer_trains(classifier, optimizer: str) -> None:
    result = run(classifier, optimizer=optimizer, learning_rate=0.01, weight_decay=0.01)
    assert result.status == FINISHED and result.last.train_loss < result.epochs[0].train_loss


def test_step_schedule_decays_every_step_size_epochs(classifier) -> None:
    lrs = [m.lr for m in run(classifier, schedule="step", step_size=2, gamma=0.5).epochs]
    # The rate reported for an epoch is the one it trained with.
    assert lrs == pytest.approx([0.1, 0.1, 0.05, 0.05])


def test_cosine_schedule_falls_towards_zero(classifier) -> None:
    lrs = [m.lr for m in run(classifier, schedule="cosine").epochs]
    assert lrs == sorted(lrs, reverse=True) and lrs[-1] < 0.01


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_one_cycle_rises_then_falls(classifier, optimizer: str) -> None:
    momentum = 0.0 if optimizer == "rmsprop" else 0.9
    lrs = [m.lr for m in run(classifier, schedule="one_cycle", epochs=6, optimizer=optimizer, momentum=momentum).epochs]
    peak = lrs.index(max(lrs))
    assert 0 < peak < 5 and lrs[-1] < lrs[0]


def test_plateau_schedule_lowers_the_rate_when_validation_stalls(classifier) -> None:
    s = TrainSettings.from_mapping(
        {"epochs": 8, "batch_size": 50, "learning_rate": 0.05, "device": "cpu", "schedule": "plateau", "patience": 2}
    )
    result = Trainer(classifier, classification_bundle(n=200, flip_validation=True), s).run()
    lrs = [m.lr for m in result.epochs]
    assert lrs[0] == pytest.approx(0.05) and lrs[-1] < 0.05
