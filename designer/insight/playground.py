"""TensorFlow Playground's pictures for any design on 2-D data, while it trains.

``PlaneProbe`` is a training callback: at the start, at most every
``every_s`` seconds of training time (checked after each batch and each
epoch end, so many tiny epochs do not each pay for a grid) and once more at
the end with the weights the run keeps, it runs the module on a grid over the data's
2-D input plane and hands a :class:`PlaneMaps` to its sink: the class
probabilities (or the regression output) at each grid point, the decision
boundary's picture, and, for each hidden node whose output is a vector of
units, every unit's output over the same plane, so one sees hidden units
bend lines into spirals.

It applies only to designs whose Input is 2 features: a plane of inputs is
then the whole input space, and one picture shows what the network does
everywhere. With more features a 2-D grid would be an arbitrary slice
through the input space (the other features held at some value), which
says little and would mislead; such runs get no maps
(:attr:`PlaneProbe.reason` says why).

The grid runs on the training thread, between two batches, under
``no_grad`` in eval mode (the train mode is restored afterwards); eval-mode
dropout and batch norm use no random numbers and update no statistics, so
a run with the probe gives the same weights and losses as one without.
Every node's output comes from the compiled forward rewritten to return all
its variables (:mod:`designer.insight.intermediates`), so parameter-free
nodes (ReLU, Tanh) have maps too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from designer.graph.analysis import INPUT_TYPE, OUTPUT_TYPE
from designer.insight.intermediates import all_outputs_function, node_variables
from designer.train.callbacks import BatchStep, Callback, RunStart
from designer.train.results import FAILED

if TYPE_CHECKING:
    from designer.graph import Graph
    from designer.train.results import EpochMetrics, RunResult

GRID = 64  # points along each axis of the plane
MARGIN = 0.15  # around the data, as a share of its extent
EVERY_S = 0.25  # at most this often in training time (plus the start and the end)
MAX_UNITS = 16  # unit maps per node: a wider node shows its MAX_UNITS most varied units
MAX_POINTS = 600  # validation points handed along, to draw over the boundary
SKIPPED_TYPES = (INPUT_TYPE, OUTPUT_TYPE)

PlaneSink = Callable[["PlaneMaps"], None]


@dataclass(frozen=True)
class UnitMaps:
    """One hidden node's units over the plane: ``values[k]`` is unit
    ``units[k]``'s output at each grid point (rows follow the second input)."""

    node: str
    units: tuple[int, ...]  # which units are shown (all, when the node has at most MAX_UNITS)
    total: int  # units the node has
    values: np.ndarray  # (len(units), GRID, GRID) float32


@dataclass(frozen=True)
class PlaneMaps:
    """What the network does over the input plane at one moment of a run."""

    epoch: int
    step: int  # optimisation steps done (0 before the first)
    extent: tuple[float, float, float, float]  # x0, x1, y0, y1 of the grid
    classification: bool
    # (GRID, GRID, classes) probabilities for a classifier; (GRID, GRID, outputs) raw outputs for regression
    output: np.ndarray
    units: dict[str, UnitMaps]  # hidden node id -> its unit maps
    points: np.ndarray | None = None  # (n, 2) validation points (the same array every time in a run)
    labels: np.ndarray | None = None  # (n,) their targets: class ids, or values for regression

    @property
    def predicted(self) -> np.ndarray:
        """(GRID, GRID) class ids (classification) or the first output (regression)."""
        return self.output.argmax(axis=-1) if self.classification else self.output[..., 0]

    @property
    def confidence(self) -> np.ndarray:
        """(GRID, GRID) probability of the predicted class (1 for regression)."""
        return self.output.max(axis=-1) if self.classification else np.ones(self.output.shape[:2], np.float32)


def plane_reason(graph: Graph) -> str | None:
    """Why the plane maps do not apply to ``graph`` (None when they do)."""
    analysis = graph.analyze()
    inputs = [nid for nid in analysis.order if graph.node(nid).type == INPUT_TYPE]
    if len(inputs) != 1:
        return f"the plane maps need one Input; {graph.name} has {len(inputs)}"
    spec = analysis.nodes[inputs[0]].output
    if spec is None or tuple(spec.shape) != (2,) or not spec.dtype.startswith("float"):
        shape = "×".join(str(s) for s in spec.shape) if spec is not None else "unknown"
        return f"the plane maps need an Input of 2 features (a point on a plane); this one is {shape}"
    return None


def unit_nodes(graph: Graph) -> dict[str, int]:
    """Hidden node id -> units, for every node whose output is one vector of units."""
    analysis = graph.analyze()
    found: dict[str, int] = {}
    for nid in analysis.order:
        spec = analysis.nodes[nid].output
        if graph.node(nid).type not in SKIPPED_TYPES and spec is not None and len(spec.shape) == 1 and isinstance(spec.shape[0], int):
            found[nid] = int(spec.shape[0])
    return found


def plane_grid(x: np.ndarray, size: int = GRID) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """(size*size, 2) float32 points over the extent of ``x`` plus a margin, row-major
    (rows follow the second feature), and that extent."""
    lo, hi = x.min(axis=0).astype(np.float64), x.max(axis=0).astype(np.float64)
    pad = (hi - lo) * MARGIN + 1e-6
    lo, hi = lo - pad, hi + pad
    gx, gy = np.linspace(lo[0], hi[0], size), np.linspace(lo[1], hi[1], size)
    points = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2).astype(np.float32)
    return points, (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))


