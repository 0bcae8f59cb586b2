"""Training problems found in the probes' history: pure functions, named thresholds.

Each finder takes a history (gradient samples, activation samples, batch
losses, epoch metrics) and returns ``TrainingProblem``s: a kind, the node (or
None for the whole network), where it was first seen, a message saying what
was measured and advice saying what to try.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from designer.insight.probes import ActivationSample, GradientSample

if TYPE_CHECKING:
    from designer.train.results import EpochMetrics

VANISHING, EXPLODING, DEAD, SATURATED, DIVERGING, OVERFITTING = (
    "vanishing_gradients",
    "exploding_gradients",
    "dead_units",
    "saturated_units",
    "diverging",
    "overfitting",
)

# A node's gradient norm (epoch mean) this many times smaller than the last layer's:
# three orders of magnitude, where the node has all but stopped learning.
VANISHING_RATIO = 1e-3
# A node's gradient norm above this, or this many times the last layer's, in any sampled step.
EXPLODING_NORM = 1e3
EXPLODING_RATIO = 1e3
# Half the units of a ReLU zero for every probe sample: they get no gradient and stop learning.
DEAD_SHARE = 0.5
# Half the outputs of a Sigmoid/Tanh in the flat tails, where the gradient is almost zero.
SATURATED_SHARE = 0.5
# The smoothed batch loss this many times its lowest value, and above the first batch's loss.
DIVERGENCE_FACTOR = 4.0
DIVERGENCE_SMOOTHING = 0.8  # weight of the past in the moving average of batch losses
# Overfitting: over the last OVERFIT_EPOCHS epochs (at least that many after the lowest
# validation loss) the validation loss averaged this share above its lowest value while the
# training loss averaged below its value at that epoch. Half: well clear of the epoch-to-epoch
# noise of a small validation split (about 20% on the breast cancer data with Dropout).
OVERFIT_RISE = 0.5
OVERFIT_EPOCHS = 3

ADVICE = {
    VANISHING: "try ReLU instead of Sigmoid or Tanh, add normalisation (BatchNorm, LayerNorm), or add a skip connection around the deep part",
    EXPLODING: "clip the gradients (grad_clip, e.g. 1.0), lower the learning rate, or add normalisation",
    DEAD: "lower the learning rate, use LeakyReLU (its units cannot die), or initialise or normalise the layer before it",
    SATURATED: "normalise the input of this layer (BatchNorm), lower the learning rate, or use ReLU in hidden layers",
    DIVERGING: "lower the learning rate (by 10), or clip the gradients (grad_clip); designer lr-find suggests a rate",
    OVERFITTING: "get more training data, add Dropout, set weight_decay, turn on early stopping, or use a smaller network",
}


@dataclass(frozen=True)
class TrainingProblem:
    kind: str
    node: str | None
    epoch: int
    batch: int | None
    message: str
    advice: str

    def line(self) -> str:
        """One line: where, what, what to do."""
        where = f"node {self.node}" if self.node else "network"
        at = f"epoch {self.epoch}" + (f", batch {self.batch}" if self.batch is not None else "")
        return f"{where}: {self.message} ({at}): {self.advice}"


def find_vanishing(samples: Sequence[GradientSample]) -> list[TrainingProblem]:
    """Nodes whose epoch-mean gradient norm is VANISHING_RATIO below the last parameterised node's."""
    problems: list[TrainingProblem] = []
    seen: set[str] = set()
    for epoch, norms, nodes in _epoch_means(samples):
        last = _last_known(norms)
        if last is None or norms[last] <= 0:
            continue
        for i, node in enumerate(nodes[:last]):
            ratio = norms[i] / norms[last]
            if node not in seen and math.isfinite(ratio) and ratio < VANISHING_RATIO:
                seen.add(node)
                message = f"vanishing gradients: gradient norm {norms[i]:.2g} is {ratio:.1g} of the last layer's ({nodes[last]}, {norms[last]:.2g})"
                problems.append(TrainingProblem(VANISHING, node, epoch, None, message, ADVICE[VANISHING]))
    return problems


def find_exploding(samples: Sequence[GradientSample]) -> list[TrainingProblem]:
    """Nodes whose gradient norm passes EXPLODING_NORM, or EXPLODING_RATIO times the last layer's, in a sampled step."""
    problems: list[TrainingProblem] = []
    seen: set[str] = set()
    for sample in samples:
        norms = sample.grad_norm
        last = _last_known(norms)
        for i, node in enumerate(sample.nodes):
            value = norms[i]
            if node in seen or math.isnan(value):
                continue
            relative = last is not None and i != last and norms[last] > 0 and value > EXPLODING_RATIO * norms[last]
            if value > EXPLODING_NORM or not math.isfinite(value) or relative:
                seen.add(node)
                message = f"exploding gradients: gradient norm {value:.3g}"
                problems.append(TrainingProblem(EXPLODING, node, sample.epoch, sample.batch, message, ADVICE[EXPLODING]))
    return problems


def find_dead_units(samples: Sequence[ActivationSample]) -> list[TrainingProblem]:
    """ReLU nodes with DEAD_SHARE or more of their units zero on every probe sample."""
    return _share_problems(
        samples, "dead_share", DEAD_SHARE, DEAD, "dead ReLU units: {:.0%} of the units (of feature maps, the channels) output zero for every probe sample"
    )


def find_saturation(samples: Sequence[ActivationSample]) -> list[TrainingProblem]:
    """Sigmoid/Tanh nodes with SATURATED_SHARE or more of their outputs in the flat tails."""
    return _share_problems(
        samples, "saturated_share", SATURATED_SHARE, SATURATED, "saturated activations: {:.0%} of the outputs sit in the flat tails"
    )


