"""Small projects for the training window tests (the Training panel and the
live watch views; a module of its own: conftest names clash between folders)."""

from __future__ import annotations

from pathlib import Path

import designer
from designer.project import Project, save_project


def tiny_project(path: Path, epochs: int = 2, samples: int = 200, **training: object) -> Path:
    """A small MLP on 2-D spirals: 160 training samples, 5 batches of 32 an epoch."""
    graph = designer.Graph("tiny spirals")
    x = graph.add("Input", shape=[2])
    graph.sequential(("Linear", {"out_features": 16}), "ReLU", ("Linear", {"out_features": 2}), "Output", after=x)
    project = Project(graph)
    project.data = {"source": "spirals", "options": {"samples": samples}, "validation_split": 0.2, "test_split": 0.0, "seed": 0}
    project.training.update({"epochs": epochs, "batch_size": 32, "device": "cpu", "learning_rate": 0.01, **training})
    return save_project(project, path)


def diverging_project(path: Path) -> Path:
    """A regression that diverges in its first epoch: plain SGD at a learning rate of 10."""
    graph = designer.Graph("diverges")
    x = graph.add("Input", shape=[1])
    graph.sequential(("Linear", {"out_features": 16}), "ReLU", ("Linear", {"out_features": 1}), "Output", after=x)
    project = Project(graph)
    project.data = {"source": "curve", "options": {}, "validation_split": 0.2, "test_split": 0.0, "seed": 0}
    project.training.update({"loss": "mse", "optimizer": "sgd", "learning_rate": 10.0, "epochs": 3, "batch_size": 16, "device": "cpu"})
    return save_project(project, path)
