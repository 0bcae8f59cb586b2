"""One ``nn.Module`` class per block definition, written before the design's.

Every instance of a definition is rendered; what differs between instances
becomes an ``__init__`` argument: the block's exposed parameters always (with
their defaults), and each value the inner layers infer from the block's input
(a Conv2d's ``in_channels``) when it is not the same in every instance. Two
values equal in every instance share one argument, and an inferred value that
always equals an exposed parameter is written as that parameter. Instances
whose code still differs (a parameter that changes ``forward``, arithmetic
a layer does on a value) get a class of their own: ``ResidualBlock2``.

Arguments are found by rendering with marked values: an int, float or text
whose ``repr`` is the argument's name, so a constructor written with the
catalog's ``torch_call`` writes the name where the value goes. Every
identifier comes from :mod:`designer.compile.names`.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.compile import names
from designer.graph import Graph
from designer.graph.analysis import Analysis
from designer.graph.blocks import INPUT_TYPE, OUTPUT_TYPE, BlockDefinition, blocks_used
from designer.graph.errors import GraphError
from designer.layers.base import py

Path = tuple[str, ...]  # node ids from the design down to an instance
_INDENT = "    "


class _IntArg(int):
    name: str

    def __repr__(self) -> str:
        return self.name


class _FloatArg(float):
    name: str

    def __repr__(self) -> str:
        return self.name


class _TextArg(str):
    name: str

    def __repr__(self) -> str:
        return self.name


def _marked(value: Any, name: str) -> Any:
    """``value`` written as ``name`` in constructor source, where it can be."""
    for kind, marker in ((bool, None), (int, _IntArg), (float, _FloatArg), (str, _TextArg)):
        if isinstance(value, kind):
            if marker is None:
                return value
            marked = marker(value)
            marked.name = name
            return marked
    return value


def _is_slot_value(value: Any) -> bool:
    return isinstance(value, (int, float, str)) and not isinstance(value, bool)


@dataclass
class _Context:
    """One instance: where it stands, its definition, its inside and exposed values."""

    path: Path
    definition: BlockDefinition
    graph: Graph
    analysis: Analysis
    params: dict[str, Any]
    slots: dict[tuple[str, str], Any] = field(default_factory=dict)  # (inner node or "", name) -> value
    class_name: str = ""
    args: dict[str, Any] = field(default_factory=dict)  # argument -> value, as the parent writes the call
    defaults: dict[str, Any] = field(default_factory=dict)  # argument -> default, for exposed parameters


@dataclass(frozen=True)
class BlockClasses:
    """The block classes' source and, per design node that is an instance,
    the constructor source that builds it."""

    lines: list[str]
    constructors: dict[str, str]
    class_names: list[str]


def block_classes(graph: Graph, analysis: Analysis, taken: list[str]) -> BlockClasses:
    """Classes for every block the design uses (nested ones first); ``taken``
    holds names the classes must not take (the design's class)."""
    contexts = _contexts(graph, analysis)
    if not contexts:
        return BlockClasses([], {}, [])
    by_definition: dict[str, list[_Context]] = {}
    for context in contexts:
        by_definition.setdefault(context.definition.name, []).append(context)
    nested = {c.path: c for c in contexts}
    used_names = set(taken)
    lines: list[str] = []
    class_names: list[str] = []
    for name in blocks_used(graph.blocks, by_definition):
        group = by_definition.get(name)
        if not group:
            continue
        for text, members in _render(group, nested):
            class_name = _class_name(name, used_names)
            for context in members:
                context.class_name = class_name
            lines += ["", "", *text.replace("class __BLOCK__(", f"class {class_name}(", 1).splitlines()]
            class_names.append(class_name)
    constructors = {c.path[0]: _call(c, c.args) for c in contexts if len(c.path) == 1}
    return BlockClasses(lines, constructors, class_names)


def _class_name(name: str, used: set[str]) -> str:
    base = names.class_name(name)
    candidate, number = base, 2
    while candidate in used:
        candidate, number = f"{base}{number}", number + 1
    used.add(candidate)
    return candidate


def _contexts(graph: Graph, analysis: Analysis, path: Path = ()) -> list[_Context]:
    """Every instance in the design and inside its blocks, outermost first."""
    found: list[_Context] = []
    for nid in analysis.order:
        node = graph.node(nid)
        if not graph.catalog.is_block(node.type):
            continue
        spec = graph.catalog.get(node.type)
        params = {key: spec.check_param(key, value) for key, value in node.params.items()}
        inputs = [analysis.output_of(e.source) for e in graph.inputs_of(nid)]
        try:
            inside = spec.inner(inputs, params)
        except GraphError as exc:  # analysis found no error, so the inside works: this is a bug, said plainly
            raise RuntimeError(f"block {nid} cannot be compiled: {exc}") from exc
        context = _Context((*path, nid), spec.definition, inside.graph, inside.analysis, {**spec.defaults(), **params})
        found.append(context)
        found += _contexts(inside.graph, inside.analysis, context.path)
    return found


def _layers(context: _Context) -> list[str]:
    return [nid for nid in context.analysis.order if context.graph.node(nid).type not in (INPUT_TYPE, OUTPUT_TYPE)]


def _fill_slots(context: _Context, nested: Mapping[Path, _Context]) -> None:
    context.slots = {("", key): value for key, value in context.params.items()}
    for nid in _layers(context):
        inner = nested.get((*context.path, nid))
        values = inner.args if inner is not None else context.analysis.nodes[nid].inferred
        for key, value in values.items():
            if _is_slot_value(value):
                context.slots[(nid, key)] = value


def _render(group: list[_Context], nested: Mapping[Path, _Context]) -> list[tuple[str, list[_Context]]]:
    """The classes for one definition's instances: (source, the instances it serves)."""
    for context in group:
        _fill_slots(context, nested)
    arguments = _arguments(group)
    defaults = {arguments[("", key)]: e.default for key, e in group[0].definition.params.items() if ("", key) in arguments}
    rendered: dict[str, list[_Context]] = {}
    for context in group:
        context.defaults = defaults
        text, used = _class_source(context, arguments, nested)
        context.args = {arg: context.slots[slot] for slot, arg in arguments.items() if arg in used and slot[0] != ""}
        context.args |= {arg: context.slots[slot] for slot, arg in arguments.items() if arg in used and slot[0] == ""}
        rendered.setdefault(text, []).append(context)
    return list(rendered.items())


def _arguments(group: list[_Context]) -> dict[tuple[str, str], str]:
    """slot -> argument name: exposed parameters always; an inferred value only
    where it differs between instances, shared with an equal argument."""
    keys = [k for k in group[0].slots if all(k in c.slots for c in group)]
    keys.sort(key=lambda k: k[0] != "")  # exposed parameters first: inferred values equal to one are written as it
    vectors = {k: [c.slots[k] for c in group] for k in keys}
    chosen: dict[tuple[str, str], str] = {}
    by_vector: dict[str, str] = {}
    taken = {"self"}
    for key in keys:
        vector = vectors[key]
        signature = repr([(type(v).__name__, v) for v in vector])
        if key[0] == "":
            name = _argument_name(key[1], key[0], taken)
            chosen[key] = name
            by_vector.setdefault(signature, name)
        elif signature in by_vector and by_vector[signature] in {chosen[k] for k in chosen if k[0] == ""}:
            chosen[key] = by_vector[signature]  # always the exposed value: written as that parameter
        elif all(v == vector[0] and type(v) is type(vector[0]) for v in vector):
            continue  # the same in every instance: written as it is
        elif signature in by_vector:
            chosen[key] = by_vector[signature]
        else:
            chosen[key] = by_vector[signature] = _argument_name(key[1], key[0], taken)
    return chosen


def _argument_name(key: str, node: str, taken: set[str]) -> str:
    wanted = key if key not in taken else f"{node}_{key}"
    name = names.unique_names([wanted], names.is_variable_clash, taken=taken)[wanted]
    taken.add(name)
    return name


def _class_source(context: _Context, arguments: Mapping[tuple[str, str], str], nested: Mapping[Path, _Context]) -> tuple[str, set[str]]:
    """The class (named ``__BLOCK__`` until the caller names it) and the
    arguments its ``__init__`` really uses."""
    graph, analysis, definition = context.graph, context.analysis, context.definition
    layers = _layers(context)
    inputs = list(definition.input_ids)
    attribute_names = names.unique_names(layers, names.is_attribute_clash)
    variables = names.unique_names([*inputs, *layers], names.is_variable_clash, taken=list(set(arguments.values())))
    exposed = {slot[1]: name for slot, name in arguments.items() if slot[0] == ""}
    init: list[str] = []
    body: list[str] = []
    for nid in analysis.order:
        node = graph.node(nid)
        if node.type in (INPUT_TYPE, OUTPUT_TYPE):
            continue
        args = [variables[e.source] for e in graph.inputs_of(nid)]
        layer = graph.catalog.get(node.type)
        params = {key: layer.check_param(key, value) for key, value in node.params.items()}
        marked = dict(params)
        for key, target in definition.params.items():
            for inner, param in target.targets:
                if inner == nid and key in exposed:
                    marked[param] = _marked(params[param], exposed[key])
        inferred = {
            key: _marked(value, arguments[(nid, key)]) if (nid, key) in arguments else value
            for key, value in analysis.nodes[nid].inferred.items()
        }
        attr = f"self.{attribute_names[nid]}"
        inner = nested.get((*context.path, nid))
        if inner is not None:
            call_args = {k: _marked(v, arguments[(nid, k)]) if (nid, k) in arguments else v for k, v in inner.args.items()}
            constructor: str | None = _call(inner, call_args)
        else:
            constructor = layer.constructor(marked, inferred) if layer.constructor else None
        if constructor is not None:
            init.append(f"{attr} = {constructor}")
        body += layer.forward(variables[nid], attr, args, params)
    output_edge = graph.inputs_of(definition.output_id)
    returned = variables[output_edge[0].source] if output_edge else "None"
    source_text = "\n".join(init)
    used = {name for name in set(arguments.values()) if _mentions(source_text, name)}
    used |= set(exposed.values()) & used
    signature = _signature(context, arguments, used)
    lines = [
        "class __BLOCK__(nn.Module):",
        *_docstring(_title(definition)),
        "",
        f"{_INDENT}def __init__(self{signature}) -> None:",
        f"{_INDENT * 2}super().__init__()",
        *(f"{_INDENT * 2}{line}" for line in init),
        "",
        f"{_INDENT}def forward(self, {', '.join(f'{variables[i]}: torch.Tensor' for i in inputs)}) -> torch.Tensor:",
        *(f"{_INDENT * 2}{line}" for line in body),
        f"{_INDENT * 2}return {returned}",
    ]
    return "\n".join(lines), used


def _docstring(text: str) -> list[str]:
    """The class docstring, wrapped like hand-written code where the sanitiser
    writes it as plain text in triple quotes."""
    written = names.docstring(text)
    if written.startswith('"""') and len(text) > 90:
        lines = textwrap.wrap(text, 100)
        return [f'{_INDENT}"""{lines[0]}', *(f"{_INDENT}{line}" for line in lines[1:]), f'{_INDENT}"""']
    return [f"{_INDENT}{written}"]


def _title(definition: BlockDefinition) -> str:
    """The description's first sentence, else what the class is."""
    text = " ".join(definition.description.split())
    first = text.split(". ")[0].rstrip(".")
    return f"{first}." if first else f"The {definition.name} block: generated by the neural network designer."


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)(?!\s*=(?!=))", text) is not None  # a value, not a keyword's name


def _signature(context: _Context, arguments: Mapping[tuple[str, str], str], used: set[str]) -> str:
    """``, in_channels: int, channels: int = 16``: inferred arguments first, then
    exposed parameters with their defaults."""
    required, optional = [], []
    seen: set[str] = set()
    for slot, name in arguments.items():
        if name in seen or name not in used:
            continue
        seen.add(name)
        value = context.slots[slot]
        annotation = type(value).__name__ if type(value) in (int, float, str) else ""
        typed = f"{name}: {annotation}" if annotation else name
        if slot[0] == "":
            optional.append(f"{typed} = {py(context.defaults[name])}")
        else:
            required.append(typed)
    return "".join(f", {part}" for part in [*required, *optional])


def _call(context: _Context, values: Mapping[str, Any]) -> str:
    """``ResidualBlock(in_channels=16, channels=32)``: exposed values equal to
    their defaults are left out."""
    defaults = context.defaults
    parts = []
    for name, value in values.items():
        if name in defaults and not isinstance(value, (_IntArg, _FloatArg, _TextArg)) and value == defaults[name]:
            continue
        parts.append(f"{name}={py(value)}")
    return f"{context.class_name}({', '.join(parts)})"
