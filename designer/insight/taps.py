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
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

    from designer.compile import CompiledDesign

TapFn = Callable[[str, "torch.Tensor"], None]
_TAPS = "_designer_taps"


class NodeTaps:
    """Node outputs of ``module`` (a fresh module of ``compiled``, or one with
    the same attribute names), in forward order."""

    def __init__(self, module: torch.nn.Module, compiled: CompiledDesign) -> None:
        self.module = module
        self.node_of_attribute = {attr: nid for nid, attr in compiled.generated.attributes.items()}
        self._fn: TapFn | None = None
        self._hooks: list[Any] = []
        try:
            self._traced: torch.nn.Module | None = self._trace(compiled)
        except Exception:  # a design fx cannot trace: module outputs only
            self._traced = None
            self.node_ids = list(compiled.generated.attributes)
        self.traced = self._traced is not None

    # ----------------------------------------------------------------- use
    def attach(self, fn: TapFn) -> None:
        """Call ``fn(node_id, output)`` for every node output of each forward pass until detach()."""
        self.detach()
        self._fn = fn
        if self._traced is not None:
            self.module.forward = self._traced.forward  # type: ignore[method-assign]
            return
        for attr, nid in self.node_of_attribute.items():
            sub = getattr(self.module, attr)
            self._hooks.append(sub.register_forward_hook(_module_hook(self, nid)))

    def detach(self) -> None:
        """Back to the module's own forward pass."""
        self._fn = None
        self.module.__dict__.pop("forward", None)
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
    def _trace(self, compiled: CompiledDesign) -> torch.nn.Module:
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
        self.node_ids = list(last)
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
        return fx.GraphModule(root, graph, class_name=type(self.module).__name__ + "Tapped")

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
