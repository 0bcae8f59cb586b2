"""Design -> readable source -> module: every layer type compiles, runs, and
agrees with shape inference and the summary; names never clash; a design with
problems is refused with its problems."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from layer_designs import all_designs
from paths import SAMPLES
from torch import nn

from designer.compile import CompileError, compile_design, generate, python_file, random_inputs, signature, to_source
from designer.compile.codegen import MODULE_ATTRIBUTES
from designer.graph import Graph, summarize
from designer.project import load_project

DESIGNS = all_designs()


@pytest.mark.parametrize(("name", "graph"), DESIGNS, ids=[name for name, _ in DESIGNS])
def test_each_layer_compiles_runs_and_matches_inference(name: str, graph: Graph) -> None:
    compiled = compile_design(graph)
    torch.manual_seed(0)
    module = compiled.new_module().eval()
    sig = signature(graph, compiled.generated)
    with torch.no_grad():
        output = module(*random_inputs(sig, batch=3))
    expected = graph.shapes()[compiled.generated.output_names[0]]
    assert tuple(output.shape) == (3, *expected.shape)
    assert output.dtype == (torch.int64 if expected.dtype == "int64" else torch.float32)
    assert sum(p.numel() for p in module.parameters()) == summarize(graph).total_params


def test_samples_source_reads_like_pytorch() -> None:
    source = to_source(load_project(next(p for p in SAMPLES if p.stem == "digits_cnn")).graph)
    assert "class DigitsCNN(nn.Module):" in source
    assert "        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, padding=1)\n" in source  # in_channels filled in
    assert "        conv1 = self.conv1(input1)  # N x 16 x 8 x 8\n" in source
    assert "        dense1 = self.dense1(flatten1)  # N x 64\n" in source


def test_merges_and_recurrent_returns_are_plain_tensor_code() -> None:
    g = Graph("branches")
    x = g.add("Input", shape=[6, 4])
    lstm = g.add("LSTM", hidden_size=5, returns="last")
    gru = g.add("GRU", hidden_size=5, returns="hidden", bidirectional=True)
    dense = g.add("Linear", out_features=10)
    for node in (lstm, gru):
        g.connect(x, node)
    cat = g.add("Concat")
    g.connect(lstm, cat)
    g.connect(gru, cat)
    g.connect(cat, dense)
    mean = g.add("Mean")
    g.connect(dense, mean)
    g.connect(dense, mean)
    g.connect(mean, g.add("Output"))
    source = to_source(g)
    assert "lstm1 = lstm1[:, -1]  # the last step: N x 5" in source
    assert "gru1 = torch.cat([gru1[-2], gru1[-1]], dim=1)  # final hidden state of the last layer: N x 10" in source
    assert "concat1 = torch.cat([lstm1, gru1], dim=1)  # N x 15" in source
    assert "mean1 = (dense1 + dense1) / 2  # N x 10" in source


def test_names_that_clash_are_renamed_uniquely() -> None:
    g = Graph("clashes")
    ids = ["input", "input_", "forward", "forward_", "train", "_hidden", "_"]
    g.add("Input", id=ids[0], shape=[4])
    previous = ids[0]
    for node_id in ids[1:-1]:
        g.add("Linear", id=node_id, out_features=4)
        g.connect(previous, node_id)
        previous = node_id
    g.add("Output", id=ids[-1])
    g.connect(previous, ids[-1])
    compiled = compile_design(g)
    module = compiled.new_module()
    assert module(torch.randn(2, 4)).shape == (2, 4)
    attributes = compiled.generated.attributes
    assert len(set(attributes.values())) == len(attributes)
    assert not set(attributes.values()) & MODULE_ATTRIBUTES and not any(a.startswith("_") for a in attributes.values())
    assert callable(module.forward) and callable(module.train)  # not shadowed by layers
    assert compiled.generated.input_names == ["input__"]


def test_module_attribute_list_covers_nn_module() -> None:
    public = {name for name in dir(nn.Module) if not name.startswith("_")} | {"training"}
    assert public <= MODULE_ATTRIBUTES, sorted(public - MODULE_ATTRIBUTES)


def test_design_with_problems_is_refused_with_its_problems() -> None:
    g = Graph("broken")
    x = g.add("Input", shape=[3, 8, 8])
    dense = g.add("Linear", out_features=4)
    g.connect(x, dense)
    g.add("ReLU")  # dangling
    with pytest.raises(CompileError) as caught:
        compile_design(g)
    assert caught.value.problems and all(p.severity == "error" for p in caught.value.problems)
    message = str(caught.value)
    assert "relu1:" in message and "Traceback" not in message


def test_source_is_deterministic(tmp_path: Path) -> None:
    for path in SAMPLES:
        assert to_source(load_project(path).graph) == to_source(load_project(path).graph)


def test_runtime_error_is_mapped_to_its_node() -> None:
    g = Graph("tiny")
    g.sequential(("Input", {"shape": [4]}), ("Linear", {"out_features": 3}), "ReLU", "Output")
    compiled = compile_design(g)
    with pytest.raises(RuntimeError) as caught:
        compiled.new_module()(torch.randn(2, 5))
    assert compiled.node_for_error(caught.value) == "dense1"


def test_generated_source_of_every_sample_passes_ruff(tmp_path: Path) -> None:
    files = []
    for path in SAMPLES:
        graph = load_project(path).graph
        for target, text in (
            (tmp_path / f"{path.stem}.py", generate(graph).source),
            (tmp_path / f"{path.stem}_export.py", python_file(graph, "w.safetensors")),
        ):
            target.write_text(text)
            files.append(str(target))
    ruff = Path(sys.executable).with_name("ruff")
    # --isolated: the file stands alone, judged by ruff's defaults plus the rule sets this project uses.
    command = [str(ruff), "check", "--isolated", "--no-cache", "--select", "E,F,W,I,B,UP,SIM", "--line-length", "120", *files]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