class PlaneProbe(Callback):
    """Maps of the output and the hidden units over the 2-D input plane, during a run.

    ``sink`` is called on the training thread with each new :class:`PlaneMaps`
    (keep it quick: append to a buffer); :attr:`latest` holds the newest too.
    ``graph`` is the design the run trains (the compiled module does not carry it).
    """

    def __init__(
        self, graph: Graph, sink: PlaneSink | None = None, every_s: float = EVERY_S, grid: int = GRID, max_units: int = MAX_UNITS
    ) -> None:
        self.graph = graph
        self.sink = sink
        self.every_s = every_s
        self.size = grid
        self.max_units = max_units
        self.reason = plane_reason(graph)
        self.count = 0  # maps made this run
        self._lock = threading.Lock()
        self._latest: PlaneMaps | None = None
        self._run: RunStart | None = None
        self._chosen: dict[str, tuple[int, ...]] = {}
        self._last = 0.0
        self._step = 0
        self._epoch = 1

    @property
    def active(self) -> bool:
        """True while a run is being mapped (a 2-D design, the main process)."""
        return self._run is not None

    @property
    def latest(self) -> PlaneMaps | None:
        with self._lock:
            return self._latest

    # ------------------------------------------------------------ hooks
    def on_run_start(self, run: RunStart) -> None:
        self._run = None
        if self.reason is not None or not run.is_main:
            return
        import torch

        points, self._extent = plane_grid(np.asarray(run.bundle.train.x), self.size)
        self._points = torch.from_numpy(points).to(run.device)
        self._variables = node_variables(run.compiled, self.graph)
        self._forward = all_outputs_function(run.compiled, self._variables)
        self._units = unit_nodes(self.graph)
        self._output = next(nid for nid in self._variables if self.graph.node(nid).type == OUTPUT_TYPE)
        shown = run.bundle.validation if run.bundle.validation is not None and len(run.bundle.validation.x) else run.bundle.train
        keep = np.random.default_rng(0).permutation(len(shown.x))[:MAX_POINTS]
        self._shown = (np.asarray(shown.x)[keep].astype(np.float32), np.asarray(shown.y)[keep])
        self._chosen = {}
        self._run = run
        self._step, self._epoch = 0, 1
        self.map(choose=True)  # the untrained network: where training starts from

    def on_batch_end(self, step: BatchStep) -> None:
        self._step, self._epoch = step.step, step.epoch
        if self._run is not None and time.perf_counter() - self._last >= self.every_s:
            self.map()

    def on_epoch_end(self, metrics: EpochMetrics) -> None:
        self._epoch = metrics.epoch
        if self._run is not None and time.perf_counter() - self._last >= self.every_s:
            self.map(choose=True)

    def on_run_end(self, result: RunResult) -> None:
        """The weights the run keeps (a failed run's module may hold non-finite values: no map)."""
        try:
            if self._run is not None and result.status != FAILED:
                self.map(choose=True)
        finally:
            self._run = None
            self._points = None

    # ------------------------------------------------------------- maps
    def map(self, choose: bool = False) -> PlaneMaps:
        """Run the grid now (training thread); ``choose`` re-picks the units shown of wide nodes."""
        import torch

        run = self._run
        assert run is not None, "PlaneProbe.map() outside a run"
        module = run.module
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                outputs = self._forward(module, self._points)
                found = {nid: outputs[nid].detach().float().cpu().numpy() for nid in [*self._units, self._output]}
        finally:
            module.train(was_training)
        maps = self._make(found, choose)
        self._last = time.perf_counter()
        self.count += 1
        with self._lock:
            self._latest = maps
        if self.sink is not None:
            self.sink(maps)
        return maps

    def _make(self, found: dict[str, np.ndarray], choose: bool) -> PlaneMaps:
        from designer.train.predict import class_probabilities

        run = self._run
        assert run is not None
        size = self.size
        raw = found[self._output].reshape(size * size, -1)
        classification = run.objective.classification
        output = class_probabilities(raw, run.objective) if classification else raw
        units: dict[str, UnitMaps] = {}
        for nid, total in self._units.items():
            values = found[nid].reshape(size * size, total)
            if choose or nid not in self._chosen:
                self._chosen[nid] = self._pick(values)
            chosen = self._chosen[nid]
            picked = np.ascontiguousarray(values[:, list(chosen)].T.reshape(len(chosen), size, size), dtype=np.float32)
            units[nid] = UnitMaps(nid, chosen, total, picked)
        grid = output.reshape(size, size, -1).astype(np.float32)
        return PlaneMaps(self._epoch, self._step, self._extent, classification, grid, units, *self._shown)

    def _pick(self, values: np.ndarray) -> tuple[int, ...]:
        """All units of a narrow node; of a wide one, the ``max_units`` that vary most
        over the plane (a flat unit draws a blank tile), in unit order. Re-picked only
        at epoch ends and the end, so the tiles do not swap places from one update to the next."""
        total = values.shape[1]
        if total <= self.max_units:
            return tuple(range(total))
        spread = values.std(axis=0)
        return tuple(sorted(int(i) for i in np.argsort(-spread, kind="stable")[: self.max_units]))
