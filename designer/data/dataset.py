"""What a data source hands to the trainer: arrays split into parts, plus what they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from designer.data.deferred import deferred
from designer.graph import DataSpec

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")


@dataclass
class ArrayDataset:
    """One part of the data (train, validation or test) as numpy arrays.

    ``x`` is float32 ``(N, *input_shape)`` or int64 token ids; ``y`` holds
    int64 class ids ``(N,)`` for classification and float32
    ``(N, *target_shape)`` for regression.

    Data too big for memory has a :class:`designer.data.lazy.LazySamples` as
    ``x``: the same ``shape``, ``dtype``, ``len`` and ``x[rows]``, read from
    disk when asked (``streamed`` says which).
    """

    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @property
    def streamed(self) -> bool:
        """True when the samples are read from disk batch by batch, not held in memory."""
        return not isinstance(self.x, np.ndarray)


@dataclass
class DataBundle:
    """A loaded data source: its parts, its spec and how it was normalised.

    ``normalization`` is JSON-friendly and records what was applied to the raw
    values, with statistics from the training part only, so that predictions
    on new data can reuse it (see :func:`designer.data.normalize_inputs` and
    :func:`designer.data.restore_targets`). Keys, each present only when used:
    ``scale`` (raw inputs were multiplied by it), ``mean``/``std`` (then
    ``(x - mean) / std``, shaped like one sample or broadcastable to it),
    ``target_mean``/``target_std`` (regression targets were standardised the
    same way), ``features`` (names of the input columns of tabular data) and
    ``categories`` (CSV: the texts one-hot encoded for each categorical column).
    """

    train: ArrayDataset
    validation: ArrayDataset
    test: ArrayDataset | None
    spec: DataSpec
    class_names: list[str]
    source: str
    normalization: dict[str, Any]
    notes: list[str] = field(default_factory=list)  # things worth telling the user, e.g. rows dropped
    augment: dict[str, Any] = field(default_factory=dict)  # image augmentation of the training split (designer.data.augment)


def normalize_inputs(normalization: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """Apply a bundle's input normalisation to new raw samples (batch first)."""
    if not normalization.get("scale") and "mean" not in normalization:
        return x
    out = np.asarray(x, dtype=np.float32)
    if "scale" in normalization:
        out = out * np.float32(normalization["scale"])
    if "mean" in normalization:
        out = (out - np.asarray(normalization["mean"], np.float32)) / np.asarray(normalization["std"], np.float32)
    return out.astype(np.float32)


def restore_targets(normalization: dict[str, Any], y: np.ndarray) -> np.ndarray:
    """Turn a regression prediction back into the units of the original targets."""
    if "target_mean" not in normalization:
        return y
    mean = np.asarray(normalization["target_mean"], np.float32)
    return (np.asarray(y, np.float32) * np.asarray(normalization["target_std"], np.float32) + mean).astype(np.float32)
