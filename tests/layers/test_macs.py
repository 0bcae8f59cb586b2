"""The multiply-accumulates the summary shows agree with what torch computes.

torch's own FlopCounterMode counts the matrix products and convolutions a
module really runs (two FLOPs per multiply-accumulate); the catalog's MACs for
one sample must equal that count divided by the batch. Where the counter sees
nothing (torch's fused LSTM kernel, the attention product inside
MultiheadAttention's fast path), the count is checked against its formula.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode
from torch_run import BATCH, run_in_torch

from designer.graph import Graph, TensorSpec, summarize

CASES: list[tuple[str, dict[str, Any], tuple[int, ...]]] = [
    ("Linear", {"out_features": 7}, (5,)),
    ("Linear", {"out_features": 7, "bias": False}, (3, 5)),  # applied to each of 3 rows
    ("Conv1d", {"out_channels": 6, "kernel_size": 3, "dilation": 2}, (3, 12)),
    ("Conv1d", {"out_channels": 4, "kernel_size": 5, "stride": 2, "padding": 2}, (2, 11)),
    ("Conv2d", {"out_channels": 8, "kernel_size": 3}, (3, 10, 10)),
    ("Conv2d", {"out_channels": 6, "kernel_size": [3, 2], "stride": 2, "padding": 1, "groups": 2}, (4, 9, 8)),
    ("Conv2d", {"out_channels": 5, "kernel_size": 1, "bias": False}, (7, 4, 4)),
    ("ConvTranspose2d", {"out_channels": 6, "kernel_size": 3, "stride": 2, "groups": 2}, (4, 5, 5)),
    ("ConvTranspose2d", {"out_channels": 3, "kernel_size": 2, "stride": 2}, (5, 4, 6)),
    ("RNN", {"hidden_size": 5, "bidirectional": True}, (6, 4)),
    ("GRU", {"hidden_size": 5, "num_layers": 2}, (6, 4)),
    ("TransformerEncoderLayer", {"nhead": 2, "dim_feedforward": 12}, (6, 8)),
]


def _analysed(type_name: str, params: dict[str, Any], shape: tuple[int, ...]) -> tuple[Graph, str]:
    g = Graph("macs")
    x = g.add("Input", shape=list(shape))
    (node, _) = g.sequential((type_name, params), "Output", after=x)
    assert g.validate() == []
    return g, node


def _torch_macs(g: Graph, node: str, shape: tuple[int, ...]) -> float:
    info = g.analyze().nodes[node]
    torch.manual_seed(0)
    with FlopCounterMode(display=False) as counter:
        run_in_torch(g.node(node).type, dict(g.node(node).params), [TensorSpec(shape)], dict(info.inferred))
    return counter.get_total_flops() / 2 / BATCH


@pytest.mark.parametrize(("type_name", "params", "shape"), CASES, ids=lambda v: v if isinstance(v, str) else "")
def test_macs_match_what_torch_counts(one_torch_thread, type_name: str, params: dict[str, Any], shape: tuple[int, ...]) -> None:
    g, node = _analysed(type_name, params, shape)
    macs = g.analyze().nodes[node].macs
    assert macs > 0
    assert macs == _torch_macs(g, node, shape)


def test_conv_macs_by_hand() -> None:
    # 8 filters of 3x3x3 at each of the 8x8 output positions.
    g, node = _analysed("Conv2d", {"out_channels": 8, "kernel_size": 3}, (3, 10, 10))
    assert g.analyze().nodes[node].macs == 8 * 8 * 8 * (3 * 3 * 3)


@pytest.mark.parametrize(("layers", "bidirectional"), [(1, False), (2, True)])
def test_lstm_macs_follow_the_gate_formula(layers: int, bidirectional: bool) -> None:
    # torch runs LSTM as one fused kernel the counter does not see: four gates,
    # each an input and a hidden product, per step, layer and direction.
    length, features, hidden = 6, 4, 5
    g, node = _analysed("LSTM", {"hidden_size": hidden, "num_layers": layers, "bidirectional": bidirectional}, (length, features))
    directions = 2 if bidirectional else 1
    expected = length * directions * 4 * hidden * ((features + hidden) + (layers - 1) * (directions * hidden + hidden))
    assert g.analyze().nodes[node].macs == expected


def test_attention_macs_follow_the_projection_and_product_formula() -> None:
    # Four e x e projections per token, then scores and weighted sum: L x L x e each.
    length, embed = 6, 8
    g, node = _analysed("MultiheadAttention", {"num_heads": 2}, (length, embed))
    assert g.analyze().nodes[node].macs == 4 * length * embed * embed + 2 * length * length * embed


def test_summary_rows_and_total_carry_the_macs() -> None:
    g = Graph("two layers")
    x = g.add("Input", shape=[3, 10, 10])
    g.sequential(("Conv2d", {"out_channels": 8, "kernel_size": 3}), "ReLU", "Flatten", ("Linear", {"out_features": 10}), "Output", after=x)
    summary = summarize(g)
    macs = {row.node: row.macs for row in summary.rows}
    assert macs["conv1"] == 8 * 8 * 8 * 27 and macs["dense1"] == 8 * 8 * 8 * 10 and macs["relu1"] == 0
    assert summary.total_macs == macs["conv1"] + macs["dense1"]
