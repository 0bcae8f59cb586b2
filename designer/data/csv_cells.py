"""Questions about a column of CSV text cells, answered for the whole column at once.

Each answer is the one the old per-cell Python code gave: ASCII cells are
answered by pyarrow (regular expressions, number parsing), and the few cells
with other characters (where Python's ``\\d`` and ``float`` take other scripts'
digits) by Python, once per distinct text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from designer.data.deferred import deferred

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
else:
    np = deferred("numpy")
    pa = deferred("pyarrow")
    pc = deferred("pyarrow.compute")


MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}
COMMA_NUMBER = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+,\d*|\d+,\d*|,\d+)([eE][+-]?\d+)?")  # 1,5  -,5  1.234,5
POINT_NUMBER = re.compile(r"[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?")  # 1.5  .5  1.5e3
# The same patterns for ASCII text (pyarrow's RE2), and the ASCII texts Python's float() reads as finite numbers.
_ASCII = {
    COMMA_NUMBER: r"^[+-]?([0-9]{1,3}(\.[0-9]{3})+,[0-9]*|[0-9]+,[0-9]*|,[0-9]+)([eE][+-]?[0-9]+)?$",
    POINT_NUMBER: r"^[+-]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$",
}
_ASCII_FLOAT = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def _bools(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), bool)


def _by_text(column: pa.ChunkedArray, rows: np.ndarray, answer: Callable[[str], object], out: np.ndarray) -> None:
    """``out[rows] = answer(text)`` for those rows, asking once per distinct text."""
    if len(rows) == 0:
        return
    texts = column.take(pa.array(rows))
    distinct = pc.unique(texts)
    answers = np.asarray([answer(t) for t in distinct.to_pylist()], dtype=out.dtype)
    out[rows] = answers[np.asarray(pc.index_in(texts, value_set=distinct).to_numpy(zero_copy_only=False), np.int64)]


def _other(column: pa.ChunkedArray) -> np.ndarray:
    """Rows whose text is not plain ASCII."""
    return np.flatnonzero(~_bools(pc.string_is_ascii(column)))


def matches(column: pa.ChunkedArray, pattern: re.Pattern[str]) -> np.ndarray:
    """Which cells ``pattern.fullmatch`` (COMMA_NUMBER or POINT_NUMBER)."""
    found = _bools(pc.match_substring_regex(column, _ASCII[pattern]))
    _by_text(column, _other(column), lambda t: pattern.fullmatch(t) is not None, found)
    return found


def _every_case(word: str) -> list[str]:
    forms = [""]
    for letter in word:
        forms = [f + c for f in forms for c in dict.fromkeys((letter.lower(), letter.upper()))]
    return forms


@cache
def _missing_texts() -> pa.Array:
    """MISSING in every mix of upper and lower case: one look-up per cell, no
    lowered copy of the column (made when first needed: pyarrow is imported then)."""
    return pa.array(sorted({form for word in MISSING for form in _every_case(word)}), pa.string())


def missing(column: pa.ChunkedArray) -> np.ndarray:
    """Which cells say a value is missing (empty, NA, ?, ...; any case)."""
    return _bools(pc.is_in(column, value_set=_missing_texts()))


def number(cell: str, decimal: str = ".") -> float | None:
    """One cell as a number, or None: what every cell of :func:`numbers` means."""
    if decimal == "," and COMMA_NUMBER.fullmatch(cell):
        cell = cell.replace(".", "").replace(",", ".")
    elif not cell or "_" in cell:  # float() takes 1_000; a data file does not mean it
        return None
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def numbers(column: pa.ChunkedArray, decimal: str = ".") -> tuple[np.ndarray, np.ndarray]:
    """The cells as float64 numbers and which of them are numbers (finite ones)."""
    if decimal == ".":
        try:  # every text pyarrow reads as a finite number, float() reads as the same number
            values = np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False), np.float64)
            return values, np.isfinite(values)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass  # a text, a space, other scripts' digits: cell by cell below
    ascii_text = _bools(pc.string_is_ascii(column))
    plain = _bools(pc.match_substring_regex(column, _ASCII_FLOAT)) & ascii_text
    text = column
    if decimal == ",":
        comma = _bools(pc.match_substring_regex(column, _ASCII[COMMA_NUMBER])) & ascii_text
        if comma.any():
            swapped = pc.replace_substring(pc.replace_substring(column, ".", ""), ",", ".")
            text = pc.if_else(pa.array(comma), swapped, column)
            plain |= comma
    chosen = pc.if_else(pa.array(plain), text, pa.scalar(None, pa.string()))
    python = ~ascii_text
    try:
        values = np.asarray(pc.cast(chosen, pa.float64()).to_numpy(zero_copy_only=False), np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # an exponent pyarrow will not take: Python's float() does
        values, python = np.full(len(column), np.nan), python | plain
    values = np.where(plain, values, np.nan)
    _by_text(column, np.flatnonzero(python), lambda t: math.nan if (v := number(t, decimal)) is None else v, values)
    valid = np.isfinite(values)
    return values, valid


def distinct(column: pa.ChunkedArray) -> list[str]:
    """The column's texts, each once, in Python's order."""
    return sorted(pc.unique(column).to_pylist())


def positions(column: pa.ChunkedArray, names: list[str]) -> np.ndarray:
    """Each cell's index in ``names`` (which holds every text of the column)."""
    index = pc.index_in(column, value_set=pa.array(names, pa.string()))
    return np.asarray(index.to_numpy(zero_copy_only=False), np.int64)
