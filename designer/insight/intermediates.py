"""Every node's output from one forward pass: the compiled ``forward`` rewritten
to return all its variables.

Why a rewrite of the generated source, and not hooks or a ``torch.fx`` trace:

- Hooks see only submodules, and the compiler writes parameter-free layers
  (ReLU, Flatten, Add, Reshape...) as plain calls, which no hook sees.
- A ``torch.fx`` trace names its nodes after the operations (``relu``,
  ``getitem_1``), not after our variables, splits one node into several (an
  LSTM's tuple unpacking and ``[:, -1]``), and refuses code it cannot trace.
- The generated ``forward`` already names each result after its node id and
  runs nodes in topological order, so returning its variables gives exactly
  what the module computes, for every layer type: LSTM/GRU tuples are
  unpacked by the generated lines themselves, attention and merges are just
  more lines. The rewritten function is compiled once and called with the
  trained module as ``self``, so it shares its weights; the module itself is
  untouched (no hooks, nothing on the training path). Its lines keep the
  generated line numbers and file name, so an error still maps to its node
  (:meth:`CompiledDesign.node_for_error`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from designer.compile import CompiledDesign
from designer.graph import Graph
from designer.graph.analysis import INPUT_TYPE, OUTPUT_TYPE

if TYPE_CHECKING:
    import torch
    from torch import nn

AllOutputs = Callable[..., "dict[str, torch.Tensor]"]


def node_variables(compiled: CompiledDesign, graph: Graph) -> dict[str, str]:
    """Node id -> the forward variable that holds its output, for every node.

    Read from the generated source: a node's variable is the name its last
    line assigns; an Input's is its forward argument; an Output names its
    source's result.
    """
    generated = compiled.generated
    forward = _forward_def(ast.parse(generated.source))
    last_line: dict[str, ast.stmt] = {}
    for statement in forward.body:
        node_id = generated.line_nodes.get(statement.lineno)
        if node_id is not None:
            last_line[node_id] = statement
    variables: dict[str, str] = {}
    order = graph.analyze().order
    inputs = [nid for nid in order if graph.node(nid).type == INPUT_TYPE]
    variables.update(zip(inputs, generated.input_names))
    for node_id, statement in last_line.items():
        variables[node_id] = _assigned_name(statement)
    for node_id in order:
        if graph.node(node_id).type == OUTPUT_TYPE:
            variables[node_id] = variables[graph.inputs_of(node_id)[0].source]
    return {nid: variables[nid] for nid in order}


def all_outputs_function(compiled: CompiledDesign, variables: dict[str, str]) -> AllOutputs:
    """``f(module, *inputs) -> {node id: tensor}``: the module's own forward,
    returning every node's output instead of the Output nodes' only."""
    import torch
    from torch import nn
    from torch.nn import functional

    tree = ast.parse(compiled.generated.source)
    forward = _forward_def(tree)
    returned = ast.Dict(
        keys=[ast.Constant(nid) for nid in variables],
        values=[ast.Name(var, ast.Load()) for var in variables.values()],
    )
    ending = forward.body[-1]
    forward.body[-1] = ast.copy_location(ast.Return(returned), ending)
    forward.returns = None
    ast.fix_missing_locations(tree)
    namespace: dict[str, object] = {"__name__": f"designer_insight_{compiled.generated.class_name}"}
    exec(compile(tree, compiled.filename, "exec"), namespace)  # noqa: S102 - our own generated source, rewritten
    del torch, nn, functional  # imported so a missing torch fails here, not inside the generated code
    cls = namespace[compiled.generated.class_name]
    return cls.forward  # type: ignore[attr-defined, no-any-return]


def run_all(function: AllOutputs, module: nn.Module, inputs: list[torch.Tensor]) -> dict[str, torch.Tensor]:
    """Call the rewritten forward with ``module`` as ``self``."""
    return function(module, *inputs)


def _forward_def(tree: ast.Module) -> ast.FunctionDef:
    for item in reversed(tree.body):  # the design's class comes last, after its blocks' classes
        if isinstance(item, ast.ClassDef):
            for member in item.body:
                if isinstance(member, ast.FunctionDef) and member.name == "forward":
                    return member
    raise ValueError("the generated source has no forward method")


def _assigned_name(statement: ast.stmt) -> str:
    """The one variable (not ``_``) a generated line assigns."""
    if not isinstance(statement, ast.Assign):
        raise ValueError(f"line {statement.lineno} of the generated forward is not an assignment")
    names = [n.id for target in statement.targets for n in ast.walk(target) if isinstance(n, ast.Name) and n.id != "_"]
    if len(names) != 1:
        raise ValueError(f"line {statement.lineno} of the generated forward assigns {names}, not one variable")
    return names[0]
