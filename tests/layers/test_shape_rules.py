"""The pure-Python shape rules agree with what torch really does.

For every layer type and many parameter/input combinations (hypothesis): when
the rule accepts, torch produces exactly the inferred shape and dtype and the
parameter count matches; when the rule rejects, torch rejects too, except for
the refusals the designer makes on purpose (DESIGN_REFUSALS), where torch would
run but read the batch dimension as something else.
"""

from __future__ import annotations

import math

import pytest
from catalog_inputs import TYPICAL_PARAMS, typical_inputs
from hypothesis import assume, given
from hypothesis import strategies as st
from torch_run import BATCH, parameter_count, run_in_torch

from designer.graph import FLOAT, LONG, ShapeError, TensorSpec
from designer.graph.spec import Inference
from designer.layers import CATALOG
from designer.params import BOOL, CHOICE, INT, INTS, PADDING, SIZE, Param
from designer.params import FLOAT as FLOAT_KIND

# Torch would accept these but with another meaning (an unbatched tensor, a
# softmax across samples, ReLU on token ids) or an empty result; the designer
# refuses them with a reason.
DESIGN_REFUSALS = {"rank", "batch-dim", "dtype", "empty-output"}
SMALL_INT_CAP = {
    "out_channels": 6,
    "out_features": 9,
    "hidden_size": 6,
    "num_layers": 3,
    "num_embeddings": 30,
    "embedding_dim": 8,
    "num_heads": 4,
    "nhead": 4,
    "dim_feedforward": 12,
    "num_groups": 4,
    "normalized_dims": 3,
    "groups": 3,
    "dim": 4,
}
LAYER_TYPES = [name for name in CATALOG.names() if name != "Input"]


def _int(p: Param, cap: int | None = None) -> st.SearchStrategy[int]:
    low = int(p.min) if p.min is not None else -4
    high = min(int(p.max) if p.max is not None else low + 6, SMALL_INT_CAP.get(p.name, low + (cap or 5)))
    return st.integers(low, max(low, high))


def _param_value(p: Param) -> st.SearchStrategy:
    if p.kind == BOOL:
        value = st.booleans()
    elif p.kind == CHOICE:
        value = st.sampled_from(p.choices)
    elif p.kind == INT:
        value = _int(p)
    elif p.kind == FLOAT_KIND:
        low = p.min if p.min is not None else -2.0
        high = p.max if p.max is not None else 2.0
        if p.name == "scale_factor":
            value = st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0, 0.1])
        elif p.name == "p" or p.name == "dropout":
            value = st.sampled_from([0.0, 0.25, 0.5])
        else:
            value = st.floats(low, min(high, low + 2.0), exclude_min=p.exclusive_min, allow_nan=False)
    elif p.kind in (SIZE, PADDING):
        item = st.integers(int(p.min or 0), int(p.min or 0) + 3)
        value = st.one_of(item, st.tuples(*[item] * p.length))
        if p.kind == PADDING:
            value = st.one_of(value, st.sampled_from(["same", "valid"]))
    else:
        raise AssertionError(f"no strategy for {p.kind}")
    return st.one_of(st.none(), value) if p.optional else value


def _valid(p: Param, value) -> bool:
    try:
        p.check(value)
        return True
    except Exception:
        return False


@st.composite
def params_for(draw, type_name: str, rank: int) -> dict:
    layer = CATALOG.get(type_name)
    values = {}
    for p in layer.params:
        if p.kind == INTS:
            if type_name == "Permute":
                dims = list(range(1, rank))
                values[p.name] = [0, *draw(st.permutations(dims))] if draw(st.booleans()) else [0, *dims[:-1]]
            else:  # Reshape
                values[p.name] = draw(st.lists(st.sampled_from([1, 2, 3, 4, 6, -1]), min_size=1, max_size=3))
        else:
            values[p.name] = draw(_param_value(p))
    return values


def _natural_rank(type_name: str) -> int | None:
    return typical_inputs(type_name)[0].rank - 1


@st.composite
def inputs_for(draw, type_name: str) -> list[TensorSpec]:
    layer = CATALOG.get(type_name)
    natural = _natural_rank(type_name)
    rank = draw(st.one_of(st.just(natural), st.integers(1, 4))) if natural else draw(st.integers(1, 4))
    dtype = LONG if type_name == "Embedding" else (draw(st.sampled_from([FLOAT, FLOAT, LONG])) if LONG in layer.dtypes else FLOAT)
    sizes = st.integers(1, 9)
    first = tuple(draw(st.lists(sizes, min_size=rank, max_size=rank)))
    if type_name in ("MultiheadAttention", "TransformerEncoderLayer") and draw(st.booleans()):
        first = first[:-1] + (4 * draw(st.integers(1, 3)),)
    count = 1 if layer.max_inputs == 1 else draw(st.integers(2, 3))
    shapes = [first]
    for _ in range(count - 1):
        variant = draw(st.sampled_from(["same", "same", "ones", "other"]))
        if variant == "same":
            shapes.append(first)
        elif variant == "ones":
            shapes.append(tuple(1 if draw(st.booleans()) else d for d in first))
        else:
            shapes.append(tuple(draw(st.lists(sizes, min_size=rank, max_size=rank))))
    return [TensorSpec(s, dtype) for s in shapes]


