"""Reading and writing ``.nnd`` project files (JSON, versioned, atomic).

Loading never executes anything from the file: it is parsed as JSON and
every field is checked. Anything wrong raises one :class:`ProjectError`
naming what and where.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from designer.graph import Edge, Graph
from designer.graph.errors import EditError, ParamError
from designer.layers import CATALOG
from designer.params import FLOAT, INT, INTS, PADDING, SIZE, Param
from designer.project.atomic import write_text_atomic
from designer.project.errors import ProjectError
from designer.project.jsonfmt import dumps as format_json
from designer.project.model import Project, default_data, default_view
from designer.project.settings import data_settings, training_settings

FORMAT = "nn-designer"
VERSION = 1
SUFFIX = ".nnd"
# version -> function upgrading a document of that version to the next one
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


# ------------------------------------------------------------------ saving
def to_document(project: Project) -> dict[str, Any]:
    records = project.graph.records()
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": project.name,
        "description": project.description,
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
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise ProjectError(f"{source}: is a folder, not a project file") from None
    except UnicodeDecodeError:
        raise ProjectError(f"{source}: not a project file (it is not text)") from None
    except OSError as exc:
        raise ProjectError(f"{source}: cannot be read ({exc.strerror})") from None
    project = loads(text, str(source))
    project.path = source
    return project


def loads(text: str, source: str = "<text>") -> Project:
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ProjectError(f"{source}: not a valid project file: JSON error at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except ValueError as exc:
        raise ProjectError(f"{source}: {exc}") from None
    try:
        return from_document(document)
    except ProjectError as exc:
        raise ProjectError(f"{source}: {exc}") from None


def _refuse_constant(name: str) -> float:
    raise ValueError(f"not a valid project file: {name} is not allowed in JSON")


def from_document(document: Any) -> Project:
    if not isinstance(document, dict):
        raise ProjectError("not a project file: the top level must be a JSON object")
    if document.get("format") != FORMAT:
        raise ProjectError(f"not a project file: 'format' must be {FORMAT!r}, found {document.get('format')!r}")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProjectError(f"'version' must be a whole number ≥ 1, found {version!r}")
    if version > VERSION:
        raise ProjectError(f"written by a newer designer (file version {version}; this one reads up to {VERSION}): update the designer")
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
    with graph.batch():
        for index, record in enumerate(document["nodes"]):
            _load_node(graph, record, f"nodes[{index}]")
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
    view = {**default_view(), **_section(document, "view", dict)}
    return Project(graph, _field(document, "description", str, ""), data, training, view)


def _field(document: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    value = document.get(key, default)
    if not isinstance(value, kind):
        raise ProjectError(f"'{key}' must be a {kind.__name__}, found {type(value).__name__}")
    return value


def _section(document: dict[str, Any], key: str, kind: type) -> dict[str, Any]:
    return dict(_field(document, key, kind, {}))


def _load_node(graph: Graph, record: Any, where: str) -> None:
    if not isinstance(record, dict):
        raise ProjectError(f"{where}: must be an object with id, type, params and position")
    for key in ("id", "type"):
        if not isinstance(record.get(key), str):
            raise ProjectError(f"{where}: missing or invalid '{key}'")
    node_id, type_name = record["id"], record["type"]
    where = f"{where} ({node_id})"
    if type_name not in CATALOG:
        raise ProjectError(f"{where}: unknown layer type '{type_name}'")
    params = record.get("params", {})
    if not isinstance(params, dict):
        raise ProjectError(f"{where}.params: must be an object")
    spec = CATALOG.get(type_name)
    values = {}
    for key, value in params.items():
        if key not in spec.param_names():
            raise ProjectError(f"{where}.params.{key}: {type_name} has no parameter '{key}'")
        values[key] = _load_param(spec.param(key), value, f"{where}.params.{key}")
    position = record.get("position", [0.0, 0.0])
    if not (isinstance(position, list) and len(position) == 2 and all(_is_number(v) for v in position)):
        raise ProjectError(f"{where}.position: must be [x, y] numbers")
    try:
        graph.add_node(type_name, values, node_id=node_id, position=(position[0], position[1]), check=False)
    except EditError as exc:
        raise ProjectError(f"{where}: {exc}") from None


def _load_param(param: Param, value: Any, where: str) -> Any:
    """The checked value; a value of the right type but out of range is kept
    as it is (validation reports it on the node, and nothing is lost)."""
    try:
        return param.check(value)
    except ParamError as exc:
        if _type_matches(param, value):
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
        return _is_int(value) or isinstance(value, list) and bool(value) and all(_is_int(v) for v in value)
    return False  # bool and choice values are either valid or the wrong type


def _load_edge(graph: Graph, record: Any, where: str) -> None:
    if not isinstance(record, dict) or not isinstance(record.get("source"), str) or not isinstance(record.get("target"), str):
        raise ProjectError(f"{where}: must be an object with 'source' and 'target' node ids")
    port = record.get("port", 0)
    if not _is_int(port) or port < 0:
        raise ProjectError(f"{where}: 'port' must be a whole number ≥ 0, found {port!r}")
    for key in ("source", "target"):
        if record[key] not in graph:
            raise ProjectError(f"{where}: {key} '{record[key]}' is not a node of this design")
    spec = graph.spec(record["target"])
    if spec.max_inputs is not None and port >= spec.max_inputs:
        raise ProjectError(f"{where}: {record['target']} ({spec.name}) has no input port {port}")
    try:
        graph.restore_edge(Edge(record["source"], record["target"], port))
    except EditError as exc:
        raise ProjectError(f"{where}: {exc}") from None
