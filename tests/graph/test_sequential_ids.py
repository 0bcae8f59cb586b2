"""Graph.sequential takes the ids a caller chooses."""

from __future__ import annotations

import pytest

import designer  # noqa: F401 - registers the catalog
from designer.graph import DuplicateIdError, Graph, InvalidIdError


def test_sequential_sets_ids_where_given() -> None:
    g = Graph("ids")
    ids = g.sequential(("Input", {"shape": [4]}, "features"), ("Linear", {"out_features": 2}, "head"), "ReLU", ("Output", {}))
    assert ids == ["features", "head", "relu1", "output1"]
    assert [(e.source, e.target) for e in g.edges] == [("features", "head"), ("head", "relu1"), ("relu1", "output1")]
    assert g.node("head").params["out_features"] == 2


def test_sequential_refuses_a_taken_or_illegal_id() -> None:
    g = Graph("ids")
    g.add("Input", shape=[4], id="x")
    with pytest.raises(DuplicateIdError):
        g.sequential(("Linear", {}, "x"))
    with pytest.raises(InvalidIdError):
        g.sequential(("Linear", {}, "not an id"))
