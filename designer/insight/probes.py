"""Gradient and activation probes: training callbacks that measure each node.

``GradientProbe`` samples the first batch of every epoch and every
``every``-th batch after it. On a sampled batch it copies the parameters
before the forward pass, taps every node's output for its gradient (see
designer.insight.taps), and after the optimizer step reads, per node: the
norm of its parameters' gradients, the norm of the gradient of its output,
and the update-to-weight ratio ``||w_after - w_before|| / ||w_before||``.
Norms are fused (``torch._foreach_norm``) and read from the device in one go
per sample. Other batches run the module's own forward pass untouched.

``ActivationProbe`` runs a fixed probe batch (a seeded subset of the
validation split, or of the training split without one) through the module at
each epoch end, under no_grad and in eval mode, and measures per node: the
share of dead units of ReLU nodes (units, i.e. output features, or the
channels of feature maps, that are zero for every probe sample), the share of saturated outputs of
Sigmoid (an input beyond ±4, so an output below 0.018 or above 0.982) and Tanh
(an input beyond ±2, an output beyond ±0.964) nodes, and the
mean and standard deviation of every node's output.

``WeightHistogramProbe`` histograms each parameterised node's parameters at
the start and at each epoch end, on bins fixed per node for the run.

Samples are plain frozen dataclasses of numbers and numpy arrays (no tensors),
safe to hand to another thread. Probes run in the main process only: in the
other processes of a distributed run they do nothing (the gradients they
would read are the same, all-reduced).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from designer.insight.saturation import SATURATION
from designer.insight.taps import NodeTaps
from designer.train.callbacks import BatchStep, Callback, RunStart

if TYPE_CHECKING:
    import torch

    from designer.graph import Graph
    from designer.train.results import EpochMetrics

DEFAULT_EVERY = 25  # batches between gradient samples (the first batch of an epoch is always sampled)
PROBE_SAMPLES = 128  # samples in the activation probe batch
DEAD_TYPES = frozenset({"ReLU"})
# Saturation is defined once (designer.insight.saturation.SATURATION, on
# the input); here it is the same bound read on the output the probe sees.
SIGMOID_SATURATION = 1.0 / (1.0 + math.exp(SATURATION["Sigmoid"]))  # output below this or above 1 minus this
TANH_SATURATION = math.tanh(SATURATION["Tanh"])  # output beyond +-this
LIVE_SHARE = 0.01  # the share of the training time probes may take when they watch a run live: on a 100-epoch run of the deep Sigmoid sample 2% cost 4.6% of its speed (a sampled step costs more than its counted time), 1% costs 1.7%
LIVE_FLOOR_S = 0.5  # but a measurement at least this often, so a short run still draws its curves
LIVE_PER_RUN = 8  # and each probe at least this many times over a run's planned steps (the samples' runs last under a second)


class ProbeBudget:
    """Keeps probes within a share of the run's time.

    A probe asks ``allows()`` before it measures and times its work with
    ``spend()``; a measurement is allowed while the time spent so far is at
    most ``share`` of the time the run itself has had. The first measurement
    of a run is always allowed, and so is one every ``floor_s`` seconds (a few
    milliseconds twice a second is under 1%), so a short run still draws curves.
    With ``per_run``, each probe also measures at least that many times over
    the run's planned steps (given to ``start``), wherever they fall: the
    samples train for a third of a second, where the time floor alone left one
    gradient sample and one weight histogram (a fixed cost of a few
    milliseconds a measurement, not a share of a long run).
    ``share=None`` allows everything (``designer train --layer-stats``, which
    promises a row per node per epoch).
    """

    def __init__(self, share: float | None = LIVE_SHARE, floor_s: float = LIVE_FLOOR_S, per_run: int = 0) -> None:
        if share is not None and not 0 < share < 1:
            raise ValueError(f"share must be between 0 and 1, not {share}")
        self.share, self.floor_s, self.per_run = share, floor_s, per_run
        self.start()

    def start(self, planned_steps: int = 0) -> None:
        """A new run of ``planned_steps`` optimisation steps (0: not known)."""
        self._started = time.perf_counter()
        self._last: dict[object, float] = {}  # per probe: when it last measured
        self._last_step: dict[object, int] = {}  # per probe: the step it last measured at
        self._spacing = planned_steps / self.per_run if self.per_run and planned_steps > 0 else 0.0
        self.spent = 0.0
        self.measured = 0

    def allows(self, probe: object = None, step: int | None = None) -> bool:
        """Whether ``probe`` may measure now (at ``step`` of the run, if known).
        The share is the probes' together; the floors are each probe's own, or
        the gradient samples (the most frequent) would take every floor slot
        and starve the others. A probe that is allowed measures."""
        allowed = self._allows(probe, step)
        if allowed and step is not None:
            self._last_step[probe] = step
        return allowed

    def _allows(self, probe: object, step: int | None) -> bool:
        if self.share is None or self.measured == 0:
            return True
        now = time.perf_counter()
        trained = now - self._started - self.spent
        if self.spent <= self.share * trained or now - self._last.get(probe, self._started) >= self.floor_s:
            return True
        return bool(self._spacing) and step is not None and step - self._last_step.get(probe, 0) >= self._spacing

    def charge(self, seconds: float, measurement: bool = True, probe: object = None) -> None:
        """Count one measurement of ``probe`` that took ``seconds``;
        ``measurement=False`` counts work that is not one (tracing the module
        at the run's start), so the first measurement is still allowed at once."""
        self.spent += seconds
        if measurement:
            self.measured += 1
            self._last[probe] = time.perf_counter()

    @contextmanager
    def spend(self, probe: object = None) -> Iterator[None]:
        """Time ``probe``'s measurement inside the ``with``."""
        began = time.perf_counter()
        try:
            yield
        finally:
            self.charge(time.perf_counter() - began, probe=probe)


@dataclass(frozen=True)
class GradientSample:
    """One sampled step, per node in ``nodes`` (forward order). NaN where a
    value does not apply: a node without parameters has no grad_norm or
    update_ratio; an output that needs no gradient has no output_grad_norm."""

    epoch: int
    batch: int
    step: int
    loss: float
    nodes: tuple[str, ...]
    grad_norm: np.ndarray
    output_grad_norm: np.ndarray
    update_ratio: np.ndarray

    def of(self, node: str) -> tuple[float, float, float]:
        """(grad_norm, output_grad_norm, update_ratio) of one node."""
        i = self.nodes.index(node)
        return float(self.grad_norm[i]), float(self.output_grad_norm[i]), float(self.update_ratio[i])


@dataclass(frozen=True)
class ActivationSample:
    """One epoch's probe-batch statistics per node in ``nodes``. dead_share is
    NaN for nodes that are not ReLU, saturated_share for nodes that are not
    Sigmoid or Tanh."""

    epoch: int
    nodes: tuple[str, ...]
    dead_share: np.ndarray
    saturated_share: np.ndarray
    mean: np.ndarray
    std: np.ndarray


class GradientProbe(Callback):
    """Per-node gradient norms and update ratios of sampled steps (see the module docstring).
    ``on_sample`` is called with each GradientSample on the training thread."""

    def __init__(
        self, every: int = DEFAULT_EVERY, on_sample: Callable[[GradientSample], None] | None = None, budget: ProbeBudget | None = None
    ) -> None:
        if every < 1:
            raise ValueError(f"every must be at least 1, not {every}")
        self.every, self.on_sample = every, on_sample
        self.batch_every = every  # the trainer calls the batch hooks on the sampled batches only
        self.budget = budget or ProbeBudget(None)
        self._began = 0.0
        self.samples: list[GradientSample] = []
        self._taps: NodeTaps | None = None
        self._batches = 0  # per epoch, in the run
        self._sampling = False

    def on_run_start(self, run: RunStart, taps: NodeTaps | None = None) -> None:
        """``taps``: node taps of ``run.module`` to share (tracing costs milliseconds); made here without."""
        self.samples = []
        if not run.is_main:
            self._taps = None
            return
        self._taps = taps = taps or NodeTaps(run.module, run.compiled)
        self._batches = run.batches_per_epoch
        self.nodes = tuple(taps.node_ids)
        pairs = taps.parameter_nodes()
        index = {nid: i for i, nid in enumerate(self.nodes)}
        self._params = [p for nid, p in pairs if nid in index]
        self._weights = [p.detach() for p in self._params]  # views: they follow the optimizer's in-place updates
        self._param_node = np.array([index[nid] for nid, _ in pairs if nid in index], dtype=np.int64)
        self._before: list[torch.Tensor] = []
        self._outputs: dict[str, torch.Tensor] = {}

    def trained_nodes(self) -> tuple[str, ...]:
        """The nodes (forward order) whose samples will carry a gradient norm:
        those with a parameter that trains (frozen ones get no gradient)."""
        if self._taps is None:
            return ()
        trained = {int(i) for i, p in zip(self._param_node, self._params, strict=True) if p.requires_grad}
        return tuple(nid for i, nid in enumerate(self.nodes) if i in trained)

    def on_batch_start(self, epoch: int, batch: int) -> None:
        taps = self._taps
        if taps is None or (batch - 1) % self.every or not self.budget.allows(self, (epoch - 1) * self._batches + batch):
            return
        import torch

        self._sampling = True
        self._began = time.perf_counter()  # the whole sampled step counts: the traced forward costs too
        self._outputs = {}
        with torch.no_grad():
            self._before = torch._foreach_mul(self._weights, 1.0) if self._weights else []
        taps.attach(self._on_output)

    def on_batch_end(self, step: BatchStep) -> None:
        if not self._sampling:
            return
        import torch

        self._sampling = False
        assert self._taps is not None
        self._taps.detach()
        with torch.no_grad():
            have = [i for i, p in enumerate(self._params) if p.grad is not None]
            grads = torch._foreach_norm([self._params[i].grad for i in have]) if have else []
            weights = torch._foreach_norm(self._before) if self._before else []
            updates = torch._foreach_norm(torch._foreach_sub(self._weights, self._before)) if self._before else []
            outputs = list(self._outputs.items())
            values = torch.stack([step.loss.float(), *grads, *weights, *updates, *(v for _, v in outputs)]).cpu().numpy().astype(np.float64)
        self._before, self._outputs = [], {}
        self._record(step, values, have, [nid for nid, _ in outputs])
        self.budget.charge(time.perf_counter() - self._began, probe=self)

    def on_run_end(self, result: Any) -> None:
        if self._taps is not None:
            self._taps.detach()
        self._sampling = False

    def _on_output(self, nid: str, value: torch.Tensor) -> None:
        if value.requires_grad and value.is_floating_point():
            value.register_hook(lambda grad, nid=nid: self._keep_output_grad(nid, grad))

    def _keep_output_grad(self, nid: str, grad: torch.Tensor) -> None:
        import torch

        self._outputs[nid] = torch.linalg.vector_norm(grad.detach(), dtype=torch.float32)

    def _record(self, step: BatchStep, values: np.ndarray, have: list[int], output_nodes: list[str]) -> None:
        n, k, p = len(self.nodes), len(have), len(self._params)
        loss, grads, weights, updates = values[0], values[1 : 1 + k], values[1 + k : 1 + k + p], values[1 + k + p : 1 + k + 2 * p]
        outs = values[1 + k + 2 * p :]
        grad_norm = _per_node(self._param_node[have], grads, n) if k else np.full(n, np.nan)
        weight_norm = _per_node(self._param_node, weights, n)
        update_norm = _per_node(self._param_node, updates, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(weight_norm > 0, update_norm / weight_norm, np.nan)
        output_grad = np.full(n, np.nan)
        index = {nid: i for i, nid in enumerate(self.nodes)}
        for nid, value in zip(output_nodes, outs, strict=True):
            output_grad[index[nid]] = value
        sample = GradientSample(step.epoch, step.batch, step.step, float(loss), self.nodes, grad_norm, output_grad, ratio)
        self.samples.append(sample)
        if self.on_sample is not None:
            self.on_sample(sample)


class ActivationProbe(Callback):
    """Per-node activation statistics on a fixed probe batch at each epoch end
    (see the module docstring). ``on_sample`` gets each ActivationSample."""

    def __init__(
        self,
        graph: Graph,
        samples: int = PROBE_SAMPLES,
        seed: int = 0,
        on_sample: Callable[[ActivationSample], None] | None = None,
        budget: ProbeBudget | None = None,
    ) -> None:
        self.types = {node.id: node.type for node in graph.nodes}
        self.probe_samples, self.seed, self.on_sample = samples, seed, on_sample
        self.budget = budget or ProbeBudget(None)
        self.samples: list[ActivationSample] = []
        self._taps: NodeTaps | None = None
        self._batches = 0  # per epoch, in the run

    def on_run_start(self, run: RunStart, taps: NodeTaps | None = None) -> None:
        """``taps``: node taps of ``run.module`` to share; made here without."""
        import torch

        self.samples = []
        self._taps = None
        if not run.is_main:
            return
        split = run.bundle.validation if run.bundle.validation is not None and len(run.bundle.validation.x) else run.bundle.train
        rng = np.random.default_rng(self.seed)
        rows = np.sort(rng.choice(len(split.x), size=min(len(split.x), self.probe_samples), replace=False))
        self._x = torch.from_numpy(np.ascontiguousarray(split.x[rows])).to(run.device)
        self._taps = taps or NodeTaps(run.module, run.compiled)
        self._batches = run.batches_per_epoch
        self.nodes = tuple(self._taps.node_ids)

    def on_epoch_end(self, metrics: EpochMetrics) -> None:
        if self._taps is not None and self.budget.allows(self, metrics.epoch * self._batches):
            with self.budget.spend(self):
                self.measure(metrics.epoch)

    def measure(self, epoch: int) -> ActivationSample:
        """Statistics of the probe batch now (the module is left in the mode it was in)."""
        import torch

        assert self._taps is not None, "measure() needs a run: on_run_start() first"
        stats: dict[str, torch.Tensor] = {}
        module = self._taps.module
        training = module.training
        module.eval()
        try:
            with torch.no_grad():
                self._taps.run(lambda nid, value: stats.__setitem__(nid, self._stats(nid, value)), self._x)
        finally:
            module.train(training)
        nan = torch.full((4,), math.nan)
        table = torch.stack([stats[nid].cpu() if nid in stats else nan for nid in self.nodes]).numpy().astype(np.float64)
        sample = ActivationSample(epoch, self.nodes, table[:, 0], table[:, 1], table[:, 2], table[:, 3])
        self.samples.append(sample)
        if self.on_sample is not None:
            self.on_sample(sample)
        return sample

    def _stats(self, nid: str, value: torch.Tensor) -> torch.Tensor:
        """(dead share, saturated share, mean, std) of one node output, on its device."""
        import torch

        if not value.is_floating_point() or value.numel() == 0:
            return torch.full((4,), math.nan, device=value.device)
        y = value.float()
        kind = self.types.get(nid)
        nan = y.new_tensor(math.nan)
        # Two passes instead of torch.std_mean, which on the CPU took 650 us for
        # a 128x16x8x8 output against 50 us (the same value to float precision).
        mean = y.mean()
        std = (y - mean).square().sum().div(y.numel() - 1).sqrt() if y.numel() > 1 else torch.zeros((), device=y.device)
        if kind in DEAD_TYPES:
            # A unit is dead when its largest output over the batch is at most 0 (NaN is not dead either way).
            shares = [(_unit_maxima(y) <= 0).float().mean(), nan]
        elif kind == "Sigmoid":
            shares = [nan, ((y - 0.5).abs() > 0.5 - SIGMOID_SATURATION).float().mean()]
        elif kind == "Tanh":
            shares = [nan, (y.abs() > TANH_SATURATION).float().mean()]
        else:
            return torch.stack([nan, nan, mean, std])
        return torch.stack([*shares, mean, std])


def _unit_maxima(y: torch.Tensor) -> torch.Tensor:
    """Each unit's largest value over the batch: a unit is one value of a
    sample, but a channel of feature maps (N x C x H x W), a filter, is one
    unit whatever the position (a corner where the input is always blank is
    not a dead filter). A channels-last output is reduced as N x H x W x C,
    a view (a reduction across a strided layout took 4x longer)."""
    import torch

    if y.dim() != 4:
        return y.reshape(len(y), -1).amax(0)
    if not y.is_contiguous() and y.is_contiguous(memory_format=torch.channels_last):
        return y.permute(0, 2, 3, 1).reshape(-1, y.shape[1]).amax(0)
    return y.amax(dim=(0, 2, 3))


def _per_node(owner: np.ndarray, norms: np.ndarray, n: int) -> np.ndarray:
    """Combine parameter norms into node norms (sqrt of the sum of squares); NaN for nodes without any."""
    squares = np.bincount(owner, weights=norms**2, minlength=n)
    counts = np.bincount(owner, minlength=n)
    return np.where(counts > 0, np.sqrt(squares), np.nan)


WEIGHT_BINS = 40  # bins of every node's weight histogram
WEIGHT_RANGE = 3.0  # the bins span this many times the largest initial magnitude (later values beyond land in the end bins)


@dataclass(frozen=True)
class WeightHistograms:
    """One epoch's histogram of each parameterised node's parameters (weights
    and biases together), on bins fixed per node for the whole run so epochs
    compare. ``edges[i]`` has WEIGHT_BINS + 1 values, ``counts[i]`` WEIGHT_BINS.
    Epoch 0 is the initialisation."""

    epoch: int
    nodes: tuple[str, ...]
    edges: tuple[np.ndarray, ...]
    counts: tuple[np.ndarray, ...]

    def of(self, node: str) -> tuple[np.ndarray, np.ndarray]:
        """(edges, counts) of one node."""
        i = self.nodes.index(node)
        return self.edges[i], self.counts[i]


class WeightHistogramProbe(Callback):
    """Histograms of every parameterised node's parameters at the run's start
    and at each epoch end: ``torch.histc`` on the device, one read per epoch.
    ``on_sample`` gets each WeightHistograms on the training thread."""

    def __init__(
        self, bins: int = WEIGHT_BINS, on_sample: Callable[[WeightHistograms], None] | None = None, budget: ProbeBudget | None = None
    ) -> None:
        self.bins, self.on_sample = bins, on_sample
        self.budget = budget or ProbeBudget(None)
        self.samples: list[WeightHistograms] = []
        self._params: dict[str, list[torch.Tensor]] = {}
        self._batches = 0  # per epoch, in the run

    def on_run_start(self, run: RunStart) -> None:
        import torch

        self.samples, self._params = [], {}
        self._batches = run.batches_per_epoch
        if not run.is_main:
            return
        owner = {attr: nid for nid, attr in run.compiled.generated.attributes.items()}
        for name, param in run.module.named_parameters():
            nid = owner.get(name.split(".", 1)[0])
            if nid is not None and param.requires_grad:
                self._params.setdefault(nid, []).append(param.detach())  # views: they follow the updates
        with torch.no_grad():
            peaks = [torch.stack([p.abs().max() for p in ps]).max() for ps in self._params.values()]
            peaks = torch.stack(peaks).cpu().numpy() if peaks else []
        self.nodes = tuple(self._params)
        self._limits = [WEIGHT_RANGE * float(peak) if peak > 0 else 1.0 for peak in peaks]
        self.measure(0)

    def on_epoch_end(self, metrics: EpochMetrics) -> None:
        if self._params and self.budget.allows(self, metrics.epoch * self._batches):
            with self.budget.spend(self):
                self.measure(metrics.epoch)

    def measure(self, epoch: int) -> WeightHistograms:
        """Histograms of the parameters now."""
        import torch

        with torch.no_grad():
            rows = [
                torch.histc(torch.cat([p.reshape(-1) for p in ps]).float().clamp(-limit, limit), self.bins, -limit, limit)
                for ps, limit in zip(self._params.values(), self._limits, strict=True)
            ]
            counts = torch.stack(rows).cpu().numpy().astype(np.int64) if rows else np.zeros((0, self.bins), np.int64)
        edges = tuple(np.linspace(-limit, limit, self.bins + 1) for limit in self._limits)
        sample = WeightHistograms(epoch, self.nodes, edges, tuple(counts))
        self.samples.append(sample)
        if self.on_sample is not None:
            self.on_sample(sample)
        return sample
