"""Small projects for the live training views' tests (a module of its own:
conftest names clash between test folders)."""

from __future__ import annotations

from pathlib import Path

import designer
from designer.project import Project, save_project


def tiny_spirals(path: Path, epochs: int = 2, samples: int = 200, **training: object) -> Path:
    """A small MLP on 2-D spirals: 160 training samples, 5 batches of 32 an epoch."""
    graph = designer.Graph("tiny spirals")
    x = graph.add("Input", shape=[2])
    graph.sequential(("Linear", {"out_features": 16}), "ReLU", ("Linear", {"out_features": 2}), "Output", after=x)
    project = Project(graph)
    project.data = {"source": "spirals", "options": {"samples": samples}, "validation_split": 0.2, "test_split": 0.0, "seed": 0}
    project.training.update({"epochs": epochs, "batch_size": 32, "device": "cpu", "learning_rate": 0.01, **training})
    return save_project(project, path)
