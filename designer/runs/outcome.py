"""What a finished run hands to the results views, computed on the training
thread (the UI thread never runs the model on a whole split): the confusion
matrix, the decision boundary over 2-D data, predicted against true values
for regression, and a grid of validation images, misclassified first.

Plain numpy and the Qt-free trainer only, so it can be tested without a window;
``designer.runs.views`` writes the views into a run's folder and reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from designer.train import RunResult, confusion_matrix, predict_outputs
from designer.train.predict import class_probabilities

if TYPE_CHECKING:
    from designer.data import DataBundle
    from designer.train import Trainer

GRID = 160  # decision boundary: GRID x GRID points
MARGIN = 0.15  # around the data, as a share of its extent
MAX_POINTS = 1500  # validation points drawn over the boundary
MAX_IMAGES = 24


@dataclass
class Boundary:
    """Predicted class and confidence on a grid over the data, and the data points."""

    extent: tuple[float, float, float, float]  # x0, x1, y0, y1
    classes: np.ndarray  # (GRID, GRID) int, row i at y0 + i * dy
    confidence: np.ndarray  # (GRID, GRID) float in [0, 1]
    points: np.ndarray  # (n, 2)
    labels: np.ndarray  # (n,) true class ids


@dataclass
class ImageSamples:
    """Validation images (n, H, W) or (n, H, W, 3) in [0, 1], misclassified first."""

    images: np.ndarray
    true: np.ndarray
    predicted: np.ndarray
    indices: np.ndarray | None = None  # each image's index in the split (the Insight panel opens it)


@dataclass
class Reconstructions:
    """Inputs beside what the network made of them (autoencoders: regression
    onto image-shaped targets), worst first, on one [0, 1] scale."""

    inputs: np.ndarray  # (n, H, W) or (n, H, W, 3)
    outputs: np.ndarray
    errors: np.ndarray  # mean squared error of each sample


@dataclass
class ResultViews:
    split: str  # the split the views show ("validation")
    task: str  # classification or regression
    class_names: list[str]
    confusion: np.ndarray | None = None  # [true, predicted] counts
    boundary: Boundary | None = None
    true_values: np.ndarray | None = None  # regression, in the data's own units
    predicted_values: np.ndarray | None = None
    images: ImageSamples | None = None
    reconstructions: Reconstructions | None = None


@dataclass
class RunOutcome:
    """How a run ended (the trainer's RunResult) and what to show about it."""

    result: RunResult
    metric_name: str = "accuracy"
    views: ResultViews | None = None
    notes: list[str] = field(default_factory=list)  # e.g. why there are no views
    device: str = ""  # what it trained on, as designer.runs.device_text says it (with the CPU's threads)

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def message(self) -> str:
        return self.result.message


def compute_views(trainer: Trainer, bundle: DataBundle) -> ResultViews | None:
    """The results views of a trained run, or None when no weights were kept."""
    result = trainer.result
    if result is None or result.kept_state is None or trainer.module is None:
        return None
    split = "validation" if bundle.validation is not None and len(bundle.validation.x) else "train"
    dataset = getattr(bundle, split)
    found = trainer.predict(split)
    spec = bundle.spec
    views = ResultViews(split, spec.task, list(bundle.class_names))
    if spec.task == "classification":
        views.confusion = confusion_matrix(dataset.y, found.predicted, spec.num_classes)
        if spec.input.shape == (2,):
            views.boundary = _boundary(trainer, dataset.x, dataset.y)
        if len(spec.input.shape) == 3 and spec.input.shape[0] in (1, 3) and spec.input.dtype == "float32":
            views.images = _images(dataset.x, dataset.y, found.predicted)
    else:
        from designer.data import restore_targets

        true = restore_targets(bundle.normalization, dataset.y)
        predicted = restore_targets(bundle.normalization, found.predicted.reshape(dataset.y.shape))
        if _image_shaped(spec.target_shape):
            views.reconstructions = _reconstructions(dataset.x, true, predicted)
        else:
            views.true_values, views.predicted_values = np.ravel(true), np.ravel(predicted)
    return views


def _image_shaped(shape: tuple[int, ...]) -> bool:
    return len(shape) == 3 and shape[0] in (1, 3)


def _reconstructions(x: np.ndarray, true: np.ndarray, predicted: np.ndarray) -> Reconstructions:
    """The worst reconstructions first: they show what the network has not learned."""
    errors = ((predicted - true) ** 2).reshape(len(true), -1).mean(axis=1)
    pick = np.argsort(-errors)[: MAX_IMAGES // 2]

    def as_images(batch: np.ndarray) -> np.ndarray:
        batch = np.clip(batch.astype(np.float32), 0.0, 1.0)  # targets and outputs share the data's [0, 1] scale
        return batch[:, 0] if batch.shape[1] == 1 else np.moveaxis(batch, 1, -1)

    return Reconstructions(as_images(true[pick]), as_images(predicted[pick]), errors[pick])


def _boundary(trainer: Trainer, x: np.ndarray, y: np.ndarray) -> Boundary:
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = (hi - lo) * MARGIN + 1e-6
    lo, hi = lo - pad, hi + pad
    gx, gy = np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID)
    mesh = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2).astype(np.float32)  # row-major: rows follow y
    outputs = predict_outputs(trainer.module, mesh, trainer.device, 4096, trainer.settings.bf16)
    probabilities = class_probabilities(outputs, trainer.objective)
    classes = probabilities.argmax(axis=1).reshape(GRID, GRID)
    confidence = probabilities.max(axis=1).reshape(GRID, GRID)
    keep = np.random.default_rng(0).permutation(len(x))[:MAX_POINTS]
    return Boundary((float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])), classes, confidence, x[keep], y[keep])


def _images(x: np.ndarray, y: np.ndarray, predicted: np.ndarray) -> ImageSamples:
    wrong = np.flatnonzero(predicted != y)
    right = np.flatnonzero(predicted == y)
    pick = np.concatenate([wrong, right])[:MAX_IMAGES]
    images = x[pick].astype(np.float32)
    images = images[:, 0] if images.shape[1] == 1 else np.moveaxis(images, 1, -1)
    # Inputs may be standardised: stretch each image to [0, 1] so it looks like an image.
    axes = tuple(range(1, images.ndim))
    lo, hi = images.min(axis=axes, keepdims=True), images.max(axis=axes, keepdims=True)
    images = (images - lo) / np.maximum(hi - lo, 1e-6)
    return ImageSamples(images, y[pick], predicted[pick], pick)
