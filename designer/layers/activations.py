"""Element-wise activations, and Softmax/LogSoftmax over one dimension."""

from __future__ import annotations

from designer.graph.spec import Inference
from designer.layers import onnx_forms as onnx
from designer.layers import torch_forms as forms
from designer.layers.base import LayerType, torch_call
from designer.layers.mapping import OnnxMapping, TorchMapping, WeightFrom
from designer.layers.shapes import axis, need_a_dimension
from designer.params import BOOL, CHOICE, FLOAT, INT, Param


def _same(inputs, p) -> Inference:
    return Inference(inputs[0])


def _prelu_rule(inputs, p) -> Inference:
    x = inputs[0]
    if p["per_channel"]:
        need_a_dimension("PReLU", x)
    n = x.shape[0] if p["per_channel"] else 1
    return Inference(x, {"num_parameters": n}, n)


def _softmax_rule(name):
    def rule(inputs, p) -> Inference:
        axis(name, inputs[0], p["dim"])
        return Inference(inputs[0])

    return rule


def functional(function: str, defaults: dict | None = None):
    """Forward code calling ``function`` on the input, with the parameters that
    differ from its defaults: ``relu1 = torch.relu(dense1)``. Parameter-free
    layers are written as calls, not modules: a module call costs a few
    microseconds more, which shows on small networks."""

    def forward(var: str, attr: str, args: list[str], p) -> list[str]:
        call = torch_call(function, defaults=defaults or {}, **dict(p))
        head, rest = call.split("(", 1)
        return [f"{var} = {head}({args[0]}{', ' if rest != ')' else ''}{rest}"]

    return forward


def _simple(name: str, help_text: str, function: str, *params: Param, defaults: dict | None = None, label=None, onnx_forms=()) -> LayerType:
    """An element-wise activation written as ``function``; its torch module
    has the layer's name and its parameters as attributes, and the function
    takes them in order after the input."""
    return LayerType(
        name,
        "Activation",
        help_text,
        _same,
        params=tuple(params),
        forward=functional(function, defaults),
        label=label or (lambda p: ""),
        torch=TorchMapping(modules=(name,), functions=(function.rsplit(".", 1)[-1],), args=tuple(p.name for p in params)),
        onnx=tuple(onnx_forms),
    )


def _op(op: str, read=onnx.nothing, **options) -> OnnxMapping:
    return OnnxMapping(op, read, **options)


DIM = Param("dim", INT, -1, "Dimension to normalise over (PyTorch style: 1 is the first after the batch; -1 the last).", min=-6, max=5)

