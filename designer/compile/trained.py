"""The module an export writes: the compiled design in eval mode, with the
project's trained weights when it has them, else a seeded fresh initialisation
(so exporting the same untrained design twice gives the same file)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from designer.compile.build import CompiledDesign
from designer.compile.errors import ExportError
from designer.project import Project
from designer.project.errors import ProjectError
from designer.project.weights import load_weights, misfits

if TYPE_CHECKING:
    import torch
    from torch import nn

Weights = Mapping[str, "torch.Tensor"]


def trained_weights(project: Project) -> dict[str, torch.Tensor] | None:
    """The weights in NAME.safetensors beside the project, or None when there is
    no such file. Raises ProjectError when they belong to another version of
    the design (layers or parameters changed since training)."""
    path = project.weights_path
    if path is None or not path.exists():
        return None
    return load_weights(path, project.graph.fingerprint())


def export_module(compiled: CompiledDesign, weights: Weights | None = None, seed: int = 0) -> nn.Module:
    """A module of the design in eval mode, holding ``weights`` when given."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = compiled.new_module()
    if weights is not None:
        misfit = misfits(weights, module.state_dict())
        if misfit:  # named tensor by tensor, as loading a weights file does
            raise ProjectError(f"these weights do not fit the design: {misfit}: train it again, or give its own weights")
        try:
            module.load_state_dict(dict(weights))
        except RuntimeError as exc:
            detail = str(exc).splitlines()[1].strip() if len(str(exc).splitlines()) > 1 else str(exc)
            raise ExportError(f"the weights do not fit the design ({detail}): train it again") from None
    return module.eval()
