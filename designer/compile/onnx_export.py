"""Design -> ONNX, through the same compiled module that trains, in eval mode.

Two exporters, the fast one first. The TorchScript exporter
(``torch.onnx.export(dynamo=False)``) writes a sample in tens of
milliseconds and needs neither onnxscript nor sympy's solvers; it is used
for opsets 18 to 20 and kept only when its model verifies (with
verification turned off, it is kept as written). Attention layers are
traced through a form whose reshapes keep the batch and sequence length
dynamic (designer.compile.onnx_attention): torch's own bakes the example's
sizes in. Otherwise, or when it fails, ``torch.onnx.export(dynamo=True)``
(torch.export, then onnxscript; about 2 s warm) writes it: below opset 18
its model is converted down by onnx's version converter, which names a
layer the older opset lacks. torch.export unrolls a plain RNN over the
example's steps; for such designs without attention the TorchScript
exporter, which writes ONNX's RNN op with a dynamic length, is used there
too. Which one wrote the file is ``OnnxExport.exporter`` and the model's
``designer.exporter`` property.

The model names its inputs and outputs after the Input and Output nodes, and
its dimensions ``batch`` and ``sequence``. It is written only after it
verifies (unless verification is turned off).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from designer.compile import names
from designer.compile.build import CompiledDesign, compile_design
from designer.compile.errors import ExportError, VerificationError
from designer.compile.onnx_attention import traceable_attention
from designer.compile.onnx_verify import Verification, verify_onnx
from designer.compile.signature import BATCH, SEQUENCE, Signature, random_inputs, signature
from designer.compile.trained import Weights, export_module
from designer.graph import Graph
from designer.layers import mapping as capabilities
from designer.project.atomic import write_atomic

if TYPE_CHECKING:
    from torch import nn

DEFAULT_OPSET = 20  # torch's default; onnxruntime 1.17 and later run it
TORCH_EXPORT_MIN_OPSET = 18  # torch.export's translations start here; lower opsets are converted from it
TORCHSCRIPT_MAX_OPSET = 20
TORCHSCRIPT, TORCH_EXPORT = "torchscript", "torch.export"
AUTO = "auto"  # the fast TorchScript exporter where it fits and verifies, else torch.export
EXAMPLE_BATCH = 2  # not 1: torch.export would treat a size-1 batch as a constant
QUIET_LOGGERS = ("torch.onnx", "torch.export", "torch._dynamo", "torch.fx", "onnxscript", "onnx_ir")


@dataclass(frozen=True)
class OnnxExport:
    """An exported model, with what it takes and gives and how it was checked."""

    model: Any  # onnx.ModelProto
    signature: Signature
    opset: int
    exporter: str
    trained: bool
    notes: tuple[str, ...]
    verification: Verification | None
    seconds: float  # export and verification together

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model atomically (weights inside the file)."""
        data = self.model.SerializeToString()
        write_atomic(path, lambda tmp: tmp.write_bytes(data))
        return Path(path)


def export_onnx(
    graph: Graph,
    path: str | os.PathLike[str] | None = None,
    *,
    opset: int = DEFAULT_OPSET,
    weights: Weights | None = None,
    verify: bool = True,
    exporter: str = AUTO,
) -> OnnxExport:
    """Export a valid design (with ``weights`` when given) to ONNX and, unless
    ``verify`` is False, check it; write it to ``path`` when one is given.

    ``exporter`` is normally AUTO; TORCHSCRIPT forces the fast path (its
    failure is raised), TORCH_EXPORT skips it.
    Raises CompileError for a design with problems, ExportError naming the
    layer that cannot be exported, VerificationError when the check fails.
    """
    start = time.perf_counter()
    if exporter not in (AUTO, TORCHSCRIPT, TORCH_EXPORT):
        raise ValueError(f"exporter must be {AUTO!r}, {TORCHSCRIPT!r} or {TORCH_EXPORT!r}, not {exporter!r}")
    compiled = compile_design(graph)
    module = export_module(compiled, weights)
    trained = weights is not None
    fast = exporter == TORCHSCRIPT or (exporter == AUTO and fast_path_fits(opset))
    result = _fast_export(graph, compiled, module, opset, trained, verify, strict=exporter == TORCHSCRIPT) if fast else None
    if result is None:
        model, sig, used, notes = onnx_model(graph, compiled, module, opset)
        _describe(model, graph, used, trained=trained)
        verification = verify_onnx(model, module, sig) if verify else None
        result = OnnxExport(model, sig, opset, used, trained, notes, verification, 0.0)
    result = replace(result, seconds=time.perf_counter() - start)
    if path is not None:
        result.save(path)
    return result


