"""Recurrent layers (batch-first). ``returns`` picks what flows on: the whole
output sequence, the last step, or the final hidden state."""

from __future__ import annotations

from designer.graph.spec import Inference
from designer.graph.tensor import TensorSpec
from designer.layers import onnx_forms as onnx
from designer.layers import torch_forms as forms
from designer.layers.base import LayerType, torch_call
from designer.layers.mapping import RECURRENT, SEQUENCE, UNROLLED_BY_TORCH_EXPORT, OnnxMapping, TorchMapping
from designer.layers.shapes import need_rank
from designer.params import BOOL, CHOICE, FLOAT, INT, Param

GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
RETURNS = ("sequence", "last", "hidden")


def _params(name: str) -> tuple[Param, ...]:
    params = [
        Param("hidden_size", INT, 64, "Size of the hidden state (units).", min=1, max=1 << 16),
        Param("num_layers", INT, 1, "Recurrent layers stacked on each other.", min=1, max=32),
        Param("bidirectional", BOOL, False, "Also read the sequence backwards; outputs double in size."),
        Param("dropout", FLOAT, 0.0, "Dropout between stacked layers (needs num_layers > 1).", min=0.0, max=1.0),
        Param(
            "returns",
            CHOICE,
            "last",
            "sequence: every step (N x L x H) for stacking or per-step outputs; last: the output at the last step (N x H); "
            "hidden: the final hidden state of the last layer (N x H).",
            choices=RETURNS,
        ),
        Param("bias", BOOL, True, "Learn biases."),
    ]
    if name == "RNN":
        params.append(Param("nonlinearity", CHOICE, "tanh", "Activation of the recurrence.", choices=("tanh", "relu")))
    return tuple(params)


def _rule(name: str):
    gates = GATES[name]

    def rule(inputs, p) -> Inference:
        x = inputs[0]
        need_rank(
            name,
            x,
            (3,),
            "N x steps x features, batch first",
            "sequences need steps x features; use a Reshape (e.g. shape [50, 1]) or an Embedding before it",
        )
        length, features = x.shape
        hidden, layers = p["hidden_size"], p["num_layers"]
        directions = 2 if p["bidirectional"] else 1
        count = 0
        for layer in range(layers):
            width = features if layer == 0 else directions * hidden
            per_direction = gates * hidden * (width + hidden) + (2 * gates * hidden if p["bias"] else 0)
            count += directions * per_direction
        macs = length * sum(
            directions * gates * hidden * ((features if layer == 0 else directions * hidden) + hidden) for layer in range(layers)
        )
        out = directions * hidden
        shape = (length, out) if p["returns"] == "sequence" else (out,)
        warnings = ()
        if p["dropout"] > 0 and layers == 1:
            warnings = (
                (
                    "dropout-unused",
                    f"dropout {p['dropout']:g} has no effect with one layer: set num_layers above 1, or add a Dropout layer after it",
                ),
            )
        return Inference(TensorSpec(shape), {"input_size": features}, count, macs, warnings)

    return rule


def _constructor(name: str):
    def constructor(p, i) -> str:
        keywords = dict(
            num_layers=p["num_layers"], bias=p["bias"], batch_first=True, dropout=p["dropout"], bidirectional=p["bidirectional"]
        )
        if name == "RNN":
            keywords["nonlinearity"] = p["nonlinearity"]
        defaults = {"num_layers": 1, "bias": True, "dropout": 0.0, "bidirectional": False, "nonlinearity": "tanh"}
        return torch_call(f"nn.{name}", i["input_size"], p["hidden_size"], defaults=defaults, **keywords)

    return constructor


def _forward(name: str):
    def forward(var: str, attr: str, args: list[str], p) -> list[str]:
        # Plain tensor code, one step per line, so the exported source reads like hand-written PyTorch.
        x = args[0]
        if p["returns"] == "sequence":
            return [f"{var}, _ = {attr}({x})"]
        if p["returns"] == "last":
            return [f"{var}, _ = {attr}({x})", f"{var} = {var}[:, -1]  # the last step"]
        unpack = f"_, ({var}, _)" if name == "LSTM" else f"_, {var}"
        last = f"torch.cat([{var}[-2], {var}[-1]], dim=1)" if p["bidirectional"] else f"{var}[-1]"
        return [f"{unpack} = {attr}({x})", f"{var} = {last}  # final hidden state of the last layer"]

    return forward


def _label(p) -> str:
    text = str(p["hidden_size"])
    if p["num_layers"] > 1:
        text += f" x{p['num_layers']}"
    if p["bidirectional"]:
        text += " bi"
    return f"{text}, {p['returns']}"


HELP = {
    "RNN": "A simple recurrent layer: each step mixes the input with the previous hidden state. Forgets quickly.",
    "LSTM": "Long short-term memory: gated memory cells that keep information over long sequences.",
    "GRU": "Gated recurrent unit: like an LSTM with fewer gates; often as good and faster.",
}


def _onnx(name: str) -> OnnxMapping:
    """ONNX has one operator per stacked layer, reading steps first; the run
    around it (transposes, the step or state it returns) is read as one layer."""
    read, weights = onnx.recurrent(name)
    return OnnxMapping(name, read, weights, region=True, region_ops={name: 1})


def _capabilities(name: str) -> frozenset[str]:
    # torch.export unrolls a plain RNN over the example's steps (it keeps LSTM and GRU loops).
    return frozenset({SEQUENCE, RECURRENT} | ({UNROLLED_BY_TORCH_EXPORT} if name == "RNN" else set()))


LAYERS = [
    LayerType(
        name,
        "Recurrent",
        HELP[name],
        _rule(name),
        params=_params(name),
        id_prefix=name.lower(),
        constructor=_constructor(name),
        forward=_forward(name),
        label=_label,
        torch=TorchMapping(modules=(name,), read=forms.recurrent),
        onnx=(_onnx(name),),
        capabilities=_capabilities(name),
    )
    for name in ("RNN", "LSTM", "GRU")
]
