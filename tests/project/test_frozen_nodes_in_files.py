"""Frozen nodes and learning-rate factors in the project file: optional keys, checked on load."""

from __future__ import annotations

import json

import pytest

import designer
from designer.project import Project
from designer.project.errors import ProjectError
from designer.project.files import dumps, loads


def project() -> Project:
    g = designer.Graph("head")
    x = g.add("Input", shape=[3])
    g.sequential(("Linear", {"out_features": 2}, "dense1"), "Output", after=x)
    return Project(g)


def test_frozen_and_factor_are_saved_and_loaded() -> None:
    p = project()
    p.graph.set_node_training("dense1", frozen=True, lr_factor=0.25)
    node = loads(dumps(p)).graph.node("dense1")
    assert (node.frozen, node.lr_factor) == (True, 0.25)


def test_a_file_without_them_is_written_as_before() -> None:
    text = dumps(project())
    assert "frozen" not in text and "lr_factor" not in text
    node = loads(text).graph.node("dense1")
    assert (node.frozen, node.lr_factor) == (False, 1.0)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("frozen", "yes", "nodes[1] (dense1).frozen: must be true or false, found 'yes'"),
        ("frozen", 1, "nodes[1] (dense1).frozen: must be true or false, found 1"),
        ("lr_factor", -1, "nodes[1] (dense1).lr_factor: must be a number from 0 to 1e+06, found -1"),
        ("lr_factor", 1e300, "nodes[1] (dense1).lr_factor: must be a number from 0 to 1e+06"),
        ("lr_factor", True, "nodes[1] (dense1).lr_factor: must be a number"),
        ("lr_factor", [1], "nodes[1] (dense1).lr_factor: must be a number"),
    ],
)
def test_a_hostile_value_is_refused_with_its_place(key: str, value: object, message: str) -> None:
    document = json.loads(dumps(project()))
    document["nodes"][1][key] = value
    with pytest.raises(ProjectError) as caught:
        loads(json.dumps(document), "p.nnd")
    assert str(caught.value).startswith("p.nnd: " + message)


def test_the_graph_refuses_a_bad_factor_before_changing_anything() -> None:
    g = project().graph
    with pytest.raises(designer.graph.errors.ParamError):
        g.set_node_training("dense1", lr_factor=float("nan"))
    assert g.node("dense1").lr_factor == 1.0
