"""Build an ``nn.Module`` by executing the generated source in a fresh namespace.

The source is registered with ``linecache`` so tracebacks show the generated
lines, and a runtime error can be mapped back to the node that raised it.
The namespace is a real module in ``sys.modules``: tools that import a
class's module by name, such as ``torch.compile`` inlining a design that sits
inside another module, find it. Only the latest ``REGISTERED`` compilations
stay registered, so a long session's edits do not pile up there.
"""

from __future__ import annotations

import itertools
import linecache
import sys
import threading
import traceback
import types
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from designer.compile.codegen import GeneratedSource, generate
from designer.graph import Graph

if TYPE_CHECKING:
    from torch import nn

_counter = itertools.count(1)
REGISTERED = 256
_registered: deque[str] = deque()  # module names, oldest first
_registering = threading.Lock()  # designs compile on worker threads too


@dataclass(frozen=True)
class CompiledDesign:
    """What compiling a design gives: its source, and a factory of fresh modules."""

    generated: GeneratedSource
    filename: str
    module_class: type
    macs_per_sample: int = 0  # the design's multiply-accumulates for one sample (the summary's), 0 when unknown
    frozen: frozenset[str] = frozenset()  # node ids whose weights training leaves as they are
    lr_factors: Mapping[str, float] = field(default_factory=dict)  # node id -> learning-rate factor, where it is not 1

    @property
    def source(self) -> str:
        return self.generated.source

    def new_module(self) -> nn.Module:
        """A new module with freshly initialised weights (seed torch first)."""
        return self.module_class()

    def node_for_error(self, error: BaseException) -> str | None:
        """The node whose generated line raised ``error``, if any."""
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if frame.filename == self.filename and frame.lineno in self.generated.line_nodes:
                return self.generated.line_nodes[frame.lineno]
        return None


def compile_design(graph: Graph, class_name: str | None = None) -> CompiledDesign:
    """Generate the design's source and execute it; raises CompileError on problems."""
    import torch
    from torch import nn

    generated = generate(graph, class_name)
    filename = f"<designer {next(_counter)}: {generated.class_name}>"
    lines = generated.source.splitlines(keepends=True)
    linecache.cache[filename] = (len(generated.source), None, lines, filename)
    module = types.ModuleType(f"designer_generated_{next(_counter)}_{generated.class_name}")
    exec(compile(generated.source, filename, "exec"), module.__dict__)  # noqa: S102 - our own generated source
    del torch, nn  # imported above so a missing torch fails here, with a clear ImportError
    module_class = getattr(module, generated.class_name)
    with _registering:
        sys.modules[module.__name__] = module
        _registered.append(module.__name__)
        while len(_registered) > REGISTERED:
            sys.modules.pop(_registered.popleft(), None)
    frozen = frozenset(node.id for node in graph.nodes if node.frozen)
    factors = {node.id: node.lr_factor for node in graph.nodes if node.lr_factor != 1.0}
    return CompiledDesign(generated, filename, module_class, _macs(graph), frozen, factors)


def _macs(graph: Graph) -> int:
    from designer.graph.summary import summarize

    try:
        return summarize(graph).total_macs
    except Exception:  # a summary is a nicety here (it sizes the thread pool), never a reason not to compile
        return 0


def build_module(graph: Graph) -> nn.Module:
    """Compile a design straight to a module with fresh weights."""
    return compile_design(graph).new_module()