def fast_path_fits(opset: int) -> bool:
    """Whether the TorchScript exporter is tried first: opsets 18 to 20 (below,
    torch.export's model is lowered, so every opset gets the same operators and
    a missing one is named)."""
    return TORCH_EXPORT_MIN_OPSET <= opset <= TORCHSCRIPT_MAX_OPSET


def _fast_export(
    graph: Graph, compiled: CompiledDesign, module: nn.Module, opset: int, trained: bool, verify: bool, strict: bool
) -> OnnxExport | None:
    """The TorchScript exporter's model, verified unless ``verify`` is False;
    None when it fails or does not verify (unless ``strict``: then it raises)."""
    sig = signature(graph, compiled.generated)
    args = tuple(random_inputs(sig, EXAMPLE_BATCH, min(sig.other_lengths, default=None)))
    try:
        model = _with_torchscript(module, args, sig, opset)
        _declare_shapes(model, sig)
        _describe(model, graph, TORCHSCRIPT, trained=trained)
        verification = verify_onnx(model, module, sig) if verify else None
    except VerificationError:
        if strict:
            raise
        return None
    except Exception as exc:  # the TorchScript exporter raises many types; torch.export then gets its turn
        if strict:
            raise _export_error(exc, compiled, graph) from None
        return None
    return OnnxExport(model, sig, opset, TORCHSCRIPT, trained, (), verification, 0.0)


