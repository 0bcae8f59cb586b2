"""Copy and paste carry JSON (the project file's node and edge records), so
they work between two windows and even between two running designers."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QMimeData

MIME_TYPE = "application/x-nn-designer-nodes+json"
MARKER = "nn-designer-nodes"


def to_mime(records: dict[str, Any]) -> QMimeData:
    payload = json.dumps({"format": MARKER, **records}, indent=1)
    mime = QMimeData()
    mime.setData(MIME_TYPE, payload.encode("utf-8"))
    mime.setText(payload)
    return mime


def from_mime(mime: QMimeData | None) -> dict[str, Any] | None:
    """The records on the clipboard, or None when it holds no nodes."""
    if mime is None:
        return None
    if mime.hasFormat(MIME_TYPE):
        raw = bytes(mime.data(MIME_TYPE).data()).decode("utf-8", errors="replace")
    elif mime.hasText():
        raw = mime.text()
    else:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("format") != MARKER or not isinstance(data.get("nodes"), list):
        return None
    nodes = [n for n in data["nodes"] if isinstance(n, dict) and isinstance(n.get("type"), str)]
    edges = [
        e for e in data.get("edges", []) if isinstance(e, dict) and isinstance(e.get("source"), str) and isinstance(e.get("target"), str)
    ]
    return {"nodes": nodes, "edges": edges}
