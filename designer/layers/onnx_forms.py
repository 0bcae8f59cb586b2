"""Readers of the catalog's ONNX forms: an ONNX operator (or a run of them
the importer reads as one layer) -> the layer's parameters, and where its
weights are (see :mod:`designer.layers.mapping`).

Each reader raises :class:`Unmappable` with the reason when an attribute has
no equivalent in the layer type. Constant inputs arrive as arrays (only
``.shape``, ``.size`` and ``.tolist()`` are used): nothing here imports numpy.
"""

from __future__ import annotations

from math import isclose, prod

from designer.layers.mapping import OnnxView, Params, WeightFrom, onnx_pads, require, single

# The two weights of a projection read from a Gemm, or from MatMul (+ Add) as one.
GEMM_WEIGHTS = {"weight": WeightFrom(1, "gemm-weight"), "bias": WeightFrom(2, "gemm-bias")}
CONV_WEIGHTS = {"weight": WeightFrom(1), "bias": WeightFrom(2)}
BATCHNORM_WEIGHTS = {
    "weight": WeightFrom(1),
    "bias": WeightFrom(2),
    "running_mean": WeightFrom(3),
    "running_var": WeightFrom(4),
    "num_batches_tracked": WeightFrom(0, "count"),
}
NORM_WEIGHTS = {"weight": WeightFrom(1), "bias": WeightFrom(2)}


def rank(view: OnnxView, index: int = 0) -> int:
    return len(view.input_shape(index))


def scalar(view: OnnxView, index: int) -> float | None:
    """A constant input holding one number, as a float (else None)."""
    value = view.const(index)
    if value is None or value.size != 1:
        return None
    return float(value.reshape(-1).tolist()[0])


def axes(view: OnnxView) -> list[int]:
    """A Reduce operator's axes (an attribute before opset 18, an input from it), counted from 0."""
    value = view.attr("axes")
    if value is None:
        const = view.const(1)
        value = const.reshape(-1).tolist() if const is not None else None
    require(value is not None and len(value) > 0, "it reduces over every dimension, the batch too")
    r = rank(view)
    return sorted(int(a) % r for a in value)


# ---------------------------------------------------------------- core
def gemm(view: OnnxView) -> Params:
    require(not view.attr("transA", 0), "transA=1 (a transposed input)")
    weight = view.const(1)
    require(weight is not None and len(weight.shape) == 2, "its weight is computed, not stored")
    require(view.input_shape(0)[-1] == weight.shape[1 if view.attr("transB", 0) else 0], "its weight does not fit its input")
    has_bias = view.const(2) is not None
    return {"out_features": int(weight.shape[0] if view.attr("transB", 0) else weight.shape[1]), "bias": has_bias}


def flatten(view: OnnxView) -> Params:
    if view.op_type == "Flatten":
        require(view.attr("axis", 1) == 1, f"Flatten(axis={view.attr('axis', 1)}) keeps more than the batch")
        return {}
    out = view.output_shape
    require(len(out) == 2 and rank(view) > 2, "not a flattening")
    require(out[0] in (-1, view.input_shape(0)[0]), "it folds values into the batch dimension")
    return {}


def reshape(view: OnnxView) -> Params:
    out, source = view.output_shape, view.input_shape(0)
    require(len(out) >= 2 and all(d > 0 for d in out[1:]), "its output shape is not known")
    require(out[0] == source[0], "it changes the batch dimension")
    require(-1 in source[1:] or prod(out[1:]) == prod(source[1:]), "not a reshape of each sample")
    return {"shape": list(out[1:])}


def transpose(view: OnnxView) -> Params:
    perm = list(view.attr("perm") or reversed(range(rank(view))))
    require(perm[0] == 0, f"perm {perm} moves the batch dimension")
    return {"dims": perm}


def dropout(view: OnnxView) -> Params:
    ratio = view.attr("ratio")
    if ratio is None:
        ratio = scalar(view, 1)
    return {"p": float(0.5 if ratio is None else ratio)}


def embedding(view: OnnxView) -> Params:
    table = view.const(0)
    require(table is not None and len(table.shape) == 2 and view.const(1) is None, "not a lookup of token ids in a stored table")
    require(view.attr("axis", 0) == 0, "it gathers along another axis")
    return {"num_embeddings": int(table.shape[0]), "embedding_dim": int(table.shape[1])}