def onnx_model(graph: Graph, compiled: CompiledDesign, module: nn.Module, opset: int) -> tuple[Any, Signature, str, tuple[str, ...]]:
    """(model, signature, exporter, notes) for a compiled module in eval mode."""
    sig = signature(graph, compiled.generated)
    # A dynamic length is exported from the shortest length that fits: torch.export
    # traces recurrent layers step by step, so its time grows with the example's length.
    args = tuple(random_inputs(sig, EXAMPLE_BATCH, min(sig.other_lengths, default=None)))
    exporter, notes = TORCH_EXPORT, ()
    try:
        model = _with_torch_export(module, args, sig, opset)
        layers = [graph.catalog.get(node.type) for node in graph.nodes]
        attention = any(layer.can(capabilities.ATTENTION) for layer in layers)
        if sig.dynamic_sequence and not _sequence_kept(model, sig):
            if not attention and opset <= TORCHSCRIPT_MAX_OPSET:
                model, exporter = _with_torchscript(module, args, sig, opset), TORCHSCRIPT
            else:
                length = sig.sequence
                sig = signature(graph, compiled.generated, dynamic_sequence=False)
                model = _with_torch_export(module, tuple(random_inputs(sig, EXAMPLE_BATCH)), sig, opset)
                unrolled = sorted({layer.name for layer in layers if layer.can(capabilities.UNROLLED_BY_TORCH_EXPORT)})
                why = (
                    f"torch.export unrolls {' and '.join(unrolled)} layers over the steps"
                    if unrolled
                    else "torch.export fixed it while tracing"
                )
                notes = (f"the sequence length is fixed at {length}: {why}",)
    except Exception as exc:
        raise _export_error(exc, compiled, graph) from None
    _check_opset(model, opset, compiled, graph)
    _declare_shapes(model, sig)
    return model, sig, exporter, notes


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The exporters' warnings and log records are not the user's business;
    a failure still raises."""
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    try:
        for logger in loggers:
            logger.setLevel(logging.CRITICAL)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


@contextlib.contextmanager
def _fresh_rnn_dispatch() -> Iterator[None]:
    """torch.onnx swaps in LSTM and GRU kernels that keep the sequence length
    dynamic, by editing each operator's kernel table without clearing its
    dispatch cache (torch 2.13). Only the first export in a process would
    then get them; later ones would fix the length. Clearing the caches
    around each export gives every export the same, dynamic, result."""
    import torch

    def clear() -> None:
        for packet in (torch.ops.aten.lstm, torch.ops.aten.gru):
            for name in packet.overloads():
                cache = getattr(getattr(packet, name), "_dispatch_cache", None)
                if isinstance(cache, dict):
                    cache.clear()

    clear()
    try:
        yield
    finally:
        clear()


def _with_torch_export(module: nn.Module, args: tuple, sig: Signature, opset: int) -> Any:
    import torch

    batch, sequence = torch.export.Dim(BATCH, min=1), torch.export.Dim(SEQUENCE, min=1)
    dynamic = tuple({i: batch if d == BATCH else sequence for i, d in enumerate(p.dims) if d in (BATCH, SEQUENCE)} for p in sig.inputs)
    with _quiet(), _fresh_rnn_dispatch():
        program = torch.onnx.export(
            module,
            args,
            input_names=[p.name for p in sig.inputs],
            output_names=[p.name for p in sig.outputs],
            opset_version=max(opset, TORCH_EXPORT_MIN_OPSET),
            dynamic_shapes=dynamic,
            dynamo=True,
            verbose=False,
        )
    model = program.model_proto
    return _lowered(model, opset) if opset < TORCH_EXPORT_MIN_OPSET else model


# Reduce operators that had no noop_with_empty_axes attribute before opset 18 (ReduceSum had it from 13).
_NEW_IN_18 = frozenset(
    {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"}
)


def _lowered(model: Any, opset: int) -> Any:
    """The model converted down to ``opset`` by onnx's version converter, or
    unchanged when it cannot be (``_check_opset`` then names the layer).

    From opset 18 the Reduce operators take their axes as an input; the
    converter moves constant axes back into the attribute but keeps the
    ``noop_with_empty_axes`` attribute, which older versions do not know.
    Its value here is always 0 (the axes are given), so dropping it keeps the
    meaning."""
    import onnx.version_converter

    try:
        lowered = onnx.version_converter.convert_version(model, opset)
    except Exception:  # the converter raises RuntimeError (and others) for operators it cannot lower
        return model
    # The converter drops each operator's metadata (the layer it came from); it keeps their names.
    recorded = {node.name: node.metadata_props for node in model.graph.node if node.name and node.metadata_props}
    for node in lowered.graph.node:
        if node.name in recorded and not node.metadata_props:
            node.metadata_props.extend(recorded[node.name])
        if node.op_type in _NEW_IN_18:
            kept = [a for a in node.attribute if not (a.name == "noop_with_empty_axes" and a.i == 0)]
            if len(kept) != len(node.attribute):
                del node.attribute[:]
                node.attribute.extend(kept)
    return lowered


def _with_torchscript(module: nn.Module, args: tuple, sig: Signature, opset: int) -> Any:
    import onnx
    import torch

    axes = {p.name: {i: d for i, d in enumerate(p.dims) if isinstance(d, str)} for p in (*sig.inputs, *sig.outputs)}
    buffer = io.BytesIO()
    with _quiet(), traceable_attention(module):
        torch.onnx.export(
            module,
            args,
            buffer,
            input_names=[p.name for p in sig.inputs],
            output_names=[p.name for p in sig.outputs],
            opset_version=opset,
            dynamic_axes=axes,
            dynamo=False,
        )
    return onnx.load_from_string(buffer.getvalue())


def _sequence_kept(model: Any, sig: Signature) -> bool:
    """Whether the exporter left every sequence dimension dynamic."""
    for value, port in zip(model.graph.input, sig.inputs):
        for dim, size in zip(value.type.tensor_type.shape.dim, port.dims):
            if size == SEQUENCE and not dim.dim_param:
                return False
    return True


def _declare_shapes(model: Any, sig: Signature) -> None:
    """Name the dynamic dimensions the same way in every model, and drop
    intermediate shapes the exporter recorded for the example's length."""
    for value, port in zip([*model.graph.input, *model.graph.output], [*sig.inputs, *sig.outputs]):
        dims = value.type.tensor_type.shape.dim
        for dim, size in zip(dims, port.dims):
            dim.Clear()
            if isinstance(size, int):
                dim.dim_value = size
            elif size is not None:
                dim.dim_param = size
    if sig.dynamic_sequence:
        del model.graph.value_info[:]


def _describe(model: Any, graph: Graph, exporter: str, trained: bool) -> None:
    name = names.plain_text(graph.name)  # protobuf strings are UTF-8: a lone surrogate is written escaped
    model.doc_string = f"{name}: exported by the neural network designer"
    entries = {
        "designer.design": name,
        "designer.fingerprint": graph.fingerprint(),
        "designer.weights": "trained" if trained else "untrained",
        "designer.exporter": exporter,
    }
    for key, value in entries.items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value


