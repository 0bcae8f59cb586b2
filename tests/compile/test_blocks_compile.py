"""Blocks through the compiler: one class per definition, used where each
instance stands; parameter names follow the nesting; training, freezing,
ONNX export with verification, Python export and the insight views' node
outputs work through instances."""

from __future__ import annotations

import ast
import runpy
from pathlib import Path

import numpy as np
import pytest
import torch

from designer.compile import compile_design, export_onnx, export_python, to_source
from designer.data import ArrayDataset, DataBundle
from designer.graph import DataSpec, Graph, TensorSpec
from designer.graph.blocks import BlockDefinition, ExposedParam
from designer.layers import builtin_blocks

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def four_blocks() -> Graph:
    """A residual CNN for 8x8 digits: a stem and four instances of one block (8, 8, 16, 16 channels)."""
    g = Graph("four blocks")
    g.add_block_definition(builtin_blocks()["ResidualProjection"])
    g.sequential(
        ("Input", {"shape": [1, 8, 8]}),
        ("Conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1}),
        ("ResidualProjection", {"channels": 8, "stride": 1}),
        ("ResidualProjection", {"channels": 8, "stride": 1}),
        ("ResidualProjection", {"channels": 16, "stride": 2}),
        ("ResidualProjection", {"channels": 16, "stride": 1}),
        "GlobalAvgPool",
        ("Linear", {"out_features": 10}),
        "Output",
    )
    return g


def _classes(source: str) -> list[str]:
    return [node.name for node in ast.parse(source).body if isinstance(node, ast.ClassDef)]


def test_four_instances_compile_to_one_block_class() -> None:
    source = to_source(four_blocks())
    assert _classes(source) == ["ResidualProjection", "FourBlocks"]
    assert "def __init__(self, in_channels: int, channels: int = 32, stride: int = 2) -> None:" in source
    assert "self.block3 = ResidualProjection(in_channels=8, channels=16)" in source
    assert "block3 = self.block3(block2)  # N x 16 x 4 x 4" in source


def test_parameter_names_follow_the_blocks_and_counts_match_the_summary() -> None:
    graph = four_blocks()
    module = compile_design(graph).new_module()
    names = list(module.state_dict())
    assert "block1.conv1.weight" in names and "block4.shortcut_bn.running_mean" in names
    assert sum(p.numel() for p in module.parameters()) == graph.analyze().total_params
    assert module(torch.randn(3, 1, 8, 8)).shape == (3, 10)


def test_the_design_with_blocks_trains_a_few_batches_and_freezing_an_instance_keeps_it() -> None:
    from designer.train import FINISHED, Trainer, TrainSettings

    graph = four_blocks()
    graph.set_node_training("block1", frozen=True)
    compiled = compile_design(graph)
    torch.manual_seed(0)
    start = {k: v.clone() for k, v in compiled.new_module().state_dict().items()}
    settings = TrainSettings.from_mapping({"epochs": 1, "batch_size": 32, "learning_rate": 0.01, "device": "cpu"})
    result = Trainer(compiled, _images(), settings, initial_state=start).run()
    assert result.status == FINISHED, result.message
    end = result.last_state
    for key in (
        "block1.conv1.weight",
        "block1.shortcut.weight",
        "block1.bn1.running_mean",
    ):  # a frozen instance's BatchNorm keeps its statistics
        assert torch.equal(end[key], start[key]), key
    assert not torch.equal(end["block2.conv1.weight"], start["block2.conv1.weight"])


def _images() -> DataBundle:
    """96 random 1x8x8 images in 10 classes: three batches of 32 (what is learned does not matter here)."""
    generator = np.random.default_rng(0)
    x = generator.normal(size=(128, 1, 8, 8)).astype(np.float32)
    y = generator.integers(0, 10, 128).astype(np.int64)
    spec = DataSpec(TensorSpec((1, 8, 8)), "classification", num_classes=10, name="noise")
    return DataBundle(ArrayDataset(x[:96], y[:96]), ArrayDataset(x[96:], y[96:]), None, spec, [str(k) for k in range(10)], "noise", {})


def test_onnx_export_through_blocks_verifies(tmp_path: Path) -> None:
    result = export_onnx(four_blocks(), tmp_path / "four.onnx")
    assert result.verification is not None and result.verification.max_abs_diff <= result.verification.tolerance
    assert (tmp_path / "four.onnx").stat().st_size > 0


def test_python_export_runs_with_only_torch(tmp_path: Path) -> None:
    path = tmp_path / "four.py"
    export_python(four_blocks(), path)
    runpy.run_path(str(path), run_name="__main__")  # its own check: a forward pass on random inputs


def test_instances_that_need_different_code_get_a_class_each() -> None:
    g = Graph("lstm")
    g.add_block_definition(builtin_blocks()["LSTMStack"])
    g.sequential(
        ("Input", {"shape": [12, 4]}), ("LSTMStack", {"hidden_size": 8}), ("LSTMStack", {"hidden_size": 8, "returns": "last"}), "Output"
    )
    source = to_source(g)
    assert _classes(source) == ["LSTMStack", "LSTMStack2", "Lstm"]
    assert compile_design(g).new_module()(torch.randn(2, 12, 4)).shape == (2, 8)


def test_nested_blocks_compile_with_their_arguments() -> None:
    g = four_blocks()
    g.make_block(["block1", "block2"], "TwoBlocks")
    source = to_source(g)
    assert _classes(source) == ["ResidualProjection", "TwoBlocks", "FourBlocks"]
    module = compile_design(g).new_module()
    assert "twoblocks1.block1.conv1.weight" not in module.state_dict()
    assert any(k.endswith(".block1.conv1.weight") for k in module.state_dict())
    assert module(torch.randn(2, 1, 8, 8)).shape == (2, 10)


def test_hostile_text_in_a_block_never_reaches_the_source_unsanitised() -> None:
    g = Graph("hostile")
    x = g.add("Input", shape=[4])
    lin = g.add("Linear", id="self", out_features=4)  # an id the generated code uses itself
    g.connect(x, lin)
    g.connect(lin, g.add("Output"))
    block = g.make_block([lin], "Evil")
    description = 'x"""; import os; os.system("echo pwned") #\n\\'
    definition = g.blocks["Evil"]
    exposed = {"for_": ExposedParam(4, (("self", "out_features"),))}
    g.set_block_definition("Evil", BlockDefinition("Evil", definition.nodes, definition.edges, exposed, description))
    tree = ast.parse(to_source(g))
    imports = {alias.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    assert imports <= {"torch", "nn", "functional"}
    evil = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Evil")
    assert ast.get_docstring(evil, clean=False) == " ".join(description.split()).split(". ")[0] + "."
    assert not any(isinstance(node, ast.Attribute) and node.attr == "system" for node in ast.walk(tree))
    module = compile_design(g).new_module()
    assert module(torch.randn(2, 4)).shape == (2, 4)
    assert {k.split(".")[0] for k in module.state_dict()} == {block}


def test_every_node_output_for_the_insight_views_includes_instances() -> None:
    from designer.insight.intermediates import all_outputs_function, node_variables

    graph = four_blocks()
    compiled = compile_design(graph)
    variables = node_variables(compiled, graph)
    outputs = all_outputs_function(compiled, variables)(compiled.new_module().eval(), torch.randn(2, 1, 8, 8))
    assert tuple(outputs["block3"].shape) == (2, 16, 4, 4) and tuple(outputs["output1"].shape) == (2, 10)


def test_weights_of_a_design_with_blocks_save_and_load_until_a_block_changes(tmp_path: Path) -> None:
    from designer.project import ProjectError
    from designer.project.weights import load_weights, save_weights

    graph = four_blocks()
    module = compile_design(graph).new_module()
    path = save_weights(tmp_path / "four.safetensors", module.state_dict(), graph.fingerprint())
    loaded = load_weights(path, graph.fingerprint(), expected=module.state_dict())
    assert "block4.conv2.weight" in loaded
    graph.set_block_definition("ResidualProjection", graph.blocks["ResidualProjection"].without_param("stride"))
    with pytest.raises(ProjectError, match="different version of the design"):
        load_weights(path, graph.fingerprint())


def test_an_instance_learning_rate_factor_covers_all_its_weights() -> None:
    from designer.train.freezing import FACTOR_KEY, parameter_groups

    graph = four_blocks()
    graph.set_node_training("block2", lr_factor=0.1)
    compiled = compile_design(graph)
    module = compiled.new_module()
    (slow,) = [group for group in parameter_groups(module, compiled) if group[FACTOR_KEY] == 0.1]
    assert {id(p) for p in slow["params"]} == {id(p) for p in module.block2.parameters()}


def test_a_block_with_two_inputs_takes_them_in_port_order() -> None:
    g = Graph("two inputs")
    a = g.add("Input", shape=[3])
    b = g.add("Input", shape=[5])
    left = g.add("Linear", out_features=4)
    right = g.add("Linear", out_features=4)
    total = g.add("Multiply")
    g.connect(a, left)
    g.connect(b, right)
    g.connect(left, total)
    g.connect(right, total)
    g.connect(total, g.add("Output"))
    block = g.make_block([left, right, total], "Gate")
    assert [(e.source, e.port) for e in g.inputs_of(block)] == [("input1", 0), ("input2", 1)]
    source = to_source(g)
    assert "def forward(self, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:" in source
    assert f"{block} = self.{block}(input1, input2)" in source
    torch.manual_seed(0)
    module = compile_design(g).new_module()
    x, y = torch.randn(2, 3), torch.randn(2, 5)
    expected = module.block1.dense1(x) * module.block1.dense2(y)
    assert torch.equal(module(x, y), expected)
