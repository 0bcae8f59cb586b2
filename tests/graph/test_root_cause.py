"""Only the root cause is reported: a chain that does not reach its Output
gets one "not used" warning, on its dead end, not one on every layer."""

from __future__ import annotations

from designer.graph import ERROR, WARNING, Graph


def test_an_unwired_output_warns_only_at_the_chain_end() -> None:
    g = Graph()
    g.sequential(("Input", {"shape": [4]}), ("Linear", {"out_features": 8}), "ReLU", ("Linear", {"out_features": 8}), "ReLU")
    g.sequential(("Linear", {"out_features": 3}))
    g.connect("relu2", "dense3")
    g.add("Output")  # added, never wired
    found = {(p.node, p.severity, p.code) for p in g.validate()}
    assert found == {("output1", ERROR, "missing-input"), ("dense3", WARNING, "unused")}


def test_a_side_branch_that_goes_nowhere_warns_once() -> None:
    g = Graph()
    g.sequential(("Input", {"shape": [4]}), ("Linear", {"out_features": 3}), "Output")
    side = g.add("ReLU")
    tail = g.add("Tanh")
    g.connect("input1", side)
    g.connect(side, tail)
    assert [(p.node, p.code) for p in g.validate()] == [(tail, "unused")]
