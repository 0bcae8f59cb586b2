"""PyTorch module -> design, through ``torch.fx``.

The module is traced symbolically (catalog modules stay whole: a Conv2d is
one call, a user's block is traced through) and its shapes propagated with
the example input. Each traced operation is matched against the catalog's
declared PyTorch forms (designer.layers.mapping); modules keep their
attribute paths as node ids (``layer1.0.conv1`` -> ``layer1_0_conv1``) and
their weights; functions and operators take the name of the variable their
line assigns. Several operations on one line are read as one expression
where the catalog has one layer for it: ``x.flatten(2).mean(dim=2)`` is a
GlobalAvgPool, ``a + b + c`` one Add, ``(a + b) / 2`` a Mean.
"""

from __future__ import annotations

import os
import re
from typing import Any

from designer.graph import FLOAT, LONG, TensorSpec
from designer.importer.builder import DesignBuilder
from designer.importer.errors import ModelImportError, Unmapped
from designer.importer.fx_calls import FxCall, function_name
from designer.importer.fx_values import Other, Part, Pending, Tensor
from designer.importer.source_lines import SourceLine, innermost_user_line
from designer.layers import CATALOG, LayerType
from designer.layers.mapping import (
    CONSTANT_AFFINE,
    MERGE_PRODUCT,
    MERGE_SUM,
    RECURRENT,
    Unmappable,
)

PASS_THROUGH = frozenset({"contiguous", "clone", "detach"})  # tensor methods that change nothing a design sees
NOT_TENSORS = frozenset({"size", "dim", "getattr", "numel"})
UNMAPPED = Other("unmapped")
REDUCTIONS = frozenset({"mean", "amax"})
_TRACE_NUMBER = re.compile(r"_\d+$")  # torch.fx numbers repeated names: relu_2


def _index(kind: str) -> dict[str, list[LayerType]]:
    found: dict[str, list[LayerType]] = {}
    for layer in CATALOG:
        for name in getattr(layer.torch, kind, ()) if layer.torch else ():
            found.setdefault(name, []).append(layer)
    return found


