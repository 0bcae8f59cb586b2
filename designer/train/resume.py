"""A run's state after a finished epoch, to continue it later as if it had
never stopped: the weights, the optimizer's and the schedule's state, the
shuffling generator and torch's random state (dropout), and the best epoch
so far.

``Trainer.train_state()`` captures one from an ``on_epoch_end`` hook (the
schedule's end-of-epoch step has not run yet then: ``restore`` replays it);
``Trainer(..., resume=state)`` starts at the next epoch. On the CPU, a run
stopped after epoch k and resumed ends with the same weights as one that
ran straight through. How the state is stored is the caller's business
(designer.runs keeps it as safetensors plus JSON).
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from designer.train.memory_layout import plain_copy, plain_state
from designer.train.results import EpochMetrics, RunResult, StateDict

if TYPE_CHECKING:
    import torch

    from designer.train.optim import Schedule


@dataclass
class TrainState:
    """Everything the loop needs to go on after ``epoch`` (1-based, finished)."""

    epoch: int
    epochs: list[EpochMetrics]
    model: StateDict
    optimizer: dict[str, Any]  # torch's optimizer state_dict (tensors on the CPU)
    scheduler: dict[str, Any] | None  # the torch scheduler's state_dict, None without a schedule
    schedule_steps: int
    shuffle: torch.Tensor  # the batch-order generator's state
    rng: torch.Tensor  # torch's global CPU generator (dropout, noise)
    monitored: float  # the loss the schedule's end-of-epoch step is given
    best_loss: float
    best_epoch: int | None = None
    best_state: StateDict | None = None  # None when it is ``model`` (the last epoch was the best)
    extra: dict[str, Any] = field(default_factory=dict)
    threads: int = 0  # the CPU threads it trained with (a resumed run keeps them); 0: not known


@dataclass
class LoopState:
    """What the running loop holds that a TrainState needs (the trainer keeps one)."""

    optimizer: torch.optim.Optimizer
    schedule: Schedule
    shuffle: torch.Generator
    monitored: float = float("inf")
    best_loss: float = float("inf")


def capture(loop: LoopState, module: torch.nn.Module, result: RunResult) -> TrainState:
    """The state now, every tensor copied to the CPU (the loop goes on changing its own)."""
    import torch

    model = plain_state(module)
    scheduler = loop.schedule._scheduler
    last = result.epochs[-1].epoch if result.epochs else 0
    best_is_last = result.best_epoch == last
    return TrainState(
        epoch=last,
        epochs=list(result.epochs),
        model=model,
        optimizer=_to_cpu(loop.optimizer.state_dict()),
        scheduler=copy.deepcopy(scheduler.state_dict()) if scheduler is not None else None,
        schedule_steps=loop.schedule._steps,
        shuffle=loop.shuffle.get_state().clone(),
        rng=torch.get_rng_state().clone(),
        monitored=loop.monitored,
        best_loss=loop.best_loss,
        best_epoch=result.best_epoch,
        best_state=None if best_is_last or result.best_state is None else dict(result.best_state),
    )


def restore(state: TrainState, loop: LoopState, result: RunResult) -> int:
    """Put ``state`` into a freshly built loop (module weights already loaded);
    returns the first epoch to run."""
    import torch

    loop.optimizer.load_state_dict(state.optimizer)
    _match_layouts(loop.optimizer)
    scheduler = loop.schedule._scheduler
    if scheduler is not None and state.scheduler is not None:
        scheduler.load_state_dict(state.scheduler)
    loop.schedule._steps = state.schedule_steps
    with warnings.catch_warnings():  # torch warns of a schedule step before any optimizer step: here it is the stopped run's
        warnings.filterwarnings("ignore", message="Detected call of `lr_scheduler.step", category=UserWarning)
        loop.schedule.after_epoch(state.monitored)  # the step the stopped run had not taken yet
    loop.shuffle.set_state(state.shuffle)
    torch.set_rng_state(state.rng)
    loop.best_loss, loop.monitored = state.best_loss, state.monitored
    result.epochs = list(state.epochs)
    result.best_epoch = state.best_epoch
    result.best_state = state.best_state if state.best_state is not None else (dict(state.model) if state.best_epoch == state.epoch else None)
    return state.epoch + 1


def _match_layouts(optimizer: torch.optim.Optimizer) -> None:
    """Give each restored state tensor (saved contiguous) its parameter's own
    layout: a fused step reads a channels-last weight and its moments as one
    block of memory each, so their strides must agree."""
    import torch

    for group in optimizer.param_groups:
        for param in group["params"]:
            state = optimizer.state.get(param, {})
            for key, value in state.items():
                if isinstance(value, torch.Tensor) and value.shape == param.shape and value.stride() != param.stride():
                    state[key] = torch.empty_like(param, dtype=value.dtype).copy_(value)


def _to_cpu(value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor):
        return plain_copy(value)
    if isinstance(value, dict):
        return {k: _to_cpu(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_cpu(v) for v in value)
    return value
