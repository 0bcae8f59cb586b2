"""A design written by the fast (TorchScript) exporter comes back from its ONNX
file as the same layers, parameters and wiring, with its weights and outputs;
only the ids differ, since that exporter records no module or source line per
operator (the importer then names a node after its ONNX operator)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from design_compare import example_batch, outputs, seeded_module
from paths import sample

from designer.compile import export_onnx
from designer.graph import Graph
from designer.importer import from_onnx
from designer.project import load_project


def _shape(graph: Graph) -> list[tuple[str, dict]]:
    """Nodes as (type, parameters) and edges as positions, ids aside."""
    position = {n.id: i for i, n in enumerate(graph.nodes)}
    return [(n.type, dict(n.params)) for n in graph.nodes] + sorted((position[e.source], position[e.target], e.port) for e in graph.edges)


@pytest.mark.parametrize("stem", ["digits_cnn", "sine_lstm", "xor_mlp", "tokens_transformer"])
def test_a_fast_export_comes_back_as_the_same_layers(stem: str, tmp_path: Path) -> None:
    graph = load_project(sample(stem)).graph
    module = seeded_module(graph)
    result = export_onnx(graph, tmp_path / "model.onnx", weights=module.state_dict(), verify=False)
    assert result.exporter == "torchscript"
    shape = tuple(next(n for n in graph.nodes if n.type == "Input").params["shape"])
    imported = from_onnx(tmp_path / "model.onnx", input_shape=shape)
    assert _shape(imported.graph) == _shape(graph)
    inputs = example_batch(graph)
    with torch.no_grad():
        reference = module(*inputs)
    assert torch.allclose(outputs(imported.graph, imported.weights, inputs), reference, atol=1e-5)
