"""ONNX export below opset 18: torch.export translates at 18, the model is
converted down, and a layer that cannot be lowered is named."""

from __future__ import annotations

import pytest
from layer_designs import branches_design

from designer.compile import ExportError, export_onnx
from designer.graph import Graph

NEW_LAYERS = [
    ("ReLU6", {}),
    ("Hardsigmoid", {}),
    ("ReduceMean", {"dims": [2, 3]}),
    ("ReduceMax", {"dims": [-1], "keepdim": True}),
    ("Dropout2d", {}),
    ("Scale", {"factor": 0.5, "offset": -1.0}),
    ("Upsample", {"mode": "bicubic"}),
    ("Upsample", {"mode": "nearest-exact"}),
    ("Conv2d", {"groups": 3, "out_channels": 6}),
    ("GlobalAvgPool", {}),  # ReduceMean, whose axes became an input at opset 18
    ("AdaptiveAvgPool2d", {"output_size": 2}),
]


def _pooled_cnn() -> Graph:
    g = Graph("pooled")
    x = g.add("Input", shape=[3, 8, 8])
    g.sequential(
        ("Conv2d", {"out_channels": 4, "padding": 1}),
        ("AdaptiveAvgPool2d", {"output_size": 2}),
        "GlobalAvgPool",
        ("Linear", {"out_features": 3}),
        "Output",
        after=x,
    )
    return g


def test_new_layers_and_global_pooling_export_and_verify_at_opset_17() -> None:
    # (at the default opset the catalog-wide export test covers the new layers)
    result = export_onnx(branches_design("new layers", NEW_LAYERS), opset=17)
    versions = {o.domain: o.version for o in result.model.opset_import}
    assert versions.get("", versions.get("ai.onnx")) == 17
    assert result.verification is not None and result.verification.max_abs_diff < 1e-4
    reduce_means = [n for n in result.model.graph.node if n.op_type == "ReduceMean"]
    assert reduce_means and all(len(n.input) == 1 and any(a.name == "axes" for a in n.attribute) for n in reduce_means)


def test_an_operator_the_converter_cannot_lower_is_named() -> None:
    with pytest.raises(ExportError) as caught:
        export_onnx(_pooled_cnn(), opset=13, verify=False)
    message = str(caught.value)
    assert caught.value.node is not None and caught.value.node in message
    assert "opset 13" in message and "choose opset 14 or higher" in message and "\n" not in message
