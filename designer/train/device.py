"""Which device trains, and the autocast context for it."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from designer.train.errors import TrainError

if TYPE_CHECKING:
    import torch


def pick_device(name: str = "auto", local_rank: int = 0) -> torch.device:
    """``auto``: CUDA, then Apple MPS, then the CPU. Asking for a device that is
    not there is a TrainError, not a silent fallback."""
    import torch

    cuda = torch.cuda.is_available()
    mps = hasattr(torch.backends, "mps") and torch.backends.mps.is_available()
    if name == "auto":
        name = "cuda" if cuda else "mps" if mps else "cpu"
    if name == "cuda":
        if not cuda:
            raise TrainError("device cuda was asked for, but PyTorch sees no CUDA GPU: use --device auto or cpu")
        return torch.device("cuda", local_rank % torch.cuda.device_count())
    if name == "mps":
        if not mps:
            raise TrainError("device mps was asked for, but this PyTorch has no Apple MPS support here: use --device auto or cpu")
        return torch.device("mps")
    if name != "cpu":
        raise TrainError(f"unknown device {name!r}: use auto, cpu, cuda or mps")
    return torch.device("cpu")


def autocast(device: torch.device, bf16: bool) -> contextlib.AbstractContextManager[object]:
    """bfloat16 autocast on CUDA when asked; elsewhere full precision (CPU
    bf16 is slower than float32 on most CPUs, so ``bf16`` is ignored there)."""
    import torch

    if bf16 and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


# How torch's allocators say they ran out: CUDA, MPS and the CPU ("DefaultCPUAllocator: can't allocate memory").
OUT_OF_MEMORY_TEXTS = ("out of memory", "can't allocate memory", "defaultcpuallocator")


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` is an allocation failing: Python's MemoryError or a torch allocator's error."""
    import torch

    oom = getattr(torch.cuda, "OutOfMemoryError", None)
    if isinstance(exc, MemoryError) or oom is not None and isinstance(exc, oom):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and any(t in text for t in OUT_OF_MEMORY_TEXTS)
