"""Every catalog entry declares its PyTorch forms (and its ONNX ones where
ONNX has them), and the names it declares exist in torch and ONNX."""

from __future__ import annotations

import onnx
import pytest
import torch
from torch import nn

from designer.layers import CATALOG
from designer.layers.mapping import ATTENTION, RECURRENT, SEQUENCE, TOKEN_IDS, UNROLLED_BY_TORCH_EXPORT

DESIGN_ONLY = {"Input", "Output"}  # the importer makes these from the model's inputs and outputs
NO_ONNX_OPERATOR = {"Identity", "Dropout2d", "SiLU", "GroupNorm"}  # nothing (or several operators) in ONNX


@pytest.mark.parametrize("layer", [layer for layer in CATALOG if layer.name not in DESIGN_ONLY], ids=lambda layer: layer.name)
def test_every_layer_declares_its_torch_forms(layer) -> None:
    mapping = layer.torch
    assert mapping is not None and (mapping.modules or mapping.functions), layer.name
    for name in mapping.modules:
        assert isinstance(getattr(nn, name), type), name
    for name in mapping.functions:
        exists = any(hasattr(owner, name) for owner in (torch, nn.functional, torch.Tensor)) or name in ("truediv",)
        assert exists, f"{layer.name}: no torch function or tensor method {name}"


@pytest.mark.parametrize("layer", [layer for layer in CATALOG if layer.onnx], ids=lambda layer: layer.name)
def test_declared_onnx_operators_exist(layer) -> None:
    for form in layer.onnx:
        assert onnx.defs.has(form.op), f"{layer.name}: {form.op} is not an ONNX operator"


def test_layers_without_onnx_forms_are_the_known_ones() -> None:
    missing = {layer.name for layer in CATALOG if not layer.onnx} - DESIGN_ONLY
    assert missing == NO_ONNX_OPERATOR


def test_capabilities_name_the_layers_the_exporters_ask_about() -> None:
    assert CATALOG.with_capability(SEQUENCE) == {"RNN", "LSTM", "GRU", "MultiheadAttention", "TransformerEncoderLayer"}
    assert CATALOG.with_capability(ATTENTION) == {"MultiheadAttention", "TransformerEncoderLayer"}
    assert CATALOG.with_capability(RECURRENT) == {"RNN", "LSTM", "GRU"}
    assert CATALOG.with_capability(UNROLLED_BY_TORCH_EXPORT) == {"RNN"}
    assert CATALOG.with_capability(TOKEN_IDS) == {"Embedding"}


def test_a_layer_named_like_a_torch_module_declares_that_module() -> None:
    for layer in CATALOG:
        if isinstance(getattr(nn, layer.name, None), type) and layer.torch is not None and layer.torch.modules:
            assert layer.torch.modules == (layer.name,), layer.name
