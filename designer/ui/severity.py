"""The colours of a problem's severity, wherever a problem is shown: the
Problems list and its tab's badge, the inspector, a node's tooltip. Plain
hex strings (for rich text and QColor alike), importing nothing: the
window's frame uses them before the canvas is built."""

from __future__ import annotations

SEVERITY_COLOURS = {"error": "#d73a49", "warning": "#b07d00"}
