"""Generators of hostile project files: a sample's document with parts
replaced by hostile values, keys dropped or added, nesting thousands deep,
numbers past every limit, broken text and truncated JSON (a plain module:
conftest names clash between folders)."""

from __future__ import annotations

import copy
import json
from typing import Any

from hostile_text import HOSTILE_NAMES, any_text, legal_ids, names
from hypothesis import strategies as st
from paths import SAMPLES

from designer.layers import CATALOG
from designer.params import BOOL, CHOICE, FLOAT, INT, INTS, PADDING, SIZE, Param

DOCUMENTS = [json.loads(path.read_text(encoding="utf-8")) for path in SAMPLES]
DEEP = "\x00deep:"  # a string that stands for a deeply nested list in the text
BIG_INTS = [0, -1, 1, 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**300]
# Values that once broke a loader, a shape rule or the generated code.
SPECIAL_VALUES: list[Any] = [
    *BIG_INTS,
    [2**63],
    [2**31 - 1] * 4,
    [0],
    [],
    [[]],
    [1.5],
    [True],
    "3x3",
    "same",
    "",
    1e308,
    -1e308,
    5e-324,
    0.0,
    -0.0,
    True,
    False,
    None,
    {},
    *HOSTILE_NAMES,
    f"{DEEP}65",
    f"{DEEP}1000",
    f"{DEEP}100000",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(BIG_INTS),
    st.floats(allow_nan=False, allow_infinity=False),
    any_text,
    st.sampled_from(SPECIAL_VALUES),
)
json_values = st.recursive(
    scalars, lambda children: st.lists(children, max_size=5) | st.dictionaries(any_text, children, max_size=4), max_leaves=12
)


def _places(value: Any, path: tuple = ()) -> list[tuple]:
    """Every path to a value inside a JSON document."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _places(item, (*path, index))
    return found


def _container(document: Any, path: tuple) -> Any:
    for key in path:
        document = document[key]
    return document


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    """A sample's document with one to four parts replaced, dropped or added."""
    document = json.loads(json.dumps(draw(st.sampled_from(DOCUMENTS))))
    for _ in range(draw(st.integers(1, 4))):
        places = _places(document)
        # Weigh the places that matter most: node parameters, ids, edges.
        path = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "replace", "replace", "drop", "add", "duplicate"]))
        value = copy.deepcopy(draw(json_values))  # sampled lists are shared: a later edit must not change SPECIAL_VALUES
        if not path:
            if action == "replace":
                document = value
            continue
        parent, key = _container(document, path[:-1]), path[-1]
        if action == "replace":
            parent[key] = value
        elif action == "drop":
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.one_of(any_text, st.sampled_from(["params", "port", "shape", "id", "source", "view", "zoom"])))] = value
        elif action == "add" and isinstance(parent, list):
            parent.insert(draw(st.integers(0, len(parent))), value)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(json.loads(json.dumps(parent[key])))
    return document


small_ints = st.integers(-3, 70)
any_ints = st.one_of(small_ints, st.sampled_from(BIG_INTS), st.integers())
int_lists = st.one_of(any_ints, st.lists(st.one_of(small_ints, any_ints), max_size=6))


def _typed_value(param: Param) -> st.SearchStrategy[Any]:
    """A value of a parameter's own type, in range or far out of it."""
    kind, choices = param.kind, param.choices
    if kind in (INT, FLOAT, INTS, SIZE, PADDING) and draw_in_range_first(param):
        low = int(param.min if param.min is not None else 0)
        high = int(min(param.max if param.max is not None else 64, 64))
        in_range = st.integers(max(low, 1) if low == 0 and param.exclusive_min else low, max(low, high))
        return st.one_of(in_range, in_range, _typed_value_out(kind, choices))
    return _typed_value_out(kind, choices)


def draw_in_range_first(param: Param) -> bool:
    return param.min is not None or param.max is not None


def _typed_value_out(kind: str, choices: tuple[str, ...]) -> st.SearchStrategy[Any]:
    if kind == INT:
        return any_ints
    if kind == FLOAT:
        return st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.floats(-2, 2))
    if kind == BOOL:
        return st.booleans()
    if kind == CHOICE:
        return st.one_of(st.sampled_from(choices), any_text)
    if kind in (INTS, SIZE, PADDING):
        return st.one_of(int_lists, st.sampled_from(["same", "valid", "3x3"])) if kind == PADDING else int_lists
    return json_values


@st.composite
def plausible_documents(draw: st.DrawFn) -> Any:
    """A sample's document edited the way a person or a tool might: parameters
    set to values of their type (in range or far out), layer types swapped,
    edges rewired, nodes removed or renamed, hostile names."""
    document = json.loads(json.dumps(draw(st.sampled_from(DOCUMENTS))))
    nodes, edges = document["nodes"], document["edges"]
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["param", "param", "param", "param", "type", "rewire", "drop edge", "drop node", "rename", "name"]))
        node = draw(st.sampled_from(nodes)) if nodes else None
        if action == "param" and node is not None:
            params = CATALOG.get(node["type"]).params if node["type"] in CATALOG else ()
            if params:
                param = draw(st.sampled_from(params))
                node["params"][param.name] = copy.deepcopy(draw(_typed_value(param)))
        elif action == "type" and node is not None:
            node["type"], node["params"] = draw(st.sampled_from(CATALOG.names())), {}
        elif action == "rewire" and edges and nodes:
            edge = draw(st.sampled_from(edges))
            edge[draw(st.sampled_from(["source", "target"]))] = draw(st.sampled_from(nodes))["id"]
            edge["port"] = draw(st.integers(0, 3))
        elif action == "drop edge" and edges:
            edges.remove(draw(st.sampled_from(edges)))
        elif action == "drop node" and node is not None:
            nodes.remove(node)
            edges[:] = [e for e in edges if node["id"] not in (e["source"], e["target"])]
        elif action == "rename" and node is not None:
            new = draw(legal_ids)
            if all(n["id"] != new for n in nodes):
                for edge in edges:
                    for key in ("source", "target"):
                        edge[key] = new if edge[key] == node["id"] else edge[key]
                node["id"] = new
        elif action == "name":
            document["name"] = draw(names)
    return document


def to_text(document: Any) -> str:
    """JSON text, with each deep marker string written as a list nested that deep."""
    text = json.dumps(document)  # escapes lone surrogates: \ud800 in the text, as a hostile tool writes it
    for depth in (65, 1000, 100000):
        text = text.replace(json.dumps(f"{DEEP}{depth}"), "[" * depth + "]" * depth)
    return text


@st.composite
def hostile_files(draw: st.DrawFn) -> bytes:
    """The bytes of a hostile project file."""
    text = to_text(draw(st.one_of(plausible_documents(), mutated_documents())))
    damage = draw(st.sampled_from(["none", "none", "none", "truncate", "insert", "bytes", "literal", "bom"]))
    if damage == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif damage == "insert":
        at = draw(st.integers(0, len(text)))
        text = (
            text[:at]
            + draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "9" * 5000, "[" * 5000, '"', "\\", ",", "}"]))
            + text[at:]
        )
    elif damage == "literal":
        text = text.replace("0.0", draw(st.sampled_from(["NaN", "1e400", "-1e400", "Infinity"])), 1)
    data = text.encode("utf-8", "surrogatepass")
    if damage == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    elif damage == "bom":
        data = b"\xef\xbb\xbf" + data
    return data
