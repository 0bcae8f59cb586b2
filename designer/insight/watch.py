"""One callback that carries both probes and reports problems as they appear.

``TrainingWatch(graph)`` runs a GradientProbe and an ActivationProbe, keeps
the batch losses and epoch metrics, and runs the finders of
designer.insight.diagnosis: divergence over the batch losses, checked every
few dozen losses (at least every tenth of a second) and at each epoch end and
the run's end (a run that fails on a NaN loss still has the divergence before
it found, at the batch where it began), the others at every epoch end. Each problem is reported once per kind and node, to
``on_problem`` (on the training thread) and in ``problems``.

``budget`` (a ProbeBudget) keeps the probes within a share of the run's time
by skipping measurements: the window and a plain ``designer train`` watch
with ``LIVE_SHARE`` (1%); without one every sampled batch and every epoch end
is measured (``--layer-stats``, tests).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from designer.insight import diagnosis as dx
from designer.insight.layer_stats import LayerRow, layer_rows
from designer.insight.probes import (
    DEFAULT_EVERY,
    PROBE_SAMPLES,
    ActivationProbe,
    ActivationSample,
    GradientProbe,
    GradientSample,
    ProbeBudget,
)
from designer.insight.taps import NodeTaps
from designer.train.callbacks import BatchStep, Callback, RunStart

if TYPE_CHECKING:
    from designer.graph import Graph
    from designer.train.results import BatchReport, EpochMetrics, RunResult


DIVERGENCE_CHECK_LOSSES = 32  # batch losses between two divergence checks
DIVERGENCE_CHECK_S = 0.1  # or at least this often: a slow model is checked at once


class TrainingWatch(Callback):
    """Both probes plus problem detection, as one callback object."""

    def __init__(
        self,
        graph: Graph,
        every: int = DEFAULT_EVERY,
        probe_samples: int = PROBE_SAMPLES,
        seed: int = 0,
        on_problem: Callable[[dx.TrainingProblem], None] | None = None,
        on_gradients: Callable[[GradientSample], None] | None = None,
        on_activations: Callable[[ActivationSample], None] | None = None,
        budget: ProbeBudget | None = None,
    ) -> None:
        self.budget = budget or ProbeBudget(None)
        self.gradients = GradientProbe(every, on_gradients, self.budget)
        self.batch_every = self.gradients.batch_every  # its batch hooks are the gradient probe's
        self.activations = ActivationProbe(graph, probe_samples, seed, on_activations, self.budget)
        self.on_problem = on_problem
        self.problems: list[dx.TrainingProblem] = []
        self.losses: list[tuple[int, int, float]] = []  # (epoch, batch, loss) of every reported batch
        self.epochs: list[EpochMetrics] = []
        self._reported: set[tuple[str, str | None]] = set()
        self._divergence = dx.DivergenceDetector()
        self._checked = 0  # gradient samples already checked
        self._unchecked: list[BatchReport] = []  # reports whose losses are not checked for divergence yet
        self._unchecked_losses = 0
        self._losses_checked_at = 0.0
        self._lowest_val, self._since_lowest = math.inf, 0  # the lowest validation loss so far, and the epochs since

    def rows(self) -> list[LayerRow]:
        """Per-epoch, per-node statistics so far (see designer.insight.layer_stats)."""
        return layer_rows(self.gradients.samples, self.activations.samples)

    def on_run_start(self, run: RunStart) -> None:
        self.problems, self.losses, self.epochs = [], [], []
        self._reported.clear()
        self._checked = 0
        self._divergence = dx.DivergenceDetector()
        self._unchecked, self._unchecked_losses, self._losses_checked_at = [], 0, time.perf_counter()
        self._lowest_val, self._since_lowest = math.inf, 0
        self.budget.start(run.batches_per_epoch * run.settings.epochs)
        began = time.perf_counter()
        taps = NodeTaps(run.module, run.compiled) if run.is_main else None  # one trace, shared by both probes
        self.budget.charge(time.perf_counter() - began, measurement=False)  # within the probes' share too
        self.gradients.on_run_start(run, taps)
        self.activations.on_run_start(run, taps)

    def on_batch_start(self, epoch: int, batch: int) -> None:
        self.gradients.on_batch_start(epoch, batch)

    def on_batch_end(self, step: BatchStep) -> None:
        self.gradients.on_batch_end(step)

    def on_report(self, report: BatchReport) -> None:
        # The losses are kept and checked for divergence a few dozen at a time: on the
        # CPU a report comes every batch, and checking each as it came cost the deep
        # Sigmoid sample more than the probes' measurements (a cold call per step).
        self._unchecked.append(report)
        self._unchecked_losses += len(report.losses)
        if self._unchecked_losses >= DIVERGENCE_CHECK_LOSSES or time.perf_counter() - self._losses_checked_at >= DIVERGENCE_CHECK_S:
            self._check_losses()

    def _check_losses(self) -> None:
        """Keep and check the losses reported since the last check, in order."""
        reports, self._unchecked, self._unchecked_losses = self._unchecked, [], 0
        self._losses_checked_at = time.perf_counter()
        add, keep = self._divergence.add, self.losses.append
        for report in reports:
            first = report.batch - len(report.losses) + 1
            for i, loss in enumerate(report.losses):
                keep((report.epoch, first + i, loss))
                if add(loss):
                    self._report(dx.diverging(report.epoch, first + i, loss))

    def on_epoch_end(self, metrics: EpochMetrics) -> None:
        self._check_losses()
        self.activations.on_epoch_end(metrics)
        self.epochs.append(metrics)
        # Only what is new since the last epoch end: problems seen before are reported already.
        grads = self.gradients.samples[self._checked :]
        acts = [a for a in self.activations.samples[-1:] if a.epoch == metrics.epoch]
        self._checked = len(self.gradients.samples)
        # Each finder only where this epoch brought it something new: at every epoch end
        # of a long run they were most of what the watch cost beside the measurements.
        found = [*dx.find_vanishing(grads), *dx.find_exploding(grads)] if grads else []
        found += [*dx.find_dead_units(acts), *dx.find_saturation(acts)] if acts else []
        if self._may_overfit(metrics):
            overfitting = dx.find_overfitting(self.epochs)  # over every epoch so far: once it is reported, no more
            found += [overfitting] if overfitting else []
        for problem in found:
            self._report(problem)

    def _may_overfit(self, metrics: EpochMetrics) -> bool:
        """Whether this epoch can change what find_overfitting says: it has a
        validation loss, overfitting was not reported yet, and OVERFIT_EPOCHS
        epochs have passed since the lowest validation loss (kept here, as
        find_overfitting finds it: the first of equal lows)."""
        if metrics.val_loss is None or not math.isfinite(metrics.val_loss):
            return False
        if metrics.val_loss < self._lowest_val:
            self._lowest_val, self._since_lowest = metrics.val_loss, 0
        else:
            self._since_lowest += 1
        return self._since_lowest >= dx.OVERFIT_EPOCHS and (dx.OVERFITTING, None) not in self._reported

    def on_run_end(self, result: RunResult) -> None:
        self._check_losses()  # a run that failed on a NaN loss: what came before it
        self.gradients.on_run_end(result)

    def _report(self, problem: dx.TrainingProblem) -> None:
        key = (problem.kind, problem.node)
        if key in self._reported:
            return
        self._reported.add(key)
        self.problems.append(problem)
        if self.on_problem is not None:
            self.on_problem(problem)
