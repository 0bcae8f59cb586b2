"""One project: the design plus its data, training and view settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designer.graph import Graph
from designer.project.settings import DATA, DEFAULT_SOURCE, Settings, data_settings, defaults, training_settings


def default_data() -> dict[str, Any]:
    return {"source": DEFAULT_SOURCE, "options": {}, **defaults(DATA)}


def default_view() -> dict[str, Any]:
    return {"zoom": 1.0, "center": [0.0, 0.0]}


@dataclass
class Project:
    graph: Graph
    description: str = ""
    data: Settings = field(default_factory=data_settings)
    training: Settings = field(default_factory=training_settings)
    view: dict[str, Any] = field(default_factory=default_view)
    path: Path | None = None

    def __setattr__(self, name: str, value: object) -> None:
        # A plain mapping given for a section (by a script or a test) becomes checked settings.
        if name == "data" and not isinstance(value, Settings):
            value = data_settings(value)  # type: ignore[arg-type]
        elif name == "training" and not isinstance(value, Settings):
            value = training_settings(value)  # type: ignore[arg-type]
        super().__setattr__(name, value)

    @property
    def name(self) -> str:
        return self.graph.name

    @property
    def weights_path(self) -> Path | None:
        """Trained weights live beside the project as NAME.safetensors."""
        return self.path.with_suffix(".safetensors") if self.path else None
