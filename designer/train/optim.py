"""Optimizers and learning-rate schedules from the training settings.

``cosine`` and ``one_cycle`` move the rate every batch (smooth curves, and
one-cycle is defined per step); ``step`` and ``plateau`` move it once per
epoch. ``plateau`` multiplies the rate by ``gamma`` when the validation loss
has not improved for ``max(1, patience // 2)`` epochs, so with early stopping
the rate drops at least once before the run stops.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from designer.train.freezing import FACTOR_KEY
from designer.train.settings import TrainSettings

if TYPE_CHECKING:
    import torch


def make_optimizer(params: Iterable[torch.nn.Parameter] | Iterable[dict[str, Any]], s: TrainSettings) -> torch.optim.Optimizer:
    """The settings' optimizer over ``params``: parameters, or parameter groups
    (designer.train.freezing) whose ``lr_factor`` scales the rate."""
    from torch import optim

    items = list(params)
    if items and isinstance(items[0], dict):
        groups = [{**group, "lr": s.learning_rate * group.get(FACTOR_KEY, 1.0)} for group in items]
        flat = [p for group in groups for p in group["params"]]
    else:
        groups, flat = [{"params": items, FACTOR_KEY: 1.0}], items
    params = groups  # type: ignore[assignment]
    lr, decay = s.learning_rate, s.weight_decay
    # torch's CPU default is a Python loop per tensor. Adam, AdamW and SGD have a
    # fused kernel on the CPU and CUDA (one call for the whole step: the digits
    # CNN's step 1.14x faster than with foreach, the residual CNN's 1.17x, with
    # the same accuracy); elsewhere, and for RMSprop, one foreach update over all
    # tensors (5-6% faster than the loop). Either way the training thread holds
    # the interpreter less while the window repaints.
    fast = {"fused": True} if _fusable(flat) else {"foreach": True}
    if s.optimizer == "sgd":
        return optim.SGD(params, lr=lr, momentum=s.momentum, weight_decay=decay, **fast)
    if s.optimizer == "rmsprop":
        return optim.RMSprop(params, lr=lr, momentum=s.momentum, weight_decay=decay, foreach=True)
    if s.optimizer == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=decay, **fast)
    return optim.Adam(params, lr=lr, weight_decay=decay, **fast)


def _fusable(params: list[torch.nn.Parameter]) -> bool:
    """Whether torch's fused optimizers take these parameters: all on one CPU or
    CUDA device, all floating point."""
    devices = {p.device for p in params}
    return (
        len(devices) == 1
        and next(iter(devices)).type in ("cpu", "cuda")
        and all(p.is_floating_point() for p in params)
    )


class Schedule:
    """Wraps a torch scheduler so the loop calls one method per batch and one per epoch."""

    def __init__(self, optimizer: torch.optim.Optimizer, s: TrainSettings, steps_per_epoch: int) -> None:
        from torch.optim import lr_scheduler

        self.optimizer = optimizer
        self.kind = s.schedule
        total = max(1, s.epochs * steps_per_epoch)
        self._scheduler: object | None
        if s.schedule == "step":
            self._scheduler = lr_scheduler.StepLR(optimizer, step_size=s.step_size, gamma=s.gamma)
        elif s.schedule == "cosine":
            self._scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=total)
        elif s.schedule == "one_cycle":
            # Cycling momentum needs a momentum to cycle: Adam's betas, or SGD/RMSprop with momentum on.
            cycle = s.optimizer in ("adam", "adamw") or s.momentum > 0
            peaks = [s.learning_rate * group.get(FACTOR_KEY, 1.0) for group in optimizer.param_groups]
            self._scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=peaks, total_steps=total, cycle_momentum=cycle)
        elif s.schedule == "plateau":
            self._scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, factor=s.gamma, patience=max(1, s.patience // 2))
        else:
            self._scheduler = None
        self._total = total
        self._steps = 0

    @property
    def lr(self) -> float:
        group = self.optimizer.param_groups[0]  # the run's rate: a first group with a factor (no node at 1) is divided back
        factor = group.get(FACTOR_KEY, 1.0)
        return float(group["lr"]) / factor if factor else float(group["lr"])

    def after_batch(self) -> None:
        # OneCycleLR refuses to step past its total; stopping one short keeps the final rate.
        if self.kind in ("cosine", "one_cycle") and self._steps < self._total - 1:
            self._steps += 1
            self._scheduler.step()  # type: ignore[union-attr]

    def after_epoch(self, monitored_loss: float) -> None:
        if self.kind == "step":
            self._scheduler.step()  # type: ignore[union-attr]
        elif self.kind == "plateau":
            self._scheduler.step(monitored_loss)  # type: ignore[union-attr]
