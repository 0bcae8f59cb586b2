"""How a project's data would be loaded, without loading it: the Data panel's
"60,000 images · 1.2 GB decoded · read from disk" line."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from designer.data.load import SOURCES
from designer.data.source import LoadingPlan


def loading_plan(settings: Mapping[str, Any], base_dir: Path | None = None) -> LoadingPlan | None:
    """The plan for sources that can read from disk (image folders, npz); None
    for the others, which always load into memory. Raises DataError like loading would."""
    source = SOURCES.get(settings.get("source")) if isinstance(settings, Mapping) else None
    if source is None or source.planner is None:
        return None
    return source.planner(source.request(settings.get("options") or {}, 0, base_dir))
