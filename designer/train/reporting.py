"""Per-batch numbers kept on the device and read in bulk.

Reading a GPU tensor (``.item()``) waits for every queued kernel, so the loop
never reads one per batch there: batch losses go into a small device buffer
that is read once every ``report_every`` batches, and an epoch's loss and
metric sums are read once at its end. With several processes the same reads
are all-reduces, so every process sees the same numbers and takes the same
decisions (stop, NaN) at the same batch. A lone process on the CPU reads
each number at once instead: a CPU read costs nothing, and adding Python
floats is cheaper than adding into tensors (a few microseconds a batch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


class BatchLosses:
    """A device buffer of the last batches' losses, plus a stop flag."""

    def __init__(self, size: int, device: torch.device, distributed: bool) -> None:
        import torch

        self._host = device.type == "cpu" and not distributed
        self._values: list[float] = []
        self._buffer = torch.zeros(size + 1, device=device)
        self._size, self._count, self._distributed = size, 0, distributed

    def add(self, loss: torch.Tensor, stop: bool) -> bool:
        """Keep a batch loss (no sync); True when the buffer is full."""
        if self._host:
            self._values.append(loss.item())
            return len(self._values) >= self._size
        self._buffer[self._count] = loss
        if stop:
            self._buffer[self._size] = 1.0
        self._count += 1
        return self._count >= self._size

    def flush(self) -> tuple[list[float], bool]:
        """The kept losses (averaged over processes) and whether any process asked to stop."""
        if self._host:
            values, self._values = self._values, []
            return values, False  # a lone process checks its stop flag before every batch
        buffer = self._buffer
        if self._distributed:
            import torch.distributed as dist

            buffer = buffer.clone()
            dist.all_reduce(buffer)
            buffer[: self._size] /= dist.get_world_size()
        values = buffer.tolist()
        losses, stop = values[: self._count], values[self._size] > 0
        self._count = 0
        self._buffer.zero_()
        return losses, stop


@dataclass(frozen=True)
class Totals:
    loss: float  # mean over samples
    metric: float  # accuracy or mean absolute error
    count: int  # samples, over all processes


class SplitTotals:
    """Sums of loss, metric and samples over a split, on the device."""

    def __init__(self, device: torch.device, distributed: bool) -> None:
        import torch

        self._host = device.type == "cpu" and not distributed
        self._floats = [0.0, 0.0, 0.0]
        # float64 keeps long sums exact; MPS has no float64.
        self._sums = torch.zeros(3, device=device, dtype=torch.float32 if device.type == "mps" else torch.float64)
        self._distributed = distributed

    def add(self, mean_loss: torch.Tensor, metric_sum: torch.Tensor, count: int) -> None:
        if self._host:
            sums = self._floats
            sums[0] += mean_loss.item() * count
            sums[1] += metric_sum.item()
            sums[2] += count
            return
        self._sums[0] += mean_loss.to(self._sums.dtype) * count
        self._sums[1] += metric_sum.to(self._sums.dtype)
        self._sums[2] += count

    def peek(self) -> Totals:
        """The sums so far in this process (a read, no all-reduce)."""
        return _totals(self._floats if self._host else self._sums.tolist())

    def finish(self) -> Totals:
        if self._host:
            return _totals(self._floats)
        sums = self._sums
        if self._distributed:
            import torch.distributed as dist

            dist.all_reduce(sums)
        return _totals(sums.tolist())


def _totals(sums: list[float]) -> Totals:
    loss, metric, count = sums
    count = max(count, 1.0)
    return Totals(loss / count, metric / count, int(count))
