"""Predictions of a trained module, and test metrics with a confusion matrix.

These run in evaluation mode without gradients, in batches, and return NumPy
arrays: what a view needs for a confusion matrix, a decision boundary (call
``predict_outputs`` on a grid of points) or predicted-vs-true plots.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from designer.train.device import autocast
from designer.train.objective import Objective

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class Predictions:
    """``outputs``: raw outputs (logits for classification); ``predicted``:
    class ids (classification) or the outputs (regression); ``probabilities``:
    per-class probabilities (classification) or None."""

    outputs: np.ndarray
    targets: np.ndarray
    predicted: np.ndarray
    probabilities: np.ndarray | None


@dataclass(frozen=True)
class Evaluation:
    samples: int
    loss: float
    metric_name: str  # accuracy or mae
    metric: float
    confusion: np.ndarray | None  # [true class, predicted class] counts (classification)


def predict_outputs(
    module: torch.nn.Module, x: np.ndarray, device: torch.device | str = "cpu", batch_size: int = 1024, bf16: bool = False
) -> np.ndarray:
    """Raw outputs of ``module`` for inputs ``x``, as a float32 array."""
    import torch

    device = torch.device(device)
    module.eval()
    chunks = []
    with torch.no_grad(), autocast(device, bf16):
        for start in range(0, len(x), batch_size):
            xb = torch.from_numpy(np.ascontiguousarray(x[start : start + batch_size])).to(device)
            chunks.append(module(xb).float().cpu().numpy())
    return np.concatenate(chunks) if chunks else np.zeros((0,), dtype=np.float32)


def predictions_for(
    module: torch.nn.Module, dataset: Any, objective: Objective, device: torch.device, batch_size: int = 1024, bf16: bool = False
) -> Predictions:
    """Predictions on a split (an ArrayDataset: ``.x``, ``.y``)."""
    import torch

    outputs = predict_outputs(module, dataset.x, device, max(batch_size, 256), bf16)
    if not objective.classification:
        return Predictions(outputs, dataset.y, outputs, None)
    predicted = objective.predicted(torch.from_numpy(outputs)).numpy()
    return Predictions(outputs, dataset.y, predicted, class_probabilities(outputs, objective))


def class_probabilities(outputs: np.ndarray, objective: Objective) -> np.ndarray:
    """Per-class probabilities ``(n, classes)`` from a classifier's raw outputs,
    read the way its loss reads them (the one place that does, for the trainer's
    predictions and the results views alike)."""
    import torch

    logits = torch.from_numpy(np.ascontiguousarray(outputs, dtype=np.float32))
    if logits.ndim == 1 or logits.shape[1] == 1:
        # One output: the probability of class 1 (a logit for bce_with_logits, else a score).
        p1 = torch.sigmoid(logits.reshape(-1)) if objective.name == "bce_with_logits" else logits.reshape(-1).clamp(0, 1)
        return torch.stack([1 - p1, p1], dim=1).numpy()
    if objective.name == "bce_with_logits":
        return torch.sigmoid(logits).numpy()
    return torch.softmax(logits, dim=1).numpy()


def evaluate(
    module: torch.nn.Module, dataset: Any, objective: Objective, device: torch.device, batch_size: int = 1024, bf16: bool = False
) -> Evaluation:
    """Loss, accuracy or MAE, and (classification) the confusion matrix on a split."""
    import torch

    found = predictions_for(module, dataset, objective, device, batch_size, bf16)
    outputs, targets = torch.from_numpy(found.outputs), torch.from_numpy(dataset.y)
    loss = float(objective.loss(outputs, targets))
    metric = float(objective.metric_sum(outputs, targets)) / max(len(targets), 1)
    confusion = confusion_matrix(dataset.y, found.predicted, objective.spec.num_classes) if objective.classification else None
    return Evaluation(len(targets), loss, objective.metric_name, metric, confusion)


def confusion_matrix(targets: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """``m[i, j]``: samples of class i predicted as class j."""
    size = max(num_classes, int(targets.max(initial=0)) + 1, int(predicted.max(initial=0)) + 1)
    matrix = np.zeros((size, size), dtype=np.int64)
    np.add.at(matrix, (targets.astype(np.int64), predicted.astype(np.int64)), 1)
    return matrix


def format_confusion(matrix: np.ndarray, class_names: list[str] | None = None) -> str:
    """A plain-text table: rows are true classes, columns predicted ones."""
    names = [str(n) for n in (class_names or [])][: len(matrix)]
    names += [str(i) for i in range(len(names), len(matrix))]
    width = max([len(n) for n in names] + [len(str(int(matrix.max(initial=0)))), 4])
    lines = [" " * width + "  " + " ".join(n.rjust(width) for n in names) + "   <- predicted"]
    for name, row in zip(names, matrix):
        lines.append(name.rjust(width) + "  " + " ".join(str(int(v)).rjust(width) for v in row))
    return "\n".join(lines)
