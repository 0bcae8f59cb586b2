"""The block edits of a design: make a block from a selection, expand an
instance in place, detach one instance, edit, add, remove and rename
definitions. ``Graph``'s methods of the same names call these.

Each edit checks everything first and raises a typed BlockError before the
first change, then changes the design in one batch (one ``changed`` event).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from designer.graph.blocks import (
    INPUT_TYPE,
    OUTPUT_TYPE,
    BlockDefinition,
    BlockError,
    check_block_name,
    check_definition,
)
from designer.graph.errors import EditError, UnknownNodeError

if TYPE_CHECKING:
    from designer.graph.model import Edge, Graph

_GAP = 180.0  # canvas units between a block's Input nodes and its first layers


def make_block(graph: Graph, node_ids: Iterable[str], name: str) -> str:
    """Collapse the selected nodes into one instance of a new block ``name``;
    returns the instance's id. Wires entering the selection become the
    block's inputs (one per distinct source, in the order they are first
    met); exactly one selected node may feed nodes outside it."""
    from designer.graph.model import Edge

    chosen = list(dict.fromkeys(node_ids))
    plan = _plan_make(graph, chosen, name)
    definition, sources, output_node, outgoing = plan
    index = min(graph.index_of(nid) for nid in chosen)
    xs = [graph.node(nid).position[0] for nid in chosen]
    ys = [graph.node(nid).position[1] for nid in chosen]
    position = (sum(xs) / len(xs), sum(ys) / len(ys))
    with graph.batch():
        graph._put_block(name, definition)
        graph.remove_nodes(chosen)
        instance = graph.add_node(name, {}, node_id=graph.new_id(name), position=position, index=index)
        for port, source in enumerate(sources):
            graph.restore_edge(Edge(source, instance.id, port))
        for edge in outgoing:
            graph.restore_edge(Edge(instance.id, edge.target, edge.port))
    del output_node
    return instance.id


def _plan_make(graph: Graph, chosen: list[str], name: str) -> tuple[BlockDefinition, list[str], str, list[Edge]]:
    if not chosen:
        raise BlockError("select the layers to make a block of")
    for nid in chosen:
        graph.node(nid)
    check_block_name(name, graph.catalog, taken=graph.blocks)
    selected = set(chosen)
    for nid in chosen:
        if graph.node(nid).type in (INPUT_TYPE, OUTPUT_TYPE):
            raise BlockError(f"{nid} is the design's {graph.node(nid).type}: leave Input and Output nodes out of a block")
    entering = [e for nid in _in_order(graph, chosen) for e in graph.inputs_of(nid) if e.source not in selected]
    leaving = [e for nid in chosen for e in graph.outputs_of(nid) if e.target not in selected]
    _check_closed(graph, selected)
    feeders = list(dict.fromkeys(e.source for e in leaving))
    if len(feeders) > 1:
        raise BlockError(
            f"{len(feeders)} selected layers ({', '.join(feeders)}) feed layers outside the selection; "
            "a block has one output: select so that only one of them leaves it"
        )
    if feeders:
        output_node = feeders[0]
    else:
        sinks = [nid for nid in chosen if not any(e.target in selected for e in graph.outputs_of(nid))]
        if len(sinks) != 1:
            raise BlockError(
                f"the selection ends in {len(sinks)} layers ({', '.join(sinks)}); a block has one output: select one branch's end"
            )
        output_node = sinks[0]
    strays = [nid for nid in chosen if nid != output_node and not graph.reaches(nid, output_node)]
    if strays:
        raise BlockError(f"{', '.join(strays)} do not lead to {output_node}, the block's output: leave them out of the selection")
    sources = list(dict.fromkeys(e.source for e in entering))
    definition = _definition(graph, chosen, name, sources, entering, output_node)
    check_definition(definition, graph.catalog)
    return definition, sources, output_node, leaving


def _in_order(graph: Graph, chosen: list[str]) -> list[str]:
    order = {nid: i for i, nid in enumerate(graph.analyze().order)}
    return sorted(chosen, key=lambda nid: (order.get(nid, len(order)), graph.index_of(nid)))


def _check_closed(graph: Graph, selected: set[str]) -> None:
    """No path leaves the selection and comes back (the block would feed itself)."""
    outside_after = set()
    stack = [e.target for nid in selected for e in graph.outputs_of(nid) if e.target not in selected]
    while stack:
        current = stack.pop()
        if current in outside_after:
            continue
        outside_after.add(current)
        for edge in graph.outputs_of(current):
            if edge.target in selected:
                raise BlockError(
                    f"{current} lies between selected layers (it is fed by the selection and feeds {edge.target}): select it too, or fewer layers"
                )
            stack.append(edge.target)


def _definition(graph: Graph, chosen: list[str], name: str, sources: list[str], entering: list[Edge], output_node: str) -> BlockDefinition:
    records = graph.records(chosen)
    taken = set(chosen)
    input_ids = [_free("x" if len(sources) == 1 else f"x{i + 1}", taken) for i in range(len(sources))]
    output_id = _free("out", taken)
    analysis = graph.analyze()
    xs = [graph.node(n).position[0] for n in chosen]
    ys = [graph.node(n).position[1] for n in chosen]
    inputs = []
    for i, (source, input_id) in enumerate(zip(sources, input_ids)):
        spec = analysis.output_of(source)
        params = {"shape": list(spec.shape) if spec else [2], "dtype": spec.dtype if spec else "float32"}
        inputs.append(
            {"id": input_id, "type": INPUT_TYPE, "params": params, "position": [round(min(xs) - _GAP, 2), round(min(ys) + 100.0 * i, 2)]}
        )
    output = {"id": output_id, "type": OUTPUT_TYPE, "params": {}, "position": [round(max(xs) + _GAP, 2), round(sum(ys) / len(ys), 2)]}
    edges = [dict(e) for e in records["edges"]]
    port_of = {source: input_ids[i] for i, source in enumerate(sources)}
    edges += [{"source": port_of[e.source], "target": e.target, "port": e.port} for e in entering]
    edges.append({"source": output_node, "target": output_id, "port": 0})
    nodes = [*inputs, *records["nodes"], output]
    return BlockDefinition(name, tuple(nodes), tuple(_edge_order(nodes, edges)), {}, "")


def _edge_order(nodes: list[Mapping[str, Any]], edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Edges as ``Graph.records`` orders them: by target in node order, then port."""
    index = {n["id"]: i for i, n in enumerate(nodes)}
    return sorted(edges, key=lambda e: (index[e["target"]], e["port"]))


