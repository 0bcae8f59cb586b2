"""Diff-friendly JSON: objects one key per line, short lists of scalars on one
line, so changing one parameter changes one line."""

from __future__ import annotations

import json
from typing import Any


def dumps(value: Any, indent: int = 0) -> str:
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(str(k))}: {dumps(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (dict, list, tuple)) for v in value):
            return "[" + ", ".join(_scalar(v) for v in value) + "]"
        items = [inner + dumps(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    """Text as it reads (not as \\u escapes); a string UTF-8 cannot hold (a
    lone surrogate) is escaped, so saving never fails on it."""
    if isinstance(value, str) and not _encodable(value):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
