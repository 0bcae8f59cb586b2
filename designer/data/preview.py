"""A small look at the data for the GUI: points, a curve, a few sequences, images or a table.

:class:`Preview` is one shape for every source; ``kind`` says how to draw it:

- ``"points"``: 2-D classification. ``x`` is ``(n, 2)`` coordinates, ``y`` class ids.
- ``"curve"``: 1-D regression. ``x`` is ``(n,)`` inputs, ``y`` ``(n,)`` targets.
- ``"series"``: sequences. ``x`` is ``(n, length)`` (first feature of each step), ``y`` ``(n, ...)`` targets.
- ``"images"``: ``x`` is ``(n, H, W)`` grayscale or ``(n, H, W, 3)`` RGB, values in [0, 1]; ``y`` labels.
- ``"table"``: ``columns`` and ``rows`` (text cells) of the first rows; ``x``/``y`` are empty.

Values are as loaded, before the split's normalisation, so points sit where
they were generated and images look like images.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from designer.data.deferred import deferred
from designer.graph import DataSpec
from designer.graph.analysis import CLASSIFICATION

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")

POINTS, CURVE, SERIES, IMAGES, TABLE = "points", "curve", "series", "images", "table"
DEFAULT_LIMIT = {POINTS: 2000, CURVE: 2000, SERIES: 8, IMAGES: 16, TABLE: 20}
MAX_LABEL_VALUES = 4  # a regression target with more values is not written out as a label


@dataclass
class Preview:
    """What the GUI shows of a data source; see the module docstring for each ``kind``."""

    kind: str
    spec: DataSpec | None  # None for a raw table read without loading (a CSV file's first rows)
    class_names: list[str]
    total: int  # samples in the whole data set (rows in the file for a CSV preview)
    x: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.float32))
    y: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.float32))
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    def label(self, i: int) -> str:
        """Text for sample ``i``: its class name, or its target value ('' for a
        target too big to read as text, such as an image to reconstruct)."""
        if self.spec is not None and self.spec.task == CLASSIFICATION:
            k = int(self.y[i])
            return self.class_names[k] if k < len(self.class_names) else str(k)
        values = np.ravel(self.y[i])
        return "" if len(values) > MAX_LABEL_VALUES else " ".join(f"{v:.3g}" for v in values)


class Samples(Protocol):
    """Loaded samples a preview is made from (a source's ``Loaded``)."""

    x: np.ndarray
    y: np.ndarray
    spec: DataSpec
    class_names: list[str]
    feature_names: list[str]


def preview_kind(spec: DataSpec) -> str:
    """How samples of this shape are best shown."""
    shape = spec.input.shape
    if shape == (2,) and spec.task == CLASSIFICATION:
        return POINTS
    if shape == (1,) and spec.task != CLASSIFICATION:
        return CURVE
    if len(shape) == 3 and shape[0] in (1, 3) and spec.input.dtype == "float32":
        return IMAGES
    if len(shape) == 2:
        return SERIES
    return TABLE


def from_loaded(loaded: Samples, limit: int | None = None) -> Preview:
    """A preview of loaded samples; images and sequences take turns over the classes so each shows up."""
    kind = preview_kind(loaded.spec)
    n = len(loaded.x)
    count = min(n, limit if limit is not None else DEFAULT_LIMIT[kind])
    pick = _round_robin(loaded.y, count) if kind in (IMAGES, SERIES) and loaded.spec.task == CLASSIFICATION else np.arange(count)
    x, y = loaded.x[pick], loaded.y[pick]
    result = Preview(kind, loaded.spec, list(loaded.class_names), n, y=y)
    if kind == POINTS:
        result.x = x
    elif kind == CURVE:
        result.x, result.y = x[:, 0], np.ravel(y)
    elif kind == SERIES:
        result.x = x[..., 0]
    elif kind == IMAGES:
        result.x = np.clip(x[:, 0] if x.shape[1] == 1 else np.moveaxis(x, 1, -1), 0.0, 1.0).astype(np.float32)
    else:
        flat = x.reshape(len(x), -1)
        result.columns = [
            *(loaded.feature_names or [f"x{i}" for i in range(flat.shape[1])]),
            "class" if loaded.spec.task == CLASSIFICATION else "target",
        ]
        result.rows = [[f"{v:.4g}" for v in row] + [result.label(i)] for i, row in enumerate(flat)]
    return result


def _round_robin(labels: np.ndarray, count: int) -> np.ndarray:
    """The first sample of each class, then the second of each, ... up to ``count`` indices."""
    rank = np.zeros(len(labels), np.int64)
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        rank[members] = np.arange(len(members))
    order = np.lexsort((labels, rank))  # by rank, then by class
    return order[:count]
