"""Error messages stay one printable line, whatever a user's file put into them.

A message names the file and the place, and often quotes what was found
there: a cell of a CSV file, a column name, a path from a project file. Any
of those can hold a line break or a control character; printed as it is, one
message would become several lines (or move the terminal's cursor).
"""

from __future__ import annotations

QUOTED_MOST = 60  # characters of a quoted value kept in a message


def one_line(text: str) -> str:
    """``text`` with every line break and control character written as an escape (``\\n``)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def shown(value: str, most: int = QUOTED_MOST) -> str:
    """A value quoted for a message: escaped, and shortened when long."""
    text = one_line(value)
    return f"'{text[:most]}...'" if len(text) > most else f"'{text}'"
