"""Input/Output and the core layers: Linear, Flatten, Reshape, Permute,
Identity, Dropout, Dropout2d, Embedding, Scale."""

from __future__ import annotations

from math import prod

from designer.graph.errors import ShapeError
from designer.graph.spec import Inference
from designer.graph.tensor import DTYPES, FLOAT, LONG, MAX_DIM, TensorSpec, format_dims
from designer.layers import onnx_forms as onnx
from designer.layers import torch_forms as forms
from designer.layers.base import LayerType, torch_call
from designer.layers.mapping import CONSTANT_AFFINE, PASS_THROUGH_AT_EVALUATION, TOKEN_IDS, OnnxMapping, TorchMapping, WeightFrom
from designer.layers.shapes import need_a_dimension
from designer.params import BOOL, CHOICE, INT, INTS, Param
from designer.params import FLOAT as FLOAT_KIND

ANY = DTYPES


def _input_rule(inputs, p) -> Inference:
    return Inference(TensorSpec(tuple(p["shape"]), p["dtype"]))


def _passthrough(inputs, p) -> Inference:
    return Inference(inputs[0])


def _flatten_rule(inputs, p) -> Inference:
    x = inputs[0]
    return Inference(TensorSpec((x.numel,), x.dtype))


def _linear_rule(inputs, p) -> Inference:
    x = inputs[0]
    need_a_dimension("Linear", x)
    in_features, out = x.shape[-1], p["out_features"]
    params = in_features * out + (out if p["bias"] else 0)
    leading = prod(x.shape[:-1])
    warnings = ()
    if x.rank >= 4:
        warnings = (
            (
                "linear-needs-flatten",
                f"Linear is fed {x.display()} and acts on the last dimension only ({in_features} features): "
                f"insert a Flatten before it to use all {x.numel} features",
            ),
        )
    return Inference(TensorSpec(x.shape[:-1] + (out,)), {"in_features": in_features}, params, leading * in_features * out, warnings)


def _check_reshape(shape: tuple[int, ...]) -> str | None:
    if list(shape).count(-1) > 1:
        return "at most one dimension can be -1 (the one to work out)"
    if any(d == 0 or d < -1 for d in shape):
        return "dimensions must be ≥ 1, or -1 for the one to work out"
    return None


def _reshape_rule(inputs, p) -> Inference:
    x = inputs[0]
    shape = list(p["shape"])
    known = prod(d for d in shape if d != -1)
    if -1 in shape:
        if x.numel % known:
            raise ShapeError(
                f"Reshape cannot fit {x.numel} values ({x.display()}) into {format_dims(tuple(shape))}: {x.numel} is not a multiple of {known}",
                code="reshape",
            )
        shape[shape.index(-1)] = x.numel // known
    elif known != x.numel:
        raise ShapeError(
            f"Reshape cannot turn {x.display()} ({x.numel} values per sample) into {format_dims(tuple(shape))} ({known} values): the products must be equal",
            code="reshape",
        )
    return Inference(TensorSpec(tuple(shape), x.dtype))


def _check_permutation(dims: tuple[int, ...]) -> str | None:
    if sorted(dims) != list(range(len(dims))):
        return f"{list(dims)} is not a permutation of 0..{len(dims) - 1}"
    if dims[0] != 0:
        return "the batch dimension must stay first: start dims with 0"
    return None


def _reshape_forward(var: str, attr: str, args: list[str], p) -> list[str]:
    # The batch size is spelled out (not -1) so a wrong shape fails instead of
    # silently folding values into the batch.
    x, dims = args[0], ", ".join(map(str, p["shape"]))
    return [f"{var} = {x}.reshape({x}.size(0), {dims})"]


def _permute_rule(inputs, p) -> Inference:
    x = inputs[0]
    dims = p["dims"]
    if len(dims) != x.rank:
        raise ShapeError(
            f"Permute dims {list(dims)} has {len(dims)} entries but the input {x.display()} has {x.rank} dimensions: list each dimension once, batch (0) first",
            code="rank",
        )
    full = (0,) + x.shape
    return Inference(TensorSpec(tuple(full[d] for d in dims[1:]), x.dtype))


def _dropout_rule(inputs, p) -> Inference:
    return Inference(inputs[0])


def _dropout2d_rule(inputs, p) -> Inference:
    x = inputs[0]
    if x.rank != 4:
        raise ShapeError(
            f"Dropout2d needs a 4-D input (N x channels x height x width), got {x.display()}: it zeroes whole channels of "
            "an image; use Dropout for other data",
            code="rank",
        )
    return Inference(x)


