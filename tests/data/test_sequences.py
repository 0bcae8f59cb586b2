"""The generated sequence tasks (waves, tokens) and the digits as a reconstruction
task: each gives what its description promises."""

from __future__ import annotations

import numpy as np

from designer.data import describe, describe_data, load_data, preview
from designer.data.sequences import WAVE_NAMES


def _waves(**options) -> tuple[np.ndarray, np.ndarray]:
    bundle = load_data({"source": "waves", "options": {"noise": 0.0, **options}, "validation_split": 0.0})
    return bundle.train.x[:, :, 0], bundle.train.y


def test_waves_have_the_shape_their_class_names() -> None:
    x, y = _waves(samples=400)
    assert set(y) == set(range(len(WAVE_NAMES))) and np.bincount(y).min() == 100
    peak = np.abs(x).max(axis=1)
    assert peak.min() >= 0.45 and peak.max() <= 1.0  # amplitudes 0.5 to 1 (a sampled sine may miss its peak a little)
    step = np.diff(x, axis=1)
    square, sawtooth, triangle, sine = (y == WAVE_NAMES.index(name) for name in ("square", "sawtooth", "triangle", "sine"))
    assert np.allclose(np.abs(x[square]), peak[square, None])  # only +a and -a
    rising = np.isclose(step, np.median(step, axis=1, keepdims=True), atol=1e-4).mean(axis=1)
    assert rising[sawtooth].min() > 0.75 and (np.median(step[sawtooth], axis=1) > 0).all()  # one slope, one drop per period
    even = np.isclose(np.abs(step), np.median(np.abs(step), axis=1, keepdims=True), atol=1e-4).mean(axis=1)
    assert even[triangle].min() > 0.7  # the same slope up and down, except at the turns (two per period)
    assert even[sine].max() < 0.2 and not np.allclose(np.abs(x[sine]), peak[sine, None])


def test_waves_noise_and_length_options() -> None:
    calm, _ = _waves(samples=200)
    noisy = load_data({"source": "waves", "options": {"samples": 200, "noise": 0.5}, "validation_split": 0.0}).train.x[:, :, 0]
    assert abs((noisy - calm).std() - 0.5) < 0.03  # same seed: the same waves, plus noise of that deviation
    spec = describe_data({"source": "waves", "options": {"length": 12}})
    assert spec.input.shape == (12, 1) and spec.num_classes == 4


def _marker_counts(x: np.ndarray, classes: int) -> np.ndarray:
    return np.stack([(x == k).sum(axis=1) for k in range(classes)], axis=1)


def test_tokens_class_is_the_single_most_frequent_marker() -> None:
    options = {"samples": 600, "length": 20, "classes": 4, "vocabulary": 50}
    bundle = load_data({"source": "tokens", "options": options, "validation_split": 0.0})
    x, y = bundle.train.x, bundle.train.y
    assert x.dtype == np.int64 and x.shape == (600, 20) and x.min() >= 0 and x.max() < 50
    counts = _marker_counts(x, 4)
    assert (counts.argmax(axis=1) == y).all()
    top = np.sort(counts, axis=1)
    assert (top[:, -1] > top[:, -2]).all()  # never a tie
    assert np.bincount(y, minlength=4).min() > 600 / 4 * 0.7  # roughly balanced
    spec, names = describe({"source": "tokens", "options": options})
    assert spec.input.dtype == "int64" and spec.input.shape == (20,) and names == [f"marker {k}" for k in range(4)]


def test_tokens_order_does_not_matter() -> None:
    """Shuffling a sample's tokens keeps its class: a bag-of-tokens model (no positions) suffices."""
    bundle = load_data({"source": "tokens", "options": {"samples": 200}, "validation_split": 0.0})
    x, y = bundle.train.x, bundle.train.y
    shuffled = np.random.default_rng(1).permuted(x, axis=1)
    assert (_marker_counts(shuffled, 3).argmax(axis=1) == y).all()


def test_tokens_fit_in_short_sequences_with_many_markers() -> None:
    bundle = load_data({"source": "tokens", "options": {"samples": 100, "length": 8, "classes": 8}, "validation_split": 0.0})
    counts = _marker_counts(bundle.train.x, 8)
    assert (counts.argmax(axis=1) == bundle.train.y).all() and (counts.sum(axis=1) >= 1).all()


def test_digits_as_images_are_their_own_targets() -> None:
    settings = {"source": "digits", "options": {"target": "images"}}
    bundle = load_data(settings)
    spec = describe_data(settings)
    assert bundle.spec == spec and spec.task == "regression" and spec.target_shape == (1, 8, 8)
    assert bundle.class_names == [] and describe(settings)[1] == []
    for part in (bundle.train, bundle.validation):
        assert part.y.dtype == np.float32 and np.array_equal(part.x, part.y)
    labels = load_data({"source": "digits"})

    def every_image(data) -> np.ndarray:  # the splits differ (only labels are stratified); the images are the same
        rows = np.concatenate([data.train.x, data.validation.x]).reshape(len(data.train) + len(data.validation), -1)
        return rows[np.lexsort(rows.T[::-1])]

    assert len(labels.train) == len(bundle.train) and np.array_equal(every_image(labels), every_image(bundle))
    shown = preview(settings, limit=4)
    assert shown.kind == "images" and shown.x.shape == (4, 8, 8) and shown.label(0) == ""
