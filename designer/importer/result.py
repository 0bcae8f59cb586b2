"""An imported design: the graph, its weights, and how it was checked; saved
as a project beside its weights."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designer.graph import Graph
from designer.graph.layout import auto_layout
from designer.importer.errors import Unmapped
from designer.project import Project, save_project
from designer.project.weights import save_weights

CANVAS_ROOM = (882.0, 567.0)  # the canvas at first start (a 1400x860 window), which the samples are laid out for too


@dataclass
class ImportedDesign:
    """What an import gives. ``weights`` are keyed as the compiled design's
    state dict (``node_id.weight``); ``max_difference`` is the largest
    absolute difference between the design's outputs, with these weights, and
    the model's on the same inputs (None for a partial import, which cannot
    run); ``unmapped`` lists what a partial import replaced by placeholders."""

    graph: Graph
    weights: dict[str, Any]
    source: str
    unmapped: tuple[Unmapped, ...] = ()
    max_difference: float | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def partial(self) -> bool:
        return bool(self.unmapped)

    def lay_out(self, room: tuple[float, float] = CANVAS_ROOM) -> None:
        """Place the nodes: the main path along a row, branches beside it, a
        long design wrapped into bands that fit ``room`` (the canvas, pixels)."""
        self.graph.move_nodes(auto_layout(self.graph, room))

    def project(self) -> Project:
        project = Project(self.graph)
        project.description = f"Imported from {self.source}."
        return project

    def save(self, path: str | os.PathLike[str]) -> tuple[Path, Path | None]:
        """Write the project and, beside it, its weights as NAME.safetensors
        tagged with the design's fingerprint. A partial import is saved without
        weights: replacing its placeholders changes the design they belong to."""
        target = Path(path)
        weights_path = target.with_suffix(".safetensors") if self.weights and not self.partial else None
        if weights_path is not None:
            save_weights(weights_path, self.weights, self.graph.fingerprint(), {"design": self.graph.name, "imported from": self.source})
        save_project(self.project(), target)
        return target, weights_path
