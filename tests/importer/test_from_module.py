"""PyTorch -> design through torch.fx: the samples' exported Python files come
back as the same designs with the same outputs; a hand edit shows; attribute
names and weights are kept; what has no equivalent is named."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from design_compare import assert_same_design, example_batch, flattened, outputs, seeded_module
from paths import SAMPLES
from torch import nn

from designer.compile import python_file
from designer.importer import ModelImportError, from_module, import_python_file
from designer.project import load_project


def _shapes_and_dtypes(graph) -> tuple[list[list[int]], list[str]]:
    inputs = [n for n in graph.nodes if n.type == "Input"]
    return [list(n.params["shape"]) for n in inputs], [n.params["dtype"] for n in inputs]


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_exported_python_file_imports_as_the_same_design(path: Path, tmp_path: Path) -> None:
    graph = load_project(path).graph
    module = seeded_module(graph)
    weights = tmp_path / "weights.safetensors"
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in module.state_dict().items()}, str(weights))
    source = tmp_path / "model.py"
    source.write_text(python_file(graph))
    class_name = [line.split()[1].split("(")[0] for line in source.read_text().splitlines() if line.startswith("class ")][-1]  # blocks' classes come first
    shapes, dtypes = _shapes_and_dtypes(graph)

    imported = import_python_file(source, class_name, shapes, dtypes=dtypes, weights=weights)

    assert_same_design(flattened(graph), imported.graph)
    inputs = example_batch(graph)
    with torch.no_grad():
        expected = module(*inputs)
    assert torch.allclose(outputs(imported.graph, imported.weights, inputs), expected, atol=1e-6)
    assert imported.max_difference is not None and imported.max_difference <= 1e-6


def test_a_hand_edit_of_the_exported_file_shows_in_the_design(tmp_path: Path) -> None:
    graph = load_project(SAMPLES[[p.stem for p in SAMPLES].index("digits_cnn")]).graph
    text = python_file(graph)
    text = text.replace("nn.Conv2d(1, 16,", "nn.Conv2d(1, 24,").replace("nn.Conv2d(16, 32,", "nn.Conv2d(24, 32,")
    text = text.replace("        relu3 = torch.relu(dense1)", "        relu3 = torch.relu(dense1)\n        relu3 = torch.tanh(relu3)")
    source = tmp_path / "edited.py"
    source.write_text(text)

    imported = import_python_file(source, "DigitsCNN", [[1, 8, 8]])

    assert imported.graph.node("conv1").params["out_channels"] == 24
    relu = imported.graph.node("relu3")
    added = [e.target for e in imported.graph.outputs_of("relu3")]
    assert relu.type == "ReLU" and len(added) == 1 and imported.graph.node(added[0]).type == "Tanh"
    assert imported.graph.validate() == []


class _Block(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn(self.conv(x)))
        return out + x


class _Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.blocks = nn.Sequential(_Block(8), _Block(8))
        self.head = nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.stem(x))
        x = self.blocks(x)
        pooled = x.mean(dim=(2, 3))
        return self.head(pooled * 0.5 + 1)


def test_module_attribute_paths_become_ids_and_weights_come_along() -> None:
    net = _Net().eval()
    with torch.no_grad():
        for bn in (net.blocks[0].bn, net.blocks[1].bn):
            bn.running_mean.uniform_(-1, 1)
            bn.running_var.uniform_(0.5, 2)
    imported = from_module(net, torch.randn(2, 3, 8, 8))
    types = {n.id: n.type for n in imported.graph.nodes}
    assert types["stem"] == "Conv2d" and types["blocks_0_conv"] == "Conv2d" and types["blocks_1_bn"] == "BatchNorm2d"
    assert types["blocks_0_out"] == "ReLU" and types["pooled"] == "GlobalAvgPool" and types["head"] == "Linear"
    assert [n.params for n in imported.graph.nodes if n.type == "Scale"] == [{"factor": 0.5, "offset": 1.0}]
    assert torch.equal(imported.weights["blocks_1_bn.running_var"], net.blocks[1].bn.running_var)
    assert imported.max_difference is not None and imported.max_difference < 1e-5
    assert imported.graph.validate() == []
    assert net.training is False  # the module's mode is left as it was


class _Unsupported(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv3d(1, 2, 1)
        self.fc = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.fc(x)
        return torch.cumsum(y, dim=1) + self.conv(x.reshape(x.size(0), 1, 1, 2, 2)).sum()


def test_unmapped_operations_are_named_and_partial_import_marks_them() -> None:
    with pytest.raises(ModelImportError) as caught:
        from_module(_Unsupported(), torch.randn(2, 4))
    found = {(u.op, u.name) for u in caught.value.unmapped}
    assert ("torch cumsum", "cumsum") in found and ("torch.nn.Conv3d", "conv") in found
    assert all(u.why for u in caught.value.unmapped)

    partial = from_module(_Unsupported(), torch.randn(2, 4), partial=True)
    placeholders = [n for n in partial.graph.nodes if n.type == "Unmapped"]
    assert {n.params["op"] for n in placeholders} >= {"torch cumsum", "torch.nn.Conv3d"}
    problems = partial.graph.validate()
    assert any(p.node == placeholders[0].id and "no equivalent" in p.message for p in problems)
