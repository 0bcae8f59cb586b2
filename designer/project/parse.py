"""Project file -> JSON value, within limits that keep reading it safe.

``json.loads`` recurses once per level of nesting, so a list nested 100,000
deep ends in a RecursionError; a FIFO or a device blocks or never ends; a
number may overflow a float or pass str's digit limit; JSON may escape a lone
surrogate, which no UTF-8 file can hold. So a project file is read only when
it is a regular file of at most ``MAX_FILE_BYTES``, nested at most
``MAX_DEPTH`` deep (counted on the text, before parsing), with finite numbers
and valid text; each refusal is one :class:`ProjectError` saying where.
"""

from __future__ import annotations

import json
import math
import re
import stat
import sys
from itertools import accumulate
from pathlib import Path
from typing import Any

from designer.graph.messages import short_repr
from designer.project.errors import ProjectError

MAX_FILE_BYTES = 64 << 20  # a 10,000-node design is about 2 MB
MAX_DEPTH = 64  # a project file nests 6 levels deep; data options a few more
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# JSON's escape of a UTF-16 surrogate, \uD800 to \uDFFF in either case (an
# escaped backslash before "ud8.." matches too: a false alarm, walked).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def read_text(path: Path) -> str:
    """The text of a project file; ProjectError (naming the file) when it is
    not a readable regular file of UTF-8 text within the size limit."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ProjectError(f"{path}: is a folder, not a project file")
        if not stat.S_ISREG(info.st_mode):
            raise ProjectError(f"{path}: not a project file (it is not a regular file)")
        if info.st_size > MAX_FILE_BYTES:
            raise ProjectError(f"{path}: not a project file ({_mib(info.st_size)}; a project file is at most {_mib(MAX_FILE_BYTES)})")
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ProjectError(f"{path}: no such file") from None
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except ValueError:  # a NUL in the path
        raise ProjectError(f"{short_repr(str(path))}: not a valid file name") from None
    if len(data) > MAX_FILE_BYTES:  # it grew while being read
        raise ProjectError(f"{path}: not a project file (larger than {_mib(MAX_FILE_BYTES)})")
    try:
        return data.decode("utf-8-sig")  # a byte-order mark, as some editors write, is allowed
    except UnicodeDecodeError as exc:
        raise ProjectError(f"{path}: not a project file (it is not text: byte {exc.start} is not UTF-8)") from None


def parse(text: str) -> Any:
    """The JSON value of ``text``; ProjectError (without the file's name) when
    it is not JSON or breaks a limit."""
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise ProjectError(f"not a valid project file: JSON nested {depth} deep (a project file is at most {MAX_DEPTH} deep)")
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise ProjectError(f"not a valid project file: JSON error at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:  # nesting_depth bounds it; kept so no limit of the interpreter ever shows as a traceback
        raise ProjectError("not a valid project file: JSON nested too deeply") from None
    except ValueError as exc:
        raise ProjectError(f"not a valid project file: {_number_error(text, exc)}") from None
    # A parsed string can hold a lone surrogate only where the text has one or
    # escapes one: without either (nearly every file), the walk naming the
    # place is skipped (it costs a tenth of a second at 10,000 nodes).
    found = unencodable_place(value) if _SURROGATE_ESCAPE.search(text) or not _encodable(text) else None
    if found is not None:
        place, character = found
        raise ProjectError(f"{place}: holds \\u{ord(character):04x}, half of a surrogate pair, which is not a character on its own")
    return value


def nesting_depth(text: str) -> int:
    """How deeply the text's arrays and objects nest (brackets inside strings
    do not count); a cheap scan that never recurses."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


def unencodable_place(value: Any) -> tuple[str, str] | None:
    """Where in a parsed JSON value a string (or key) holds a lone surrogate,
    like ``nodes[2].params``, and that character; None when every string is
    valid text. Walks without recursion."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, place = stack.pop()
        if isinstance(item, str):
            if not _encodable(item):
                return place or "the file", _surrogate(item)
        elif isinstance(item, list):
            stack.extend((v, f"{place}[{i}]") for i, v in enumerate(item) if isinstance(v, (str, list, dict)))
        elif isinstance(item, dict):
            for key, v in item.items():
                child = _child(place, key)
                if not _encodable(key):
                    return child, _surrogate(key)
                if isinstance(v, (str, list, dict)):
                    stack.append((v, child))
    return None


def _surrogate(text: str) -> str:
    return next(c for c in text if 0xD800 <= ord(c) <= 0xDFFF)


def _child(place: str, key: str) -> str:
    if _KEY.fullmatch(key):
        return f"{place}.{key}" if place else key
    return f"{place}[{short_repr(key)}]"


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _NumberError(ValueError):
    """A number json reads but a project cannot hold; ``pattern`` finds it in the text."""

    def __init__(self, message: str, pattern: str, token: str = "") -> None:
        super().__init__(message)
        self.pattern, self.token = pattern, token


def _refuse_constant(name: str) -> float:
    raise _NumberError(f"{name} is not allowed in a project file (numbers must be finite)", r"-?\b(?:NaN|Infinity)\b", name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NumberError(f"the number {short_repr(text)} is too large (at most about 1.8e308)", r"-?[0-9][0-9.eE+-]*", text)
    return value


def _number_error(text: str, exc: ValueError) -> str:
    """The reason, with its line and column, for a number json's decoder took
    but could not convert (json reports no place for these)."""
    if isinstance(exc, _NumberError):
        return _place(text, exc.pattern, exc.token) + str(exc)
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    if limit and "integer string conversion" in str(exc):
        return _place(text, rf"\d{{{limit + 1},}}") + f"a number with more than {limit} digits"
    return str(exc)


def _place(text: str, pattern: str, token: str = "") -> str:
    """``line L, column C: `` of the first match outside strings ("" if none)."""
    blanked = _STRING.sub(lambda m: " " * len(m.group()), text)  # the same offsets, no string contents
    for match in re.finditer(pattern, blanked):
        if not token or match.group().lstrip("-") == token.lstrip("-"):
            start = match.start()
            return f"line {text.count(chr(10), 0, start) + 1}, column {start - text.rfind(chr(10), 0, start)}: "
    return ""


def _mib(size: int) -> str:
    return f"{size / (1 << 20):.0f} MiB" if size >= 1 << 20 else f"{size} bytes"
