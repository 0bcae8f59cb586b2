"""Renaming a node: the node, its edges, its saved records and its place all
follow, and the views hear the old and the new name."""

from __future__ import annotations

from designer.graph import Graph


def _chain() -> Graph:
    g = Graph("chain")
    g.sequential(("Input", {"shape": [4]}), ("Linear", {"out_features": 8}), "ReLU", ("Linear", {"out_features": 2}), "Output")
    return g


def test_the_node_its_edges_and_its_records_carry_the_new_name() -> None:
    g = _chain()
    g.rename_node("dense1", "hidden")
    node = g.node("hidden")
    assert node.id == "hidden" and node.type == "Linear" and node.params["out_features"] == 8
    assert g.node_ids() == ["input1", "hidden", "relu1", "dense2", "output1"]  # keeps its place
    assert [(e.source, e.target) for e in g.inputs_of("hidden")] == [("input1", "hidden")]
    assert [(e.source, e.target) for e in g.outputs_of("hidden")] == [("hidden", "relu1")]
    records = g.records()
    assert [n["id"] for n in records["nodes"]][1] == "hidden"
    assert {"source": "hidden", "target": "relu1", "port": 0} in records["edges"]
    assert "dense1" not in g.analyze().nodes and g.analyze().nodes["hidden"].inferred == {"in_features": 4}


def test_views_hear_the_old_and_new_name_then_one_change() -> None:
    g = _chain()
    heard: list[tuple] = []
    g.events.node_renamed.connect(lambda old, new: heard.append(("renamed", old, new)))
    g.events.changed.connect(lambda: heard.append(("changed",)))
    g.rename_node("relu1", "act")
    assert heard[0] == ("renamed", "relu1", "act") and heard[-1] == ("changed",) and heard.count(("changed",)) == 1


def test_renaming_to_the_same_name_changes_nothing() -> None:
    g = _chain()
    revision = g.revision
    g.rename_node("relu1", "relu1")
    assert g.revision == revision


def test_a_new_node_after_a_rename_does_not_take_the_new_name() -> None:
    g = _chain()
    g.rename_node("dense2", "dense7")
    assert g.add("Linear") == "dense8"
