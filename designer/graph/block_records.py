"""Block definitions from plain data (a project's ``blocks`` key, a block
file, the clipboard), checked before anything is built.

Everything that comes from a file is checked here for structure and type:
names, node ids, known layer types, parameter values (each must pass its
layer's check), wires, exposed parameters, no block containing itself, the
node and depth limits. A refusal is one BlockError naming the place, such
as ``ResidualBlock.nodes[2] (conv1).params.kernel_size: ...``. Nothing from
the data is executed or evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from designer.graph.blocks import (
    MAX_BLOCK_NODES,
    BlockDefinition,
    BlockError,
    DesignCatalog,
    ExposedParam,
    check_block_name,
    check_definition,
    plain_value,
    tuple_value,
)
from designer.graph.errors import EditError, ParamError
from designer.graph.messages import short_repr, shown_name
from designer.graph.model import MAX_COORDINATE, check_lr_factor, check_node_id, edge_from_record
from designer.graph.spec import Catalog

MAX_BLOCKS = 1000  # definitions in one design or file


def definitions_from_records(
    records: Any, base: Catalog, existing: Mapping[str, BlockDefinition] | None = None
) -> dict[str, BlockDefinition]:
    """name -> record (a project's ``blocks``) -> name -> checked definition,
    each checked with the ones it contains (in any order in the data)."""
    if not isinstance(records, dict):
        raise BlockError("blocks: must be an object mapping block names to definitions")
    if len(records) > MAX_BLOCKS:
        raise BlockError(f"blocks: {len(records):,} definitions; at most {MAX_BLOCKS:,}")
    for name in records:
        check_block_name(name, base)
    done: dict[str, BlockDefinition] = dict(existing or {})
    visiting: list[str] = []

    def load(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            chain = " -> ".join((*visiting[visiting.index(name) :], name))
            raise BlockError(f"blocks.{name}: a block cannot contain itself ({chain})")
        visiting.append(name)
        record = records[name]
        nodes = record.get("nodes") if isinstance(record, dict) else None
        for node in nodes if isinstance(nodes, list) else []:
            inner = node.get("type") if isinstance(node, dict) else None
            if isinstance(inner, str) and inner in records and inner not in base:
                load(inner)
        done[name] = definition_from_record(name, record, DesignCatalog(dict(done), base), f"blocks.{name}")
        visiting.pop()

    for name in records:
        load(name)
    return {name: done[name] for name in records}


def definition_from_record(name: str, record: Any, catalog: DesignCatalog, where: str | None = None) -> BlockDefinition:
    """One definition from its record; ``catalog`` resolves the blocks it holds."""
    where = where or name
    if not isinstance(record, dict):
        raise BlockError(f"{where}: must be an object with nodes, edges, params and description")
    description = record.get("description", "")
    if not isinstance(description, str):
        raise BlockError(f"{where}.description: must be a text, found {type(description).__name__}")
    for key in ("nodes", "edges"):
        if not isinstance(record.get(key), list):
            raise BlockError(f"{where}.{key}: must be a list")
    if len(record["nodes"]) > MAX_BLOCK_NODES:
        raise BlockError(f"{where}: {len(record['nodes']):,} nodes; a block holds at most {MAX_BLOCK_NODES:,}")
    nodes = [_node(catalog, node, f"{where}.nodes[{i}]", name) for i, node in enumerate(record["nodes"])]
    ids = {n["id"] for n in nodes}
    if len(ids) != len(nodes):
        raise BlockError(f"{where}.nodes: two nodes have the same id")
    edges = [_edge(edge, f"{where}.edges[{i}]", ids) for i, edge in enumerate(record["edges"])]
    targets = [(e["target"], e["port"]) for e in edges]
    if len(set(targets)) != len(targets):
        raise BlockError(f"{where}.edges: two edges feed the same input port")
    params = _exposed(record.get("params", {}), f"{where}.params")
    definition = BlockDefinition(name, tuple(nodes), tuple(edges), params, description)
    check_definition(definition, catalog)
    try:
        definition.build_graph(catalog).analyze()  # wiring checked by the model itself: ports that exist, no cycle
    except EditError as exc:
        raise BlockError(f"{where}: {exc}") from None
    return definition


def _node(catalog: DesignCatalog, record: Any, where: str, block: str) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise BlockError(f"{where}: must be an object with id, type, params and position")
    node_id, type_name = record.get("id"), record.get("type")
    try:
        check_node_id(node_id)  # type: ignore[arg-type]
    except EditError as exc:
        raise BlockError(f"{where}.id: {exc}") from None
    where = f"{where} ({node_id})"
    if type_name == block:
        raise BlockError(f"{where}: {block} cannot contain itself: a block may hold other blocks, never itself")
    if not isinstance(type_name, str) or type_name not in catalog:
        raise BlockError(f"{where}: unknown layer type {short_repr(type_name)}")
    spec = catalog.get(type_name)
    params = record.get("params", {})
    if not isinstance(params, dict):
        raise BlockError(f"{where}.params: must be an object")
    values = {}
    for key, value in params.items():
        if key not in spec.param_names():
            raise BlockError(f"{where}.params: {type_name} has no parameter {shown_name(key)}")
        try:
            values[key] = plain_value(spec.check_param(key, value))
        except ParamError as exc:
            raise BlockError(f"{where}.params.{key}: {exc.reason}") from None
    position = record.get("position", [0.0, 0.0])
    if not (isinstance(position, list) and len(position) == 2 and all(_number(v) and abs(v) <= MAX_COORDINATE for v in position)):
        raise BlockError(f"{where}.position: must be [x, y] numbers between ±{MAX_COORDINATE:g}")
    node = {"id": node_id, "type": type_name, "params": values, "position": [float(position[0]), float(position[1])]}
    frozen = record.get("frozen", False)
    if not isinstance(frozen, bool):
        raise BlockError(f"{where}.frozen: must be true or false")
    try:
        factor = check_lr_factor(record.get("lr_factor", 1.0))
    except ParamError as exc:
        raise BlockError(f"{where}.lr_factor: {exc.reason}") from None
    if frozen:
        node["frozen"] = True
    if factor != 1.0:
        node["lr_factor"] = factor
    return node


def _edge(record: Any, where: str, ids: set[str]) -> dict[str, Any]:
    try:
        return edge_from_record(record, ids, where, "block").record()
    except EditError as exc:
        raise BlockError(str(exc)) from None


def _exposed(record: Any, where: str) -> dict[str, ExposedParam]:
    if not isinstance(record, dict):
        raise BlockError(f"{where}: must be an object mapping parameter names to their default and targets")
    params = {}
    for key, value in record.items():
        if not isinstance(value, dict) or "default" not in value or not isinstance(value.get("targets"), list):
            raise BlockError(f"{where}.{shown_name(key)}: must be an object with 'default' and 'targets' ([node, parameter] pairs)")
        targets = []
        for target in value["targets"]:
            if not (isinstance(target, list) and len(target) == 2 and all(isinstance(t, str) for t in target)):
                raise BlockError(f"{where}.{shown_name(key)}.targets: each must be [node id, parameter name], found {short_repr(target)}")
            targets.append((target[0], target[1]))
        params[key] = ExposedParam(tuple_value(value["default"]), tuple(targets))
    return params


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# ------------------------------------------------------------- block files
BLOCK_FORMAT = "nn-designer-block"
BLOCK_VERSION = 1


def block_document(definition: BlockDefinition, blocks: Mapping[str, BlockDefinition] | None = None) -> dict[str, Any]:
    """A block file's content: the definition, with the blocks it holds (from
    ``blocks``, nested ones too) so the file stands on its own."""
    from designer.graph.blocks import blocks_used

    holds = [name for name in blocks_used(dict(blocks or {}), definition.node_types()) if name != definition.name]
    document: dict[str, Any] = {"format": BLOCK_FORMAT, "version": BLOCK_VERSION, "name": definition.name, **definition.record()}
    if holds:
        document["blocks"] = {name: blocks[name].record() for name in holds}  # type: ignore[index]
    return document


def definitions_from_block_document(document: Any, base: Catalog) -> dict[str, BlockDefinition]:
    """A block file's definitions, checked: the blocks it holds first, its own last."""
    if not isinstance(document, dict):
        raise BlockError("not a block file: the top level must be a JSON object")
    if document.get("format") != BLOCK_FORMAT:
        raise BlockError(f"not a block file: 'format' must be {BLOCK_FORMAT!r}, found {short_repr(document.get('format'))}")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= BLOCK_VERSION:
        raise BlockError(f"'version' must be a whole number from 1 to {BLOCK_VERSION} (a newer designer's block?), found {short_repr(version)}")
    name = document.get("name")
    check_block_name(name, base)
    parts = definitions_from_records(document.get("blocks", {}), base)
    if name in parts:
        raise BlockError(f"{name} cannot contain itself: its file lists it among the blocks it holds")
    record = {key: document[key] for key in ("description", "params", "nodes", "edges") if key in document}
    main = definition_from_record(name, record, DesignCatalog(dict(parts), base))
    return {**parts, name: main}
