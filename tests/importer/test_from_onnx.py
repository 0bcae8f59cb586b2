"""ONNX -> design: the samples' exports come back as the same designs (except
what the ONNX file itself no longer holds), with their weights and outputs;
patterns read as one layer; what cannot be read is named."""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from pathlib import Path

import onnx
import pytest
import torch
from design_compare import assert_same_design, example_batch, flattened, outputs, seeded_module
from onnx import TensorProto, helper, numpy_helper
from paths import SAMPLES, sample

from designer.compile import export_onnx
from designer.graph import Graph
from designer.importer import ModelImportError, from_onnx
from designer.layers import CATALOG
from designer.layers.mapping import PASS_THROUGH_AT_EVALUATION
from designer.project import load_project

# What torch's ONNX exporter itself takes out of an inference model: Dropout
# does nothing at evaluation, and a BatchNorm after a convolution is folded
# into the convolution's weights. The rest of such a design comes back.
FOLDED_BY_THE_EXPORTER = {"cancer_dropout", "residual_cnn", "residual_blocks"}


@contextlib.contextmanager
def _quiet():
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(previous)


def _exported(graph: Graph, path: Path, opset: int = 20) -> Path:
    """Written by torch.export, whose operators record their module and line, so
    the nodes come back with their ids (the fast TorchScript exporter's do not:
    tests/importer/test_fast_export_round_trip.py)."""
    module = seeded_module(graph)
    with _quiet():
        export_onnx(graph, path, opset=opset, weights=module.state_dict(), verify=False, exporter="torch.export")
    return path


def _input_shape(graph: Graph) -> tuple[int, ...]:
    return tuple(next(n for n in graph.nodes if n.type == "Input").params["shape"])


def _without_folded_layers(graph: Graph) -> Graph:
    """The design as the exporter leaves it: no Dropout, no BatchNorm after a convolution."""
    kept = Graph(graph.name)
    dropped = {
        n.id
        for n in graph.nodes
        if CATALOG.get(n.type).can(PASS_THROUGH_AT_EVALUATION)
        or n.type.startswith("BatchNorm")
        and graph.node(graph.inputs_of(n.id)[0].source).type.startswith("Conv")
    }
    for node in graph.nodes:
        if node.id not in dropped:
            kept.add_node(node.type, node.params, node_id=node.id)

    def source_of(node_id: str) -> str:
        while node_id in dropped:
            node_id = graph.inputs_of(node_id)[0].source
        return node_id

    for edge in graph.edges:
        if edge.target not in dropped:
            kept.connect(source_of(edge.source), edge.target, edge.port)
    return kept


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_each_sample_comes_back_from_its_onnx_export(path: Path, tmp_path: Path) -> None:
    graph = load_project(path).graph
    imported = from_onnx(_exported(graph, tmp_path / "model.onnx"), input_shape=_input_shape(graph))
    if path.stem in FOLDED_BY_THE_EXPORTER:
        # A convolution with its BatchNorm folded in is named after the BatchNorm's module by the exporter: compare all but ids.
        expected = _without_folded_layers(flattened(graph))  # blocks come back as their layers
        assert [(n.type, n.params) for n in imported.graph.nodes] == [(n.type, n.params) for n in expected.nodes]
        position = {g: {n.id: i for i, n in enumerate(g.nodes)} for g in (expected, imported.graph)}
        assert sorted((position[expected][e.source], position[expected][e.target], e.port) for e in expected.edges) == sorted(
            (position[imported.graph][e.source], position[imported.graph][e.target], e.port) for e in imported.graph.edges
        )
        assert len(imported.graph) < len(flattened(graph))
    else:
        assert_same_design(graph, imported.graph)
    inputs = example_batch(graph)
    with torch.no_grad():
        reference = seeded_module(graph)(*inputs)
    assert torch.allclose(outputs(imported.graph, imported.weights, inputs), reference, atol=1e-5)


def test_an_opset_17_export_comes_back_too(tmp_path: Path) -> None:
    graph = load_project(sample("tokens_transformer")).graph
    imported = from_onnx(_exported(graph, tmp_path / "model.onnx", opset=17), input_shape=_input_shape(graph))
    assert_same_design(graph, imported.graph)


def test_layer_patterns_become_single_nodes(tmp_path: Path) -> None:
    g = Graph("patterns")
    g.sequential(
        ("Input", {"shape": [3, 8, 8]}, "image"),
        ("Conv2d", {"out_channels": 6, "padding": 1, "groups": 3}, "depthwise"),
        ("BatchNorm2d", {}, "bn"),
        ("ReLU6", {}, "act"),
        ("Scale", {"factor": 0.5, "offset": 1.0}, "scale"),
        ("ReduceMean", {"dims": [2, 3]}, "pool"),
        ("Linear", {"out_features": 4}, "head"),
        ("Output", {}, "out"),
    )
    module = seeded_module(g)
    source = tmp_path / "patterns.onnx"
    with _quiet():
        program = torch.onnx.export(module, example_batch(g), dynamo=True, optimize=False, verbose=False)  # keeps BatchNormalization
    program.save(str(source))
    imported = from_onnx(source)
    assert [n.type for n in imported.graph.nodes] == [
        "Input",
        "Conv2d",
        "BatchNorm2d",
        "ReLU6",
        "Scale",
        "GlobalAvgPool",
        "Linear",
        "Output",
    ]
    assert imported.graph.node("depthwise").params["groups"] == 3
    assert imported.graph.node("scale").params == {"factor": 0.5, "offset": 1.0}
    assert torch.equal(imported.weights["bn.running_var"], module.bn.running_var)


def _onnx_file(path: Path, nodes_: list, inputs: list, initializers: list | None = None) -> Path:
    graph = helper.make_graph(
        nodes_, "hand made", inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])], initializer=initializers or []
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def test_unsupported_operators_are_each_named_once(tmp_path: Path) -> None:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])
    weight = numpy_helper.from_array(torch.randn(4, 4).numpy(), "w")
    path = _onnx_file(
        tmp_path / "odd.onnx",
        [
            helper.make_node("MatMul", ["x", "w"], ["h"], name="project"),
            helper.make_node("Erf", ["h"], ["e"], name="odd_erf"),
            helper.make_node("Cos", ["e"], ["c"], name="cosine"),
            helper.make_node("Relu", ["c"], ["y"], name="relu"),
        ],
        [x],
        [weight],
    )
    with pytest.raises(ModelImportError) as caught:
        from_onnx(path)
    assert [(u.op, u.name) for u in caught.value.unmapped] == [("Erf", "odd_erf")]  # Cos after it is not reported again
    partial = from_onnx(path, partial=True)
    assert [n.type for n in partial.graph.nodes].count("Unmapped") == 2
    assert any("no equivalent" in p.message for p in partial.graph.validate())


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"hello, I am not a model\n", "not an ONNX model"), (None, "ONNX model")],
    ids=["text", "truncated"],
)
def test_unreadable_files_are_one_line(content: bytes | None, fragment: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.onnx"
    if content is None:
        whole = _exported(load_project(sample("xor_mlp")).graph, tmp_path / "whole.onnx").read_bytes()
        content = whole[: len(whole) // 2]
    path.write_bytes(content)
    with pytest.raises(ModelImportError) as caught:
        from_onnx(path)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_two_inputs_are_refused(tmp_path: Path) -> None:
    inputs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", 4]) for name in ("a", "b")]
    path = _onnx_file(tmp_path / "two.onnx", [helper.make_node("Add", ["a", "b"], ["y"])], inputs)
    with pytest.raises(ModelImportError, match=r"2 inputs \(a, b\)"):
        from_onnx(path)
