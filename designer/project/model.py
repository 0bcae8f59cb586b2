"""One project: the design plus its data, training and view settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designer.graph import Graph
from designer.project.settings import DATA, DEFAULT_SOURCE, TRAINING, defaults


def default_data() -> dict[str, Any]:
    return {"source": DEFAULT_SOURCE, "options": {}, **defaults(DATA)}


def default_view() -> dict[str, Any]:
    return {"zoom": 1.0, "center": [0.0, 0.0]}


@dataclass
class Project:
    graph: Graph
    description: str = ""
    data: dict[str, Any] = field(default_factory=default_data)
    training: dict[str, Any] = field(default_factory=lambda: defaults(TRAINING))
    view: dict[str, Any] = field(default_factory=default_view)
    path: Path | None = None

    @property
    def name(self) -> str:
        return self.graph.name

    @property
    def weights_path(self) -> Path | None:
        """Trained weights live beside the project as NAME.safetensors."""
        return self.path.with_suffix(".safetensors") if self.path else None
