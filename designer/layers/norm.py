"""Normalisation layers; the number of features is always taken from the input."""

from __future__ import annotations

from math import prod

from designer.graph.errors import ShapeError
from designer.graph.spec import Inference
from designer.layers import onnx_forms as onnx
from designer.layers import torch_forms as forms
from designer.layers.base import LayerType, torch_call
from designer.layers.mapping import OnnxMapping, TorchMapping
from designer.layers.shapes import need_a_dimension, need_rank
from designer.params import BOOL, FLOAT, INT, Param

EPS = Param("eps", FLOAT, 1e-5, "Added to the variance for numerical stability.", min=0.0, exclusive_min=True, max=1.0)
MOMENTUM = Param("momentum", FLOAT, 0.1, "How fast the running statistics follow each batch.", min=0.0, max=1.0)
AFFINE = Param("affine", BOOL, True, "Learn a scale and shift per feature.")
BN_DEFAULTS = {"eps": 1e-5, "momentum": 0.1, "affine": True, "elementwise_affine": True}


def _batchnorm_rule(name: str, ranks: tuple[int, ...], layout: str):
    def rule(inputs, p) -> Inference:
        x = inputs[0]
        need_rank(name, x, ranks, layout, "pick the BatchNorm that matches the data (1d for features or sequences, 2d for images)")
        c = x.shape[0]
        return Inference(x, {"num_features": c}, 2 * c if p["affine"] else 0)

    return rule


def _layernorm_rule(inputs, p) -> Inference:
    x = inputs[0]
    n = p["normalized_dims"]
    if n > len(x.shape):
        raise ShapeError(
            f"LayerNorm: normalized_dims={n} but {x.display()} has only {len(x.shape)} dimensions after the batch: lower normalized_dims",
            code="rank",
        )
    shape = x.shape[-n:]
    per = prod(shape)
    count = (per if p["elementwise_affine"] else 0) * (2 if p["bias"] else 1)
    return Inference(x, {"normalized_shape": list(shape)}, count)


def _groupnorm_rule(inputs, p) -> Inference:
    x = inputs[0]
    need_a_dimension("GroupNorm", x)
    c, g = x.shape[0], p["num_groups"]
    if c % g:
        raise ShapeError(f"GroupNorm: the {c} channels cannot be split into {g} groups: choose num_groups that divides {c}", code="groups")
    return Inference(x, {"num_channels": c}, 2 * c if p["affine"] else 0)


def _layernorm_constructor(p, i) -> str:
    shape = i["normalized_shape"]
    first = shape[0] if len(shape) == 1 else tuple(shape)
    return torch_call(
        "nn.LayerNorm",
        first,
        eps=p["eps"],
        elementwise_affine=p["elementwise_affine"],
        bias=p["bias"],
        defaults={**BN_DEFAULTS, "bias": True},
    )


LAYERS = [
    LayerType(
        "BatchNorm1d",
        "Normalisation",
        "Normalises each feature (or channel of a sequence) over the batch, then scales and shifts. Speeds up training.",
        _batchnorm_rule("BatchNorm1d", (2, 3), "N x features, or N x channels x length"),
        params=(EPS, MOMENTUM, AFFINE),
        id_prefix="bn",
        constructor=lambda p, i: torch_call("nn.BatchNorm1d", i["num_features"], defaults=BN_DEFAULTS, **dict(p)),
        torch=TorchMapping(modules=("BatchNorm1d",), read=forms.batchnorm),
        onnx=(OnnxMapping("BatchNormalization", onnx.batchnorm((2, 3)), onnx.BATCHNORM_WEIGHTS),),
    ),
    LayerType(
        "BatchNorm2d",
        "Normalisation",
        "Normalises each image channel over the batch and positions, then scales and shifts. Usually after a Conv2d.",
        _batchnorm_rule("BatchNorm2d", (4,), "N x channels x height x width"),
        params=(EPS, MOMENTUM, AFFINE),
        id_prefix="bn",
        constructor=lambda p, i: torch_call("nn.BatchNorm2d", i["num_features"], defaults=BN_DEFAULTS, **dict(p)),
        torch=TorchMapping(modules=("BatchNorm2d",), read=forms.batchnorm),
        onnx=(OnnxMapping("BatchNormalization", onnx.batchnorm((4,)), onnx.BATCHNORM_WEIGHTS),),
    ),
    LayerType(
        "LayerNorm",
        "Normalisation",
        "Normalises each sample over its last dimension(s); independent of the batch. Standard in Transformers.",
        _layernorm_rule,
        params=(
            Param(
                "normalized_dims",
                INT,
                1,
                "How many trailing dimensions to normalise over (normalized_shape is taken from them).",
                min=1,
                max=4,
            ),
            EPS,
            Param("elementwise_affine", BOOL, True, "Learn a scale per element."),
            Param("bias", BOOL, True, "Learn a shift per element (with elementwise_affine)."),
        ),
        id_prefix="ln",
        constructor=_layernorm_constructor,
        torch=TorchMapping(modules=("LayerNorm",), read=forms.layernorm),
        onnx=(OnnxMapping("LayerNormalization", onnx.layernorm, onnx.NORM_WEIGHTS),),
    ),
    LayerType(
        "GroupNorm",
        "Normalisation",
        "Normalises groups of channels per sample; works with small batches where BatchNorm struggles.",
        _groupnorm_rule,
        params=(Param("num_groups", INT, 4, "Number of channel groups; must divide the channels.", min=1, max=1 << 16), EPS, AFFINE),
        id_prefix="gn",
        constructor=lambda p, i: torch_call(
            "nn.GroupNorm", p["num_groups"], i["num_channels"], eps=p["eps"], affine=p["affine"], defaults=BN_DEFAULTS
        ),
        label=lambda p: f"{p['num_groups']} groups",
        torch=TorchMapping(modules=("GroupNorm",), read=forms.groupnorm),
    ),
]
