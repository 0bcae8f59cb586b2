"""The checks every data reader makes on what a user's file holds or claims:
enough memory before allocating, and numbers that fit a float32.

Readers call these instead of catching failures afterwards, so a hostile
file (a header claiming 48 GB, a value of 1e39) is one :class:`DataError`
naming the file and the place, never a traceback or a silent ``inf``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from designer.data.deferred import deferred
from designer.data.errors import DataError
from designer.params import CHOICE, Param
from designer.project.memory import check_memory

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")

FLOAT32_MAX = 3.4028234663852886e38  # float(np.finfo(np.float32).max), written out: numpy is imported when data is read
# Loading keeps the samples, their split parts and a normalised copy alive at
# once: about three times what the samples take.
LOAD_COPIES = 3
# The data option "loading": auto keeps decoded samples up to MEMORY_LIMIT in
# memory (then tensors on the device: the fastest epochs) when their load
# copies fit in half the free memory; bigger data is read from disk per batch.
# Beyond 2 GiB the decoding before the first epoch, and the memory the window
# holds, outweigh the faster epochs.
AUTO, MEMORY, STREAM = "auto", "memory", "stream"
LOADING_CHOICES = (AUTO, MEMORY, STREAM)
MEMORY_LIMIT = 2 << 30
LOADING_HELP = (
    "auto: in memory when the decoded samples fit (up to 2 GB), else read from disk batch by batch; "
    "memory: always load everything first (fastest epochs); stream: always read from disk (least memory)."
)
# The option itself, for every source that can read from disk batch by batch.
LOADING = Param("loading", CHOICE, AUTO, LOADING_HELP, choices=LOADING_CHOICES)


def require_memory(nbytes: int, label: str, what: str = "loading the data") -> None:
    """DataError when ``nbytes`` (what a header or a folder claims) will not fit in free memory."""
    check_memory(nbytes, f"{label}: {what}", DataError, "use a smaller file (fewer samples, smaller images) or free some memory")


def streams(option: str, decoded_bytes: int) -> bool:
    """Whether data of ``decoded_bytes`` is read from disk per batch, for the data option ``loading``."""
    if option == STREAM:
        return True
    if option == MEMORY:
        return False
    from designer.project.memory import available_memory

    return decoded_bytes > MEMORY_LIMIT or decoded_bytes * LOAD_COPIES > available_memory() // 2


def as_float32(values: np.ndarray, label: str, where: Callable[[tuple[int, ...]], str]) -> np.ndarray:
    """``values`` as float32; DataError naming the first NaN, infinity or value
    beyond float32's range (about 3.4e38), placed by ``where(index)``."""
    with np.errstate(all="ignore"):  # a hostile value is reported below, not warned about
        return _as_float32(values, label, where)


def _as_float32(values: np.ndarray, label: str, where: Callable[[tuple[int, ...]], str]) -> np.ndarray:
    if values.dtype == np.float32 or not np.issubdtype(values.dtype, np.floating) and values.dtype.itemsize <= 2:
        out = values.astype(np.float32, copy=False)  # small integers and bools fit exactly
    else:
        wide = values.astype(np.float64, copy=False)
        bad = ~np.isfinite(wide)
        if bad.any():
            index = np.unravel_index(int(np.argmax(bad)), wide.shape)
            raise DataError(f"{label}: {where(index)}: holds {_text(wide[index])}; every value must be a finite number")
        too_big = np.abs(wide) > FLOAT32_MAX
        if too_big.any():
            index = np.unravel_index(int(np.argmax(too_big)), wide.shape)
            raise DataError(
                f"{label}: {where(index)}: {wide[index]:g} is too large for a 32-bit float (largest {FLOAT32_MAX:.3g}): rescale the column"
            )
        out = wide.astype(np.float32)
    if not np.isfinite(out).all():  # float32 given as it is: NaN or infinity may still be there
        index = np.unravel_index(int(np.argmax(~np.isfinite(out))), out.shape)
        raise DataError(f"{label}: {where(index)}: holds {_text(out[index])}; every value must be a finite number")
    return out


def _text(value: float) -> str:
    return "NaN" if np.isnan(value) else "infinity" if value > 0 else "-infinity"
