"""Parameter values in a project file: a value of the right type but out of
range loads as written and is reported on its node (nothing the user typed is
lost); a value of the wrong type is refused with where it is."""

from __future__ import annotations

import json

import pytest

from designer.graph import Graph
from designer.project import Project, ProjectError, dumps, loads


def _document() -> dict:
    g = Graph("values")
    g.sequential(("Input", {"shape": [1, 8, 8]}), ("Conv2d", {"out_channels": 4, "kernel_size": [3, 5]}), "Flatten", "Output")
    return json.loads(dumps(Project(g)))


def _with_conv(**params) -> str:
    document = _document()
    document["nodes"][1]["params"].update(params)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("name", "value", "kept"),
    [
        ("kernel_size", [0, 3], (0, 3)),  # a list of whole numbers, one out of range
        ("kernel_size", 0, 0),
        ("stride", [3, 0], (3, 0)),
        ("out_channels", 0, 0),
    ],
)
def test_out_of_range_values_load_as_written_and_are_reported(name: str, value, kept) -> None:
    project = loads(_with_conv(**{name: value}))
    assert project.graph.node("conv1").params[name] == kept
    assert [(p.node, p.code) for p in project.graph.validate()] == [("conv1", "param")]


@pytest.mark.parametrize(
    ("name", "value"),
    [("kernel_size", ["3", 3]), ("kernel_size", []), ("kernel_size", 2.5), ("out_channels", 4.5), ("bias", "yes"), ("stride", [1.5, 1])],
)
def test_values_of_the_wrong_type_are_refused_with_their_place(name: str, value) -> None:
    with pytest.raises(ProjectError, match=rf"^<text>: nodes\[1\] \(conv1\)\.params\.{name}: must be .*, got "):
        loads(_with_conv(**{name: value}))


def test_texts_are_written_as_they_are() -> None:
    g = Graph("Straße — ünïcode")
    g.add("Input", shape=[2])
    text = dumps(Project(g, "größer"))
    assert '"Straße — ünïcode"' in text and '"größer"' in text and loads(text).name == "Straße — ünïcode"
