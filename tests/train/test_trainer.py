"""The Trainer: metrics and callbacks, seeds, early stopping, keeping the best weights."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from trainkit import classification_bundle, mlp, regression_bundle

from designer.train import EARLY_STOPPED, FINISHED, Callbacks, Trainer, TrainError, TrainSettings


def settings(**values) -> TrainSettings:
    return TrainSettings.from_mapping({"epochs": 3, "batch_size": 32, "learning_rate": 0.01, "device": "cpu", **values})


def test_a_run_reports_batches_epochs_and_the_end(blobs_bundle, classifier) -> None:
    batches, epochs, ends = [], [], []
    trainer = Trainer(classifier, blobs_bundle, settings(), Callbacks(batches.append, epochs.append, ends.append))
    result = trainer.run()
    assert result.status == FINISHED and ends == [result]
    assert [m.epoch for m in epochs] == [1, 2, 3] and result.epochs == epochs
    per_epoch = math.ceil(len(blobs_bundle.train) / 32)
    # On the CPU the losses come every 50 ms and at each epoch's end: every batch's, once, in order.
    numbered = [(b.epoch, b.batch - len(b.losses) + 1 + i) for b in batches for i in range(len(b.losses))]
    assert numbered == [(e, n) for e in (1, 2, 3) for n in range(1, per_epoch + 1)]
    assert all(b.batches == per_epoch for b in batches) and batches[-1].samples == len(blobs_bundle.train)
    one_each = []
    Trainer(classifier, blobs_bundle, settings(epochs=1), Callbacks(on_batch=one_each.append), report_every=1).run()
    assert [len(b.losses) for b in one_each] == [1] * per_epoch  # or every batch, when asked
    last = epochs[-1]
    assert last.metric_name == "accuracy" and last.val_metric > 0.95 and last.train_loss < epochs[0].train_loss
    assert last.lr == pytest.approx(0.01) and last.samples_per_second > 0 and last.seconds > 0
    assert result.best_epoch is not None and result.best_state is not None and result.last_state is not None
    assert all(t.device.type == "cpu" for t in result.last_state.values())


def test_the_same_seed_gives_the_same_curve(blobs_bundle, classifier) -> None:
    def curve(seed: int) -> list[float]:
        return [m.train_loss for m in Trainer(classifier, blobs_bundle, settings(seed=seed)).run().epochs]

    assert curve(3) == curve(3)
    assert curve(3) != curve(4)


def test_streaming_through_a_data_loader_gives_the_same_curve(blobs_bundle, classifier) -> None:
    in_memory = Trainer(classifier, blobs_bundle, settings()).run()
    streamed = Trainer(classifier, blobs_bundle, settings(), device_limit=0).run()
    assert [m.train_loss for m in streamed.epochs] == pytest.approx([m.train_loss for m in in_memory.epochs])


def test_early_stopping_keeps_the_best_weights(classifier) -> None:
    # Validation labels are flipped: the better the fit, the worse the validation loss.
    bundle = classification_bundle(flip_validation=True)
    trainer = Trainer(classifier, bundle, settings(epochs=30, early_stopping=True, patience=2))
    result = trainer.run()
    assert result.status == EARLY_STOPPED and result.best_epoch == 1 and len(result.epochs) == 3
    assert "epoch 3" in result.message and "since epoch 1" in result.message
    assert result.kept_state is result.best_state
    for name, tensor in trainer.module.state_dict().items():
        assert torch.equal(tensor, result.best_state[name])


def test_regression_reports_mean_absolute_error() -> None:
    result = Trainer(mlp(3, 1), regression_bundle(), settings(loss="mse", epochs=5, learning_rate=0.02)).run()
    first, last = result.epochs[0], result.epochs[-1]
    assert last.metric_name == "mae" and last.val_metric < first.val_metric
    assert last.row().keys() == {"epoch", "train_loss", "val_loss", "train_mae", "val_mae", "lr", "seconds"}


@pytest.mark.parametrize("loss", ["l1", "huber"])
def test_other_regression_losses(loss: str) -> None:
    assert Trainer(mlp(3, 1), regression_bundle(), settings(loss=loss)).run().status == FINISHED


def test_binary_cross_entropy_with_one_output(blobs_bundle) -> None:
    trainer = Trainer(mlp(2, 1), blobs_bundle, settings(loss="bce_with_logits"))
    result = trainer.run()
    assert result.status == FINISHED and result.last.val_metric > 0.95
    found = trainer.predict("validation")
    assert found.probabilities.shape == (len(blobs_bundle.validation), 2)


def test_bce_and_mse_on_one_output_per_class(blobs_bundle, classifier) -> None:
    for loss in ("bce_with_logits", "mse"):
        assert Trainer(classifier, blobs_bundle, settings(loss=loss)).run().last.val_metric > 0.9


def test_a_class_loss_on_regression_data_is_refused() -> None:
    with pytest.raises(TrainError, match="regression task: use mse"):
        Trainer(mlp(3, 1), regression_bundle(), settings(loss="cross_entropy"))


def test_predictions_for_views(blobs_bundle, classifier) -> None:
    trainer = Trainer(classifier, blobs_bundle, settings())
    with pytest.raises(TrainError, match="run"):
        trainer.predict()
    trainer.run()
    found = trainer.predict("validation")
    n = len(blobs_bundle.validation)
    assert found.outputs.shape == (n, 2) and found.predicted.shape == (n,)
    assert np.allclose(found.probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (found.predicted == found.targets).mean() > 0.95


def test_initial_state_continues_from_saved_weights(blobs_bundle, classifier) -> None:
    first = Trainer(classifier, blobs_bundle, settings()).run()
    again = Trainer(classifier, blobs_bundle, settings(epochs=1, learning_rate=1e-9), initial_state=first.last_state).run()
    assert again.epochs[0].val_loss == pytest.approx(first.epochs[-1].val_loss, rel=1e-3)


def test_bad_settings_are_one_line() -> None:
    with pytest.raises(TrainError, match="training.learning_rate"):
        TrainSettings.from_mapping({"learning_rate": -1})
    with pytest.raises(TrainError, match="unknown setting"):
        TrainSettings.from_mapping({"lr": 1})


def test_settings_follow_the_project_declaration() -> None:
    from dataclasses import fields

    from designer.project.settings import TRAINING, defaults

    assert [f.name for f in fields(TrainSettings)] == [p.name for p in TRAINING]
    assert TrainSettings.from_mapping().as_dict() == defaults(TRAINING)
