"""Samples read from disk when a batch asks for them: data larger than memory.

:class:`LazySamples` stands where a split's ``x`` array would: it has
``shape``, ``dtype``, ``nbytes`` (of the decoded samples), ``len`` and
``x[rows]`` (an int, a slice or an index array) returning a float32 or int64
array of just those samples. It is picklable, so DataLoader worker processes
decode images away from the training thread. A reader does the reading:
:class:`ImageFiles` decodes image files, :class:`MappedArray` copies rows out
of a memory-mapped ``.npy`` block (inside an uncompressed ``.npz`` too).

Splitting (``subset``) and standardising (``standardized``) stay lazy:
they record row numbers and statistics, applied to each batch as it is read.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from designer.data.deferred import deferred
from designer.data.errors import DataError

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")


class Reader(Protocol):
    """Reads samples by their row in the whole data set."""

    sample_shape: tuple[int, ...]
    dtype: str  # of what read() returns: "float32" or "int64"
    decodes: bool  # reading costs CPU work (image decoding) that worker processes can take on

    def __len__(self) -> int: ...

    def read(self, rows: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class LazySamples:
    """An array-like of samples read on demand (see the module docstring)."""

    reader: Any  # a Reader
    rows: np.ndarray | None = None  # which of the reader's rows, in order (None: all of them)
    mean: np.ndarray | None = None
    std: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self), *self.reader.sample_shape)

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(self.reader.dtype)

    @property
    def ndim(self) -> int:
        return 1 + len(self.reader.sample_shape)

    @property
    def nbytes(self) -> int:
        """What the samples take once decoded (not what they take on disk)."""
        return len(self) * math.prod(self.reader.sample_shape) * self.dtype.itemsize

    @property
    def decodes(self) -> bool:
        return bool(self.reader.decodes)

    def __len__(self) -> int:
        return len(self.rows) if self.rows is not None else len(self.reader)

    def __getitem__(self, key: Any) -> np.ndarray:
        if isinstance(key, (int, np.integer)):
            return self._read(self._positions(np.asarray([key])))[0]
        if isinstance(key, slice):
            return self._read(np.arange(len(self))[key])
        return self._read(self._positions(np.asarray(key)))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """Every sample at once (only for small parts: a whole big split does not fit)."""
        from designer.data.limits import require_memory

        require_memory(self.nbytes, "the data", f"reading all {len(self):,} samples at once")
        out = self[:]
        return out if dtype is None else out.astype(dtype)

    def subset(self, rows: np.ndarray) -> LazySamples:
        """The samples at ``rows`` (positions in this one), still unread."""
        rows = np.asarray(rows, np.int64)
        return replace(self, rows=self.rows[rows] if self.rows is not None else rows)

    def standardized(self, mean: np.ndarray, std: np.ndarray) -> LazySamples:
        """``(x - mean) / std`` applied to each batch as it is read."""
        return replace(self, mean=np.asarray(mean, np.float32), std=np.asarray(std, np.float32))

    def _positions(self, key: np.ndarray) -> np.ndarray:
        if key.dtype == np.bool_:
            return np.flatnonzero(key)
        if key.size and not np.issubdtype(key.dtype, np.integer):
            raise IndexError("samples are picked by whole-number positions")
        positions = key.astype(np.int64).reshape(-1)
        n = len(self)
        if positions.size and (positions.min() < -n or positions.max() >= n):
            raise IndexError(f"sample position out of range for {n} samples")
        return np.where(positions < 0, positions + n, positions)

    def _read(self, positions: np.ndarray) -> np.ndarray:
        rows = self.rows[positions] if self.rows is not None else positions
        out = self.reader.read(rows)
        if self.mean is None or self.std is None:
            return out
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = ((out - self.mean) / self.std).astype(np.float32)
        bad = ~np.isfinite(scaled)
        if bad.any():
            sample = int(rows[np.flatnonzero(bad.reshape(len(bad), -1).any(axis=1))[0]])
            raise DataError(f"sample {sample}: its input values are too far apart to standardise in 32-bit floats: rescale the data")
        return scaled


@dataclass(frozen=True)
class ImageFiles:
    """Image files decoded to float32 ``(C, H, W)`` in [0, 1] when read.

    ``names`` are paths under ``root``; messages name a file as
    ``label/name`` (the folder as the user wrote it). ``decode`` is
    :func:`designer.data.images.decode_image` (kept as a field so this module
    needs no Pillow).
    """

    root: str
    label: str
    names: tuple[str, ...]
    size: tuple[int, int]  # height, width
    grayscale: bool
    decode: Callable[[Path, tuple[int, int], bool, str], tuple[np.ndarray, float]]
    dtype: str = "float32"
    decodes: bool = True

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return (1 if self.grayscale else 3, *self.size)

    def __len__(self) -> int:
        return len(self.names)

    def read(self, rows: np.ndarray) -> np.ndarray:
        out = np.empty((len(rows), *self.sample_shape), np.float32)
        for i, row in enumerate(np.asarray(rows).tolist()):
            out[i] = self.decoded(row)[0]
        return out

    def decoded(self, row: int) -> tuple[np.ndarray, float]:
        """Image ``row`` and the raw value that became 1.0 (see ``decode``)."""
        name = self.names[row]
        return self.decode(Path(self.root) / name, self.size, self.grayscale, f"{self.label}/{name}")


@dataclass(frozen=True)
class MappedArray:
    """Rows of an array stored as a raw ``.npy`` block at ``offset`` in ``path``
    (a ``.npy`` file, or an uncompressed member of an ``.npz``), memory-mapped
    and converted to ``dtype`` when read. The map is opened once per process."""

    path: str
    offset: int
    stored_shape: tuple[int, ...]
    stored_dtype: str
    fortran: bool
    dtype: str  # "float32" or "int64"
    decodes: bool = False
    _map: list[np.memmap] = field(default_factory=list, compare=False, repr=False)

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return self.stored_shape[1:] if len(self.stored_shape) > 1 else (1,)  # one number per sample: (1,)

    def __len__(self) -> int:
        return self.stored_shape[0]

    def mapped(self) -> np.memmap:
        if not self._map:
            self._map.append(
                np.memmap(
                    self.path,
                    np.dtype(self.stored_dtype),
                    mode="r",
                    offset=self.offset,
                    shape=self.stored_shape,
                    order="F" if self.fortran else "C",
                )
            )
        return self._map[0]

    def read(self, rows: np.ndarray) -> np.ndarray:
        block = np.asarray(self.mapped()[np.asarray(rows, np.int64)])
        block = block.reshape(len(block), *self.sample_shape)
        direct = self.dtype == "int64" or block.dtype == np.float32 or block.dtype.kind != "f" and block.dtype.itemsize <= 2
        # The same steps as designer.data.limits.as_float32, so a value comes out as it would loaded.
        return block.astype(self.dtype) if direct else block.astype(np.float64).astype(np.float32)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_map"] = []  # a worker process maps the file itself
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