class FxReader:
    """Reads one traced graph module into a :class:`DesignBuilder`."""

    def __init__(self, graph_module: Any, name: str, partial: bool) -> None:
        import torch

        self.gm = graph_module
        self.builder = DesignBuilder(name)
        self.partial = partial
        self.values: dict[Any, Any] = {}
        self.modules = dict(graph_module.named_modules())
        self.by_function = _index("functions")
        self.by_module = _index("modules")
        self.torch_dirs = (os.path.dirname(os.path.abspath(torch.__file__)),)
        self.lines: dict[str, tuple[SourceLine | None, str, str]] = {}  # design node -> (line, fallback name, scope)

    # ------------------------------------------------------------ walking
    def read(self) -> DesignBuilder:
        for node in self.gm.graph.nodes:
            handler = getattr(self, f"_on_{node.op}")
            handler(node)
        self._choose_names()
        if self.builder.unmapped and not self.partial:
            raise ModelImportError(
                f"{len(self.builder.unmapped)} operation{'s' if len(self.builder.unmapped) != 1 else ''} of the model "
                "have no equivalent in the designer",
                tuple(self.builder.unmapped),
            )
        return self.builder

    def _on_placeholder(self, node: Any) -> None:
        shape, dtype = _meta(node)
        if dtype not in (FLOAT, LONG):
            raise ModelImportError(f"input {node.target} is {dtype}: the designer takes float32 inputs or int64 token ids")
        node_id = self.builder.add("Input", {"shape": list(shape), "dtype": dtype}, [], wanted=str(node.target))
        self.values[node] = Tensor(node_id, TensorSpec(shape, dtype), users=len(node.users))

    def _on_get_attr(self, node: Any) -> None:
        self.values[node] = Other(f"the model's own tensor {node.target}")

    def _on_output(self, node: Any) -> None:
        results = node.args[0] if isinstance(node.args[0], (tuple, list)) else (node.args[0],)
        for number, result in enumerate(results, start=1):
            value = self._as_tensor(self.values.get(result), node)
            if isinstance(value, Tensor):
                self.builder.add("Output", {}, [value.node], wanted=f"output{number}")

    def _on_call_module(self, node: Any) -> None:
        module = self.modules[node.target]
        cls = type(module)
        candidates = self.by_module.get(cls.__name__, []) if cls.__module__.startswith("torch.nn") else []
        if self._blocked(node):
            return
        if not candidates:
            where = "torch.nn" if cls.__module__.startswith("torch.nn") else cls.__module__
            self._unmapped(node, f"{where}.{cls.__name__}", "no layer of the designer is this module")
            return
        layer = candidates[0]
        try:
            params = layer.torch.read(module) if layer.torch.read else {p: getattr(module, p) for p in layer.param_names()}
            tensors = [self._as_tensor(self.values[arg], node) for arg in node.args if arg in self.values]
            if _gives_tuple(node):
                _check_single_input(node)
                inputs = [t.node for t in tensors[:1] if isinstance(t, Tensor)]
                self.values[node] = Pending(layer.name, params, inputs, _state(module), str(node.target), _hidden_path(node))
                return
            node_id = self._add(layer, params, tensors, node, weights=_state(module), wanted=str(node.target))
        except Unmappable as exc:
            self._unmapped(node, f"torch.nn.{cls.__name__}", str(exc))
            return
        self.values[node] = self._tensor(node_id, node)

    def _on_call_method(self, node: Any) -> None:
        self._on_call(node, str(node.target))

    def _on_call_function(self, node: Any) -> None:
        name = function_name(node.target)
        if name is None:
            self._blocked(node) or self._unmapped(node, getattr(node.target, "__qualname__", str(node.target)), "a function of its own")
            return
        self._on_call(node, name)

    # ------------------------------------------------------------- calls
    def _on_call(self, node: Any, name: str) -> None:
        if name in NOT_TENSORS:
            self.values[node] = Other(name)
            return
        if name == "getitem":
            self._on_getitem(node)
            return
        if self._blocked(node):
            return
        if name == "cat" and self._bidirectional_hidden(node):
            return
        for arg in _flat(node.args):
            if isinstance(self.values.get(arg), (Pending, Part)):
                self.values[arg] = self._as_tensor(self.values[arg], node)
        if name in PASS_THROUGH:
            self.values[node] = self.values[node.args[0]]
            return
        reasons: list[str] = []
        for call, absorbed in self._views(node, name):
            for layer in self.by_function.get(name, []):
                try:
                    params = layer.torch.call(call) if layer.torch.call else _by_arguments(layer, call)
                    node_id = self._add_merged(layer, params, call.tensors, node, absorbed)
                except Unmappable as exc:
                    reasons.append(f"not a {layer.name}: {exc}" if str(exc) else f"not a {layer.name}")
                    continue
                self.values[node] = self._tensor(node_id, node, origin=call)
                return
        why = "; ".join(dict.fromkeys(reasons)) if reasons else "no layer of the designer computes it"
        self._unmapped(node, f"torch {name}", why)

    def _views(self, node: Any, name: str) -> list[tuple[FxCall, list[Tensor]]]:
        """The call as written, and read with a one-use operation before it on
        the same line folded in: a reduction over the last dim of a flatten is
        one over the flattened dims; a sum divided by its count, a mean."""
        shape, _ = _meta(node)
        call = self._call(node, name, node.args, node.kwargs)
        views: list[tuple[FxCall, list[Tensor]]] = []
        inner = call.tensors[0] if call.tensors else None
        if inner is not None and self._absorbable(inner, node):
            inner_call = inner.origin
            if name in REDUCTIONS and inner_call is not None and inner_call.function == "flatten" and _reduces_last(call):
                rank = len(inner_call.input_shape)
                dims = tuple(range(inner_call.arg("start_dim", 0, 0) % rank, rank))
                options = {"dim": dims, "keepdim": call.arg("keepdim", 1, False)}
                folded = FxCall(name, (inner_call.args[0],), options, self.values, inner_call.input_shape, (-1, *shape))
                views.append((folded, [inner]))
            elif name in ("truediv", "div") and self._node_type(inner) in CATALOG.with_capability(MERGE_SUM):
                terms = [self.values_by_node(source) for source in self._inputs_of(inner)]
                mean = FxCall(name, (), {}, self.values, call.input_shape, (-1, *shape))
                mean.tensors, mean.tensor_count, mean.number = terms, len(terms), call.number
                views.append((mean, [inner]))
        views.append((call, []))
        return views

    def _call(self, node: Any, name: str, args: Any, kwargs: Any) -> FxCall:
        shape, _ = _meta(node)
        call = FxCall(name, tuple(args), dict(kwargs), self.values, (), (-1, *shape))
        if call.tensors and call.tensors[0].spec is not None:
            call.input_shape = (-1, *call.tensors[0].spec.shape)
        return call

    def _on_getitem(self, node: Any) -> None:
        source, index = node.args[0], node.args[1]
        value = self.values.get(source)
        if isinstance(value, Pending):
            self.values[node] = Part(value, (index,))
        elif isinstance(value, Part):
            part = Part(value.pending, (*value.path, index))
            self.values[node] = part
            returns = _recurrent_returns(part)
            if returns is not None:
                self.values[node] = self._resolve(part.pending, returns, node)
        elif isinstance(value, Other):
            self.values[node] = value
        else:
            self._unmapped(node, "torch getitem", "indexing a tensor (the designer has no slicing layer)")

    def _bidirectional_hidden(self, node: Any) -> bool:
        """``torch.cat([h[-2], h[-1]], dim=1)``: a bidirectional layer's final hidden state."""
        parts = [self.values.get(arg) for arg in _flat(node.args[:1])]
        if len(parts) != 2 or not all(isinstance(p, Part) for p in parts):
            return False
        first, second = parts
        if first.pending is not second.pending or (first.path[-1], second.path[-1]) != (-2, -1):
            return False
        returns = _recurrent_returns(Part(first.pending, (*first.path[:-1], -1)), bidirectional=True)
        if returns != "hidden":
            return False
        self.values[node] = self._resolve(first.pending, "hidden", node)
        return True

    # ---------------------------------------------------------- building
    def _add(self, layer: LayerType, params: dict, tensors: list[Any], node: Any, *, weights: dict | None = None, wanted: str = "") -> str:
        inputs = [t.node for t in tensors if isinstance(t, Tensor)]
        shape, dtype = _meta(node)
        node_id = self.builder.add(
            layer.name, params, inputs, wanted=wanted or node.name, expected=TensorSpec(shape, dtype), weights=weights
        )
        line = innermost_user_line(node.stack_trace, self.torch_dirs)
        scope = _scope(node) if not wanted else ""
        self.lines[node_id] = (line, node.name, scope)
        return node_id

    def _add_merged(self, layer: LayerType, params: dict, tensors: list[Tensor], node: Any, absorbed: list[Tensor]) -> str:
        """Add the layer, folding a one-use node of the same kind from the same
        line into it (``a + b + c`` is one Add; ``x * 2 + 1`` one Scale)."""
        tensors, absorbed = list(tensors), list(absorbed)
        if layer.can(MERGE_SUM) or layer.can(MERGE_PRODUCT):
            expanded: list[Tensor] = []
            for tensor in tensors:
                if self._absorbable(tensor, node) and self._node_type(tensor) == layer.name:
                    expanded += [self.values_by_node(source) for source in self._inputs_of(tensor)]
                    absorbed.append(tensor)
                else:
                    expanded.append(tensor)
            tensors = expanded
        elif layer.can(CONSTANT_AFFINE) and len(tensors) == 1 and self._absorbable(tensors[0], node):
            inner = tensors[0]
            if self._node_type(inner) == layer.name:
                first = self.builder.graph.node(inner.node).params
                factor = first["factor"] * params.get("factor", 1.0)
                offset = first["offset"] * params.get("factor", 1.0) + params.get("offset", 0.0)
                params = {"factor": factor, "offset": offset}
                tensors = [self.values_by_node(source) for source in self._inputs_of(inner)]
                absorbed.append(inner)
        node_id = self._add(layer, params, tensors, node)
        for gone in absorbed:
            self._drop(gone.node, node_id)
        return node_id

    def _drop(self, node_id: str, replacement: str) -> None:
        """Remove a node folded into ``replacement``; its line stays the new node's."""
        line = self.lines.pop(node_id, None)
        if line is not None and self.lines[replacement][0] is None:
            self.lines[replacement] = line
        self.builder.remove(node_id)

    def _resolve(self, pending: Pending, returns: str, node: Any) -> Tensor:
        """The design node for one use of a recurrent or attention call."""
        if returns in pending.resolved:
            return self._tensor(pending.resolved[returns], node)
        if pending.resolved:
            other = next(iter(pending.resolved))
            self._unmapped(
                node, pending.layer, f"its output is used both as {other} and as {returns}; the designer's layer gives one of them"
            )
            return UNMAPPED  # type: ignore[return-value]
        layer = CATALOG.get(pending.layer)
        params = {**pending.params, "returns": returns} if layer.can(RECURRENT) else pending.params
        shape, dtype = _meta(node)
        try:
            node_id = self.builder.add(
                layer.name, params, pending.inputs, wanted=pending.wanted, expected=TensorSpec(shape, dtype), weights=pending.weights
            )
        except Unmappable as exc:
            self._unmapped(node, pending.layer, str(exc))
            return UNMAPPED  # type: ignore[return-value]
        self.lines[node_id] = (None, pending.wanted, "")
        pending.resolved[returns] = node_id
        return self._tensor(node_id, node)

    def _as_tensor(self, value: Any, node: Any) -> Any:
        """A value used as a tensor: a recurrent layer's output sequence, an attention output."""
        if isinstance(value, Part):
            if value.path == (0,):
                return (
                    self._resolve(value.pending, "sequence", node)
                    if CATALOG.get(value.pending.layer).can(RECURRENT)
                    else self._resolve(value.pending, "output", node)
                )
            self._unmapped(
                node,
                value.pending.layer,
                f"it uses part {list(value.path)} of the output (the designer's layer gives the output sequence, the last step or the final hidden state of the last layer)",
            )
            return UNMAPPED
        if isinstance(value, Pending):
            self._unmapped(node, value.layer, "its whole tuple output is used")
            return UNMAPPED
        return value

    def _tensor(self, node_id: str, node: Any, origin: FxCall | None = None) -> Tensor:
        line = innermost_user_line(node.stack_trace, self.torch_dirs)
        return Tensor(node_id, self.builder.specs.get(node_id), line, len(node.users), origin)

    def _absorbable(self, tensor: Tensor, node: Any) -> bool:
        line = innermost_user_line(node.stack_trace, self.torch_dirs)
        return tensor.users == 1 and line is not None and tensor.line == line and tensor.node in self.builder.built

    def _node_type(self, tensor: Tensor) -> str:
        return self.builder.graph.node(tensor.node).type

    def _inputs_of(self, tensor: Tensor) -> list[str]:
        return [edge.source for edge in self.builder.graph.inputs_of(tensor.node)]

    def values_by_node(self, node_id: str) -> Tensor:
        return Tensor(node_id, self.builder.specs.get(node_id))

    # ------------------------------------------------------------ failures
    def _blocked(self, node: Any) -> bool:
        """Whether an input is already unmapped (only the first failure is reported)."""
        if any(self.values.get(arg) is UNMAPPED for arg in _flat((node.args, tuple(node.kwargs.values())))):
            self.values[node] = UNMAPPED
            return True
        return False

    def _unmapped(self, node: Any, op: str, why: str) -> bool:
        unmapped = Unmapped(op, str(node.target) if node.op == "call_module" else node.name, why)
        self.builder.unmapped.append(unmapped)
        if self.partial:
            inputs = [v.node for v in (self.values.get(a) for a in _flat(node.args)) if isinstance(v, Tensor)]
            node_id = self.builder.placeholder(unmapped, inputs, wanted=node.name)
            self.lines[node_id] = (None, node.name, _scope(node))
            self.values[node] = Tensor(node_id, None)
        else:
            self.values[node] = UNMAPPED
        return True

    def _choose_names(self) -> None:
        """The last node of a line takes the variable the line assigns; the
        others the traced operation's name (inside a block, after its path)."""
        last_of_line: dict[tuple[SourceLine, str], str] = {}  # (line, block) -> node: one line of a block runs once per block
        for node_id, (line, _, scope) in self.lines.items():
            if line is not None:
                last_of_line[line, scope] = node_id
        for node_id, (line, fallback, scope) in self.lines.items():
            built = self.builder.built.get(node_id)
            if built is None or built.wanted != fallback:
                continue
            variable = line.variable if line is not None and last_of_line.get((line, scope)) == node_id else None
            name = variable or _TRACE_NUMBER.sub("", fallback)  # add_3 -> add: the builder numbers names that repeat
            built.wanted = f"{scope}_{name}" if scope else name


