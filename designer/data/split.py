"""Train/validation/test split with a seed, then normalisation from the training part only.

Classification data is split class by class, so every part keeps the class
balance of the whole (a small data set with a rare class would otherwise lose
it from the validation part by chance).

Data read from disk (:class:`designer.data.lazy.LazySamples`) stays unread:
its parts are row numbers, its standardisation statistics come from a sample
of the training part and are applied to each batch as it is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from designer.data.dataset import ArrayDataset, DataBundle
from designer.data.deferred import deferred
from designer.data.errors import DataError
from designer.data.lazy import LazySamples
from designer.data.source import CLASSIFICATION, Loaded

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")

STATS_SAMPLE = 10_000  # data read from disk: training samples the standardisation statistics come from


def split_indices(
    n: int, validation: float, test: float, seed: int, labels: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices of the train, validation and test parts; stratified by ``labels`` when given."""
    if validation + test >= 1.0:
        raise DataError(f"validation_split {validation} and test_split {test} leave nothing to train on: keep their sum below 1")
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(labels == c) for c in np.unique(labels)] if labels is not None else [np.arange(n)]
    parts: list[list[np.ndarray]] = [[], [], []]
    for group in groups:
        group = rng.permutation(group)
        n_val, n_test = round(len(group) * validation), round(len(group) * test)
        parts[1].append(group[:n_val])
        parts[2].append(group[n_val : n_val + n_test])
        parts[0].append(group[n_val + n_test :])
    train, val, tst = (rng.permutation(np.concatenate(p)) if p else np.arange(0) for p in parts)
    if len(train) == 0:
        raise DataError(f"only {n} samples: too few to split off {validation:.0%} for validation and {test:.0%} for test")
    return train, val, tst


def make_bundle(loaded: Loaded, source: str, validation: float, test: float, seed: int) -> DataBundle:
    """Split the samples and normalise every part with statistics of the training part."""
    n = len(loaded.x)
    if len(loaded.y) != n:
        raise DataError(f"{loaded.spec.name}: {n} inputs but {len(loaded.y)} targets")
    labels = loaded.y if loaded.spec.task == CLASSIFICATION else None
    train, val, tst = split_indices(n, validation, test, seed, labels)
    if loaded.train_per_class and labels is not None:
        train = _first_per_class(train, labels, loaded.train_per_class)
    x, y = loaded.x, loaded.y
    notes = list(loaded.notes)
    normalization: dict[str, Any] = {}
    if loaded.scale is not None:
        normalization["scale"] = loaded.scale
    mask = np.broadcast_to(np.asarray(loaded.standardize, bool), x.shape[1:])
    if mask.any() and x.dtype == np.float32:
        if isinstance(x, LazySamples):  # read from disk: statistics of a sample of the training part
            sample = (
                train if len(train) <= STATS_SAMPLE else np.sort(np.random.default_rng(seed).choice(train, STATS_SAMPLE, replace=False))
            )
            mean, std = _stats(x[sample], mask)
            x = x.standardized(mean, std)
            if len(sample) < len(train):
                notes.append(f"{loaded.spec.name}: the standardisation uses the mean and std of {len(sample):,} random training samples")
        else:
            mean, std = _stats(x[train], mask)
            x = _standardized(x, mean, std, loaded.spec.name, "input")
        normalization["mean"], normalization["std"] = mean.tolist(), std.tolist()
    if loaded.standardize_target:
        mean, std = _stats(y[train], np.ones(y.shape[1:], bool))
        y = _standardized(y, mean, std, loaded.spec.name, "target")
        normalization["target_mean"], normalization["target_std"] = mean.tolist(), std.tolist()
    if loaded.feature_names:
        normalization["features"] = list(loaded.feature_names)
    normalization.update(loaded.info)
    return DataBundle(
        train=ArrayDataset(_part(x, train), y[train]),
        validation=ArrayDataset(_part(x, val), y[val]),
        test=ArrayDataset(_part(x, tst), y[tst]) if test > 0 else None,
        spec=loaded.spec,
        class_names=list(loaded.class_names),
        source=source,
        normalization=normalization,
        notes=notes,
    )


def _part(x: np.ndarray | LazySamples, rows: np.ndarray) -> Any:
    """The samples at ``rows``: copied from an array, still unread from disk."""
    return x.subset(rows) if isinstance(x, LazySamples) else x[rows]


def _first_per_class(train: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """The first ``count`` training samples of each class (the split shuffled
    them with its seed), in their shuffled order: a few labelled images."""
    seen: dict[int, int] = {}
    kept = []
    for index in train:
        label = int(labels[index])
        if seen.get(label, 0) < count:
            seen[label] = seen.get(label, 0) + 1
            kept.append(index)
    return np.asarray(kept, dtype=train.dtype)


def _standardized(values: np.ndarray, mean: np.ndarray, std: np.ndarray, name: str, what: str) -> np.ndarray:
    """``(values - mean) / std`` in float32; DataError when values near float32's
    limits leave its range on the way (a sample of 3e38 among ones of -3e38)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = ((values - mean) / std).astype(np.float32)
    bad = ~np.isfinite(out)
    if bad.any():
        sample = int(np.flatnonzero(bad.reshape(len(bad), -1).any(axis=1))[0])
        raise DataError(f"{name}: sample {sample}: its {what} values are too far apart to standardise in 32-bit floats: rescale the data")
    return out


def _stats(x: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-value mean and std over the samples; values outside ``mask`` (and constant ones) stay as they are."""
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=0) if len(x) else np.zeros(x.shape[1:])
    std = x64.std(axis=0) if len(x) else np.ones(x.shape[1:])
    std = np.where(std > 1e-12, std, 1.0)  # a constant feature carries no information; leave its scale alone
    mean = np.where(mask, mean, 0.0)
    std = np.where(mask, std, 1.0)
    return mean.astype(np.float32), std.astype(np.float32)
