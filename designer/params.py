"""Parameter declarations: type, default, range or choices, help; and checking.

One declaration serves a layer's parameters (the catalog), a project's
training settings and data options (``designer.project.settings``) and a data
source's options (``designer.data``), so all three are checked, described and
edited the same way.

``Param.check`` returns the normalised value (ints stay ints, pairs become
tuples) or raises :class:`ParamError` with a reason a user can act on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from designer.graph.errors import ParamError
from designer.graph.messages import short_repr

INT, FLOAT, BOOL, CHOICE, INTS, SIZE, PADDING = "int", "float", "bool", "choice", "ints", "size", "padding"
TEXT, FILE, FOLDER = "text", "file", "folder"  # settings such as a data source's column names and paths
_PAIR_TEXT = re.compile(r"^\s*-?\d+(\s*[x,]\s*-?\d+)*\s*$")


@dataclass(frozen=True)
class Param:
    """One user-settable parameter of a layer type.

    kinds: ``int``, ``float``, ``bool``, ``choice``, ``ints`` (a list such as a
    shape), ``size`` (an int or a tuple of ``length`` ints, e.g. kernel_size
    3 or 3x5) and ``padding`` (a size, or 'same'/'valid'). Settings also use
    ``text`` (any string), ``file`` and ``folder`` (a path as a string, '' when
    none is chosen yet; ``suffixes`` lists the file types a file dialog offers).
    """

    name: str
    kind: str
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    exclusive_min: bool = False
    choices: tuple[str, ...] = ()
    length: int = 0  # size: number of spatial dims; ints: exact length (0 = any)
    min_length: int = 1
    max_length: int = 8
    optional: bool = False  # None is allowed and means ``none_means``
    none_means: str = ""
    extra: Callable[[Any], str | None] | None = None  # further check on the normalised value
    suffixes: tuple[str, ...] = ()  # file: the file types offered, like (".csv",)

    def check(self, value: Any) -> Any:
        if value is None:
            if self.optional:
                return None
            raise ParamError(self.name, f"a value is required ({self.describe()})")
        checker = _CHECKERS[self.kind]
        normalised = checker(self, value)
        if self.extra is not None:
            reason = self.extra(normalised)
            if reason:
                raise ParamError(self.name, reason)
        return normalised

    def describe(self) -> str:
        """What values are allowed, for messages and tooltips."""
        if self.kind == CHOICE:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == BOOL:
            return "true or false"
        if self.kind == TEXT:
            return "a text"
        if self.kind == FILE:
            return "the path of a file" + (f" ({', '.join(self.suffixes)})" if self.suffixes else "")
        if self.kind == FOLDER:
            return "the path of a folder"
        bounds = _bounds_text(self)
        if self.kind == INT:
            return f"a whole number{bounds}"
        if self.kind == FLOAT:
            return f"a number{bounds}"
        if self.kind == INTS:
            size = f"{self.length}" if self.length else f"{self.min_length} to {self.max_length}"
            return f"a list of {size} whole numbers{bounds}"
        pair = "x".join(["3"] * max(self.length, 2))
        text = f"a whole number{bounds} or {self.length} of them, like {pair}"
        return text + (", or 'same' or 'valid'" if self.kind == PADDING else "")

    def _fail(self, value: Any, why: str = "") -> ParamError:
        return ParamError(self.name, why or f"must be {self.describe()}, got {short_repr(value)}")


def _bounds_text(p: Param) -> str:
    parts = []
    if p.min is not None:
        parts.append(f"{'>' if p.exclusive_min else '≥'} {_fmt(p.min)}")
    if p.max is not None:
        parts.append(f"≤ {_fmt(p.max)}")
    return " " + " and ".join(parts) if parts else ""


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _in_range(p: Param, x: float) -> bool:
    if p.min is not None and (x <= p.min if p.exclusive_min else x < p.min):
        return False
    return p.max is None or x <= p.max


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_int(p: Param, value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not _is_int(value) or not _in_range(p, value):
        raise p._fail(value)
    return value


def _check_float(p: Param, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise p._fail(value)
    if not _in_range(p, value):
        raise p._fail(value)
    return float(value)


def _check_bool(p: Param, value: Any) -> bool:
    if not isinstance(value, bool):
        raise p._fail(value)
    return value


def _check_choice(p: Param, value: Any) -> str:
    if value not in p.choices:
        raise p._fail(value)
    return value


def _check_text(p: Param, value: Any) -> str:
    if not isinstance(value, str):
        raise p._fail(value)
    return value


def _int_list(p: Param, value: Any) -> list[int]:
    if isinstance(value, str):
        if not _PAIR_TEXT.match(value):
            raise p._fail(value)
        value = [int(v) for v in re.split(r"\s*[x,]\s*", value.strip())]
    if _is_int(value):
        return [value]
    if not isinstance(value, Sequence) or not all(_is_int(v) for v in value):
        raise p._fail(value)
    return list(value)


def _check_ints(p: Param, value: Any) -> tuple[int, ...]:
    items = _int_list(p, value)
    if p.length and len(items) != p.length or not p.length and not p.min_length <= len(items) <= p.max_length:
        raise p._fail(value)
    if not all(_in_range(p, v) for v in items):
        raise p._fail(value)
    return tuple(items)


def _check_size(p: Param, value: Any) -> int | tuple[int, ...]:
    items = _int_list(p, value)
    if len(items) not in (1, p.length) or not all(_in_range(p, v) for v in items):
        raise p._fail(value)
    if len(items) == 1 or len(set(items)) == 1 and isinstance(value, int):
        return items[0]
    return tuple(items)


def _check_padding(p: Param, value: Any) -> int | str | tuple[int, ...]:
    if value in ("same", "valid"):
        return value
    return _check_size(p, value)


_CHECKERS: dict[str, Callable[[Param, Any], Any]] = {
    INT: _check_int,
    FLOAT: _check_float,
    BOOL: _check_bool,
    CHOICE: _check_choice,
    INTS: _check_ints,
    SIZE: _check_size,
    PADDING: _check_padding,
    TEXT: _check_text,
    FILE: _check_text,
    FOLDER: _check_text,
}


def check_all(params: Sequence[Param], values: Mapping[str, Any], unknown: Callable[[str, list[str]], Exception]) -> dict[str, Any]:
    """Defaults merged with ``values``, each value checked (ParamError names a
    bad one); a key no parameter has raises ``unknown(key, known_names)``."""
    known = {p.name: p for p in params}
    result = {p.name: p.default for p in params}
    for key, value in values.items():
        if key not in known:
            raise unknown(key, list(known))
        result[key] = known[key].check(value)
    return result
