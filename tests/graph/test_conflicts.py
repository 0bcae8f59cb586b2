"""The model says which edges carry tensors their target cannot take, and how
many input ports a node offers; the canvas only draws what it is told."""

from __future__ import annotations

from designer.graph import DataSpec, Edge, Graph, TensorSpec
from designer.graph.analysis import CLASSIFICATION


def residual_with_mismatched_channels() -> tuple[Graph, str, str]:
    g = Graph()
    x = g.add("Input", shape=[3, 8, 8])
    a, b = g.add("Conv2d", out_channels=16, padding=1), g.add("Conv2d", out_channels=32, padding=1)
    add, out = g.add("Add"), g.add("Output")
    for src, dst in [(x, a), (x, b), (a, add), (b, add), (add, out)]:
        g.connect(src, dst)
    return g, add, out


def test_a_shape_conflict_marks_the_edges_into_its_node() -> None:
    g, add, _ = residual_with_mismatched_channels()
    analysis = g.analyze()
    (problem,) = analysis.problems
    assert problem.is_shape_conflict
    assert analysis.conflicted_edges(g) == set(g.inputs_of(add))


def test_wiring_and_parameter_errors_are_not_shape_conflicts() -> None:
    g = Graph()
    g.sequential(("Input", {"shape": [2]}), ("Linear", {"out_features": 8}), "Output")
    g.add("ReLU")  # no input
    g.set_param("dense1", "out_features", 0, check=False)  # out of range
    analysis = g.analyze()
    assert {p.code for p in analysis.problems} == {"missing-input", "param"}
    assert not any(p.is_shape_conflict for p in analysis.problems)
    assert analysis.conflicted_edges(g) == set()


def test_data_that_does_not_fit_the_output_marks_its_edge() -> None:
    g = Graph()
    g.sequential(("Input", {"shape": [2]}), ("Linear", {"out_features": 3}), "Output")
    analysis = g.analyze(DataSpec(TensorSpec((2,)), CLASSIFICATION, num_classes=10))
    assert analysis.conflicted_edges(g) == {Edge("dense1", "output1", 0)}


def test_input_slots_are_fixed_or_one_past_the_last_connected_merge_input() -> None:
    g, add, out = residual_with_mismatched_channels()
    assert g.input_slots(out) == 1
    assert g.input_slots(add) == 3  # two connected and a free one
    lone = g.add("Concat")
    assert g.input_slots(lone) == 2  # what it needs, before anything is wired
    g.disconnect(g.inputs_of(add)[0])
    assert g.input_slots(add) == 3  # port 1 is still connected: port 0 stays, free, before it
    assert g.free_port(add) == 0
