"""Trained weights as safetensors (never pickle), tagged with the fingerprint
of the design they belong to, so they are never loaded into a design they do
not fit."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from designer.project.atomic import write_atomic
from designer.project.errors import ProjectError

if TYPE_CHECKING:
    import torch

FINGERPRINT_KEY = "designer.fingerprint"


def save_weights(
    path: str | os.PathLike[str], state: Mapping[str, torch.Tensor], fingerprint: str, metadata: Mapping[str, str] | None = None
) -> Path:
    """Write ``state`` atomically with the design's fingerprint in the header."""
    from safetensors.torch import save_file

    tensors = {name: tensor.detach().to("cpu").contiguous() for name, tensor in state.items()}
    header = {**{k: str(v) for k, v in (metadata or {}).items()}, FINGERPRINT_KEY: fingerprint}
    target = Path(path)
    write_atomic(target, lambda tmp: save_file(tensors, str(tmp), metadata=header))
    return target


def read_fingerprint(path: str | os.PathLike[str]) -> str | None:
    """The fingerprint stored in a weights file (None if it has none)."""
    return read_metadata(path).get(FINGERPRINT_KEY)


def read_metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as handle:
            return dict(handle.metadata() or {})
    except FileNotFoundError:
        raise ProjectError(f"{path}: no such weights file") from None
    except Exception as exc:  # safetensors raises its own error types for corrupt headers
        raise ProjectError(f"{path}: not a safetensors weights file ({exc})") from None


def load_weights(path: str | os.PathLike[str], fingerprint: str | None = None) -> dict[str, torch.Tensor]:
    """Read the tensors; with ``fingerprint``, refuse weights of another design."""
    from safetensors.torch import load_file

    stored = read_fingerprint(path)
    if fingerprint is not None and stored != fingerprint:
        raise ProjectError(
            f"{path}: these weights were trained for a different version of the design "
            "(layers or parameters changed since): train again, or undo the changes"
        )
    try:
        return load_file(str(path))
    except Exception as exc:
        raise ProjectError(f"{path}: cannot read the weights ({exc})") from None