def _scale_forward(var: str, attr: str, args: list[str], p) -> list[str]:
    expression = args[0]
    if p["factor"] != 1.0:
        expression += f" * {p['factor']!r}"
    if p["offset"] != 0.0:
        expression += f" {'-' if p['offset'] < 0 else '+'} {abs(p['offset'])!r}"
    return [f"{var} = {expression}"]


def _scale_label(p) -> str:
    parts = [f"x{p['factor']:g}"] if p["factor"] != 1.0 else []
    if p["offset"] != 0.0:
        parts.append(f"{p['offset']:+g}")
    return " ".join(parts)


def _embedding_rule(inputs, p) -> Inference:
    x = inputs[0]
    n, d = p["num_embeddings"], p["embedding_dim"]
    if p["padding_idx"] is not None and p["padding_idx"] >= n:
        raise ShapeError(f"Embedding: padding_idx {p['padding_idx']} must be below num_embeddings ({n})", code="param")
    return Inference(TensorSpec(x.shape + (d,), FLOAT), {}, n * d, 0)


LAYERS = [
    LayerType(
        "Input",
        "Input/Output",
        "Where data enters the network. Set the shape of one sample (without the batch dimension), "
        "e.g. [1, 28, 28] for a grey image or [50, 1] for a sequence of 50 steps.",
        _input_rule,
        params=(
            Param("shape", INTS, (2,), "Shape of one sample, without the batch dimension.", min=1, max=MAX_DIM, min_length=1, max_length=4),
            Param("dtype", CHOICE, FLOAT, "float32 for measurements and pixels; int64 for token ids fed to an Embedding.", choices=DTYPES),
        ),
        min_inputs=0,
        max_inputs=0,
        id_prefix="input",
        label=lambda p: format_dims(tuple(p["shape"])) + ("" if p["dtype"] == FLOAT else " int64"),
    ),
    LayerType(
        "Output",
        "Input/Output",
        "Where the network's result leaves it. For classification, the layer before it should give one value per class "
        "(the loss applies softmax itself, so no Softmax is needed).",
        _passthrough,
        min_inputs=1,
        max_inputs=1,
        id_prefix="output",
        dtypes=ANY,
        forward=lambda var, attr, args, p: [f"{var} = {args[0]}"],
    ),
    LayerType(
        "Linear",
        "Core",
        "Fully connected (dense) layer: every output is a weighted sum of all inputs plus a bias. "
        "in_features is taken from the input's last dimension.",
        _linear_rule,
        params=(
            Param("out_features", INT, 64, "Number of outputs (units).", min=1, max=1 << 20),
            Param("bias", BOOL, True, "Learn an additive bias."),
        ),
        id_prefix="dense",
        constructor=lambda p, i: torch_call("nn.Linear", i["in_features"], p["out_features"], bias=p["bias"], defaults={"bias": True}),
        torch=TorchMapping(modules=("Linear",), read=forms.linear),
        onnx=(OnnxMapping("Gemm", onnx.gemm, onnx.GEMM_WEIGHTS),),
        label=lambda p: str(p["out_features"]),
    ),
    LayerType(
        "Flatten",
        "Core",
        "Flattens each sample to one dimension (keeps the batch), e.g. before a Linear layer.",
        _flatten_rule,
        dtypes=ANY,
        forward=lambda var, attr, args, p: [f"{var} = {args[0]}.flatten(1)"],
        torch=TorchMapping(
            modules=("Flatten",), functions=("flatten", "view", "reshape"), read=forms.flatten_module, call=forms.flatten_call
        ),
        onnx=(OnnxMapping("Flatten", onnx.flatten), OnnxMapping("Reshape", onnx.flatten)),
    ),
    LayerType(
        "Reshape",
        "Core",
        "Gives each sample a new shape with the same number of values (batch kept). One dimension may be -1 to work it out.",
        _reshape_rule,
        params=(
            Param(
                "shape",
                INTS,
                (1, 8, 8),
                "New shape of one sample, without the batch dimension.",
                min=-1,
                max=MAX_DIM,
                min_length=1,
                max_length=4,
                extra=_check_reshape,
            ),
        ),
        dtypes=ANY,
        forward=_reshape_forward,
        torch=TorchMapping(functions=("view", "reshape", "unsqueeze", "squeeze", "flatten"), call=forms.reshape_call),
        onnx=tuple(OnnxMapping(op, onnx.reshape) for op in ("Reshape", "Flatten", "Squeeze", "Unsqueeze")),
        label=lambda p: format_dims(tuple(p["shape"])),
    ),
    LayerType(
        "Permute",
        "Core",
        "Reorders dimensions, PyTorch style: dims lists every dimension with the batch (0) first, e.g. [0, 2, 1] swaps "
        "channels and length.",
        _permute_rule,
        params=(
            Param(
                "dims",
                INTS,
                (0, 2, 1),
                "New order of the dimensions; 0 (the batch) stays first.",
                min=0,
                max=4,
                min_length=2,
                max_length=5,
                extra=_check_permutation,
            ),
        ),
        dtypes=ANY,
        forward=lambda var, attr, args, p: [f"{var} = {args[0]}.permute({', '.join(map(str, p['dims']))})"],
        torch=TorchMapping(functions=("permute", "transpose", "swapaxes", "swapdims"), call=forms.permute_call),
        onnx=(OnnxMapping("Transpose", onnx.transpose),),
        label=lambda p: ",".join(map(str, p["dims"])),
    ),
    LayerType(
        "Identity",
        "Core",
        "Passes its input through unchanged (a placeholder, or a named tap).",
        _passthrough,
        dtypes=ANY,
        constructor=lambda p, i: "nn.Identity()",
        torch=TorchMapping(modules=("Identity",), read=lambda module: {}),
    ),
    LayerType(
        "Dropout",
        "Core",
        "During training, zeroes each value with probability p and scales the rest by 1/(1-p); does nothing at evaluation. "
        "Fights overfitting.",
        _dropout_rule,
        params=(Param("p", FLOAT_KIND, 0.5, "Probability of zeroing a value.", min=0.0, max=1.0),),
        constructor=lambda p, i: torch_call("nn.Dropout", p=p["p"]),
        torch=TorchMapping(modules=("Dropout",), functions=("dropout",), args=("p",), read=forms.dropout),
        onnx=(OnnxMapping("Dropout", onnx.dropout),),
        capabilities=frozenset({PASS_THROUGH_AT_EVALUATION}),
        label=lambda p: f"p={p['p']:g}",
    ),
    LayerType(
        "Dropout2d",
        "Core",
        "During training, zeroes whole channels of an image with probability p (and scales the rest by 1/(1-p)); "
        "does nothing at evaluation. Neighbouring pixels are correlated, so dropping channels regularises a CNN better.",
        _dropout2d_rule,
        params=(Param("p", FLOAT_KIND, 0.5, "Probability of zeroing a channel.", min=0.0, max=1.0),),
        id_prefix="dropout",
        constructor=lambda p, i: torch_call("nn.Dropout2d", p=p["p"]),
        torch=TorchMapping(modules=("Dropout2d",), functions=("dropout2d",), args=("p",), read=forms.dropout),
        capabilities=frozenset({PASS_THROUGH_AT_EVALUATION}),
        label=lambda p: f"p={p['p']:g}",
    ),
    LayerType(
        "Embedding",
        "Core",
        "Looks up a learned vector for each integer token id; the input must be int64 ids below num_embeddings.",
        _embedding_rule,
        params=(
            Param("num_embeddings", INT, 100, "Vocabulary size: ids run from 0 to num_embeddings - 1.", min=1, max=1 << 24),
            Param("embedding_dim", INT, 32, "Length of each token's vector.", min=1, max=1 << 16),
            Param(
                "padding_idx",
                INT,
                None,
                "An id whose vector stays zero and is not trained.",
                min=0,
                max=(1 << 24) - 1,
                optional=True,
                none_means="none",
            ),
        ),
        dtypes=(LONG,),
        id_prefix="embed",
        constructor=lambda p, i: torch_call(
            "nn.Embedding", p["num_embeddings"], p["embedding_dim"], padding_idx=p["padding_idx"], defaults={"padding_idx": None}
        ),
        label=lambda p: f"{p['num_embeddings']}→{p['embedding_dim']}",
        torch=TorchMapping(modules=("Embedding",), read=forms.embedding),
        onnx=(OnnxMapping("Gather", onnx.embedding, {"weight": WeightFrom(0)}),),
        capabilities=frozenset({TOKEN_IDS}),
    ),
    LayerType(
        "Scale",
        "Core",
        "Multiplies by a constant and adds a constant: x * factor + offset (nothing is learned). "
        "E.g. factor 0.00392 scales pixels from 0-255 to 0-1.",
        lambda inputs, p: Inference(inputs[0]),
        params=(
            Param("factor", FLOAT_KIND, 1.0, "The number every value is multiplied by.", min=-1e6, max=1e6),
            Param("offset", FLOAT_KIND, 0.0, "The number added after multiplying.", min=-1e6, max=1e6),
        ),
        forward=_scale_forward,
        label=_scale_label,
        torch=TorchMapping(functions=("mul", "multiply", "add", "sub", "subtract", "truediv", "div", "divide"), call=forms.scale_call),
        onnx=tuple(OnnxMapping(op, onnx.scale) for op in ("Mul", "Add", "Sub", "Div")),
        capabilities=frozenset({CONSTANT_AFFINE}),
    ),
]
