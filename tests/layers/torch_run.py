"""Run one catalog layer in torch exactly as the compiler will write it."""

from __future__ import annotations

import warnings

import torch

from designer.graph import LONG, TensorSpec
from designer.layers import CATALOG, build_module

BATCH = 3


def make_tensor(spec: TensorSpec, high: int = 10) -> torch.Tensor:
    if spec.dtype == LONG:
        return torch.randint(0, high, (BATCH, *spec.shape))
    return torch.randn(BATCH, *spec.shape)


def guess_inferred(type_name: str, params: dict, inputs: list[TensorSpec]) -> dict:
    """Constructor arguments taken from the input, derived independently of the
    shape rule (so a rejected input can still be tried in torch)."""
    x = inputs[0].shape
    first, last = x[0], x[-1]
    by_name = {
        "Linear": {"in_features": last},
        "Conv1d": {"in_channels": first},
        "Conv2d": {"in_channels": first},
        "ConvTranspose2d": {"in_channels": first},
        "BatchNorm1d": {"num_features": first},
        "BatchNorm2d": {"num_features": first},
        "GroupNorm": {"num_channels": first},
        "LayerNorm": {"normalized_shape": list(x[-params.get("normalized_dims", 1) :]) or [last]},
        "PReLU": {"num_parameters": first if params.get("per_channel") else 1},
        "RNN": {"input_size": last},
        "LSTM": {"input_size": last},
        "GRU": {"input_size": last},
        "MultiheadAttention": {"embed_dim": last},
        "TransformerEncoderLayer": {"d_model": last},
    }
    return by_name.get(type_name, {})


def run_in_torch(type_name: str, params: dict, inputs: list[TensorSpec], inferred: dict | None = None):
    """Returns (output tensor, module). Raises whatever torch raises."""
    layer = CATALOG.get(type_name)
    inferred = inferred if inferred is not None else guess_inferred(type_name, params, inputs)
    high = params.get("num_embeddings", 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = build_module(layer, params, inferred)
        args = [f"x{i}" for i in range(len(inputs))]
        namespace = {"torch": torch, "F": torch.nn.functional, "m": module, **{a: make_tensor(s, high) for a, s in zip(args, inputs)}}
        exec("\n".join(layer.forward("y", "m", args, params)), namespace)  # noqa: S102 - catalog-generated code
    return namespace["y"], module


def parameter_count(module) -> int:
    return 0 if module is None else sum(p.numel() for p in module.parameters())