def _free(wanted: str, taken: set[str]) -> str:
    name = wanted
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def expand_block(graph: Graph, node_id: str) -> list[str]:
    """Replace an instance by the nodes inside it (its exposed values applied),
    wired as the instance was; returns the new node ids in node order. Inner
    ids are kept where they are free in the design, else made unique."""
    from designer.graph.model import Edge

    instance = graph.node(node_id)
    if not graph.catalog.is_block(instance.type):
        raise BlockError(f"{node_id} is a {instance.type}, not a block: only a block can be expanded")
    definition = graph.blocks[instance.type]
    inputs, output = definition.input_ids, definition.output_id
    feeds = {e.port: e.source for e in graph.inputs_of(node_id)}
    consumers = graph.outputs_of(node_id)
    layers = [dict(n) for n in definition.nodes if n["type"] not in (INPUT_TYPE, OUTPUT_TYPE)]
    values = {**{k: e.default for k, e in definition.params.items()}, **instance.params}
    params = {n["id"]: copy.deepcopy(dict(n.get("params", {}))) for n in layers}
    for key, exposed in definition.params.items():
        for inner, param in exposed.targets:
            if inner in params:
                params[inner][param] = values[key]
    taken = set(graph.node_ids()) - {node_id}
    ids: dict[str, str] = {}
    for record in layers:
        wanted = record["id"]
        new = wanted if wanted not in taken else _numbered(wanted, taken)
        taken.add(new)
        ids[wanted] = new
    ox, oy = _centre(layers)
    index = graph.index_of(node_id)
    inner_edges = [dict(e) for e in definition.edges]
    feeding_output = next((e["source"] for e in inner_edges if e["target"] == output), None)
    with graph.batch():
        graph.remove_node(node_id)
        for offset, record in enumerate(layers):
            x, y = record.get("position", (0.0, 0.0))
            graph.add_node(
                record["type"],
                _normalised(graph, record["type"], params[record["id"]]),
                node_id=ids[record["id"]],
                check=False,
                index=index + offset,
                position=(instance.position[0] + x - ox, instance.position[1] + y - oy),
                frozen=bool(record.get("frozen", False)) or instance.frozen,
                lr_factor=float(record.get("lr_factor", 1.0)) * instance.lr_factor,
            )
        for edge in inner_edges:
            source, target, port = edge["source"], edge["target"], edge.get("port", 0)
            if target == output:
                continue
            if source in inputs:
                outer = feeds.get(inputs.index(source))
                if outer is not None:
                    graph.restore_edge(Edge(outer, ids[target], port))
            else:
                graph.restore_edge(Edge(ids[source], ids[target], port))
        if feeding_output is not None:
            for edge in consumers:
                source = feeds.get(inputs.index(feeding_output)) if feeding_output in inputs else ids[feeding_output]
                if source is not None:
                    graph.restore_edge(Edge(source, edge.target, edge.port))
    return [ids[n["id"]] for n in layers]