def _check_against_torch(type_name: str, params: dict, inputs: list[TensorSpec]) -> None:
    layer = CATALOG.get(type_name)
    full = {**layer.defaults(), **params}
    try:
        result: Inference | None = layer.infer(inputs, full)
        refusal = None
    except ShapeError as exc:
        result, refusal = None, exc
    try:
        out, module = run_in_torch(type_name, full, inputs, dict(result.inferred) if result else None)
        torch_error = None
    except Exception as exc:  # torch's own refusal
        out, module, torch_error = None, None, exc
    if result is not None:
        assert torch_error is None, f"rule accepted {inputs} with {full} but torch refused: {torch_error}"
        assert tuple(out.shape) == (BATCH, *result.output.shape), f"{type_name} {full} {inputs}"
        assert (str(out.dtype) == "torch.int64") == (result.output.dtype == LONG)
        assert result.param_count == parameter_count(module)
    else:
        assert str(refusal), "a refusal needs a reason"
        if refusal.code not in DESIGN_REFUSALS:
            assert torch_error is not None, f"rule refused ({refusal}) but torch accepted {inputs} with {full}"


@pytest.mark.parametrize("type_name", LAYER_TYPES)
@given(data=st.data())
def test_shape_rule_matches_torch(type_name: str, data) -> None:
    inputs = data.draw(inputs_for(type_name))
    params = data.draw(params_for(type_name, len(inputs[0].shape) + 1))
    layer = CATALOG.get(type_name)
    assume(all(_valid(layer.param(k), v) for k, v in params.items()))
    _check_against_torch(type_name, params, inputs)


@pytest.mark.parametrize("type_name", LAYER_TYPES)
def test_typical_input_accepted_and_counted(type_name: str) -> None:
    """Every layer type works on a typical input; parameter count equals torch's."""
    layer = CATALOG.get(type_name)
    params = {**layer.defaults(), **TYPICAL_PARAMS.get(type_name, {})}
    params = {k: layer.check_param(k, v) for k, v in params.items()}
    inputs = typical_inputs(type_name)
    result = layer.infer(inputs, params)
    out, module = run_in_torch(type_name, params, inputs, dict(result.inferred))
    assert tuple(out.shape) == (BATCH, *result.output.shape)
    assert result.param_count == parameter_count(module)


def test_every_layer_has_a_typical_input_or_is_an_activation() -> None:
    for layer in CATALOG:
        if layer.name != "Input":
            assert layer.category == "Activation" or layer.name in __import__("catalog_inputs").TYPICAL_INPUTS, layer.name


@pytest.mark.parametrize(
    ("type_name", "inputs", "fragment"),
    [
        ("Conv2d", [TensorSpec((64,))], "needs a 4-D input"),
        ("Linear", [TensorSpec((5,), LONG)], "put an Embedding before it"),
        ("Embedding", [TensorSpec((5,))], "set the Input's dtype to int64"),
        ("Add", [TensorSpec((16, 8, 8)), TensorSpec((32, 8, 8))], "1x1 Conv2d projection"),
        ("Concat", [TensorSpec((4, 5)), TensorSpec((4, 6))], "only the concatenated dim may differ"),
        ("LSTM", [TensorSpec((10,))], "steps x features"),
        ("MaxPool2d", [TensorSpec((3, 1, 1))], "does not fit"),
    ],
)
def test_refusals_name_the_fix(type_name: str, inputs: list[TensorSpec], fragment: str) -> None:
    layer = CATALOG.get(type_name)
    with pytest.raises(ShapeError, match=fragment.replace("(", r"\(")):
        layer.infer(inputs, layer.defaults())


def test_linear_on_images_warns_to_flatten() -> None:
    result = CATALOG.get("Linear").infer([TensorSpec((16, 4, 4))], CATALOG.get("Linear").defaults())
    assert result.warnings and result.warnings[0][0] == "linear-needs-flatten"
    assert "Flatten" in result.warnings[0][1]
    assert math.prod(result.output.shape) == 16 * 4 * 64
