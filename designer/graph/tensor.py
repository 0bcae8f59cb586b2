"""Tensor descriptions that flow along edges: per-sample shape plus dtype.

The batch dimension is always first and symbolic, so it is not stored:
``TensorSpec((32, 14, 14))`` is shown as ``N x 32 x 14 x 14``.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

FLOAT = "float32"
LONG = "int64"
DTYPES = (FLOAT, LONG)
DTYPE_BYTES = {FLOAT: 4, LONG: 8}
# Sane upper bounds, far above any real design and far below what overflows:
# one dimension fits the int32 indices some torch and ONNX kernels use, and
# one tensor of one sample (or one layer's weights) holds at most 2**36 values
# (256 GiB of float32), so even 2**20 samples of it keep byte offsets in int64.
MAX_DIM = 2**31 - 1
MAX_ELEMENTS = 2**36


@dataclass(frozen=True, slots=True)
class TensorSpec:
    shape: tuple[int, ...]
    dtype: str = FLOAT

    @property
    def rank(self) -> int:
        """Number of dimensions including the batch dimension."""
        return len(self.shape) + 1

    @property
    def numel(self) -> int:
        """Elements per sample."""
        return prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.numel * DTYPE_BYTES[self.dtype]

    def display(self) -> str:
        return " x ".join(["N", *map(str, self.shape)])

    def __str__(self) -> str:
        suffix = "" if self.dtype == FLOAT else f" ({self.dtype})"
        return self.display() + suffix


def format_dims(shape: tuple[int, ...]) -> str:
    """``(3, 8, 8)`` -> ``3x8x8``: compact per-sample shape for messages."""
    return "x".join(map(str, shape)) if shape else "scalar"
