"""Several processes with PyTorch's own engine: ``torch.distributed`` launch
(the machinery behind ``torchrun``) and DistributedDataParallel; gloo on the
CPU, NCCL on CUDA. Each process runs the same command; rank 0 alone prints
and writes files.

``launch(n, fn, *args)`` starts ``n`` local processes running ``fn(*args)``
(``fn`` must be importable: a module-level function) and returns each rank's
return value. A process started by ``torchrun`` (or by ``launch``) finds its
place with ``DistContext.from_env()``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from designer.train.batches import usable_cores
from designer.train.errors import TrainError


@dataclass(frozen=True)
class DistContext:
    rank: int
    world: int
    local_rank: int

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @classmethod
    def from_env(cls) -> DistContext | None:
        """This process's place when started by torchrun with more than one process."""
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world <= 1:
            return None
        return cls(int(os.environ.get("RANK", "0")), world, int(os.environ.get("LOCAL_RANK", "0")))


def init_process_group(ctx: DistContext, device_type: str) -> None:
    """Join the group (NCCL for CUDA, gloo otherwise); share the CPU cores."""
    import torch
    import torch.distributed as dist

    if device_type == "cpu":
        # N processes on one machine would each take every core and fight over them.
        torch.set_num_threads(max(1, usable_cores() // int(os.environ.get("LOCAL_WORLD_SIZE", ctx.world))))
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device_type == "cuda" else "gloo", rank=ctx.rank, world_size=ctx.world)


def close_process_group() -> None:
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()


def launch(nproc: int, fn: Callable[..., Any], *args: Any) -> dict[int, Any]:
    """Run ``fn(*args)`` in ``nproc`` local processes; each rank's return value."""
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    if nproc < 1:
        raise TrainError(f"--nproc must be at least 1, not {nproc}")
    config = LaunchConfig(
        min_nodes=1,
        max_nodes=1,
        nproc_per_node=nproc,
        run_id=uuid.uuid4().hex,
        rdzv_backend="c10d",
        rdzv_endpoint="localhost:0",  # a free port, as torchrun --standalone does
        max_restarts=0,
        monitor_interval=0.1,
    )
    try:
        return elastic_launch(config, fn)(*args)
    except ChildFailedError as exc:
        failures = "; ".join(
            f"rank {rank}: {failure.message or 'exit code ' + str(failure.exitcode)}" for rank, failure in exc.failures.items()
        )
        raise TrainError(f"a training process failed ({failures})") from None