def _check_opset(model: Any, opset: int, compiled: CompiledDesign, graph: Graph) -> None:
    """The version converter leaves the model at its own opset when it cannot
    lower an operator; name the layer that needs a newer opset."""
    import onnx

    actual = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), opset)
    if actual == opset:
        return
    for op in model.graph.node:
        if op.domain not in ("", "ai.onnx"):
            continue
        try:
            onnx.defs.get_schema(op.op_type, opset, "")
        except onnx.defs.SchemaError:
            first = min(s.since_version for s in onnx.defs.get_all_schemas_with_history() if s.name == op.op_type and s.domain == "")
            node = _node_of_onnx_op(op, compiled)
            layer = f"{node} ({graph.node(node).type})" if node else f"the {op.op_type} operator"
            raise ExportError(
                f"{layer} cannot be exported at opset {opset}: ONNX has {op.op_type} only from opset {first}; choose opset {first} or higher",
                node,
            ) from None
    blocked = _converter_blocker(model, opset)
    if blocked is not None:
        op_type, since = blocked
        op = next(op for op in model.graph.node if op.op_type == op_type)
        node = _node_of_onnx_op(op, compiled)
        layer = f"{node} ({graph.node(node).type})" if node else f"the {op_type} operator"
        raise ExportError(
            f"{layer} cannot be exported at opset {opset}: the ONNX version converter cannot lower {op_type} "
            f"below its version {since}; choose opset {since} or higher",
            node,
        )
    raise ExportError(
        f"the ONNX version converter cannot lower the model from opset {actual} to {opset}: choose a higher opset ({actual} and above always work)"
    )


_NO_ADAPTER = re.compile(r"No Adapter From Version \$(\d+) for (\w+)")


def _converter_blocker(model: Any, opset: int) -> tuple[str, int] | None:
    """(operator, its version) that onnx's version converter has no adapter
    to lower, when that is why the model stayed at a newer opset."""
    import onnx.version_converter

    try:
        onnx.version_converter.convert_version(model, opset)
    except Exception as exc:  # the converter's assertions surface as RuntimeError
        match = _NO_ADAPTER.search(str(exc))
        if match and any(op.op_type == match.group(2) for op in model.graph.node):
            return match.group(2), int(match.group(1))
    return None


def _node_of_onnx_op(op: Any, compiled: CompiledDesign) -> str | None:
    """The design node an ONNX operator came from (the exporter records the generated line)."""
    for prop in op.metadata_props:
        if prop.key == "pkg.torch.onnx.stack_trace":
            node = _node_in_text(prop.value, compiled)
            if node:
                return node
    return None


def _export_error(exc: BaseException, compiled: CompiledDesign, graph: Graph) -> ExportError:
    """One line naming the layer and the innermost reason, not a traceback."""
    chain = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    node = next((n for e in chain if (n := compiled.node_for_error(e) or _node_in_frames(e, compiled))), None)
    node = node or next((n for e in chain if (n := _node_in_text(str(e), compiled))), None)
    reason = re.sub(r"\x1b\[[0-9;]*m", "", str(chain[-1]).strip()).splitlines()
    text = reason[0] if reason else type(chain[-1]).__name__
    if node:
        return ExportError(f"{node} ({graph.node(node).type}) cannot be exported to ONNX: {text}", node)
    return ExportError(f"the design cannot be exported to ONNX: {text}")


def _node_in_frames(exc: BaseException, compiled: CompiledDesign) -> str | None:
    """The exporter fails while translating one graph node, held in a local
    variable of its frame, whose metadata records the generated source line."""
    tb = exc.__traceback__
    while tb is not None:
        fx_node = tb.tb_frame.f_locals.get("node")
        meta = getattr(fx_node, "meta", None)
        if isinstance(meta, dict) and meta.get("stack_trace"):
            found = _node_in_text(meta["stack_trace"], compiled)
            if found:
                return found
        tb = tb.tb_next
    return None


def _node_in_text(text: str, compiled: CompiledDesign) -> str | None:
    for match in re.finditer(re.escape(compiled.filename) + r'", line (\d+)', text):
        node = compiled.generated.line_nodes.get(int(match.group(1)))
        if node:
            return node
    return None
