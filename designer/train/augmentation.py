"""The trainer's hook for image augmentation (designer.data.augment): each
training batch, once on the device, is augmented from a seed made of the run's
seed, the epoch, the batch number and the process's rank, so runs repeat
exactly and a resumed run sees the batches it would have seen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from designer.train.errors import TrainError

if TYPE_CHECKING:
    import torch

    from designer.data import DataBundle
    from designer.data.augment import Augmenter


class BatchAugmenter:
    """Calls an :class:`Augmenter` with each batch's own seed."""

    def __init__(self, augmenter: Augmenter, rank: int) -> None:
        self.augmenter, self.rank = augmenter, rank

    def __call__(self, x: torch.Tensor, y: torch.Tensor, seed: int, epoch: int, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
        from designer.data.augment import batch_seed

        return self.augmenter(x, y, batch_seed(seed, epoch, batch, self.rank))


def batch_augmenter(bundle: DataBundle, device: torch.device, rank: int = 0) -> BatchAugmenter | None:
    """The augmentation ``bundle.augment`` asks for, or None (then batches are used as they come)."""
    options = getattr(bundle, "augment", None)
    if not options:
        return None
    from designer.data import DataError
    from designer.data.augment import Augmenter, check_augment

    try:
        active = check_augment(options, bundle.spec)
    except DataError as exc:
        raise TrainError(str(exc)) from None
    if not active:
        return None
    return BatchAugmenter(Augmenter(active, bundle.spec.input.shape, bundle.spec.num_classes or 0), rank)