# ------------------------------------------------------------------ helpers
def _meta(node: Any) -> tuple[tuple[int, ...], str]:
    """A traced tensor's shape without the batch, and its dtype name."""
    meta = node.meta.get("tensor_meta")
    if meta is None or not hasattr(meta, "shape"):
        return (), FLOAT
    dtype = {"torch.float32": FLOAT, "torch.int64": LONG}.get(str(meta.dtype), str(meta.dtype).replace("torch.", ""))
    return tuple(int(d) for d in meta.shape[1:]), dtype


def _state(module: Any) -> dict[str, Any]:
    return {key: tensor.detach().clone() for key, tensor in module.state_dict().items()}


def _scope(node: Any) -> str:
    stack = node.meta.get("nn_module_stack")
    return next(reversed(stack)) if stack else ""


def _flat(args: Any) -> list[Any]:
    items: list[Any] = []
    for arg in args if isinstance(args, (list, tuple)) else [args]:
        items += _flat(arg) if isinstance(arg, (list, tuple)) else [arg]
    return items


def _by_arguments(layer: LayerType, call: FxCall) -> dict[str, Any]:
    """Parameters read from the call's arguments after the input, in the
    order the catalog declares (``F.leaky_relu(x, 0.2)``)."""
    if call.tensor_count != 1:
        raise Unmappable(f"{call.tensor_count} tensor arguments")
    defaults = layer.defaults()
    return {name: call.arg(name, position, defaults[name]) for position, name in enumerate(layer.torch.args)}


