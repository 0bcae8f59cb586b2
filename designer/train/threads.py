"""How many CPU threads a run trains with.

torch starts one intra-op thread per core. A small model's operations are
too short to split: with two threads on a busy two-core machine the digits
CNN trained 8 times slower than with one (``benchmarks/train_throughput.py``
measures it). So ``threads = 0`` (auto) picks one thread for designs whose
training step is small and torch's default for the others; a number is used
as given.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

SMALL_STEP_MACS = 100_000_000  # multiply-accumulates per batch (forward) below which one thread wins


def choose_threads(requested: int, macs_per_sample: int, batch_size: int, default: int) -> int:
    """The thread count for a run: ``requested`` when set (>0), else 1 for a
    small step, else ``default`` (torch's own choice)."""
    if requested > 0:
        return requested
    return 1 if macs_per_sample * batch_size < SMALL_STEP_MACS else max(1, default)


def torch_threads() -> int:
    """torch's intra-op thread count now."""
    import torch

    return torch.get_num_threads()


@contextlib.contextmanager
def training_threads(count: int) -> Iterator[None]:
    """torch's intra-op threads set to ``count`` for the ``with`` block, then
    given back (the setting is the process's, shared with the window)."""
    import torch

    before = torch.get_num_threads()
    if count != before:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)
