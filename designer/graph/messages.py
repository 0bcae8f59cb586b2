"""How a message shows a value that came from a file or a user: short, on one
line, whatever the value holds (a megabyte of text, a 5,000-digit number, a
line break), so every refusal stays one readable line."""

from __future__ import annotations

import re
import reprlib
from typing import Any

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")


class _ShortRepr(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()  # keyword arguments only from Python 3.12
        self.maxlevel, self.maxtuple, self.maxlist, self.maxdict = 2, 6, 6, 4
        self.maxstring = self.maxlong = self.maxother = 40

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:  # str() refuses ints beyond 4300 digits; no message needs them
            return f"{'-' if x < 0 else ''}2**{abs(x).bit_length() - 1}..."
        return super().repr_int(x, level)


_SHORT = _ShortRepr()


MAX_SHOWN = 60  # characters of one value in a message


def short_repr(value: Any) -> str:
    """``repr(value)`` cut to at most ``MAX_SHOWN`` characters on one line."""
    text = _SHORT.repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def shown_name(name: Any) -> str:
    """A key or id as a message shows it: as it is when it reads like a name,
    else its short repr (quotes show where it begins and ends)."""
    return name if isinstance(name, str) and _NAME.fullmatch(name) else short_repr(name)
