"""A learning-rate finder: train briefly while the rate grows exponentially.

``find_lr`` runs ``steps`` batches (the data cycles when it has fewer), the
learning rate rising from ``min_lr`` to ``max_lr`` by the same factor each
batch, and records the loss. It stops early once the smoothed loss diverges
(DIVERGENCE_FACTOR times its lowest, or not finite). The suggestion is the
rate where the smoothed loss falls fastest against log(rate): the steepest
descent is where a step buys the most progress, while the rate at the lowest
loss is already at the edge of divergence; a tenth of that rate (``min_lr /
10``, the other common rule) is reported too. Short sweeps are noisy, so the
loss is smoothed before either is read.

It lives beside the trainer because it is a training loop (batches, loss,
optimizer, device) and looks inside nothing. It never changes the weights it
is given: a module passed in gets its state (and train/eval mode) back.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from designer.train.batches import SplitBatches, index_batches
from designer.train.device import autocast, pick_device
from designer.train.errors import TrainError
from designer.train.freezing import FACTOR_KEY, keep_frozen_norms, parameter_groups
from designer.train.objective import Objective
from designer.train.optim import make_optimizer
from designer.train.settings import TrainSettings

if TYPE_CHECKING:
    import torch

    from designer.compile import CompiledDesign

MAX_STEPS = 200  # batches in a sweep by default ...
EPOCHS_OF_STEPS = 4  # ... or this many passes over a small training split, if fewer ...
MIN_STEPS = 50  # ... but never fewer than this (the data cycles)
SMOOTHING = 0.9  # weight of the past in the moving average of the loss
DIVERGENCE_FACTOR = 4.0  # the sweep stops when the smoothed loss is this many times its lowest
WARMUP = 3  # points at the start not considered for the steepest descent (the average is settling)


@dataclass(frozen=True)
class LrFindResult:
    """The sweep: rates, raw and smoothed losses (as many as batches ran), the
    suggested rate, and the alternatives it was chosen over."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float  # steepest descent of the smoothed loss
    lowest_lr: float  # rate at the lowest smoothed loss
    diverged: bool  # the sweep stopped because the loss diverged

    @property
    def lowest_over_10(self) -> float:
        return self.lowest_lr / 10

    def as_dict(self) -> dict[str, Any]:
        return {
            "suggestion": self.suggestion,
            "rule": "steepest descent of the smoothed loss",
            "lowest_loss_lr": self.lowest_lr,
            "lowest_loss_lr_over_10": self.lowest_over_10,
            "diverged": self.diverged,
            "lrs": [float(v) for v in self.lrs],
            "losses": [float(v) for v in self.losses],
            "smoothed": [float(v) for v in self.smoothed],
        }


def default_steps(train_samples: int, batch_size: int) -> int:
    batches = math.ceil(train_samples / max(1, batch_size))
    return max(MIN_STEPS, min(MAX_STEPS, EPOCHS_OF_STEPS * batches))


def find_lr(
    compiled: CompiledDesign,
    bundle: Any,
    settings: TrainSettings,
    *,
    min_lr: float = 1e-7,
    max_lr: float = 10.0,
    steps: int | None = None,
    module: torch.nn.Module | None = None,
) -> LrFindResult:
    """Sweep the learning rate on ``bundle``'s training split with the
    settings' optimizer, loss, batch size and device. Without ``module`` a
    fresh one is made (seeded as training would); with one, its weights are
    used and restored afterwards. Raises TrainError on unusable arguments."""
    import torch

    if not 0 < min_lr < max_lr:
        raise TrainError(f"the learning rates must satisfy 0 < min < max, not min {min_lr:g} and max {max_lr:g}")
    if bundle.train is None or len(bundle.train.x) == 0:
        raise TrainError(f"{bundle.spec.name} has no training samples")
    steps = steps or default_steps(len(bundle.train.x), settings.batch_size)
    if steps < 2 * WARMUP + 2:
        raise TrainError(f"a sweep needs at least {2 * WARMUP + 2} steps, not {steps}")
    device = pick_device(settings.device)
    objective = Objective(settings.loss, bundle.spec)
    torch.manual_seed(settings.seed)
    own = module is None
    module = compiled.new_module() if module is None else module
    saved = None if own else copy.deepcopy(module.state_dict())
    home = None if own else next((p.device for p in module.parameters()), None)
    training = module.training
    trainable = {id(p): p.requires_grad for p in module.parameters()}
    try:
        return _sweep(module.to(device), compiled, bundle, settings, objective, device, min_lr, max_lr, steps)
    finally:
        for parameter in module.parameters():  # freezing below turned frozen nodes' gradients off
            parameter.requires_grad_(trainable[id(parameter)])
        if saved is not None:
            module.load_state_dict(saved)
            if home is not None:
                module.to(home)
        module.train(training)


def _sweep(
    module: torch.nn.Module,
    compiled: CompiledDesign,
    bundle: Any,
    s: TrainSettings,
    objective: Objective,
    device: torch.device,
    min_lr: float,
    max_lr: float,
    steps: int,
) -> LrFindResult:
    import torch

    train = SplitBatches(bundle.train.x, bundle.train.y, device)
    shuffle = torch.Generator().manual_seed(s.seed)
    # As training would: frozen nodes stay as they are, other nodes' rates scale by their factor.
    optimizer = make_optimizer(parameter_groups(module, compiled), s)
    factor = (max_lr / min_lr) ** (1 / (steps - 1))
    lrs, losses, smoothed = [], [], []
    average, lowest, diverged = 0.0, math.inf, False
    module.train()
    keep_frozen_norms(module, compiled)
    batches = iter(())
    for i in range(steps):
        xb_yb = next(batches, None)
        if xb_yb is None:
            batches = iter(train.batches(index_batches(len(train), s.batch_size, shuffle)))
            xb_yb = next(batches)
        xb, yb = xb_yb
        lr = min_lr * factor**i
        for group in optimizer.param_groups:
            group["lr"] = lr * group.get(FACTOR_KEY, 1.0)
        with autocast(device, s.bf16):
            loss = objective.loss(module(xb), yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if s.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(module.parameters(), s.grad_clip)
        optimizer.step()
        value = float(loss.detach())
        if not math.isfinite(value):
            diverged = True
            break
        average = SMOOTHING * average + (1 - SMOOTHING) * value
        smooth = average / (1 - SMOOTHING ** (i + 1))
        lrs.append(lr)
        losses.append(value)
        smoothed.append(smooth)
        lowest = min(lowest, smooth)
        if i >= WARMUP and smooth > DIVERGENCE_FACTOR * lowest:
            diverged = True
            break
    return _result(np.array(lrs), np.array(losses), np.array(smoothed), diverged)


def _result(lrs: np.ndarray, losses: np.ndarray, smoothed: np.ndarray, diverged: bool) -> LrFindResult:
    if len(lrs) < 2 * WARMUP + 2:
        raise TrainError(f"the loss diverged after {len(lrs)} steps: start the sweep lower (a smaller min)")
    best = int(np.argmin(smoothed))
    slopes = np.gradient(smoothed, np.log10(lrs))
    # The steepest fall before the lowest point (after it the loss only climbs).
    window = slopes[WARMUP : max(best, WARMUP + 1) + 1]
    steepest = WARMUP + int(np.argmin(window))
    return LrFindResult(lrs, losses, smoothed, float(lrs[steepest]), float(lrs[best]), diverged)
