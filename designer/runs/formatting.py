"""How a run's numbers and settings are written, in one place, for the
window's lists and tables, the command line and the HTML report alike."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any


def metric_text(name: str, value: float | None) -> str:
    """'97.5%' for an accuracy (0..1), 'MAE 0.0123' for a mean absolute error, '–' when unknown."""
    if value is None:
        return "–"
    return f"{100 * value:.1f}%" if name == "accuracy" else f"MAE {value:.4g}"


def better(name: str, a: float, b: float) -> bool:
    """True when metric value ``a`` beats ``b`` (accuracy: higher; MAE: lower)."""
    return a > b if name == "accuracy" else a < b


def settings_text(s: Mapping[str, Any]) -> str:
    """The settings that tell runs apart, in one line."""
    lr = s.get("learning_rate")
    parts = [f"{s.get('optimizer')} lr {lr:g}" if isinstance(lr, (int, float)) else str(s.get("optimizer")), f"batch {s.get('batch_size')}"]
    parts.append(f"{s.get('epochs')} epochs")
    if s.get("schedule") not in (None, "none"):
        parts.append(str(s["schedule"]))
    if s.get("weight_decay"):
        parts.append(f"wd {s['weight_decay']:g}")
    if s.get("early_stopping"):
        parts.append(f"early stop {s.get('patience')}")
    parts.append(f"seed {s.get('seed')}")
    return ", ".join(parts)


def value_text(value: Any) -> str:
    """A setting's value as a table cell."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "×".join(str(v) for v in value) if all(isinstance(v, int) for v in value) else str(list(value))
    if isinstance(value, dict):
        return ", ".join(f"{k} {value_text(v)}" for k, v in sorted(value.items())) or "–"
    return "–" if value is None else str(value)


def when_text(seconds: float) -> str:
    """A run's start as local date and time."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds)) if seconds else "–"


def duration_text(seconds: float) -> str:
    """'0.018 s' (a tiny run read '0.0 s'), '3.4 s', '2 min 05 s', '1 h 02 min'."""
    if seconds < 1:
        return f"{seconds:.2g} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
