"""Training with augmentation: off is bit-identical to training without it,
on repeats exactly from the seed (resumed runs too), and only the training
batches are augmented."""

from __future__ import annotations

import pytest
import torch
from paths import sample
from trainkit import Bundle, Split

from designer.cli import main
from designer.data import load_data
from designer.project import load_project
from designer.train import Callbacks, Trainer, TrainSettings
from designer.train import augmentation as train_augmentation
from designer.train.session import prepare

DIGITS = {"source": "digits", "options": {"labelled_per_class": 12}, "validation_split": 0.2, "seed": 0}
AUGMENT = {"rotate": 10, "crop": 1, "noise": 0.05, "cutout": 0.3}


@pytest.fixture(scope="module")
def cnn():
    return load_project(sample("digits_cnn"))


def train(cnn, bundle, epochs: int = 2, seed: int = 0, **extra):
    settings = TrainSettings.from_mapping(cnn.training, epochs=epochs, seed=seed, device="cpu", batch_size=16)
    trainer = Trainer(prepare(cnn, bundle), bundle, settings, **extra)
    result = trainer.run()
    assert result.status == "finished", result.message
    return result


def same_weights(a, b) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_augmentation_off_is_bit_identical_to_training_without_it(cnn) -> None:
    with_empty = load_data({**DIGITS, "augment": {}})
    with_zeros = load_data({**DIGITS, "augment": {"hflip": 0, "noise": 0.0}})
    # The bundle shape trainers were given before augmentation existed: no augment field at all.
    bare = Bundle(
        Split(with_empty.train.x, with_empty.train.y), Split(with_empty.validation.x, with_empty.validation.y), None, with_empty.spec
    )
    reference = train(cnn, bare).last_state
    assert same_weights(reference, train(cnn, with_empty).last_state)
    assert same_weights(reference, train(cnn, with_zeros).last_state)


def test_augmentation_on_repeats_from_the_seed_and_changes_training(cnn) -> None:
    plain = train(cnn, load_data(DIGITS)).last_state
    augmented = load_data({**DIGITS, "augment": AUGMENT})
    first = train(cnn, augmented).last_state
    assert same_weights(first, train(cnn, augmented).last_state)
    assert not same_weights(first, plain)
    other_seed = train(cnn, augmented, seed=1).last_state
    assert not same_weights(first, other_seed)


def test_only_training_batches_are_augmented(cnn, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    original = train_augmentation.BatchAugmenter.__call__

    def counting(self, x, y, seed, epoch, batch):
        sizes.append(len(x))
        return original(self, x, y, seed, epoch, batch)

    monkeypatch.setattr(train_augmentation.BatchAugmenter, "__call__", counting)
    bundle = load_data({**DIGITS, "augment": AUGMENT})
    train(cnn, bundle, epochs=2)
    assert sum(sizes) == 2 * len(bundle.train)  # every training sample once an epoch, no validation sample


@pytest.mark.parametrize("loss", ["cross_entropy", "bce_with_logits", "mse"])
def test_mixed_batches_train_with_every_classification_loss(cnn, loss: str) -> None:
    project = load_project(sample("digits_cnn"))
    project.training.update({"loss": loss})
    bundle = load_data({**DIGITS, "augment": {"mixup": 0.5, "cutmix": 0.5}})
    result = train(project, bundle, epochs=1)
    assert all(torch.isfinite(t).all() for t in result.last_state.values() if t.is_floating_point())


def test_a_resumed_augmented_run_equals_the_uninterrupted_one(cnn) -> None:
    bundle = load_data({**DIGITS, "augment": {**AUGMENT, "mixup": 0.5}})
    whole = train(cnn, bundle, epochs=3).last_state
    states = []
    holder: list[Trainer] = []

    def keep_first(metrics) -> None:
        if metrics.epoch == 1:
            states.append(holder[0].train_state())

    settings = TrainSettings.from_mapping(cnn.training, epochs=3, seed=0, device="cpu", batch_size=16)
    trainer = Trainer(prepare(cnn, bundle), bundle, settings, Callbacks(on_epoch=keep_first))
    holder.append(trainer)
    trainer.run()
    resumed = train(cnn, bundle, epochs=3, resume=states[0]).last_state
    assert same_weights(whole, resumed)


def test_designer_train_refuses_augment_on_data_that_is_not_images(tmp_path, capsys) -> None:
    import json

    document = json.loads(sample("spirals_mlp").read_text())
    document["data"]["augment"] = {"hflip": 0.5}
    path = tmp_path / "spirals.nnd"
    path.write_text(json.dumps(document))
    code = main(["train", str(path), "--device", "cpu", "--out", str(tmp_path / "out"), "--no-record"])
    out, err = capsys.readouterr()
    lines = [line for line in (out + err).splitlines() if line.strip()]
    assert code == 2
    assert len(lines) == 1 and "augment applies to images" in lines[0]


def test_batches_read_from_disk_are_augmented_as_those_in_memory(cnn, tmp_path) -> None:
    import numpy as np

    digits = load_data({"source": "digits", "options": {}, "validation_split": 0.0})
    keep = np.arange(0, len(digits.train), 8)  # every eighth image: a small file
    np.savez(tmp_path / "digits.npz", x=digits.train.x[keep], y=digits.train.y[keep])
    data = {"source": "npz", "validation_split": 0.2, "augment": AUGMENT}
    in_memory = load_data({**data, "options": {"path": "digits.npz", "normalize": "none", "loading": "memory"}}, tmp_path)
    from_disk = load_data({**data, "options": {"path": "digits.npz", "normalize": "none", "loading": "stream"}}, tmp_path)
    assert from_disk.train.streamed and not in_memory.train.streamed
    assert same_weights(train(cnn, in_memory).last_state, train(cnn, from_disk).last_state)
