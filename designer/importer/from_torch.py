"""``from_module``: a PyTorch module and an example input -> an editable
design with the module's weights, checked against the module's outputs."""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from designer.importer.errors import ModelImportError
from designer.importer.fx_import import FxReader
from designer.importer.result import ImportedDesign
from designer.importer.verify import compare_outputs
from designer.layers import CATALOG

if TYPE_CHECKING:
    import torch
    from torch import nn

SHAPE_BATCH = 2  # shapes are propagated with two samples, so the batch dimension cannot be mistaken for a size-1 feature


def from_module(
    module: nn.Module,
    example_input: torch.Tensor | Sequence[torch.Tensor],
    *,
    name: str | None = None,
    partial: bool = False,
) -> ImportedDesign:
    """Trace ``module`` with ``torch.fx`` and read it as a design.

    ``example_input`` is one batch (or a tuple of batches, one per argument
    of ``forward``). Modules keep their attribute paths as node ids and their
    weights; the result's outputs are compared with the module's. Raises
    ModelImportError naming each operation with no equivalent, unless
    ``partial`` is True (those become placeholders that fail validation).
    """
    import torch

    inputs = tuple(example_input) if isinstance(example_input, (list, tuple)) else (example_input,)
    if not inputs or not all(isinstance(x, torch.Tensor) and x.dim() >= 2 for x in inputs):
        raise ModelImportError("the example input must be a batch (a tensor with the batch first, and at least one more dimension)")
    inputs = tuple(_two_samples(x) for x in inputs)
    title = name or type(module).__name__
    was_training = module.training
    try:
        module.eval()
        graph_module = _trace(module)
        _propagate_shapes(graph_module, inputs)
        builder = FxReader(graph_module, title, partial).read()
        graph, weights = builder.finish()
        result = ImportedDesign(graph, weights, f"the PyTorch module {type(module).__qualname__}", tuple(builder.unmapped))
        if not result.partial:
            with torch.no_grad():
                expected = module(*inputs)
            result.max_difference = compare_outputs(graph, weights, inputs, expected)
    finally:
        module.train(was_training)
    result.lay_out()
    return result


def _two_samples(x: torch.Tensor) -> torch.Tensor:
    import torch

    return x if x.shape[0] >= SHAPE_BATCH else torch.cat([x[:1]] * SHAPE_BATCH)


def _trace(module: nn.Module) -> Any:
    import torch.fx

    leaves = {name for layer in CATALOG if layer.torch for name in layer.torch.modules}

    class CatalogTracer(torch.fx.Tracer):
        """Keeps catalog modules whole and traces through the user's own."""

        def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
            if type(m).__module__.startswith("torch.nn") and type(m).__name__ in leaves:
                return True
            return super().is_leaf_module(m, qualname)

    tracer = CatalogTracer()
    tracer.record_stack_traces = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graph = tracer.trace(module)
    except Exception as exc:  # torch.fx raises TraceError, TypeError... for code it cannot follow symbolically
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelImportError(f"torch.fx cannot trace {type(module).__name__}: {reason}") from None
    graph_module = torch.fx.GraphModule(tracer.root, graph, type(module).__name__)
    graph_module.graph.eliminate_dead_code()  # the parts of a tuple nobody reads (``out, _ = lstm(x)``)
    return graph_module


def _propagate_shapes(graph_module: Any, inputs: tuple) -> None:
    import torch
    from torch.fx.passes.shape_prop import ShapeProp

    try:
        # ShapeProp prints the traceback of a failing node before raising; the user gets one line instead.
        with torch.no_grad(), warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            ShapeProp(graph_module).propagate(*inputs)
    except Exception as exc:  # the module's own error on this input
        cause = exc.__cause__ or exc
        reason = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        raise ModelImportError(f"the module fails on the example input: {type(cause).__name__}: {reason}") from None
