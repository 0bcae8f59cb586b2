"""A design checked against its data: the Input must take what the data
gives, the Output must give what its targets need; each mismatch is one
error on its node with the edit that fixes it."""

from __future__ import annotations

import pytest

from designer.graph import ERROR, LONG, DataSpec, Graph, TensorSpec


def _design(last: tuple[str, dict] | str = ("Linear", {"out_features": 3}), shape: list[int] | None = None, **input_params) -> Graph:
    g = Graph()
    x = g.add("Input", shape=shape or [2], **input_params)
    g.sequential(("Linear", {"out_features": 8}), "ReLU", last, "Output", after=x)
    return g


def _data_problems(g: Graph, data: DataSpec) -> dict[str, tuple]:
    return {p.node: (p.severity, p.code, p.message, p.suggestion) for p in g.validate(data) if p.code.startswith("data-")}


def test_an_input_of_another_shape_is_one_error_with_the_right_shape() -> None:
    data = DataSpec(TensorSpec((4,)), "classification", num_classes=3, name="iris")
    assert _data_problems(_design(), data) == {
        "input1": (ERROR, "data-input", "shape 2 does not match iris, which gives 4: set shape to [4]", ("input1", "shape", [4]))
    }


def test_an_input_of_another_dtype_is_one_error_with_the_right_dtype() -> None:
    g = Graph()
    x = g.add("Input", shape=[5])
    g.sequential(("Linear", {"out_features": 2}), "Output", after=x)
    data = DataSpec(TensorSpec((5,), LONG), "classification", num_classes=2, name="tokens")
    (problem,) = [p for p in g.validate(data) if p.node == "input1"]
    assert (problem.code, problem.suggestion) == ("data-input", ("input1", "dtype", LONG))
    assert problem.message == f"dtype float32 does not match tokens, which gives {LONG}: set dtype to {LONG}"


@pytest.mark.parametrize(
    ("classes", "outputs", "fits"), [(3, 3, True), (3, 2, False), (2, 1, True), (2, 2, True), (2, 3, False), (10, 1, False)]
)
def test_a_classifier_needs_one_output_per_class(classes: int, outputs: int, fits: bool) -> None:
    g = _design(("Linear", {"out_features": outputs}))
    data = DataSpec(TensorSpec((2,)), "classification", num_classes=classes, name="blobs")
    found = _data_problems(g, data)
    if fits:
        assert found == {}
    else:
        units = "1 or 2" if classes == 2 else str(classes)
        message = f"gives {outputs} values per sample but blobs has {classes} classes: the last layer needs {units} outputs (one per class)"
        assert found == {"output1": (ERROR, "data-output", message, ("dense2", "out_features", classes))}


def test_only_a_linear_feeding_the_output_gets_a_suggested_count() -> None:
    g = _design("ReLU")  # the Output is fed by a ReLU of 8 values
    data = DataSpec(TensorSpec((2,)), "classification", num_classes=3, name="blobs")
    (problem,) = [p for p in g.validate(data) if p.code == "data-output"]
    assert problem.node == "output1" and problem.suggestion is None


def test_a_regression_output_must_have_as_many_values_as_the_target() -> None:
    data = DataSpec(TensorSpec((2,)), "regression", target_shape=(1,), name="curve")
    (problem,) = [p for p in _design(("Linear", {"out_features": 3})).validate(data) if p.code == "data-output"]
    assert problem.message == "gives 3 values per sample but curve has targets of shape 1: make the last layer produce 1"
    assert problem.suggestion == ("dense2", "out_features", 1)
    assert _data_problems(_design(("Linear", {"out_features": 1})), data) == {}
    images = DataSpec(TensorSpec((2,)), "regression", target_shape=(1, 2, 2), name="pictures")
    (problem,) = [p for p in _design(("Linear", {"out_features": 3})).validate(images) if p.code == "data-output"]
    assert problem.suggestion is None  # a Linear cannot give 1 x 2 x 2 by itself
    assert _data_problems(_design(("Linear", {"out_features": 4})), images) == {}  # 4 values fit 1 x 2 x 2


def test_designs_with_several_outputs_or_inputs_are_not_matched_to_the_data() -> None:
    g = _design()
    g.connect("relu1", g.add("Output"))
    assert _data_problems(g, DataSpec(TensorSpec((2,)), "classification", num_classes=5)) == {}
