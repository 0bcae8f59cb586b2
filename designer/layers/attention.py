"""Self-attention and the Transformer encoder layer (batch-first sequences)."""

from __future__ import annotations

from designer.graph.errors import ShapeError
from designer.graph.spec import Inference
from designer.layers import onnx_forms as onnx
from designer.layers import torch_forms as forms
from designer.layers.base import LayerType, torch_call
from designer.layers.mapping import ATTENTION, SEQUENCE, OnnxMapping, TorchMapping
from designer.layers.shapes import need_rank
from designer.params import BOOL, CHOICE, FLOAT, INT, Param

LAYOUT = "N x steps x embedding, batch first"
FIX = "attention reads sequences of vectors; use an Embedding, a Linear over features, or a Reshape before it"


def _heads(name: str, e: int, heads: int, param: str) -> None:
    if e % heads:
        raise ShapeError(
            f"{name}: the embedding size {e} is not divisible by {param}={heads}: choose {param} that divides {e}", code="heads"
        )


def _attention_rule(inputs, p) -> Inference:
    x = inputs[0]
    need_rank("MultiheadAttention", x, (3,), LAYOUT, FIX)
    length, e = x.shape
    _heads("MultiheadAttention", e, p["num_heads"], "num_heads")
    count = 4 * e * e + (4 * e if p["bias"] else 0)
    macs = 4 * length * e * e + 2 * length * length * e
    return Inference(x, {"embed_dim": e}, count, macs)


def _encoder_rule(inputs, p) -> Inference:
    x = inputs[0]
    need_rank("TransformerEncoderLayer", x, (3,), LAYOUT, FIX)
    length, e = x.shape
    _heads("TransformerEncoderLayer", e, p["nhead"], "nhead")
    f = p["dim_feedforward"]
    bias = p["bias"]
    count = 4 * e * e + 2 * e * f + (4 * e + f + e + 2 * e if bias else 0) + 2 * e
    macs = 4 * length * e * e + 2 * length * length * e + 2 * length * e * f
    return Inference(x, {"d_model": e}, count, macs)


DROPOUT = Param("dropout", FLOAT, 0.1, "Dropout on attention weights (and the feed-forward block).", min=0.0, max=1.0)

LAYERS = [
    LayerType(
        "MultiheadAttention",
        "Attention",
        "Self-attention: every step looks at every other step through num_heads heads. embed_dim comes from the input.",
        _attention_rule,
        params=(
            Param("num_heads", INT, 4, "Number of attention heads; must divide the embedding size.", min=1, max=1024),
            Param("dropout", FLOAT, 0.0, "Dropout on the attention weights.", min=0.0, max=1.0),
            Param("bias", BOOL, True, "Learn biases in the projections."),
        ),
        id_prefix="attn",
        constructor=lambda p, i: torch_call(
            "nn.MultiheadAttention",
            i["embed_dim"],
            p["num_heads"],
            dropout=p["dropout"],
            bias=p["bias"],
            batch_first=True,
            defaults={"dropout": 0.0, "bias": True},
        ),
        forward=lambda var, attr, args, p: [f"{var}, _ = {attr}({args[0]}, {args[0]}, {args[0]}, need_weights=False)"],
        label=lambda p: f"{p['num_heads']} heads",
        torch=TorchMapping(modules=("MultiheadAttention",), read=forms.attention),
        # The exporter writes attention as projections, reshapes, two products and a softmax.
        onnx=(
            OnnxMapping(
                "Softmax", onnx.attention, onnx.attention_weights(-1), region=True, region_ops={"Softmax": 1, "LayerNormalization": 0}
            ),
        ),
        capabilities=frozenset({SEQUENCE, ATTENTION}),
    ),
    LayerType(
        "TransformerEncoderLayer",
        "Attention",
        "One Transformer encoder block: self-attention and a feed-forward network, each with a residual connection and "
        "LayerNorm. d_model comes from the input.",
        _encoder_rule,
        params=(
            Param("nhead", INT, 4, "Number of attention heads; must divide d_model.", min=1, max=1024),
            Param("dim_feedforward", INT, 256, "Width of the feed-forward network.", min=1, max=1 << 16),
            DROPOUT,
            Param("activation", CHOICE, "relu", "Activation of the feed-forward network.", choices=("relu", "gelu")),
            Param("norm_first", BOOL, False, "Apply LayerNorm before each block (pre-norm; often trains more stably)."),
            Param("layer_norm_eps", FLOAT, 1e-5, "LayerNorm epsilon.", min=0.0, exclusive_min=True, max=1.0),
            Param("bias", BOOL, True, "Learn biases in the linear layers and LayerNorms."),
        ),
        id_prefix="encoder",
        constructor=lambda p, i: torch_call(
            "nn.TransformerEncoderLayer",
            i["d_model"],
            p["nhead"],
            dim_feedforward=p["dim_feedforward"],
            dropout=p["dropout"],
            activation=p["activation"],
            layer_norm_eps=p["layer_norm_eps"],
            batch_first=True,
            norm_first=p["norm_first"],
            bias=p["bias"],
            defaults={
                "dim_feedforward": 2048,
                "dropout": 0.1,
                "activation": "relu",
                "layer_norm_eps": 1e-5,
                "norm_first": False,
                "bias": True,
            },
        ),
        label=lambda p: f"{p['nhead']} heads, ff {p['dim_feedforward']}",
        torch=TorchMapping(modules=("TransformerEncoderLayer",), read=forms.encoder_layer),
        onnx=(
            OnnxMapping(
                "Softmax", onnx.encoder_layer, onnx.attention_weights(-3), region=True, region_ops={"Softmax": 1, "LayerNormalization": 2}
            ),
        ),
        capabilities=frozenset({SEQUENCE, ATTENTION}),
    ),
]
