"""Reading and writing ``.nnd`` project files (JSON, versioned, atomic).

Loading never executes anything from the file: it is read within the limits
of :mod:`designer.project.parse` (size, nesting, numbers, text), then every
field is checked for structure and type before anything is built; values of
the right type but out of range are kept and reported on their node by
validation. Anything wrong raises one :class:`ProjectError`, one line naming
the file and the place (``nodes[3] (dense1).params.shape``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import designer.layers  # noqa: F401 - registers the layer catalog every Graph resolves its types in
from designer.graph import Graph
from designer.graph.block_records import definitions_from_records
from designer.graph.blocks import blocks_used, expanded_size
from designer.graph.errors import EditError, ParamError
from designer.graph.messages import short_repr
from designer.graph.model import MAX_COORDINATE, MAX_LR_FACTOR, check_lr_factor, check_node_id, edge_from_record
from designer.params import FLOAT, INT, INTS, PADDING, SIZE, Param
from designer.project.atomic import write_text_atomic
from designer.project.errors import ProjectError
from designer.project.jsonfmt import dumps as format_json
from designer.project.model import Project, default_data, default_view
from designer.project.parse import parse, read_text
from designer.project.settings import data_settings, training_settings

FORMAT = "nn-designer"
# 2: block definitions under a top-level "blocks" key. A design without blocks
# is still written as version 1, which older designers read as before.
VERSION = 2
FIRST_WITH_BLOCKS = 2
MAX_EXPANDED_LAYERS = 1_000_000  # a design's layers with its blocks expanded
SUFFIX = ".nnd"
MAX_ZOOM = 1e6
# version -> function upgrading a document of that version to the next one
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: lambda document: {**document, "version": 2},  # a version-1 file has no blocks: nothing else changes
}


# ------------------------------------------------------------------ saving
def to_document(project: Project) -> dict[str, Any]:
    graph = project.graph
    records = graph.records()
    blocks = {name: graph.blocks[name].record() for name in blocks_used(graph.blocks, graph.blocks)}  # a block after those it holds
    return {
        "format": FORMAT,
        "version": FIRST_WITH_BLOCKS if blocks else 1,
        "name": project.name,
        "description": project.description,
        **({"blocks": blocks} if blocks else {}),
        "nodes": records["nodes"],
        "edges": records["edges"],
        "data": project.data.as_dict(),
        "training": project.training.as_dict(),
        "view": project.view,
    }


def dumps(project: Project) -> str:
    return format_json(to_document(project)) + "\n"


def save_project(project: Project, path: str | os.PathLike[str] | None = None) -> Path:
    """Write atomically; the project's path becomes ``path`` when given."""
    target = Path(path) if path is not None else project.path
    if target is None:
        raise ValueError("the project has no file yet: give a path")
    write_text_atomic(target, dumps(project))
    project.path = target
    return target


# ----------------------------------------------------------------- loading
def load_project(path: str | os.PathLike[str]) -> Project:
    """The project in the file at ``path``; ProjectError (one line naming the
    file and the place) when it cannot be used."""
    source = Path(path)
    project = loads(read_text(source), str(source))
    project.path = source
    return project


def loads(text: str, source: str = "<text>") -> Project:
    """The project in ``text``; errors name ``source`` and the place."""
    try:
        return from_document(parse(text))
    except ProjectError as exc:
        raise ProjectError(f"{source}: {exc}") from None


def from_document(document: Any) -> Project:
    """Build a project from a parsed document, checking it first (every
    field's structure and type; parse's limits when it came from text)."""
    if not isinstance(document, dict):
        raise ProjectError("not a project file: the top level must be a JSON object")
    if document.get("format") != FORMAT:
        raise ProjectError(f"not a project file: 'format' must be {FORMAT!r}, found {short_repr(document.get('format'))}")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProjectError(f"'version' must be a whole number ≥ 1, found {short_repr(version)}")
    if version > VERSION:
        raise ProjectError(f"written by a newer designer (file version {short_repr(version)}; this one reads up to {VERSION}): update the designer")
    while version < VERSION:
        document = MIGRATIONS[version](document)
        version += 1
    for key in ("nodes", "edges"):
        if key not in document:
            raise ProjectError(f"missing field '{key}'")
        if not isinstance(document[key], list):
            raise ProjectError(f"'{key}' must be a list")
    name = _field(document, "name", str, "untitled")
    graph = Graph(name)
    _load_blocks(graph, document.get("blocks", {}))
    with graph.batch():
        for index, record in enumerate(document["nodes"]):
            _load_node(graph, record, f"nodes[{index}]")
        _check_expanded_size(graph)
        for index, record in enumerate(document["edges"]):
            _load_edge(graph, record, f"edges[{index}]")
    data = _section(document, "data", dict)
    try:
        source = data.pop("source", default_data()["source"])
        options = data.pop("options", {})
        if not isinstance(source, str) or not isinstance(options, dict):
            raise ValueError("data: 'source' must be a name and 'options' an object")
        data = data_settings({"source": source, "options": options, **data})
        training = training_settings(_section(document, "training", dict))
    except (ValueError, ParamError) as exc:
        raise ProjectError(str(exc)) from None
    view = _load_view({**default_view(), **_section(document, "view", dict)})
    return Project(graph, _field(document, "description", str, ""), data, training, view)


def _load_blocks(graph: Graph, records: Any) -> None:
    """The design's block definitions, each checked (structure, types, values,
    no block holding itself, limits) before the nodes that use them."""
    try:
        definitions = definitions_from_records(records, graph.catalog.base)
        for name in blocks_used(definitions, definitions):
            graph.add_block_definition(definitions[name])
    except EditError as exc:
        raise ProjectError(str(exc)) from None