def _recurrent_returns(part: Part, bidirectional: bool | None = None) -> str | None:
    """Which of a recurrent layer's outputs a part of its tuple is, if it is one the designer gives."""
    layer = CATALOG.get(part.pending.layer)
    if not layer.can(RECURRENT):
        return None
    two_way = part.pending.params.get("bidirectional", False) if bidirectional is None else bidirectional
    if part.path == (0, (slice(None), -1)):
        return "last"
    if part.path == part.pending.hidden_path and (not two_way or bidirectional):
        return "hidden"
    return None


def _gives_tuple(node: Any) -> bool:
    """A module call whose output is a tuple (recurrent layers, attention)."""
    return _is_tuple(node.meta.get("tensor_meta"))


def _is_tuple(meta: Any) -> bool:
    """A tuple of tensor descriptions (a single TensorMetadata is a named tuple too)."""
    return isinstance(meta, (tuple, list)) and not hasattr(meta, "shape")


def _hidden_path(node: Any) -> tuple[int, ...]:
    """Where the final hidden state is in a recurrent module's output: (1, -1),
    or (1, 0, -1) when the state is a pair (hidden, cell)."""
    meta = node.meta.get("tensor_meta")
    state = meta[1] if _is_tuple(meta) and len(meta) > 1 else None
    return (1, 0, -1) if _is_tuple(state) else (1, -1)


def _check_single_input(node: Any) -> None:
    """A recurrent or attention module called on one tensor (self-attention:
    query, key and value the same), without masks or an initial state."""
    masks = {k: v for k, v in node.kwargs.items() if ("mask" in k or k in ("hx", "h_0")) and v is not None}
    if masks:
        raise Unmappable(f"it is called with {', '.join(masks)} (the designer's layer takes none)")
    if node.kwargs.get("is_causal"):
        raise Unmappable("is_causal=True")
    tensors = [a for a in _flat((node.args, node.kwargs.get("key"), node.kwargs.get("value"))) if hasattr(a, "op")]
    if any(t is not tensors[0] for t in tensors):
        raise Unmappable("it is called on several tensors (the designer's layer reads one: self-attention, no initial state)")


def _reduces_last(call: FxCall) -> bool:
    """A reduction over the last dimension only."""
    try:
        dim = call.arg("dim", 0)
    except Unmappable:
        return False
    dims = dim if isinstance(dim, (list, tuple)) else [dim]
    rank = len(call.input_shape)
    return len(dims) == 1 and dims[0] % rank == rank - 1
