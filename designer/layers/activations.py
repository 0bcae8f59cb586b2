"""Element-wise activations, and Softmax/LogSoftmax over one dimension."""

from __future__ import annotations

from designer.graph.spec import Inference
from designer.layers.base import LayerType, torch_call
from designer.layers.params import BOOL, CHOICE, FLOAT, INT, Param
from designer.layers.shapes import axis


def _same(inputs, p) -> Inference:
    return Inference(inputs[0])


def _prelu_rule(inputs, p) -> Inference:
    x = inputs[0]
    n = x.shape[0] if p["per_channel"] else 1
    return Inference(x, {"num_parameters": n}, n)


def _softmax_rule(name):
    def rule(inputs, p) -> Inference:
        axis(name, inputs[0], p["dim"])
        return Inference(inputs[0])

    return rule


def _simple(name: str, help_text: str, *params: Param, ctor_defaults: dict | None = None, label=None) -> LayerType:
    def constructor(p, i):
        return torch_call(f"nn.{name}", defaults=ctor_defaults or {}, **dict(p))

    return LayerType(
        name,
        "Activation",
        help_text,
        _same,
        params=tuple(params),
        constructor=constructor,
        label=label or (lambda p: ""),
    )


DIM = Param("dim", INT, -1, "Dimension to normalise over (PyTorch style: 1 is the first after the batch; -1 the last).", min=-6, max=5)

LAYERS = [
    _simple("ReLU", "max(0, x): the default hidden activation; cheap and trains well."),
    _simple(
        "LeakyReLU",
        "Like ReLU, but lets a small slope through for negative inputs, so units never die.",
        Param("negative_slope", FLOAT, 0.01, "Slope for x < 0.", min=0.0, max=1.0),
        ctor_defaults={"negative_slope": 0.01},
        label=lambda p: f"{p['negative_slope']:g}",
    ),
    LayerType(
        "PReLU",
        "Activation",
        "Leaky ReLU whose negative slope is learned (one shared slope, or one per channel).",
        _prelu_rule,
        params=(Param("per_channel", BOOL, False, "Learn one slope per channel (dimension 1) instead of one in all."),),
        constructor=lambda p, i: torch_call("nn.PReLU", num_parameters=i["num_parameters"], defaults={"num_parameters": 1}),
    ),
    _simple(
        "ELU",
        "Exponential linear unit: smooth below zero, which centres activations.",
        Param("alpha", FLOAT, 1.0, "Value approached for very negative inputs (-alpha).", min=0.0, max=100.0),
        ctor_defaults={"alpha": 1.0},
    ),
    _simple(
        "GELU",
        "Gaussian error linear unit, the smooth ReLU used in Transformers.",
        Param("approximate", CHOICE, "none", "'tanh' uses a faster approximation.", choices=("none", "tanh")),
        ctor_defaults={"approximate": "none"},
    ),
    _simple("SiLU", "x * sigmoid(x) (swish): smooth and self-gated."),
    _simple("Mish", "x * tanh(softplus(x)): a smooth, non-monotonic activation."),
    _simple("Sigmoid", "1 / (1 + e^-x): squashes to (0, 1). Good for gates; saturates in deep stacks."),
    _simple("Tanh", "Squashes to (-1, 1), centred at zero."),
    _simple(
        "Softplus",
        "log(1 + e^(beta x)) / beta: a smooth ReLU that is always positive.",
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
        ctor_defaults={"beta": 1.0, "threshold": 20.0},
    ),
    LayerType(
        "Softmax",
        "Activation",
        "Turns scores into probabilities that sum to 1 along dim. Not needed before a cross-entropy loss, which applies it.",
        _softmax_rule("Softmax"),
        params=(DIM,),
        constructor=lambda p, i: torch_call("nn.Softmax", dim=p["dim"]),
        label=lambda p: f"dim {p['dim']}",
    ),
    LayerType(
        "LogSoftmax",
        "Activation",
        "log(softmax(x)) along dim, computed stably.",
        _softmax_rule("LogSoftmax"),
        params=(DIM,),
        constructor=lambda p, i: torch_call("nn.LogSoftmax", dim=p["dim"]),
        label=lambda p: f"dim {p['dim']}",
    ),
    _simple("Hardswish", "x * relu6(x + 3) / 6: a cheap swish used in mobile networks."),
]