def scale(view: OnnxView) -> Params:
    first, second = scalar(view, 0), scalar(view, 1)
    require((first is None) != (second is None), "not a tensor and a number")
    n, reversed_ = (first, True) if first is not None else (second, False)
    if view.op_type == "Mul":
        return {"factor": n}
    if view.op_type == "Add":
        return {"offset": n}
    if view.op_type == "Sub":
        return {"factor": -1.0, "offset": n} if reversed_ else {"offset": -n}
    require(not reversed_ and n != 0, "it divides a number by a tensor")
    return {"factor": 1.0 / n}


# ---------------------------------------------------- convolution, pooling
def conv(n: int):
    def read(view: OnnxView) -> Params:
        require(rank(view) == n + 2, f"a {rank(view) - 2}-D convolution")
        weight = view.const(1)
        require(weight is not None, "its weights are computed, not stored")
        kernel = view.attr("kernel_shape") or list(weight.shape[2:])
        return {
            "out_channels": int(weight.shape[0]),
            "kernel_size": single(kernel),
            "stride": single(view.attr("strides", [1] * n)),
            "padding": onnx_pads(view, n),
            "dilation": single(view.attr("dilations", [1] * n)),
            "groups": int(view.attr("group", 1)),
            "bias": view.const(2) is not None,
        }

    return read


def conv_transpose(view: OnnxView) -> Params:
    require(rank(view) == 4, f"a {rank(view) - 2}-D transposed convolution")
    require(view.attr("output_shape") is None, "an explicit output_shape")
    weight = view.const(1)
    require(weight is not None, "its weights are computed, not stored")
    groups = int(view.attr("group", 1))
    return {
        "out_channels": int(weight.shape[1]) * groups,
        "kernel_size": single(view.attr("kernel_shape") or list(weight.shape[2:])),
        "stride": single(view.attr("strides", [1, 1])),
        "padding": onnx_pads(view, 2),
        "output_padding": single(view.attr("output_padding", [0, 0])),
        "dilation": single(view.attr("dilations", [1, 1])),
        "groups": groups,
        "bias": view.const(2) is not None,
    }


def max_pool(n: int):
    def read(view: OnnxView) -> Params:
        require(rank(view) == n + 2, f"a {rank(view) - 2}-D pooling")
        require(view.attr("storage_order", 0) == 0, "column-major storage_order")
        kernel = single(view.attr("kernel_shape"))
        stride = single(view.attr("strides", [1] * n))
        return {
            "kernel_size": kernel,
            "stride": None if stride == kernel else stride,
            "padding": onnx_pads(view, n),
            "dilation": single(view.attr("dilations", [1] * n)),
            "ceil_mode": bool(view.attr("ceil_mode", 0)),
        }

    return read


def avg_pool(view: OnnxView) -> Params:
    require(rank(view) == 4, f"a {rank(view) - 2}-D average pooling")
    kernel = single(view.attr("kernel_shape"))
    stride = single(view.attr("strides", [1, 1]))
    return {
        "kernel_size": kernel,
        "stride": None if stride == kernel else stride,
        "padding": onnx_pads(view, 2),
        "ceil_mode": bool(view.attr("ceil_mode", 0)),
        "count_include_pad": bool(view.attr("count_include_pad", 0)),
    }


def global_average_pool(view: OnnxView) -> Params:
    require(rank(view) == 4, "not an image")
    return {"output_size": 1}


def adaptive_mean(view: OnnxView) -> Params:
    require(rank(view) == 4 and axes(view) == [2, 3] and view.attr("keepdims", 1), "not a mean over height and width")
    return {"output_size": 1}


def global_mean(view: OnnxView) -> Params:
    r = rank(view)
    require(r in (3, 4) and axes(view) == list(range(2, r)), "not a mean over all positions")
    require(not view.attr("keepdims", 1), "it keeps the reduced dimensions")
    return {}


def reduce(view: OnnxView) -> Params:
    dims = axes(view)
    require(0 not in dims, "it reduces over the batch dimension")
    return {"dims": dims, "keepdim": bool(view.attr("keepdims", 1))}


RESIZE_MODES = {
    ("nearest", "asymmetric", "floor"): "nearest",
    ("nearest", "half_pixel", "floor"): "nearest-exact",
    ("nearest", "pytorch_half_pixel", "floor"): "nearest-exact",
    ("linear", "half_pixel"): "linear",
    ("linear", "pytorch_half_pixel"): "linear",
    ("cubic", "half_pixel"): "bicubic",
    ("cubic", "pytorch_half_pixel"): "bicubic",
}


