"""Watching a run learn, in the window: the probes ride on the run and what
they measure reaches the canvas and the panel in the run's paced updates.

``RunWatch`` is the run's extra callback (training thread): a
designer.insight.watch.TrainingWatch (gradient and activation probes, problem
detection) plus a WeightHistogramProbe, publishing every gradient sample,
weight histogram and problem through the run's ``publish`` (worker.py: the
items join the metrics buffer and arrive in the same drain, never a signal
per batch).

``LiveWatch`` (UI thread) takes each drain's items and, once per drain: the
newest gradient norms to the canvas (``scene.show_gradient_flow``), new
problems to their nodes' amber tags and the list in the panel, new points to
the per-layer gradient plot and the weight histograms; and the overfitting
flag on the loss plot from the run's epochs. With "Watch it learn" off nothing
is attached to the run. The last state stays on the canvas after the run
until the design changes.
"""

from __future__ import annotations

import contextlib
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QListWidget, QSplitter, QTabWidget, QVBoxLayout, QWidget

from designer.insight.diagnosis import TrainingProblem
from designer.insight.probes import LIVE_PER_RUN, LIVE_SHARE, GradientSample, ProbeBudget, WeightHistogramProbe, WeightHistograms
from designer.insight.watch import TrainingWatch
from designer.train import Callback
from designer.ui.training.gradient_plot import GradientPlot
from designer.ui.training.overfitting import OverfittingFlag
from designer.ui.training.weight_histograms import WeightHistogramView

if TYPE_CHECKING:
    from designer.graph import Graph
    from designer.train import BatchReport, EpochMetrics, RunResult
    from designer.train.callbacks import BatchStep, RunStart
    from designer.ui.canvas.scene import DesignScene
    from designer.ui.training.runs import RunRecord
    from designer.ui.training.worker import Publish, RunInfo, RunWatcher, TrainingRun

GRADIENTS, WEIGHTS, PROBLEM = "gradients", "weights", "problem"
GRADIENT_NODES = "gradient_nodes"  # the nodes a run's gradient samples will carry, sent at its start


class RunWatch(Callback):
    """The probes of one run, publishing what they find (training thread)."""

    def __init__(self, graph: Graph, publish: Publish) -> None:
        self.publish = publish
        budget = ProbeBudget(LIVE_SHARE, per_run=LIVE_PER_RUN)  # shared: all the probes together stay within it
        self.watch = TrainingWatch(
            graph, on_problem=lambda p: publish(PROBLEM, p), on_gradients=lambda s: publish(GRADIENTS, s), budget=budget
        )
        self.weights = WeightHistogramProbe(on_sample=lambda h: publish(WEIGHTS, h), budget=budget)
        self.batch_every = self.watch.batch_every

    def on_run_start(self, run: RunStart) -> None:
        self.watch.on_run_start(run)
        self.weights.on_run_start(run)
        if run.is_main:
            self.publish(GRADIENT_NODES, self.watch.gradients.trained_nodes())

    def on_batch_start(self, epoch: int, batch: int) -> None:
        self.watch.on_batch_start(epoch, batch)

    def on_batch_end(self, step: BatchStep) -> None:
        self.watch.on_batch_end(step)

    def on_report(self, report: BatchReport) -> None:
        self.watch.on_report(report)

    def on_epoch_end(self, metrics: EpochMetrics) -> None:
        self.watch.on_epoch_end(metrics)
        self.weights.on_epoch_end(metrics)

    def on_run_end(self, result: RunResult) -> None:
        self.watch.on_run_end(result)


