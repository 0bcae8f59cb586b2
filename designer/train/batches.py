"""Batches of one split, on the training device.

Small splits live on the device as two tensors and a batch is an index
select: no DataLoader, no worker processes, no host-to-device copy per batch.
On the CPU every split is used that way (``torch.from_numpy`` shares the
arrays' memory). Splits larger than ``device_limit`` bytes (512 MiB on a GPU,
no limit on the CPU) stream through a DataLoader instead, with pinned memory
and non-blocking copies on CUDA.

With several processes (DistributedDataParallel) each process takes every
``world``-th sample of the same seeded permutation, padded so every process
runs the same number of batches, as DistributedSampler does.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import torch

DEVICE_LIMIT = 512 * 1024 * 1024
Batch = tuple["torch.Tensor", "torch.Tensor"]


def index_batches(
    n: int, batch_size: int, generator: torch.Generator | None, rank: int = 0, world: int = 1, pad: bool = True
) -> list[torch.Tensor]:
    """Index tensors of each batch this process runs; shuffled when a generator is given."""
    import torch

    order = torch.randperm(n, generator=generator) if generator is not None else torch.arange(n)
    if world > 1:
        if pad:
            total = math.ceil(n / world) * world
            order = torch.cat([order, order[: total - n]]) if total > n else order
        order = order[rank::world]
    batches = list(order.split(batch_size)) if len(order) else []
    if generator is not None and len(batches) > 1 and len(batches[-1]) == 1:
        # A last batch of one sample would stop BatchNorm in training mode
        # ("expected more than 1 value per channel"): it joins the batch before.
        batches[-2:] = [torch.cat(batches[-2:])]
    return batches


class SplitBatches:
    """One split (x, y) as batches on ``device``."""

    def __init__(self, x: np.ndarray, y: np.ndarray, device: torch.device, device_limit: int | None = None) -> None:
        import torch

        if device_limit is None:
            device_limit = DEVICE_LIMIT if device.type != "cpu" else x.nbytes + y.nbytes
        self.device = device
        self.size = len(x)
        self.streamed = x.nbytes + y.nbytes > device_limit
        self._x_host, self._y_host = x, y
        if not self.streamed:
            self._x = torch.from_numpy(x).to(device)
            self._y = torch.from_numpy(y).to(device)

    def __len__(self) -> int:
        return self.size

    def batches(self, indices: list[torch.Tensor]) -> Iterator[Batch]:
        if not self.streamed:
            for idx in indices:
                idx = idx.to(self.device, non_blocking=True)
                yield self._x.index_select(0, idx), self._y.index_select(0, idx)
            return
        for xb, yb in _loader(self._x_host, self._y_host, indices, self.device):
            yield xb.to(self.device, non_blocking=True), yb.to(self.device, non_blocking=True)


class _Slices:
    """A map-style dataset whose items are whole batches (one fancy index each)."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, idx: Any) -> Batch:
        import torch

        rows = idx.numpy()
        return torch.from_numpy(self.x[rows]), torch.from_numpy(self.y[rows])


def _loader(x: np.ndarray, y: np.ndarray, indices: list[torch.Tensor], device: torch.device) -> Any:
    from torch.utils.data import DataLoader

    # The arrays are already in memory, so slicing is cheap: no worker processes
    # (they would copy the arrays); pinned memory lets the copy overlap compute.
    return DataLoader(_Slices(x, y), sampler=indices, batch_size=None, pin_memory=device.type == "cuda")
