"""Each node's output inside a compiled module's forward pass, on demand.

The compiler writes parameter-free layers as calls (``relu1 =
torch.relu(dense1)``), so module forward hooks would miss them. ``NodeTaps``
traces the module with torch.fx instead (every node's module is a leaf) and
maps each traced operation to its design node through the generated source's
line numbers; a node's output is the last operation on its lines. The traced
copy shares the module's submodules and parameters, and calls ``tap`` after
each node's output. ``attach(fn)`` routes the module's forward pass through that
copy (``fn(node_id, tensor)`` is called with every node output) until
``detach()``: the ordinary forward pass is untouched in between, so batches
that are not sampled cost nothing.

When tracing fails (a design fx cannot trace), taps fall back to forward hooks
on the nodes that are modules: parameter-free call nodes are then not seen.

A design is traced once: the tapped forward function is kept per generated
source (the same design compiles to the same source) and bound to each new
module of it, which has the same attribute names. Tracing and compiling the
tapped copy took 10-25 ms at every run's start, a few percent of a short run.
"""

from __future__ import annotations

import sys
import types
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

    from designer.compile import CompiledDesign

TapFn = Callable[[str, "torch.Tensor"], None]
_TAPS = "_designer_taps"
_KEPT = 8  # designs whose tapped forward is kept
# generated source -> (the tapped forward, unbound, or None where fx cannot trace; node ids in forward order)
_TRACED: OrderedDict[str, tuple[Callable[..., Any] | None, list[str]]] = OrderedDict()


class NodeTaps:
    """Node outputs of ``module`` (a fresh module of ``compiled``, or one with
    the same attribute names), in forward order."""

    def __init__(self, module: torch.nn.Module, compiled: CompiledDesign) -> None:
        self.module = module
        self.node_of_attribute = {attr: nid for nid, attr in compiled.generated.attributes.items()}
        self._fn: TapFn | None = None
        self._hooks: list[Any] = []
        found = _TRACED.get(compiled.source)
        if found is None:
            try:
                found = self._trace(compiled)
            except Exception:  # a design fx cannot trace: module outputs only
                found = (None, list(compiled.generated.attributes))
            _TRACED[compiled.source] = found
            while len(_TRACED) > _KEPT:
                _TRACED.popitem(last=False)
        self._forward, node_ids = found
        self.node_ids = list(node_ids)
        self.traced = self._forward is not None

    # ----------------------------------------------------------------- use
    def attach(self, fn: TapFn) -> None:
        """Call ``fn(node_id, output)`` for every node output of each forward pass until detach()."""
        self.detach()
        self._fn = fn
        if self._forward is not None:
            # The tapped forward reads the module's own submodules by name, and these taps as _TAPS.
            self.module.__dict__[_TAPS] = self
            self.module.forward = types.MethodType(self._forward, self.module)  # type: ignore[method-assign]
            return
        for attr, nid in self.node_of_attribute.items():
            sub = getattr(self.module, attr)
            self._hooks.append(sub.register_forward_hook(_module_hook(self, nid)))

    def detach(self) -> None:
        """Back to the module's own forward pass."""
        self._fn = None
        self.module.__dict__.pop("forward", None)
        self.module.__dict__.pop(_TAPS, None)
        for handle in self._hooks:
            handle.remove()
        self._hooks.clear()

    def run(self, fn: TapFn, *inputs: torch.Tensor) -> Any:
        """One forward pass of ``inputs`` with ``fn`` attached."""
        self.attach(fn)
        try:
            return self.module(*inputs)
        finally:
            self.detach()

    def parameter_nodes(self) -> list[tuple[str, torch.nn.Parameter]]:
        """(node id, parameter) for every trainable parameter, in module order."""
        pairs = []
        for name, param in self.module.named_parameters():
            nid = self.node_of_attribute.get(name.split(".", 1)[0])
            if nid is not None and param.requires_grad:
                pairs.append((nid, param))
        return pairs

    def _emit(self, nid: str, value: Any) -> None:
        import torch

        fn = self._fn
        if fn is not None and isinstance(value, torch.Tensor):
            fn(nid, value)

    # ------------------------------------------------------------- tracing
    def _trace(self, compiled: CompiledDesign) -> tuple[Callable[..., Any], list[str]]:
        """The tapped forward of ``compiled``'s modules (a function of the module) and the node ids it taps."""
        from torch import fx

        filename, line_nodes = compiled.filename, compiled.generated.line_nodes
        top = set(self.node_of_attribute)

        class _Tracer(fx.Tracer):
            def is_leaf_module(self, m: torch.nn.Module, qualified_name: str) -> bool:
                return qualified_name in top or super().is_leaf_module(m, qualified_name)

            def create_node(self, *args: Any, **kwargs: Any) -> fx.Node:
                node = super().create_node(*args, **kwargs)
                frame = sys._getframe(1)
                while frame is not None and frame.f_code.co_filename != filename:
                    frame = frame.f_back  # type: ignore[assignment]
                node.meta["design_node"] = line_nodes.get(frame.f_lineno) if frame is not None else None
                return node

        graph = _Tracer().trace(self.module)
        last: dict[str, fx.Node] = {}
        for node in graph.nodes:
            nid = node.meta.get("design_node")
            if nid is not None and node.op not in ("placeholder", "output"):
                last[nid] = node
        with graph.inserting_before(next(iter(graph.nodes))):
            taps = graph.get_attr(_TAPS)
        for nid, node in last.items():
            with graph.inserting_after(node):
                graph.call_method("tap", (taps, node, nid))
        root: dict[str, Any] = {_TAPS: self}
        for node in graph.nodes:
            if node.op == "call_module":
                root[node.target] = self.module.get_submodule(node.target)
            elif node.op == "get_attr" and node.target != _TAPS:
                root[node.target] = _attribute(self.module, node.target)
        tapped = fx.GraphModule(root, graph, class_name=type(self.module).__name__ + "Tapped")
        return type(tapped).forward, list(last)

    def tap(self, value: Any, nid: str) -> Any:
        """Called by the traced copy after each node output: hand it over, pass it on."""
        self._emit(nid, value)
        return value


def _attribute(module: torch.nn.Module, target: str) -> Any:
    owner, _, name = target.rpartition(".")
    return getattr(module.get_submodule(owner) if owner else module, name)


def _module_hook(taps: NodeTaps, nid: str) -> Callable[..., None]:
    def hook(module: Any, inputs: Any, output: Any) -> None:
        taps._emit(nid, output[0] if isinstance(output, tuple) else output)

    return hook
