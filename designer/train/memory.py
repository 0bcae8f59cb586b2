"""How much memory a design needs to train or to run, from its summary, and the
check made before its module is built: a layer of a billion units fails with
a message that says so, how much it needs and what to change, instead of a
torch allocator error (or the operating system's OOM killer) later."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from designer.graph.summary import human_bytes, summarize
from designer.project.memory import available_memory
from designer.train.errors import TrainError

if TYPE_CHECKING:
    import torch

    from designer.graph import Graph

PARAM_BYTES = 4  # float32 weights
# Training keeps, per weight: the weight, its gradient, up to two optimizer
# moments (Adam) and, on the CPU, the best and last weights of the run.
TRAINING_COPIES = 4
CPU_COPIES = 2
# Training keeps every activation for the backward pass and a gradient of each.
ACTIVATION_COPIES = 2
_TRIED = re.compile(r"allocate (\d+) bytes")


@dataclass(frozen=True)
class MemoryNeed:
    """What a design needs: weights and optimizer state, activations at a batch size."""

    params: int  # bytes of the weights (and, training, gradients and optimizer state)
    activations: int  # bytes of the activations for one batch
    batch_size: int
    largest_node: str | None  # the node holding the most weights
    largest_params: int  # its parameter count

    @property
    def total(self) -> int:
        return self.params + self.activations

    def describe(self) -> str:
        return (
            f"about {human_bytes(self.total)} (weights {human_bytes(self.params)}, "
            f"activations {human_bytes(self.activations)} at batch size {self.batch_size})"
        )

    def advice(self, batch: bool = True) -> str:
        """What to change: the batch (when ``batch``: the command has one) when
        activations dominate, else the largest layer."""
        smaller = f"a smaller batch (e.g. --batch-size {max(1, self.batch_size // 2)})" if batch else ""
        if self.largest_node is None or batch and self.activations >= self.params:
            return f"use {smaller + ', or ' if smaller else ''}smaller inputs or fewer channels"
        layer = f"use fewer units or channels in {self.largest_node} ({self.largest_params:,} weights)"
        return f"{layer}, or {smaller}" if smaller else layer


def design_memory(graph: Graph, batch_size: int, training: bool, device_type: str = "cpu") -> MemoryNeed:
    """The design's memory at ``batch_size``, estimated from its summary (conservatively: every activation kept)."""
    summary = summarize(graph)
    largest = max(summary.rows, key=lambda r: r.params, default=None)
    copies = (TRAINING_COPIES + (CPU_COPIES if device_type == "cpu" else 0)) if training else 1
    activations = summary.total_activation_bytes * batch_size * (ACTIVATION_COPIES if training else 1)
    return MemoryNeed(
        summary.total_params * PARAM_BYTES * copies,
        activations,
        batch_size,
        largest.node if largest is not None and largest.params else None,
        largest.params if largest is not None else 0,
    )


def free_memory(device: torch.device) -> int:
    """Bytes free on ``device``: the GPU's own memory for CUDA, the machine's otherwise."""
    if device.type == "cuda":
        import torch

        return int(torch.cuda.mem_get_info(device)[0])
    return available_memory()


def check_design_memory(graph: Graph, device: torch.device, batch_size: int, training: bool, batch_advice: bool = True) -> MemoryNeed:
    """TrainError ("out of memory: ...") when the design will not fit on ``device``;
    call it before building the module. ``batch_advice``: the command has a --batch-size."""
    need = design_memory(graph, batch_size, training, device.type)
    free = free_memory(device)
    if need.total > free:
        raise TrainError(_message(need, device, training, f"more than the {human_bytes(free)} free", batch_advice))
    return need


@contextmanager
def out_of_memory_as_error(
    graph: Graph, device: torch.device, batch_size: int, training: bool, batch_advice: bool = True
) -> Iterator[None]:
    """Turn torch running out of memory inside the block into one TrainError with
    the design's estimated need and what to change (the estimate let it start)."""
    from designer.train.device import is_out_of_memory

    try:
        yield
    except Exception as exc:
        if not is_out_of_memory(exc):
            raise
        need = design_memory(graph, batch_size, training, device.type)
        raise TrainError(_message(need, device, training, f"and ran out{tried_to_allocate(exc)}", batch_advice)) from None


def _message(need: MemoryNeed, device: torch.device, training: bool, found: str, batch_advice: bool) -> str:
    what = "train" if training else "run"
    return f"out of {device.type.upper()} memory: to {what}, the design needs {need.describe()}, {found}: {need.advice(batch_advice)}"


def tried_to_allocate(exc: BaseException) -> str:
    """' (it asked for 372.5 GB)' from torch's allocator message, when it says how much."""
    found = _TRIED.search(str(exc))
    return f" (it asked for {human_bytes(int(found[1]))})" if found else ""