class DivergenceDetector:
    """Fed batch losses one at a time; ``add`` says when the loss is diverging:
    its moving average is DIVERGENCE_FACTOR times its lowest and above the
    first batch's loss. A non-finite loss is not counted here: the trainer
    ends the run on it; this detector exists to warn before that."""

    def __init__(self) -> None:
        self._average, self._count, self._lowest, self._first = 0.0, 0, math.inf, math.nan

    def add(self, loss: float) -> bool:
        if not math.isfinite(loss):
            return False
        self._count += 1
        if self._count == 1:
            self._first = loss
        self._average = DIVERGENCE_SMOOTHING * self._average + (1 - DIVERGENCE_SMOOTHING) * loss
        smoothed = self._average / (1 - DIVERGENCE_SMOOTHING**self._count)
        self._lowest = min(self._lowest, smoothed)
        return self._count > 1 and smoothed > DIVERGENCE_FACTOR * self._lowest and smoothed > self._first


def find_divergence(losses: Sequence[tuple[int, int, float]]) -> TrainingProblem | None:
    """The first batch, of (epoch, batch, loss) triples, where the loss diverges."""
    detector = DivergenceDetector()
    for epoch, batch, loss in losses:
        if detector.add(loss):
            return diverging(epoch, batch, loss)
    return None


def diverging(epoch: int, batch: int, loss: float) -> TrainingProblem:
    message = f"the loss is diverging (batch loss {loss:.3g}, rising far above its lowest): the learning rate is too high"
    return TrainingProblem(DIVERGING, None, epoch, batch, message, ADVICE[DIVERGING])


def find_overfitting(epochs: Sequence[EpochMetrics]) -> TrainingProblem | None:
    """Overfitting: after the epoch of lowest validation loss, the validation
    loss rose OVERFIT_RISE above it while the training loss kept falling
    (both averaged over the last OVERFIT_EPOCHS epochs), and the validation
    loss lies above the training loss by as much as it rose. Reported at the first
    epoch after the lowest, with how far the losses have come apart."""
    known = [m for m in epochs if m.val_loss is not None and math.isfinite(m.val_loss)]
    if len(known) < OVERFIT_EPOCHS + 1:
        return None
    best = min(known, key=lambda m: m.val_loss)  # type: ignore[arg-type, return-value]
    after = [m for m in known if m.epoch > best.epoch]
    if len(after) < OVERFIT_EPOCHS:
        return None
    low, last, recent = best.val_loss, after[-1], after[-OVERFIT_EPOCHS:]
    assert low is not None and last.val_loss is not None
    val = sum(m.val_loss for m in recent) / len(recent)  # type: ignore[misc]
    train = sum(m.train_loss for m in recent) / len(recent)
    rise = (val - low) / max(low, 1e-12)
    # A rising validation loss with a training loss as high (a run falling apart) is not overfitting.
    if rise < OVERFIT_RISE or train >= best.train_loss or val - train < OVERFIT_RISE * low:
        return None
    gap = last.val_loss - last.train_loss
    message = (
        f"overfitting from epoch {best.epoch + 1}: the validation loss rose {rise:.0%} above its lowest "
        f"({low:.3g} at epoch {best.epoch}) to {last.val_loss:.3g} while the training loss fell to {last.train_loss:.3g} "
        f"(gap {gap:.3g} at epoch {last.epoch})"
    )
    return TrainingProblem(OVERFITTING, None, best.epoch + 1, None, message, ADVICE[OVERFITTING])


def _epoch_means(samples: Sequence[GradientSample]) -> list[tuple[int, np.ndarray, tuple[str, ...]]]:
    by_epoch: dict[int, list[GradientSample]] = {}
    for sample in samples:
        by_epoch.setdefault(sample.epoch, []).append(sample)
    means = []
    for epoch in sorted(by_epoch):
        group = by_epoch[epoch]
        stacked = np.stack([s.grad_norm for s in group])
        known = ~np.isnan(stacked)
        counts = known.sum(0)
        mean = np.where(counts > 0, np.where(known, stacked, 0.0).sum(0) / np.maximum(counts, 1), np.nan)
        means.append((epoch, mean, group[0].nodes))
    return means


def _last_known(values: np.ndarray) -> int | None:
    known = np.flatnonzero(~np.isnan(values))
    return int(known[-1]) if len(known) else None


def _share_problems(samples: Sequence[ActivationSample], field: str, threshold: float, kind: str, text: str) -> list[TrainingProblem]:
    problems: list[TrainingProblem] = []
    seen: set[str] = set()
    for sample in samples:
        for node, share in zip(sample.nodes, getattr(sample, field), strict=True):
            if node not in seen and not math.isnan(share) and share >= threshold:
                seen.add(node)
                problems.append(TrainingProblem(kind, node, sample.epoch, None, text.format(share), ADVICE[kind]))
    return problems


KIND_WORDS = {DIVERGING: "a diverging loss"}  # in a summary; the others read as their kind's name


def summary(problems: Sequence[TrainingProblem], most: int = 2) -> str:
    """The kinds of ``problems``, in the order found, with their nodes counted
    ("vanishing gradients (6 nodes), dead units (relu1)"): one line where the
    full list does not fit (the Training panel's message under Train)."""
    kinds = list(dict.fromkeys(p.kind for p in problems))
    parts = []
    for kind in kinds[:most]:
        nodes = list(dict.fromkeys(p.node for p in problems if p.kind == kind and p.node))
        name = KIND_WORDS.get(kind, kind.replace("_", " "))
        parts.append(f"{name} ({nodes[0]})" if len(nodes) == 1 else f"{name} ({len(nodes)} nodes)" if nodes else name)
    if len(kinds) > most:
        parts.append(f"{len(kinds) - most} more kind{'s' if len(kinds) - most > 1 else ''}")
    return ", ".join(parts)
