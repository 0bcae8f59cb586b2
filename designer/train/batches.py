"""Batches of one split, on the training device.

Small splits live on the device as two tensors and a batch is an index
select: no DataLoader, no worker processes, no host-to-device copy per batch.
On the CPU every in-memory split is used that way (``torch.from_numpy``
shares the arrays' memory). Splits larger than ``device_limit`` bytes (512 MiB
on a GPU, no limit on the CPU) stream through a DataLoader instead, with
pinned memory and non-blocking copies on CUDA.

Data read from disk (a ``LazySamples`` split: image files, a memory-mapped
array) always streams. Images are decoded by DataLoader worker processes, off
the training thread, when that pays (:func:`stream_workers`); the workers are
started once per split and kept across epochs, since starting one costs
seconds (it imports torch afresh).

With several processes (DistributedDataParallel) each process takes every
``world``-th sample of the same seeded permutation, padded so every process
runs the same number of batches, as DistributedSampler does.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from designer.train.errors import TrainError

if TYPE_CHECKING:
    import numpy as np
    import torch

DEVICE_LIMIT = 512 * 1024 * 1024
MAX_WORKERS = 4
# Workers start by fork where the system has it (Linux: torch's own default),
# else by spawn. Measured: a spawned worker takes seconds to deliver its first
# batch (it imports torch and the caller's main script again, which breaks a
# script without an ``if __name__ == "__main__"`` guard); a forked one takes
# milliseconds (benchmarks/data_scale.py).
START_METHODS = ("fork", "spawn")
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


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def stream_workers(x: Any, cores: int | None = None) -> int:
    """Worker processes for reading ``x`` from disk: none unless reading it means
    decoding (images), and none on a single core, where a worker only takes
    turns with training; else one per core but one, at most MAX_WORKERS. Under
    torchrun the processes on this machine share its cores."""
    if not getattr(x, "decodes", False):
        return 0  # rows of a memory-mapped array are a copy: a worker would only add a second one
    if cores is None:
        local = os.environ.get("LOCAL_WORLD_SIZE", "1")
        cores = usable_cores() // max(1, int(local) if local.isdigit() else 1)
    return max(0, min(MAX_WORKERS, cores - 1))


class SplitBatches:
    """One split (x, y) as batches on ``device``; ``workers`` overrides :func:`stream_workers`."""

    def __init__(
        self, x: np.ndarray, y: np.ndarray, device: torch.device, device_limit: int | None = None, workers: int | None = None
    ) -> None:
        import numpy as np
        import torch

        on_disk = not isinstance(x, np.ndarray)
        if device_limit is None:
            device_limit = DEVICE_LIMIT if device.type != "cpu" else x.nbytes + y.nbytes
        self.device = device
        self.size = len(x)
        self.streamed = on_disk or x.nbytes + y.nbytes > device_limit
        self.workers = (stream_workers(x) if workers is None else workers) if on_disk else 0
        self._x_host, self._y_host = x, y
        self._loader: Any = None
        self._sampler = _EpochSampler()
        if not self.streamed:
            self._x = torch.from_numpy(x).to(device)
            self._y = torch.from_numpy(y).to(device)

    def __len__(self) -> int:
        return self.size

    def batches(self, indices: list[torch.Tensor]) -> Iterator[Batch]:
        if not self.streamed:
            on_cpu = self.device.type == "cpu"  # the index is there already: no call to move it
            for idx in indices:
                if not on_cpu:
                    idx = idx.to(self.device, non_blocking=True)
                yield self._x.index_select(0, idx), self._y.index_select(0, idx)
            return
        if self._loader is None:
            self._loader = _loader(self._x_host, self._y_host, self._sampler, self.device, self.workers)
        self._sampler.indices = indices
        for item in self._loader:
            if isinstance(item, str):  # a sample could not be read (a damaged image): its message
                raise TrainError(f"reading the data failed: {item}")
            xb, yb = item
            yield xb.to(self.device, non_blocking=True), yb.to(self.device, non_blocking=True)

    def close(self) -> None:
        """Stop the worker processes now (they also stop when this object is collected)."""
        self._loader = None


class _EpochSampler:
    """The batches of the current epoch: one sampler for the DataLoader's whole
    life, so its workers live across epochs."""

    def __init__(self) -> None:
        self.indices: list[Any] = []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.indices)

    def __len__(self) -> int:
        return len(self.indices)


class _Slices:
    """A map-style dataset whose items are whole batches (one fancy index each).
    A batch that cannot be read comes back as its message: an exception in a
    worker process would arrive wrapped in a traceback."""

    def __init__(self, x: Any, y: np.ndarray) -> None:
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, idx: Any) -> Batch | str:
        import torch

        rows = idx.numpy()
        try:
            xb = self.x[rows]
        except Exception as exc:  # the data package's DataError names the file; anything else its type
            return str(exc).strip() or type(exc).__name__
        return torch.from_numpy(xb), torch.from_numpy(self.y[rows])


def start_method() -> str:
    import multiprocessing
    import sys

    if sys.platform == "darwin":  # fork is unsafe there (system frameworks), and not Python's default
        return "spawn"
    return next(m for m in START_METHODS if m in multiprocessing.get_all_start_methods())


def _loader(x: Any, y: np.ndarray, sampler: _EpochSampler, device: torch.device, workers: int, method: str | None = None) -> Any:
    from torch.utils.data import DataLoader

    # Arrays already in memory slice cheaply: no worker processes (they would
    # copy the arrays). Pinned memory lets the copy to a GPU overlap compute.
    options: dict[str, Any] = {}
    if workers > 0:
        options = {"num_workers": workers, "persistent_workers": True, "multiprocessing_context": method or start_method()}
    return DataLoader(_Slices(x, y), sampler=sampler, batch_size=None, pin_memory=device.type == "cuda", **options)