def resize(view: OnnxView) -> Params:
    mode, where = view.attr("mode", "nearest"), view.attr("coordinate_transformation_mode", "half_pixel")
    key = (mode, where, view.attr("nearest_mode", "round_prefer_floor")) if mode == "nearest" else (mode, where)
    require(key in RESIZE_MODES, f"mode {mode!r} with {where!r} coordinates")
    if mode == "cubic":
        require(isclose(view.attr("cubic_coeff_a", -0.75), -0.75), "a cubic coefficient other than torch's -0.75")
    name = RESIZE_MODES[key]
    if name == "linear" and rank(view) == 4:
        name = "bilinear"
    scales = view.const(2)
    if scales is not None and scales.size:
        factors = scales.reshape(-1).tolist()
    else:
        source, out = view.input_shape(0), view.output_shape
        require(all(d > 0 for d in (*source[1:], *out[1:])), "its output size is not known")
        factors = [1.0] + [o / i for o, i in zip(out[1:], source[1:])]
    require(factors[:2] == [1.0, 1.0], "it resizes the batch or the channels")
    require(len(set(factors[2:])) == 1, f"scale factors {factors[2:]} differ by dimension")
    return {"scale_factor": float(factors[2]), "mode": name}


# -------------------------------------------------------------- norms
def batchnorm(ranks: tuple[int, ...]):
    def read(view: OnnxView) -> Params:
        require(rank(view) in ranks, f"a {rank(view)}-D input")
        require(not view.attr("training_mode", 0), "training mode")
        momentum = view.attr("momentum")
        return {"eps": float(view.attr("epsilon", 1e-5)), "momentum": 0.1 if momentum is None else round(1.0 - momentum, 6), "affine": True}

    return read


def layernorm(view: OnnxView) -> Params:
    r = rank(view)
    axis = int(view.attr("axis", -1)) % r
    require(axis > 0, "it normalises over the batch")
    return {
        "normalized_dims": r - axis,
        "eps": float(view.attr("epsilon", 1e-5)),
        "elementwise_affine": True,
        "bias": view.const(2) is not None,
    }


# --------------------------------------------------------- activations
def nothing(view: OnnxView) -> Params:
    return {}


def relu6(view: OnnxView) -> Params:
    low = view.attr("min") if view.attr("min") is not None else scalar(view, 1)
    high = view.attr("max") if view.attr("max") is not None else scalar(view, 2)
    require(low == 0 and high == 6, f"a clip to [{low}, {high}]")
    return {}


def leaky_relu(view: OnnxView) -> Params:
    return {"negative_slope": float(view.attr("alpha", 0.01))}


def elu(view: OnnxView) -> Params:
    return {"alpha": float(view.attr("alpha", 1.0))}


def gelu(view: OnnxView) -> Params:
    return {"approximate": view.attr("approximate", "none")}


def hard_sigmoid(view: OnnxView) -> Params:
    require(isclose(view.attr("alpha", 0.2), 1 / 6, rel_tol=1e-4) and isclose(view.attr("beta", 0.5), 0.5), "a slope other than 1/6")
    return {}


def softmax(view: OnnxView) -> Params:
    return {"dim": int(view.attr("axis", -1))}


def prelu(view: OnnxView) -> Params:
    slope = view.const(1)
    require(slope is not None, "its slope is computed, not stored")
    return {"per_channel": slope.size > 1}


def concat(view: OnnxView) -> Params:
    axis = int(view.attr("axis"))
    require(axis % rank(view) != 0, "it concatenates along the batch dimension")
    return {"dim": axis}


def tensors_only(view: OnnxView) -> Params:
    require(all(view.const(i) is None for i in range(2)), "one input is a stored constant")
    return {}


# ----------------------------------------------------------- recurrent
# ONNX's gate order > torch's (c is the cell gate torch calls g; h the new gate it calls n).
GATES = {"LSTM": "iofc>ifco", "GRU": "zrh>rzh", "RNN": "-"}


