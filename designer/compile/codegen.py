"""Design -> readable PyTorch source: one ``nn.Module`` class.

Layers are created in ``__init__`` under their node ids; ``forward`` runs
them in topological order with each tensor's shape as a comment. Training,
ONNX export and "Export as Python" all use this same source.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from designer.compile.errors import CompileError
from designer.graph import Graph
from designer.graph.summary import human_count

RESERVED = {"torch", "nn", "self", "super", "_"} | set(dir(builtins)) | set(keyword.kwlist)
# Names nn.Module already uses (its public methods and attributes, as of torch 2.13; a
# test compares this with dir(nn.Module)): a layer stored under one of them would
# shadow or break the method, so such a node's attribute gets a trailing underscore.
MODULE_ATTRIBUTES = frozenset(
    """
    T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda double dump_patches
    eval extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict
    modules mtia named_buffers named_children named_modules named_parameters parameters register_backward_hook
    register_buffer register_forward_hook register_forward_pre_hook register_full_backward_hook
    register_full_backward_pre_hook register_load_state_dict_post_hook register_load_state_dict_pre_hook
    register_module register_parameter register_state_dict_post_hook register_state_dict_pre_hook requires_grad_
    set_extra_state set_submodule share_memory state_dict to to_empty train training type xpu zero_grad
    """.split()  # noqa: SIM905 - a word list reads better than 54 quoted lines
)


@dataclass(frozen=True)
class GeneratedSource:
    source: str
    class_name: str
    input_names: list[str]  # forward's arguments, one per Input node
    output_names: list[str]  # Output node ids, in the order forward returns them
    attributes: dict[str, str] = field(default_factory=dict)  # node id -> attribute name (layers with weights or modules)
    line_nodes: dict[int, str] = field(default_factory=dict)  # source line number -> node id


def class_name_for(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", name)
    candidate = "".join(w[:1].upper() + w[1:] for w in words)
    if not candidate or candidate[0].isdigit():
        candidate = "Network" + candidate
    return candidate


def _unique_names(node_ids: list[str], clashes: Callable[[str], bool]) -> dict[str, str]:
    """Node id -> a legal, unique name: an id that clashes gets trailing underscores
    (or a ``layer`` prefix if it starts with one), never a name another node has."""
    taken = {nid for nid in node_ids if not clashes(nid)}
    names: dict[str, str] = {}
    for nid in node_ids:
        name = nid
        if clashes(nid):
            name = f"layer{nid}" if nid.startswith("_") else f"{nid}_"
            while name in taken or clashes(name):
                name += "_"
            taken.add(name)
        names[nid] = name
    return names


def _clashes_variable(name: str) -> bool:
    return name in RESERVED


def _clashes_attribute(name: str) -> bool:
    return name in MODULE_ATTRIBUTES or name.startswith("_")  # nn.Module keeps its internals under _names


def generate(graph: Graph, class_name: str | None = None) -> GeneratedSource:
    """Source for a valid design; raises CompileError listing the problems otherwise."""
    analysis = graph.analyze()
    if analysis.errors:
        raise CompileError(analysis.errors)
    name = class_name or class_name_for(graph.name)
    variables = _unique_names(analysis.order, _clashes_variable)
    attribute_names = _unique_names(analysis.order, _clashes_attribute)
    attributes: dict[str, str] = {}
    init: list[tuple[str, str]] = []
    body: list[tuple[str, str]] = []
    inputs = [nid for nid in analysis.order if graph.node(nid).type == "Input"]
    outputs = [nid for nid in analysis.order if graph.node(nid).type == "Output"]

    for nid in analysis.order:
        node = graph.node(nid)
        if node.type == "Input":
            continue
        args = [variables[e.source] for e in graph.inputs_of(nid)]
        if node.type == "Output":
            variables[nid] = args[0]  # an Output names a result; it computes nothing
            continue
        layer = graph.catalog.get(node.type)
        info = analysis.nodes[nid]
        var, attr = variables[nid], f"self.{attribute_names[nid]}"
        constructor = layer.constructor(node.params, info.inferred) if layer.constructor else None
        if constructor is not None:
            attributes[nid] = attribute_names[nid]
            init.append((f"{attr} = {constructor}", nid))
        lines = layer.forward(var, attr, args, node.params)
        for i, line in enumerate(lines):
            body.append((_with_shape(line, info.output.display()) if i == len(lines) - 1 and info.output else line, nid))

    counts = f"{len(graph)} nodes, {analysis.total_params:,} parameters ({human_count(analysis.total_params)})"
    signature = ", ".join(f"{variables[i]}: torch.Tensor" for i in inputs)
    returned = [variables[o] for o in outputs]
    return_type = "torch.Tensor" if len(returned) == 1 else f"tuple[{', '.join(['torch.Tensor'] * len(returned))}]"
    header = [
        f'"""{_docstring_text(graph.name)}: generated by the neural network designer. Needs only PyTorch."""',
        "",
        "import torch",
        "from torch import nn",
        *(["from torch.nn import functional as F"] if any("F." in text for text, _ in body) else []),
        "",
        "",
        f"class {name}(nn.Module):",
        f'    """{counts}."""',
        "",
        "    def __init__(self) -> None:",
        "        super().__init__()",
    ]
    source_lines = list(header)
    line_nodes: dict[int, str] = {}
    for text, nid in init:
        source_lines.append(f"        {text}")
        line_nodes[len(source_lines)] = nid
    source_lines += ["", f"    def forward(self, {signature}) -> {return_type}:"]
    for i in inputs:
        source_lines.append(f"        # {variables[i]}: {analysis.nodes[i].output.display()}")  # type: ignore[union-attr]
    for text, nid in body:
        source_lines.append(f"        {text}")
        line_nodes[len(source_lines)] = nid
    source_lines.append(f"        return {', '.join(returned)}")
    return GeneratedSource("\n".join(source_lines) + "\n", name, [variables[i] for i in inputs], outputs, attributes, line_nodes)


def _with_shape(line: str, shape: str) -> str:
    """The line with the tensor's shape as its comment (after any comment it has)."""
    code, _, comment = line.partition("  # ")
    return f"{code}  # {comment}: {shape}" if comment else f"{code}  # {shape}"


def _docstring_text(name: str) -> str:
    return name.replace('"""', "'''").replace("\\", "/") or "Network"


def to_source(graph: Graph, class_name: str | None = None) -> str:
    """The readable PyTorch source of a valid design."""
    return generate(graph, class_name).source
