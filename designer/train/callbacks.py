"""Callback objects: what a run tells the code watching it, and when.

A run takes a list of ``Callback`` objects (or one). Each overrides only the
hooks it needs; the trainer calls a hook only on the callbacks that override
it, so a run with no probe attached pays nothing per batch. Hooks run on the
training thread, in every process of a distributed run (``RunStart.is_main``
says which one prints and writes); keep them quick.

Where each hook runs in the loop::

    on_run_start(RunStart)            module built, on its device; optimizer made
    for each epoch:
        for each batch:
            on_batch_start(epoch, batch)   before the forward pass: parameters are
                                           the step's "before" values
            forward, zero_grad, backward, clip, optimizer.step, schedule
            on_batch_end(BatchStep)        parameters are the step's "after" values;
                                           ``.grad`` still holds this step's (clipped)
                                           gradients: they are cleared only before
                                           the next batch's backward
            on_report(BatchReport)         every report_every batches (losses read)
        evaluation
        on_epoch_end(EpochMetrics)
    on_run_end(RunResult)              also after a failure or a stop

The trainer keeps no copy of the parameters before the step: a callback that
wants the update ``w_after - w_before`` copies them in ``on_batch_start`` on
the batches it samples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

    from designer.compile import CompiledDesign
    from designer.train.objective import Objective
    from designer.train.results import BatchReport, EpochMetrics, RunResult
    from designer.train.settings import TrainSettings


@dataclass(frozen=True)
class RunStart:
    """What a run is made of, given once before the first batch. ``module`` is
    the bare module (never the DistributedDataParallel wrapper), already on
    ``device``; its submodules are named after node ids (blocks nest)."""

    module: torch.nn.Module
    optimizer: torch.optim.Optimizer
    device: torch.device
    compiled: CompiledDesign
    bundle: Any  # designer.data.DataBundle (or anything with train/validation splits and a spec)
    settings: TrainSettings
    objective: Objective
    batches_per_epoch: int
    is_main: bool


@dataclass(frozen=True)
class BatchStep:
    """One finished optimisation step. ``loss`` is a detached tensor on the
    training device: reading it (``float(loss)``) waits for the device."""

    epoch: int
    batch: int  # 1-based, within the epoch
    batches: int  # per epoch, in this process
    step: int  # 1-based, over the whole run
    loss: torch.Tensor


class Callback:
    """Base class of callback objects: every hook does nothing. Override the
    hooks you need; the trainer calls only overridden ones.

    ``batch_every = n`` (a class or instance attribute, read when the run is
    made) has ``on_batch_start`` and ``on_batch_end`` called only on batches
    1, 1 + n, 1 + 2n... of each epoch, in the list's order with the others: a
    probe that samples every n-th batch then costs nothing on the batches
    between (a call per batch through a watch's layers measured a few
    microseconds, a few percent of a small model's step)."""

    batch_every: int = 1

    def on_run_start(self, run: RunStart) -> None:
        """The module, optimizer, device and data are known; no batch has run."""

    def on_batch_start(self, epoch: int, batch: int) -> None:
        """Before the forward pass of ``batch`` (1-based) of ``epoch``."""

    def on_batch_end(self, step: BatchStep) -> None:
        """After the optimizer step; the step's gradients are still in ``.grad``."""

    def on_report(self, report: BatchReport) -> None:
        """Batch losses since the last report, read from the device in one go."""

    def on_epoch_end(self, metrics: EpochMetrics) -> None:
        """After the epoch's evaluation."""

    def on_run_end(self, result: RunResult) -> None:
        """The run ended (finished, stopped early, stopped or failed)."""


class Dispatch:
    """The overridden hooks of a list of callbacks, as lists of bound methods
    (the batch hooks with their callback's ``batch_every``): the loop tests an
    empty list (cheap) instead of calling no-ops."""

    def __init__(self, callbacks: Callback | Sequence[Callback] | None) -> None:
        self.callbacks = as_list(callbacks)
        self.run_start, self.report, self.epoch_end, self.run_end = (
            [getattr(c, name) for c in self.callbacks if _overrides(c, name)]
            for name in ("on_run_start", "on_report", "on_epoch_end", "on_run_end")
        )
        # The batch hooks with their callback's ``batch_every``, in the list's order.
        self.batch_starts, self.batch_ends = (
            [(c.batch_every, getattr(c, name)) for c in self.callbacks if _overrides(c, name)]
            for name in ("on_batch_start", "on_batch_end")
        )

    @staticmethod
    def call(hooks: list[Callable[..., None]], *args: Any) -> None:
        for hook in hooks:
            hook(*args)


def as_list(callbacks: Callback | Sequence[Callback] | None) -> list[Callback]:
    """One callback, several, or none, as a list; refuses anything else."""
    if callbacks is None:
        return []
    items = [callbacks] if isinstance(callbacks, Callback) else list(callbacks)
    for item in items:
        if not isinstance(item, Callback):
            raise TypeError(f"a training callback must be a designer.train.Callback, not {type(item).__name__}")
        every = item.batch_every
        if isinstance(every, bool) or not isinstance(every, Integral) or every < 1:
            raise ValueError(f"{type(item).__name__}.batch_every must be a whole number from 1, not {every!r}")
    return items


def _overrides(callback: Callback, name: str) -> bool:
    return getattr(type(callback), name) is not getattr(Callback, name)