def _normalised(graph: Graph, type_name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Checked values (lists from a record become tuples, as an edit makes
    them), each value that its check refuses kept as it was."""
    spec = graph.catalog.get(type_name)
    values = {}
    for key, value in params.items():
        try:
            values[key] = spec.check_param(key, value)
        except EditError:
            values[key] = value
    return values


def _numbered(wanted: str, taken: set[str]) -> str:
    stem = wanted.rstrip("0123456789") or wanted
    number = 2
    while f"{stem}{number}" in taken:
        number += 1
    return f"{stem}{number}"


def _centre(records: list[Mapping[str, Any]]) -> tuple[float, float]:
    if not records:
        return 0.0, 0.0
    points = [r.get("position", (0.0, 0.0)) for r in records]
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def make_unique(graph: Graph, node_id: str, new_name: str) -> None:
    """Give one instance its own copy of its definition, named ``new_name``."""
    node = graph.node(node_id)
    if not graph.catalog.is_block(node.type):
        raise BlockError(f"{node_id} is a {node.type}, not a block")
    check_block_name(new_name, graph.catalog, taken=graph.blocks)
    definition = graph.blocks[node.type].renamed(new_name)
    check_definition(definition, graph.catalog)
    with graph.batch():
        graph._put_block(new_name, definition)
        graph._retype_node(node_id, new_name, dict(node.params))


def set_block_definition(graph: Graph, name: str, definition: BlockDefinition) -> BlockDefinition:
    """Replace definition ``name`` (every instance follows); returns the old
    one. Instances keep their values of parameters the new one still exposes."""
    old = _existing(graph, name)
    if definition.name != name:
        raise BlockError(f"the new definition is named {definition.name}, not {name}: rename the block separately")
    _check_replacement(graph, name, definition)
    ports = len(definition.input_ids)
    instances = [n for n in graph.nodes if n.type == name]
    for node in instances:
        extra = [e for e in graph.inputs_of(node.id) if e.port >= ports]
        if extra:
            raise BlockError(f"{node.id} has input {extra[0].port} connected; the new {name} takes {ports}: disconnect it first")
    with graph.batch():
        graph._put_block(name, definition)
        for node in instances:
            kept = {k: v for k, v in node.params.items() if k in definition.params}
            if set(kept) != set(node.params) or set(definition.params) != set(node.params):
                graph._retype_node(node.id, name, kept)
    return old


def _check_replacement(graph: Graph, name: str, definition: BlockDefinition) -> None:
    """Check ``definition`` as the new ``name`` against the design's other blocks."""
    from designer.graph.blocks import DesignCatalog

    others = {k: v for k, v in graph.blocks.items() if k != name}
    check_definition(definition, DesignCatalog(others, graph.catalog.base))
    users = [k for k, v in others.items() if name in v.node_types()]
    if users:  # a block that holds this one: its nesting must stay finite with the new inside
        check_definition(others[users[0]], DesignCatalog({**others, name: definition}, graph.catalog.base))


def add_block_definition(graph: Graph, definition: BlockDefinition) -> None:
    check_block_name(definition.name, graph.catalog, taken=graph.blocks)
    check_definition(definition, graph.catalog)
    graph._put_block(definition.name, definition)


def remove_block_definition(graph: Graph, name: str) -> BlockDefinition:
    """Remove an unused definition; returns it (for undo)."""
    old = _existing(graph, name)
    users = [n.id for n in graph.nodes if n.type == name] + [k for k, v in graph.blocks.items() if name in v.node_types()]
    if users:
        raise BlockError(f"{name} is used by {', '.join(users[:5])}{'...' if len(users) > 5 else ''}: delete or expand those first")
    graph._drop_block(name)
    return old


def rename_block(graph: Graph, old: str, new: str) -> None:
    """Rename a definition; its instances and the blocks holding it follow."""
    definition = _existing(graph, old)
    if new == old:
        return
    check_block_name(new, graph.catalog, taken=graph.blocks)
    with graph.batch():  # the new name first and the old one last: no node or block ever names a missing type
        graph._put_block(new, definition.renamed(new))
        for key, other in list(graph.blocks.items()):
            if old in other.node_types():
                graph._put_block(key, other.with_type_renamed(old, new))
        for node in [n for n in graph.nodes if n.type == old]:
            graph._retype_node(node.id, new, dict(node.params))
        graph._drop_block(old)


def _existing(graph: Graph, name: str) -> BlockDefinition:
    try:
        return graph.blocks[name]
    except KeyError:
        raise BlockError(f"there is no block named {name}") from None


def check_instance(graph: Graph, node_id: str) -> BlockDefinition:
    """The definition of instance ``node_id``; UnknownNodeError or BlockError otherwise."""
    node = graph.node(node_id)
    if not graph.catalog.is_block(node.type):
        raise BlockError(f"{node_id} is a {node.type}, not a block")
    return graph.blocks[node.type]


__all__ = [
    "UnknownNodeError",
    "add_block_definition",
    "check_instance",
    "expand_block",
    "make_block",
    "make_unique",
    "remove_block_definition",
    "rename_block",
    "set_block_definition",
]