class LiveViews(QWidget):
    """The panel's part: the switch; the gradient plot and the weight
    histograms, a tab each (stacked in a narrow column, each was too short to
    read); and under them the problems found."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.enabled = QCheckBox("Watch it learn", self)
        self.enabled.setChecked(True)
        self.enabled.setToolTip(
            "Probe gradients, activations and weights while training: gradient flow on the canvas, "
            "warnings on the nodes, the per-layer gradients and weight histograms here (costs a few percent of speed)"
        )
        head.addWidget(self.enabled)
        head.addStretch(1)
        layout.addLayout(head)
        split = QSplitter(Qt.Orientation.Vertical, self)
        self.tabs = QTabWidget(split)
        self.tabs.setDocumentMode(True)
        self.gradients = GradientPlot(self.tabs)
        self.weights = WeightHistogramView(self.tabs)
        self.tabs.addTab(self.gradients, "Gradients")
        self.tabs.addTab(self.weights, "Weights")
        self.problems = QListWidget(split)
        self.problems.setWordWrap(True)
        self.problems.setToolTip("Problems found while training, with what to do (also on their nodes)")
        self.setMinimumWidth(180)  # two tabs, the plot and a legend in columns; the window must still fit a 1280-pixel screen
        for widget, stretch in ((self.tabs, 4), (self.problems, 1)):
            split.addWidget(widget)
            split.setStretchFactor(split.indexOf(widget), stretch)
        split.setSizes([400, 100])
        layout.addWidget(split, 1)


class LiveWatch(QObject):
    """Feeds a run's probe results to the canvas and the panel (UI thread)."""

    problem_found = Signal(object)  # TrainingProblem, the first time it is seen in a run

    def __init__(self, loss_plot, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views = LiveViews(parent)
        self.overfitting = OverfittingFlag(loss_plot)
        self.scene: DesignScene | None = None
        self.problems: list[TrainingProblem] = []
        self.norms: dict[str, float] = {}  # the newest gradient norm at each node's output
        self._record: RunRecord | None = None

    @property
    def enabled(self) -> bool:
        return self.views.enabled.isChecked()

    def set_scene(self, scene: DesignScene | None) -> None:
        """The canvas that draws the gradient flow and the tags (the window's, per document)."""
        if self.scene is not None:
            with contextlib.suppress(RuntimeError, TypeError):  # the old scene may be gone already
                self.scene.selectionChanged.disconnect(self._on_selection)
        self.scene = scene
        if scene is not None:
            scene.selectionChanged.connect(self._on_selection)

    def watchers(self, graph: Graph) -> list[RunWatcher]:
        """The extra callbacks for a run of ``graph``: the probes, or none when watching is off."""
        if not self.enabled:
            return []
        return [lambda publish: RunWatch(graph, publish)]

    def attach(self, run: TrainingRun, record: RunRecord) -> None:
        """Follow ``run`` (its record collects the epochs): the previous run's views are cleared."""
        self._record = record
        self.problems, self.norms = [], {}
        self.overfitting.clear()
        self.views.problems.clear()
        self.views.gradients.clear_run()
        self.views.weights.clear_run()
        if self.scene is not None:
            self.scene.show_gradient_flow(None)
            self.scene.show_training_problems({})
        run.prepared.connect(self._on_prepared)
        run.updated.connect(self._on_updated)
        run.observed.connect(self.take)

    def _on_prepared(self, info: RunInfo) -> None:
        self.views.gradients.batches_per_epoch = math.ceil(info.train_samples / max(1, info.settings.batch_size))
        self.views.gradients.set_epochs(info.settings.epochs)

    def _on_updated(self, batches: list, epochs: list) -> None:
        if epochs and self._record is not None:
            problem = self.overfitting.update(self._record.epochs)
            if problem is not None and all(p.kind != problem.kind for p in self.problems):
                self._add_problems([problem])

    def take(self, news: list[tuple[str, object]]) -> None:
        """One kind of a drain's items (the run hands each kind over apart): its view is updated once."""
        gradients = [item for kind, item in news if kind == GRADIENTS and isinstance(item, GradientSample)]
        weights = [item for kind, item in news if kind == WEIGHTS and isinstance(item, WeightHistograms)]
        problems = [item for kind, item in news if kind == PROBLEM and isinstance(item, TrainingProblem)]
        for kind, item in news:
            if kind == GRADIENT_NODES and isinstance(item, tuple):
                self.views.gradients.prepare_curves(item)
        if gradients:
            self.views.gradients.add_samples(gradients)
            last = gradients[-1]
            self.norms = {nid: float(v) for nid, v in zip(last.nodes, last.output_grad_norm, strict=True) if math.isfinite(v)}
            if self.scene is not None:
                self.scene.show_gradient_flow(self.norms)
        if weights:
            self.views.weights.add_samples(weights)
        if problems:
            self._add_problems(problems)

    def show_overfitting(self, epochs: list[EpochMetrics]) -> TrainingProblem | None:
        """Flag (or clear) overfitting on the loss plot for ``epochs`` (a finished run's, or recorded)."""
        return self.overfitting.update(epochs)

    def node_lines(self) -> dict[str, list[str]]:
        """Problem lines per node, as the canvas tags show them."""
        lines: dict[str, list[str]] = {}
        for p in self.problems:
            if p.node is not None:
                lines.setdefault(p.node, []).append(f"{p.message} (epoch {p.epoch}): {p.advice}")
        return lines

    def _add_problems(self, problems: list[TrainingProblem]) -> None:
        self.problems += problems
        for p in problems:
            self.views.problems.addItem(p.line())
            self.problem_found.emit(p)
        if self.scene is not None and any(p.node for p in problems):
            self.scene.show_training_problems(self.node_lines())

    def _on_selection(self) -> None:
        scene = self.scene
        if scene is None:
            return
        try:
            chosen = scene.selected_node_ids()
        except RuntimeError:  # the scene is being deleted
            return
        if len(chosen) == 1:
            self.views.weights.select(chosen[0])
