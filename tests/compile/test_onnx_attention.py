"""Attention designs take the fast exporter: the traced form of attention
computes what torch's does, leaves the layer as it was, and its model runs at
any batch size and sequence length."""

from __future__ import annotations

import contextlib

import numpy as np
import onnxruntime
import pytest
import torch
from torch import nn

from designer.compile import export_onnx
from designer.compile import onnx_export as onnx_export_module
from designer.compile.onnx_attention import traceable_attention
from designer.graph import Graph


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_the_traced_form_computes_what_torch_computes(batch_first: bool, bias: bool) -> None:
    torch.manual_seed(0)
    layer = nn.MultiheadAttention(12, 3, bias=bias, batch_first=batch_first).eval()
    x = torch.randn(4, 7, 12) if batch_first else torch.randn(7, 4, 12)
    memory = torch.randn(4, 5, 12) if batch_first else torch.randn(5, 4, 12)
    with torch.no_grad():
        want_self, _ = layer(x, x, x, need_weights=False)
        want_cross, _ = layer(x, memory, memory, need_weights=False)
        with traceable_attention(layer):
            assert "forward" in vars(layer)
            got_self, none = layer(x, x, x, need_weights=False)
            got_cross, _ = layer(x, memory, memory, need_weights=False)
    assert none is None and "forward" not in vars(layer)
    assert torch.allclose(got_self, want_self, atol=1e-6) and torch.allclose(got_cross, want_cross, atol=1e-6)


def test_calls_the_form_does_not_cover_go_to_torch() -> None:
    torch.manual_seed(1)
    layer = nn.MultiheadAttention(8, 2, batch_first=True).eval()
    x = torch.randn(2, 5, 8)
    causal = nn.Transformer.generate_square_subsequent_mask(5)
    padding = torch.tensor([[False] * 5, [False, False, False, True, True]])
    with torch.no_grad():
        want = [layer(x, x, x), layer(x, x, x, need_weights=False, attn_mask=causal), layer(x, x, x, key_padding_mask=padding)]
        with traceable_attention(layer):
            got = [layer(x, x, x), layer(x, x, x, need_weights=False, attn_mask=causal), layer(x, x, x, key_padding_mask=padding)]
    for (out, weights), (out_want, weights_want) in zip(got, want):
        assert torch.equal(out, out_want)
        assert (weights is None and weights_want is None) or torch.equal(weights, weights_want)


def test_layers_it_does_not_cover_keep_their_forward_and_a_failure_restores_the_rest() -> None:
    covered = nn.MultiheadAttention(8, 2, batch_first=True)
    extra_bias = nn.MultiheadAttention(8, 2, add_bias_kv=True, batch_first=True)
    other_sizes = nn.MultiheadAttention(8, 2, kdim=4, vdim=4, batch_first=True)
    model = nn.ModuleList([covered, extra_bias, other_sizes])
    with pytest.raises(RuntimeError, match="traced"), traceable_attention(model):
        assert "forward" in vars(covered)
        assert "forward" not in vars(extra_bias) and "forward" not in vars(other_sizes)
        raise RuntimeError("traced")
    assert all("forward" not in vars(layer) for layer in model)


def _run_at(model, name: str, batch: int, length: int, features: int | None) -> np.ndarray:
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    shape = (batch, length) if features is None else (batch, length, features)
    x = np.random.default_rng(batch * 100 + length).integers(0, 20, shape) if features is None else np.random.default_rng(3).random(shape)
    return session.run(None, {name: x.astype(np.int64 if features is None else np.float32)})[0]


def _tokens_encoder(norm_first: bool, activation: str, bias: bool) -> Graph:
    g = Graph("tokens")
    g.sequential(
        ("Input", {"shape": [12], "dtype": "int64"}),
        ("Embedding", {"num_embeddings": 20, "embedding_dim": 8}),
        ("TransformerEncoderLayer", {"nhead": 2, "dim_feedforward": 16, "norm_first": norm_first, "activation": activation, "bias": bias}),
        "Permute",
        "GlobalAvgPool",
        ("Linear", {"out_features": 3}),
        "Output",
    )
    return g


@pytest.mark.parametrize(("norm_first", "activation", "bias"), [(False, "relu", True), (True, "gelu", False)])
def test_an_encoder_design_exports_fast_and_runs_at_any_batch_and_length(norm_first: bool, activation: str, bias: bool) -> None:
    result = export_onnx(_tokens_encoder(norm_first, activation, bias))
    assert result.exporter == "torchscript" and result.verification is not None
    name = result.model.graph.input[0].name
    for batch, length in ((1, 3), (7, 12), (3, 40)):
        assert _run_at(result.model, name, batch, length, None).shape == (batch, 3)


def test_without_the_traced_form_the_fast_model_would_not_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    g = Graph("attention")
    g.sequential(("Input", {"shape": [4, 6]}), ("MultiheadAttention", {"num_heads": 2}), "Output")
    assert export_onnx(g).exporter == "torchscript"
    monkeypatch.setattr(onnx_export_module, "traceable_attention", lambda module: contextlib.nullcontext())
    assert export_onnx(g).exporter == "torch.export"  # torch's own attention bakes the example's sizes in