def _check_expanded_size(graph: Graph) -> None:
    """A design's layers with every block expanded stay within what checking it can afford."""
    if not graph.blocks:
        return
    total = sum(expanded_size(graph.blocks, node.type) for node in graph.nodes)
    if total > MAX_EXPANDED_LAYERS:
        raise ProjectError(f"the design holds {total:,} layers with its blocks expanded (at most {MAX_EXPANDED_LAYERS:,}): use fewer or smaller blocks")


def _field(document: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    value = document.get(key, default)
    if not isinstance(value, kind):
        raise ProjectError(f"'{key}' must be a {kind.__name__}, found {type(value).__name__}")
    return value


def _section(document: dict[str, Any], key: str, kind: type) -> dict[str, Any]:
    return dict(_field(document, key, kind, {}))


def _load_view(view: dict[str, Any]) -> dict[str, Any]:
    """The canvas's zoom and centre, checked (other keys are kept as they are)."""
    zoom, center = view["zoom"], view["center"]
    if not (_is_number(zoom) and 0 < zoom <= MAX_ZOOM):
        raise ProjectError(f"view.zoom: must be a number > 0 and ≤ {MAX_ZOOM:g}, found {short_repr(zoom)}")
    if not _is_point(center):
        raise ProjectError(f"view.center: must be [x, y] numbers between ±{MAX_COORDINATE:g}, found {short_repr(center)}")
    return view


def _is_point(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(_is_number(v) and abs(v) <= MAX_COORDINATE for v in value)


def _load_node(graph: Graph, record: Any, where: str) -> None:
    if not isinstance(record, dict):
        raise ProjectError(f"{where}: must be an object with id, type, params and position")
    for key in ("id", "type"):
        if not isinstance(record.get(key), str):
            raise ProjectError(f"{where}: missing or invalid '{key}'")
    node_id, type_name = record["id"], record["type"]
    try:
        check_node_id(node_id)
    except EditError as exc:
        raise ProjectError(f"{where}.id: {exc}") from None
    where = f"{where} ({node_id})"
    if type_name not in graph.catalog:
        raise ProjectError(f"{where}: unknown layer type {short_repr(type_name)}")
    params = record.get("params", {})
    if not isinstance(params, dict):
        raise ProjectError(f"{where}.params: must be an object")
    spec = graph.catalog.get(type_name)
    values = {}
    for key, value in params.items():
        if key not in spec.param_names():
            raise ProjectError(f"{where}.params: {type_name} has no parameter {short_repr(key)}")
        values[key] = _load_param(spec.param(key), value, f"{where}.params.{key}")
    position = record.get("position", [0.0, 0.0])
    if not _is_point(position):
        raise ProjectError(f"{where}.position: must be [x, y] numbers between ±{MAX_COORDINATE:g}")
    frozen = record.get("frozen", False)
    if not isinstance(frozen, bool):
        raise ProjectError(f"{where}.frozen: must be true or false, found {short_repr(frozen)}")
    lr_factor = record.get("lr_factor", 1.0)
    try:
        lr_factor = check_lr_factor(lr_factor)  # the model's rule, as block files and edits apply it
    except ParamError:
        raise ProjectError(f"{where}.lr_factor: must be a number from 0 to {MAX_LR_FACTOR:g}, found {short_repr(lr_factor)}") from None
    try:
        graph.add_node(
            type_name, values, node_id=node_id, position=(position[0], position[1]), check=False, frozen=frozen, lr_factor=lr_factor
        )
    except EditError as exc:
        raise ProjectError(f"{where}: {exc}") from None


def _load_param(param: Param, value: Any, where: str) -> Any:
    """The checked value. A value of the right type and structure but out of
    range is kept (validation reports it on the node, and nothing is lost),
    in the normalised form the checked value would have: a list of ints is a
    tuple, a lone int for a list parameter is a tuple of one."""
    try:
        return param.check(value)
    except ParamError as exc:
        if _type_matches(param, value):
            if param.kind == INTS and _is_int(value):
                return (value,)
            return tuple(value) if isinstance(value, list) else value
        raise ProjectError(f"{where}: {exc.reason}") from None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _type_matches(param: Param, value: Any) -> bool:
    if param.kind == INT:
        return _is_int(value)
    if param.kind == FLOAT:
        return _is_number(value)
    if param.kind == INTS or param.kind in (SIZE, PADDING):
        items = [value] if _is_int(value) else value  # a lone int stands for a list of one
        return isinstance(items, list) and _length_fits(param, len(items)) and all(_is_int(v) for v in items)
    return False  # bool and choice values are either valid or the wrong type


def _length_fits(param: Param, length: int) -> bool:
    """A list kept out of range still has a length the parameter takes (so a
    kept value is never larger than a valid one)."""
    if param.kind == INTS:
        return length == param.length if param.length else param.min_length <= length <= param.max_length
    return length in (1, param.length)


def _load_edge(graph: Graph, record: Any, where: str) -> None:
    try:
        edge = edge_from_record(record, graph, where)
    except EditError as exc:
        raise ProjectError(str(exc)) from None
    spec = graph.spec(edge.target)
    if spec.max_inputs is not None and edge.port >= spec.max_inputs:
        raise ProjectError(f"{where}: {edge.target} ({spec.name}) has no input port {edge.port}")
    try:
        graph.restore_edge(edge)
    except EditError as exc:
        raise ProjectError(f"{where}: {exc}") from None