LAYERS = [
    _simple("ReLU", "max(0, x): the default hidden activation; cheap and trains well.", "torch.relu", onnx_forms=[_op("Relu")]),
    _simple(
        "ReLU6",
        "min(max(0, x), 6): ReLU capped at 6, as in MobileNet; keeps activations small for low precision.",
        "F.relu6",
        onnx_forms=[_op("Clip", onnx.relu6)],
    ),
    _simple(
        "LeakyReLU",
        "Like ReLU, but lets a small slope through for negative inputs, so units never die.",
        "F.leaky_relu",
        Param("negative_slope", FLOAT, 0.01, "Slope for x < 0.", min=0.0, max=1.0),
        defaults={"negative_slope": 0.01},
        label=lambda p: f"{p['negative_slope']:g}",
        onnx_forms=[_op("LeakyRelu", onnx.leaky_relu)],
    ),
    LayerType(
        "PReLU",
        "Activation",
        "Leaky ReLU whose negative slope is learned (one shared slope, or one per channel).",
        _prelu_rule,
        params=(Param("per_channel", BOOL, False, "Learn one slope per channel (dimension 1) instead of one in all."),),
        constructor=lambda p, i: torch_call("nn.PReLU", num_parameters=i["num_parameters"], defaults={"num_parameters": 1}),
        torch=TorchMapping(modules=("PReLU",), read=forms.prelu),
        onnx=(_op("PRelu", onnx.prelu, weights={"weight": WeightFrom(1, "flatten")}),),
    ),
    _simple(
        "ELU",
        "Exponential linear unit: smooth below zero, which centres activations.",
        "F.elu",
        Param("alpha", FLOAT, 1.0, "Value approached for very negative inputs (-alpha).", min=0.0, max=100.0),
        defaults={"alpha": 1.0},
        onnx_forms=[_op("Elu", onnx.elu)],
    ),
    _simple(
        "GELU",
        "Gaussian error linear unit, the smooth ReLU used in Transformers.",
        "F.gelu",
        Param("approximate", CHOICE, "none", "'tanh' uses a faster approximation.", choices=("none", "tanh")),
        defaults={"approximate": "none"},
        # Gelu is an operator from opset 20; below it, the exporter writes x * (1 + erf(x / sqrt 2)) / 2.
        onnx_forms=[_op("Gelu", onnx.gelu), _op("Erf", onnx.nothing, region=True, region_ops={"Erf": 1})],
    ),
    _simple("SiLU", "x * sigmoid(x) (swish): smooth and self-gated.", "F.silu"),
    _simple("Mish", "x * tanh(softplus(x)): a smooth, non-monotonic activation.", "F.mish", onnx_forms=[_op("Mish")]),
    _simple(
        "Sigmoid",
        "1 / (1 + e^-x): squashes to (0, 1). Good for gates; saturates in deep stacks.",
        "torch.sigmoid",
        onnx_forms=[_op("Sigmoid")],
    ),
    _simple("Tanh", "Squashes to (-1, 1), centred at zero.", "torch.tanh", onnx_forms=[_op("Tanh")]),
    _simple(
        "Softplus",
        "log(1 + e^(beta x)) / beta: a smooth ReLU that is always positive.",
        "F.softplus",
        Param("beta", FLOAT, 1.0, "Sharpness.", min=0.0, exclusive_min=True, max=100.0),
        Param(
            "threshold",
            FLOAT,
            20.0,
            "Above beta*x > threshold the layer is linear (for numerical stability).",
            min=0.0,
            exclusive_min=True,
            max=100.0,
        ),
        defaults={"beta": 1.0, "threshold": 20.0},
        onnx_forms=[_op("Softplus")],
    ),
    LayerType(
        "Softmax",
        "Activation",
        "Turns scores into probabilities that sum to 1 along dim. Not needed before a cross-entropy loss, which applies it.",
        _softmax_rule("Softmax"),
        params=(DIM,),
        forward=functional("torch.softmax"),
        label=lambda p: f"dim {p['dim']}",
        torch=TorchMapping(modules=("Softmax",), functions=("softmax",), read=lambda module: {"dim": module.dim}, call=forms.dim_call),
        onnx=(_op("Softmax", onnx.softmax),),
    ),
    LayerType(
        "LogSoftmax",
        "Activation",
        "log(softmax(x)) along dim, computed stably.",
        _softmax_rule("LogSoftmax"),
        params=(DIM,),
        forward=functional("torch.log_softmax"),
        label=lambda p: f"dim {p['dim']}",
        torch=TorchMapping(
            modules=("LogSoftmax",), functions=("log_softmax",), read=lambda module: {"dim": module.dim}, call=forms.dim_call
        ),
        onnx=(_op("LogSoftmax", onnx.softmax),),
    ),
    _simple("Hardswish", "x * relu6(x + 3) / 6: a cheap swish used in mobile networks.", "F.hardswish", onnx_forms=[_op("HardSwish")]),
    _simple(
        "Hardsigmoid",
        "relu6(x + 3) / 6: a cheap, piecewise-linear sigmoid used in mobile networks' gates.",
        "F.hardsigmoid",
        onnx_forms=[_op("HardSigmoid", onnx.hard_sigmoid)],
    ),
]
