"""The diff of two designs lists exactly what changed: nodes added, removed
and renamed, parameters changed, inputs rewired."""

from __future__ import annotations

from paths import sample

from designer.graph import Edge
from designer.project import load_project
from designer.runs.diff import ADDED, CHANGED, RENAMED, REWIRED, diff_designs


def test_the_diff_of_two_variants_of_the_digits_cnn_lists_exactly_the_changes() -> None:
    a = load_project(sample("digits_cnn")).graph
    b = load_project(sample("digits_cnn")).graph
    b.set_param("conv1", "out_channels", 8)
    b.rename_node("relu1", "act1")
    b.remove_node("pool2")
    b.connect("relu2", "flatten1")
    b.disconnect(Edge("relu3", "dense2", 0))
    b.add("Dropout", id="drop1", p=0.2)
    b.connect("relu3", "drop1")
    b.connect("drop1", "dense2")
    diff = diff_designs(a, b)
    assert diff.lines() == [
        "added drop1 (Dropout)",
        "removed pool2 (MaxPool2d)",
        "renamed relu1 → act1",
        "changed conv1: out_channels 16 → 8",
        "wired drop1 → dense2",
        "wired relu3 → drop1",
        "wired relu2 → flatten1",
        "unwired relu3 → dense2",
        "unwired pool2 → flatten1",
        "unwired relu2 → pool2",
    ]
    assert diff.rewired == ["flatten1", "dense2"]
    statuses = {n: diff.status(n) for n in b.node_ids()}
    assert statuses["drop1"] == ADDED and statuses["conv1"] == CHANGED and statuses["act1"] == RENAMED
    assert statuses["flatten1"] == statuses["dense2"] == REWIRED
    assert [n for n, s in statuses.items() if s is None] == ["input1", "pool1", "conv2", "relu2", "dense1", "relu3", "output1"]
    assert diff_designs(a, a).same and diff_designs(a, a).lines() == ["the designs are the same"]
