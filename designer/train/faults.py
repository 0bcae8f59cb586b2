"""Faults that end a run, turned into one message that says what to do."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from designer.train.device import is_out_of_memory
from designer.train.errors import TrainError
from designer.train.memory import tried_to_allocate
from designer.train.settings import TrainSettings

if TYPE_CHECKING:
    import torch

    from designer.compile import CompiledDesign


class NonFinite(Exception):
    """A loss became NaN or infinite."""

    def __init__(self, epoch: int, batch: int | None, value: float, split: str = "training") -> None:
        super().__init__(f"{split} loss {value} at epoch {epoch}, batch {batch}")
        self.epoch, self.batch, self.value, self.split = epoch, batch, value, split


def describe_failure(
    exc: BaseException, where: tuple[int, int], s: TrainSettings, compiled: CompiledDesign, device: torch.device
) -> tuple[str, str | None]:
    """(message, node that failed or None) for an exception raised by a run."""
    epoch, batch = where
    if isinstance(exc, NonFinite):
        what = "NaN" if math.isnan(exc.value) else "infinite"
        at = f"epoch {exc.epoch}, batch {exc.batch}" if exc.batch is not None else f"epoch {exc.epoch}"
        clip = "" if s.grad_clip > 0 else ", or set grad_clip (e.g. 1.0)"
        return (
            f"the {exc.split} loss became {what} at {at}: the learning rate ({s.learning_rate:g}) is probably too high; "
            f"try a lower one (e.g. {s.learning_rate / 10:g}){clip}",
            None,
        )
    if is_out_of_memory(exc):
        _release_memory(device)
        smaller = max(1, s.batch_size // 2)
        return (
            f"out of {device.type.upper()} memory{tried_to_allocate(exc)} at batch size {s.batch_size} (epoch {epoch}): "
            f"use a smaller batch (e.g. --batch-size {smaller}), or fewer units or channels in the largest layers "
            "('designer summary' shows each layer's parameters and memory)",
            None,
        )
    if isinstance(exc, TrainError):
        return str(exc), None
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    node = compiled.node_for_error(exc)
    if node is not None:
        return f"node {node} failed at epoch {epoch}, batch {batch}: {first_line}", node
    at = f"failed at epoch {epoch}, batch {batch}" if epoch else "could not start"
    return f"training {at}: {type(exc).__name__}: {first_line}", None


def _release_memory(device: torch.device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.empty_cache()
    elif device.type == "mps":
        torch.mps.empty_cache()
