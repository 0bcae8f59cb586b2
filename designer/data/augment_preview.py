"""The Data panel's look at augmentation: a few images of the data, each
followed by augmented copies of it (see :mod:`designer.data.augment`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from designer.data.augment import active_options, augment_variants, check_augment
from designer.data.deferred import deferred
from designer.data.errors import DataError
from designer.data.load import preview

if TYPE_CHECKING:
    import numpy as np
else:
    np = deferred("numpy")


@dataclass
class AugmentPreview:
    """A few images, each followed by its augmented variants, for a grid with
    ``columns`` pictures a row: ``images`` ``(rows * columns, H, W)`` or
    ``(..., H, W, 3)`` in [0, 1], ``captions`` one per picture."""

    images: np.ndarray
    captions: list[str]
    columns: int


def augment_preview(settings: Mapping[str, Any], base_dir: Path | None = None, images: int = 4, variants: int = 6) -> AugmentPreview:
    """The data's first few images and ``variants`` augmented copies of each,
    as the data settings' ``augment`` options would make them (off the UI
    thread: it may read the user's files); raises DataError."""
    options = active_options(settings.get("augment"))
    shown = preview(settings, base_dir, limit=images)
    if shown.kind != "images" or shown.spec is None:
        raise DataError("augmentation applies to images: this data has none to show")
    check_augment(options, shown.spec)
    pictures = shown.x if shown.x.ndim == 4 else shown.x[..., None]  # (N, H, W, C)
    originals = np.moveaxis(pictures, -1, 1)  # (N, C, H, W)
    classes = shown.spec.num_classes or 0
    copies = (
        augment_variants(originals, options, variants, int(settings.get("seed", 0)), classes)
        if options
        else np.zeros((0, *originals.shape))
    )
    rows = [np.concatenate([originals[i : i + 1], copies[:, i]]) for i in range(len(originals))]
    grid = np.clip(np.moveaxis(np.concatenate(rows), 1, -1), 0.0, 1.0).astype(np.float32) if rows else np.zeros((0, 1, 1), np.float32)
    if grid.ndim == 4 and grid.shape[-1] == 1:
        grid = grid[..., 0]
    captions = [shown.label(i) if v == 0 else "" for i in range(len(originals)) for v in range(len(copies) + 1)]
    return AugmentPreview(grid, captions, len(copies) + 1)