def recurrent(op: str):
    """An ONNX LSTM, GRU or RNN operator (one per stacked layer) and the
    transposes around it that make it batch first."""

    def read(view: OnnxView) -> Params:
        facts = view.region
        require(view.attr("layout", 0) == 0 and view.attr("clip") is None, "batch-major layout or clipping")
        require(not view.attr("input_forget", 0), "coupled input and forget gates")
        if op == "GRU":
            require(view.attr("linear_before_reset", 0) == 1, "linear_before_reset=0 (torch applies the reset gate after the product)")
        direction = view.attr("direction", "forward")
        require(direction in ("forward", "bidirectional"), f"direction {direction!r}")
        out = view.output_shape
        used = facts.outputs_used
        if used == (0,):
            returns = "sequence" if len(out) == 3 else "last"
        else:
            require(used == (1,), "it uses the cell state")
            returns = "hidden"
        params = {
            "hidden_size": int(view.attr("hidden_size")),
            "num_layers": facts.op_counts.get(op, 1),
            "bidirectional": direction == "bidirectional",
            "dropout": 0.0,
            "returns": returns,
            "bias": view.const(3) is not None,
        }
        if op == "RNN":
            kinds = {str(a).lower() for a in view.attr("activations", ["Tanh"])}
            require(kinds <= {"tanh", "relu"} and len(kinds) == 1, f"activations {sorted(kinds)}")
            params["nonlinearity"] = kinds.pop()
        return params

    def weights(params: Params) -> dict[str, WeightFrom]:
        sources = {}
        gates = GATES[op]
        for layer in range(params["num_layers"]):
            for direction, suffix in enumerate(["", "_reverse"] if params["bidirectional"] else [""]):
                part = f"recurrent:{layer}"
                sources[f"weight_ih_l{layer}{suffix}"] = WeightFrom(1, f"gates {gates} {direction}", part)
                sources[f"weight_hh_l{layer}{suffix}"] = WeightFrom(2, f"gates {gates} {direction}", part)
                if params["bias"]:
                    sources[f"bias_ih_l{layer}{suffix}"] = WeightFrom(3, f"gates {gates} {direction} first-half", part)
                    sources[f"bias_hh_l{layer}{suffix}"] = WeightFrom(3, f"gates {gates} {direction} second-half", part)
        return sources

    return read, weights


# ----------------------------------------------------------- attention
def _heads(e: int, hints: tuple[int, ...]) -> list[int]:
    divisors = [h for h in range(1, e + 1) if e % h == 0]
    return [h for h in hints if h in divisors] + [h for h in divisors if h not in hints]


def attention(view: OnnxView) -> list[Params]:
    facts = view.region
    e = view.input_shape(0)[-1]
    require(len(facts.linears) in (2, 4), "not one self-attention (its projections do not match)")
    require(all(f == e for _, f, _ in facts.linears[-1:]), "its output projection does not keep the embedding size")
    bias = any(b for *_, b in facts.linears)  # an exporter leaves out a bias that is all zeros
    return [{"num_heads": h, "dropout": 0.0, "bias": bias} for h in _heads(e, facts.heads_hints)]


def encoder_layer(view: OnnxView) -> list[Params]:
    facts = view.region
    e = view.input_shape(0)[-1]
    require(len(facts.linears) in (4, 6) and len(facts.norms_eps) == 2, "not one Transformer encoder layer")
    activation = "gelu" if facts.op_counts.get("Gelu") or facts.op_counts.get("Erf") else "relu"
    base = {
        "dim_feedforward": int(facts.linears[-2][1]),
        "dropout": 0.0,
        "activation": activation,
        "norm_first": facts.norm_before_softmax,
        "layer_norm_eps": float(facts.norms_eps[0]),
        "bias": any(b for *_, b in facts.linears),
    }
    return [{"nhead": h, **base} for h in _heads(e, facts.heads_hints)]


def attention_weights(first_after_in_proj: int):
    """State keys of an attention block whose input projections come before
    projection ``first_after_in_proj`` (counted from the end)."""

    def weights(params: Params) -> dict[str, WeightFrom]:
        prefix = "self_attn." if first_after_in_proj != -1 else ""
        sources = {
            f"{prefix}in_proj_weight": WeightFrom(1, "in-proj", f"linear:{first_after_in_proj}"),
            f"{prefix}out_proj.weight": WeightFrom(1, "", f"linear:{first_after_in_proj}"),
        }
        if params.get("bias", True):
            sources[f"{prefix}in_proj_bias"] = WeightFrom(2, "in-proj", f"linear:{first_after_in_proj}")
            sources[f"{prefix}out_proj.bias"] = WeightFrom(2, "", f"linear:{first_after_in_proj}")
        if prefix:
            for index, name in ((-2, "linear1"), (-1, "linear2")):
                sources[f"{name}.weight"] = WeightFrom(1, "", f"linear:{index}")
                if params.get("bias", True):
                    sources[f"{name}.bias"] = WeightFrom(2, "", f"linear:{index}")
            for index, name in ((0, "norm1"), (1, "norm2")):
                sources[f"{name}.weight"] = WeightFrom(1, "", f"norm:{index}")
                if params.get("bias", True):
                    sources[f"{name}.bias"] = WeightFrom(2, "", f"norm:{index}")
        return sources

    return weights
