"""The check every import ends with: the design, compiled with the imported
weights, computes what the model computes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from designer.compile import CompileError, ExportError, compile_design, export_module
from designer.graph import Graph
from designer.importer.errors import ModelImportError
from designer.project.errors import ProjectError

TOLERANCE = 1e-4  # absolute, after scaling by the outputs' size (as onnx_verify does)


def compare_outputs(graph: Graph, weights: Mapping[str, Any], inputs: Sequence[Any], expected: Any) -> float:
    """The largest absolute difference between the design's outputs and
    ``expected``; raises ModelImportError when the design does not compile,
    the weights do not fit, or the outputs differ beyond the tolerance."""
    import torch

    try:
        module = export_module(compile_design(graph), weights)
    except (CompileError, ExportError, ProjectError) as exc:
        raise ModelImportError(f"the imported design does not build: {str(exc).splitlines()[0]}") from None
    with torch.no_grad():
        produced = module(*inputs)
    produced = produced if isinstance(produced, (tuple, list)) else (produced,)
    expected = expected if isinstance(expected, (tuple, list)) else (expected,)
    if len(produced) != len(expected):
        raise ModelImportError(f"the imported design gives {len(produced)} outputs where the model gives {len(expected)}")
    worst = 0.0
    for number, (mine, theirs) in enumerate(zip(produced, expected), start=1):
        theirs = torch.as_tensor(theirs)
        if tuple(mine.shape) != tuple(theirs.shape):
            raise ModelImportError(
                f"output {number} of the imported design is {tuple(mine.shape)} where the model's is {tuple(theirs.shape)}"
            )
        difference = float((mine.float() - theirs.float()).abs().max()) if mine.numel() else 0.0
        scale = max(1.0, float(theirs.float().abs().max())) if theirs.numel() else 1.0
        if difference > TOLERANCE * scale:
            raise ModelImportError(
                f"the imported design computes something else than the model (output {number} differs by up to {difference:.3g}); "
                "this is a bug of the importer: please report it with the model"
            )
        worst = max(worst, difference)
    return worst
