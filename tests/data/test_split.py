"""Seeded, stratified splits; normalisation statistics from the training part only."""

from __future__ import annotations

import numpy as np

from designer.data import load_data, normalize_inputs, restore_targets
from designer.data.split import split_indices


def test_split_is_disjoint_complete_and_seeded() -> None:
    labels = np.repeat([0, 1, 2], [50, 30, 20])
    train, val, test = split_indices(100, 0.2, 0.1, seed=7, labels=labels)
    assert len(val) == 20 and len(test) == 10 and len(train) == 70
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(range(100))
    assert [int((labels[val] == c).sum()) for c in range(3)] == [10, 6, 4]  # every class keeps its share
    again = split_indices(100, 0.2, 0.1, seed=7, labels=labels)
    other = split_indices(100, 0.2, 0.1, seed=8, labels=labels)
    assert all(np.array_equal(a, b) for a, b in zip((train, val, test), again))
    assert not np.array_equal(val, other[1])


def test_split_seed_changes_the_parts_not_the_generated_points() -> None:
    a = load_data({"source": "iris", "seed": 1, "test_split": 0.2})
    b = load_data({"source": "iris", "seed": 2, "test_split": 0.2})
    assert a.test is not None and len(a.train) == 90 and len(a.validation) == 30 and len(a.test) == 30
    assert not np.array_equal(a.validation.y, b.validation.y) or not np.array_equal(a.validation.x, b.validation.x)


def test_no_validation_part_gives_an_empty_dataset() -> None:
    bundle = load_data({"source": "moons", "validation_split": 0.0})
    assert len(bundle.validation) == 0 and bundle.validation.x.shape == (0, 2) and len(bundle.train) == 1000


def test_standardisation_uses_the_training_part_only() -> None:
    bundle = load_data({"source": "wine", "seed": 5})
    train, val = bundle.train.x, bundle.validation.x
    assert np.allclose(train.mean(axis=0), 0.0, atol=1e-5) and np.allclose(train.std(axis=0), 1.0, atol=1e-4)
    assert not np.allclose(val.mean(axis=0), 0.0, atol=1e-3)  # validation is scaled with training statistics
    from sklearn.datasets import load_wine

    raw = load_wine().data.astype(np.float32)
    mean, std = np.asarray(bundle.normalization["mean"]), np.asarray(bundle.normalization["std"])
    assert bundle.normalization["features"][0] == "alcohol" and mean.shape == std.shape == (13,)
    restored = val * std + mean
    assert all(np.isclose(raw, row, atol=1e-3).all(axis=1).any() for row in restored[:5])
    assert np.allclose(normalize_inputs(bundle.normalization, restored), val, atol=1e-4)


def test_regression_targets_are_standardised_and_restorable() -> None:
    bundle = load_data({"source": "diabetes"})
    y = bundle.train.y
    assert y.shape[1:] == (1,) and abs(float(y.mean())) < 1e-5 and abs(float(y.std()) - 1) < 1e-4
    original = restore_targets(bundle.normalization, y)
    from sklearn.datasets import load_diabetes

    assert set(np.round(original[:, 0]).astype(int)) <= set(load_diabetes().target.astype(int))


def test_images_are_scaled_and_scaling_is_recorded() -> None:
    bundle = load_data({"source": "digits"})
    assert bundle.normalization == {"scale": 1 / 16}
    assert bundle.train.x.min() >= 0.0 and bundle.train.x.max() == 1.0
    raw = bundle.train.x[:2] * 16
    assert np.allclose(normalize_inputs(bundle.normalization, raw), bundle.train.x[:2])


def test_generated_points_are_left_as_generated() -> None:
    bundle = load_data({"source": "xor"})
    assert "mean" not in bundle.normalization and "scale" not in bundle.normalization
    assert np.array_equal(normalize_inputs(bundle.normalization, bundle.train.x), bundle.train.x)
