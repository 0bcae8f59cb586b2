"""ONNX export: every layer type and every sample exports, passes onnx.checker
and matches torch in onnxruntime at batch sizes 1 and 5; dimensions and names
are declared; trained weights go in; failures name the layer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
import torch
from layer_designs import branches_design, export_groups, layer_design
from paths import SAMPLES

from designer.compile import (
    TOLERANCE,
    CompileError,
    ExportError,
    compile_design,
    export_module,
    export_onnx,
    generate,
    random_inputs,
    signature,
)
from designer.graph import Graph
from designer.graph.spec import Inference
from designer.graph.tensor import TensorSpec
from designer.layers import CATALOG
from designer.layers.base import Catalog, LayerType
from designer.project import load_project

GROUPS = export_groups()


def _dims(value) -> list[int | str]:
    return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]


@pytest.mark.parametrize("group", list(GROUPS))
def test_every_layer_type_exports_and_matches_torch(group: str) -> None:
    # One design per group with a branch per layer type: one export checks them
    # all (a failure names its node), ten times faster than a design each.
    graph = branches_design(group, GROUPS[group])
    result = export_onnx(graph)
    assert result.verification is not None
    assert {1, 5} <= {case.batch for case in result.verification.cases}
    assert result.verification.max_abs_diff <= TOLERANCE
    assert len(result.model.graph.output) == len(GROUPS[group])
    for value in (*result.model.graph.input, *result.model.graph.output):
        assert _dims(value)[0] == "batch"
    if group != "fixed-size layers":
        assert result.signature.dynamic_sequence and not result.notes
        assert {c.sequence for c in result.verification.cases} == {None, *result.signature.other_lengths} and len(
            result.signature.other_lengths
        ) >= 2


def test_groups_cover_the_catalog() -> None:
    covered = {t for cases in GROUPS.values() for t, _ in cases}
    assert covered == set(CATALOG.names()) - {"Input"}


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_each_sample_exports_and_verifies(path: Path, tmp_path: Path) -> None:
    graph = load_project(path).graph
    target = tmp_path / f"{path.stem}.onnx"
    result = export_onnx(graph, target)
    model = onnx.load(target)
    onnx.checker.check_model(model, full_check=True)
    assert [i.name for i in model.graph.input] == [n.id for n in graph.nodes if n.type == "Input"]
    assert [o.name for o in model.graph.output] == [n.id for n in graph.nodes if n.type == "Output"]
    assert result.verification is not None and result.verification.max_abs_diff <= TOLERANCE
    properties = {p.key: p.value for p in model.metadata_props}
    assert properties["designer.fingerprint"] == graph.fingerprint() and properties["designer.weights"] == "untrained"


def test_sequence_length_is_dynamic_where_the_design_allows_it() -> None:
    for _ in range(2):  # torch 2.13 kept the length dynamic only on the first LSTM export in a process
        free = export_onnx(layer_design("LSTM", {"returns": "sequence", "hidden_size": 6}), verify=False, exporter="torch.export")
        assert free.exporter == "torch.export"
        assert _dims(free.model.graph.input[0]) == ["batch", "sequence", 5]
        assert _dims(free.model.graph.output[0]) == ["batch", "sequence", 6]


def test_a_flatten_into_a_linear_fixes_the_sequence_length() -> None:
    g = Graph("fixed")  # the Linear's in_features depend on the length, so other lengths need other weights
    g.sequential(
        ("Input", {"shape": [6, 3]}),
        ("GRU", {"hidden_size": 4, "returns": "sequence"}),
        "Flatten",
        ("Linear", {"out_features": 2}),
        "Output",
    )
    sig = signature(g, generate(g))
    assert not sig.dynamic_sequence and sig.inputs[0].dims == ("batch", 6, 3) and sig.other_lengths == ()
    pooled = Graph("pooled")  # pooling over the steps instead keeps it free
    pooled.sequential(
        ("Input", {"shape": [6, 3]}), ("GRU", {"hidden_size": 4, "returns": "sequence"}), "Permute", "GlobalAvgPool", "Output"
    )
    free = signature(pooled, generate(pooled))
    assert free.inputs[0].dims == ("batch", "sequence", 3) and free.outputs[0].dims == ("batch", 4)


def test_tokens_feed_attention_with_dynamic_length() -> None:
    g = Graph("tokens")
    g.sequential(
        ("Input", {"shape": [12], "dtype": "int64"}),
        ("Embedding", {"num_embeddings": 30, "embedding_dim": 8}),
        ("TransformerEncoderLayer", {"nhead": 2, "dim_feedforward": 16}),
        ("Linear", {"out_features": 3}),
        "Output",
    )
    result = export_onnx(g)
    assert _dims(result.model.graph.input[0]) == ["batch", "sequence"]
    assert result.verification is not None and {6, 24} <= {c.sequence for c in result.verification.cases}


def test_trained_weights_are_the_ones_exported(tmp_path: Path) -> None:
    graph = layer_design("Conv2d")
    compiled = compile_design(graph)
    torch.manual_seed(7)
    weights = {k: v + 0.5 for k, v in compiled.new_module().state_dict().items()}
    result = export_onnx(graph, tmp_path / "w.onnx", weights=weights)
    module = export_module(compiled, weights)
    (x,) = random_inputs(result.signature, batch=2, seed=3)
    session = onnxruntime.InferenceSession(str(tmp_path / "w.onnx"), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {result.signature.inputs[0].name: x.numpy()})
    with torch.no_grad():
        assert np.abs(got - module(x).numpy()).max() <= TOLERANCE
    assert {p.key: p.value for p in result.model.metadata_props}["designer.weights"] == "trained"


def test_weights_of_another_design_are_refused() -> None:
    from designer.project import ProjectError

    with pytest.raises(ProjectError, match="wrong shape: dense1.weight"):
        export_onnx(layer_design("Linear"), weights={"dense1.weight": torch.zeros(3, 3)})


def test_design_with_problems_is_not_exported() -> None:
    g = Graph("broken")
    g.add("Input", shape=[4])
    with pytest.raises(CompileError):
        export_onnx(g)


def test_opset_too_old_for_a_layer_names_it() -> None:
    with pytest.raises(ExportError) as caught:
        export_onnx(layer_design("LayerNorm"), opset=13, verify=False)
    assert caught.value.node == "ln1"
    assert "ln1 (LayerNorm) cannot be exported at opset 13" in str(caught.value) and "opset 17" in str(caught.value)


def test_layer_without_onnx_translation_is_named_with_the_reason() -> None:
    eigen = LayerType(
        "Eigenvalues",
        "Core",
        "Eigenvalues of 2 x 2 symmetric blocks (has no ONNX translation).",
        lambda inputs, p: Inference(TensorSpec((inputs[0].shape[0] // 2,))),
        forward=lambda var, attr, args, p: [f"{var} = torch.linalg.eigvalsh({args[0]}.reshape(-1, 2, 2)).reshape({args[0]}.size(0), -1)"],
    )
    g = Graph("odd", Catalog([*CATALOG, eigen]))
    g.sequential(("Input", {"shape": [4]}), ("Linear", {"out_features": 4}), "Eigenvalues", "Output")
    with pytest.raises(ExportError) as caught:
        export_onnx(g)
    assert caught.value.node == "eigenvalues1"
    assert str(caught.value).startswith("eigenvalues1 (Eigenvalues) cannot be exported to ONNX: ")
    assert "eigh" in str(caught.value) and "\n" not in str(caught.value)


def test_rnn_beside_attention_keeps_its_length_dynamic_on_the_fast_path() -> None:
    g = Graph("mixed")
    g.sequential(
        ("Input", {"shape": [4, 3]}), ("RNN", {"hidden_size": 4, "returns": "sequence"}), ("MultiheadAttention", {"num_heads": 2}), "Output"
    )
    result = export_onnx(g)
    assert result.exporter == "torchscript" and result.notes == ()
    assert _dims(result.model.graph.input[0]) == ["batch", "sequence", 3]
    checked = {c.sequence for c in result.verification.cases} - {None, 4} if result.verification else set()
    assert checked, "onnxruntime ran it at lengths other than the drawn 4"
    # torch.export unrolls the RNN over the example's steps: the length is fixed there, and said
    slow = export_onnx(g, exporter="torch.export")
    assert _dims(slow.model.graph.input[0]) == ["batch", 4, 3]
    assert slow.notes == ("the sequence length is fixed at 4: torch.export unrolls RNN layers over the steps",)
