"""Sane upper bounds (issue 15): every number a layer takes has a range, no
tensor or layer grows past what torch and ONNX index, and what is beyond the
bounds is an error on its node, so compile and export refuse it instead of
overflowing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from designer.compile import CompileError, compile_design
from designer.graph import DTYPES, Graph, ParamError, PortError, ShapeError, TensorSpec
from designer.graph.model import MAX_INPUTS
from designer.graph.tensor import MAX_DIM, MAX_ELEMENTS
from designer.layers import CATALOG
from designer.params import BOOL, CHOICE, FLOAT, INT, INTS, PADDING, SIZE
from designer.project.settings import DATA, TRAINING

NUMERIC = (INT, FLOAT, INTS, SIZE, PADDING)


def test_every_number_a_layer_or_setting_takes_has_a_range_within_the_bounds() -> None:
    declared = [(layer.name, p) for layer in CATALOG for p in layer.params] + [("settings", p) for p in TRAINING + DATA]
    unbounded = [f"{owner}.{p.name}" for owner, p in declared if p.kind in NUMERIC and (p.min is None or p.max is None)]
    assert not unbounded
    assert all(p.max <= MAX_DIM for _, p in declared if p.kind in (INT, INTS, SIZE, PADDING))


def _design(shape: list[int], *layers: tuple[str, dict]) -> Graph:
    graph = Graph("big")
    graph.sequential(("Input", {"shape": shape}), *layers, "Output")
    return graph


@pytest.mark.parametrize(
    ("graph", "node", "says"),
    [
        (_design([MAX_DIM, MAX_DIM]), "input1", "values per sample"),
        (_design([MAX_DIM], ("Linear", {"out_features": 1 << 20})), "dense1", "parameters"),
        (_design([1, 1, 1 << 26], ("Upsample", {"scale_factor": 64.0})), "up1", "dimension above"),
        (_design([64, 1 << 14, 1 << 14], ("Conv2d", {"out_channels": 1 << 10, "kernel_size": 1})), "conv1", "values per sample"),
    ],
    ids=["input", "linear-weights", "upsample", "conv-output"],
)
def test_a_tensor_or_layer_past_the_bounds_is_an_error_on_its_node(graph: Graph, node: str, says: str) -> None:
    (problem,) = [p for p in graph.validate() if p.severity == "error"]
    assert problem.node == node and problem.code == "too-large" and says in problem.message
    assert graph.shapes()[node] is None  # nothing downstream computes with it
    with pytest.raises(CompileError):
        compile_design(graph)


def test_the_largest_input_dimension_is_still_a_design() -> None:
    graph = _design([MAX_DIM], ("Linear", {"out_features": 16}))
    assert graph.analyze().ok and graph.analyze().total_params <= MAX_ELEMENTS


@pytest.mark.parametrize("value", [[2**63], [MAX_DIM + 1], [0], [-5]])
def test_an_input_shape_out_of_range_is_a_parameter_error(value: list[int]) -> None:
    graph = Graph("x")
    graph.add_node("Input", {"shape": value}, check=False)
    assert [p.code for p in graph.validate() if p.node == "input1"] == ["param"]


def test_a_merge_takes_at_most_max_inputs() -> None:
    graph = Graph("merge")
    x = graph.add("Input", shape=[4])
    add = graph.add("Add")
    graph.connect(x, add, port=MAX_INPUTS - 1)
    assert graph.input_slots(add) == MAX_INPUTS
    with pytest.raises(PortError, match=f"at most {MAX_INPUTS} inputs"):
        graph.connect(graph.add("Input", shape=[4]), add, port=MAX_INPUTS)


def test_a_sequence_near_the_largest_length_keeps_it_fixed_when_doubling_it_would_pass_the_bound() -> None:
    from designer.compile import generate, signature

    graph = _design([2**30 + 1, 4], ("LSTM", {"hidden_size": 4}))
    sig = signature(graph, generate(graph))
    assert sig.sequence is None and sig.inputs[0].dims == ("batch", 2**30 + 1, 4)


def _any_value(p) -> st.SearchStrategy:
    """Any value the parameter's declaration accepts, from its whole range."""
    if p.kind == BOOL:
        value = st.booleans()
    elif p.kind == CHOICE:
        value = st.sampled_from(p.choices)
    elif p.kind == INT:
        value = st.one_of(st.integers(int(p.min), min(int(p.max), int(p.min) + 8)), st.integers(int(p.min), int(p.max)))
    elif p.kind == FLOAT:
        value = st.floats(p.min, p.max, exclude_min=p.exclusive_min, allow_nan=False)
    else:  # INTS, SIZE, PADDING
        item = st.one_of(st.integers(int(p.min), int(p.min) + 4), st.integers(int(p.min), int(p.max)))
        value = st.one_of(item, st.lists(item, min_size=1, max_size=max(p.length, p.max_length)))
        if p.kind == PADDING:
            value = st.one_of(value, st.sampled_from(["same", "valid"]))
    value = st.one_of(st.none(), value) if p.optional else value
    return value.filter(lambda v: _accepts(p, v))


def _accepts(p, value) -> bool:
    try:
        p.check(value)
    except ParamError:
        return False
    return True


dims = st.one_of(st.integers(1, 9), st.sampled_from([0, 1, 2**20, MAX_DIM]), st.integers(1, MAX_DIM))


@given(data=st.data())
def test_every_shape_rule_infers_or_refuses_with_a_reason_for_any_input(data: st.DataObject) -> None:
    """Any tensors (one value per sample, huge or empty dimensions, either
    dtype) and any accepted parameters: a rule answers with a shape or a
    ShapeError, never another exception."""
    layer = CATALOG.get(data.draw(st.sampled_from([name for name in CATALOG.names() if name != "Input"])))
    count = data.draw(st.integers(max(layer.min_inputs, 1), layer.max_inputs or 4))
    rank = data.draw(st.integers(0, 5))
    inputs = [
        TensorSpec(tuple(data.draw(st.lists(dims, min_size=rank, max_size=rank))), data.draw(st.sampled_from(DTYPES))) for _ in range(count)
    ]
    params = {p.name: p.check(data.draw(_any_value(p), label=p.name)) for p in layer.params}  # as validation passes them
    try:
        result = layer.infer(inputs, params)
    except ShapeError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert all(isinstance(d, int) and d >= 0 for d in result.output.shape)
