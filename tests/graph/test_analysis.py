"""Validation names every mistake on its node and says how to fix it."""

from __future__ import annotations

from designer.graph import ERROR, LONG, WARNING, DataSpec, Edge, Graph, TensorSpec, format_summary, summarize


def codes(g: Graph, data: DataSpec | None = None) -> dict[str | None, set[str]]:
    found: dict[str | None, set[str]] = {}
    for p in g.validate(data):
        found.setdefault(p.node, set()).add(p.code)
    return found


def mlp() -> Graph:
    g = Graph()
    g.sequential(("Input", {"shape": [2]}), ("Linear", {"out_features": 8}), "ReLU", ("Linear", {"out_features": 3}), "Output")
    return g


def test_clean_design_has_no_problems_and_symbolic_batch() -> None:
    g = mlp()
    assert g.validate() == []
    assert g.shapes()["dense2"].display() == "N x 3"


def test_empty_design_needs_input_and_output() -> None:
    assert codes(Graph()) == {None: {"no-input", "no-output"}}


def test_missing_input_and_unused_output() -> None:
    g = mlp()
    g.disconnect(g.inputs_of("relu1")[0])
    found = codes(g)
    assert found["relu1"] == {"missing-input"}
    assert found["dense1"] == {"unused"}
    messages = {p.node: p for p in g.validate()}
    assert messages["relu1"].severity == ERROR and "connect" in messages["relu1"].message
    assert messages["dense1"].severity == WARNING


def test_errors_are_not_repeated_downstream() -> None:
    g = mlp()
    g.set_param("input1", "dtype", LONG)
    g.add("Conv2d")  # isolated node
    problems = g.validate()
    assert {p.node: p.code for p in problems} == {"dense1": "dtype", "conv1": "missing-input"}
    assert g.shapes()["dense2"] is None


def test_shape_conflict_on_add_offers_projection() -> None:
    g = Graph()
    x = g.add("Input", shape=[3, 8, 8])
    a, b = g.add("Conv2d", out_channels=16, padding=1), g.add("Conv2d", out_channels=32, padding=1)
    add, out = g.add("Add"), g.add("Output")
    for src, dst in [(x, a), (x, b), (a, add), (b, add), (add, out)]:
        g.connect(src, dst)
    (problem,) = g.validate()
    assert problem.node == add and problem.code == "channel-mismatch"
    assert "N x 16 x 8 x 8 and N x 32 x 8 x 8" in problem.message


def test_linear_fed_images_is_a_warning_with_fix() -> None:
    g = Graph()
    g.sequential(("Input", {"shape": [1, 8, 8]}), ("Linear", {"out_features": 10}), "Output")
    (problem,) = g.validate()
    assert (problem.node, problem.severity, problem.code) == ("dense1", WARNING, "linear-needs-flatten")


def test_conv_fed_vectors_and_embedding_fed_floats() -> None:
    g = Graph()
    g.sequential(("Input", {"shape": [64]}), "Conv2d", "Output")
    g.sequential(("Input", {"shape": [10]}), "Embedding", "Flatten", "Output")
    assert codes(g) == {"conv1": {"rank"}, "embed1": {"dtype"}}


def test_token_ids_into_float_layers() -> None:
    g = Graph()
    g.sequential(("Input", {"shape": [10], "dtype": LONG}), ("Linear", {"out_features": 3}), "Output")
    (problem,) = g.validate()
    assert problem.code == "dtype" and "Embedding" in problem.message


def test_cycle_from_a_file_is_reported_on_its_nodes() -> None:
    g = mlp()
    g.disconnect(g.inputs_of("dense1")[0])
    g.restore_edge(Edge("relu1", "dense1", 0))  # a cycle only a broken file can contain
    found = codes(g)
    assert "cycle" in found["dense1"] and "cycle" in found["relu1"]


def test_out_of_range_param_from_a_file_is_reported() -> None:
    g = mlp()
    g.set_param("dense1", "out_features", 0, check=False)
    assert codes(g) == {"dense1": {"param"}}


def test_data_mismatch_is_reported_on_input_and_output() -> None:
    g = mlp()
    data = DataSpec(TensorSpec((4,)), "classification", num_classes=10, name="iris")
    found = {p.node: p.message for p in g.validate(data)}
    assert "set shape to [4]" in found["input1"]
    assert "10 classes" in found["output1"]
    assert g.validate(DataSpec(TensorSpec((2,)), "classification", num_classes=3)) == []


def test_summary_totals_and_table() -> None:
    g = mlp()
    summary = summarize(g)
    assert summary.total_params == (2 * 8 + 8) + (8 * 3 + 3)
    assert [r.node for r in summary.rows] == g.node_ids()
    table = format_summary(g)
    assert "dense1" in table and "51" in table.splitlines()[-1]


def test_analysis_is_cached_until_the_next_edit() -> None:
    g = mlp()
    first = g.analyze()
    assert g.analyze() is first
    g.set_param("dense1", "out_features", 9)
    assert g.analyze() is not first
