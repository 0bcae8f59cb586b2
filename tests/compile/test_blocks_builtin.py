"""The built-in blocks: each loads through the block file checks, works in a
small design (shapes agree with torch), and compiles to a class of its own."""

from __future__ import annotations

import pytest
import torch

from designer.compile import compile_design, to_source
from designer.graph import Graph
from designer.layers import builtin_blocks

INPUTS = {
    "ResidualBlock": [16, 8, 8],
    "ResidualProjection": [8, 8, 8],
    "Bottleneck": [32, 8, 8],
    "InvertedResidual": [16, 8, 8],
    "SqueezeExcitation": [32, 8, 8],
    "TransformerEncoderBlock": [10, 32],
    "LSTMStack": [12, 8],
}


def test_every_built_in_block_is_listed() -> None:
    assert list(builtin_blocks()) == list(INPUTS)
    assert all(d.description for d in builtin_blocks().values())


@pytest.mark.parametrize("name", list(INPUTS))
def test_a_built_in_block_works_in_a_design(name: str) -> None:
    g = Graph("one block")
    g.add_block_definition(builtin_blocks()[name])
    g.sequential(("Input", {"shape": INPUTS[name]}), name, "Output")
    analysis = g.analyze()
    assert analysis.ok, analysis.problems
    assert f"class {name}(nn.Module):" in to_source(g)
    torch.manual_seed(0)
    module = compile_design(g).new_module().eval()
    output = module(torch.randn(2, *INPUTS[name]))
    assert tuple(output.shape[1:]) == analysis.output_of("block1").shape
    assert sum(p.numel() for p in module.parameters()) == analysis.total_params


def test_the_inside_of_a_block_is_checked_with_its_input() -> None:
    g = Graph("wrong channels")
    g.add_block_definition(builtin_blocks()["ResidualBlock"])
    g.sequential(("Input", {"shape": [3, 8, 8]}), "ResidualBlock", "Output")  # 16 channels added to 3
    (problem,) = g.analyze().errors
    assert problem.node == "block1" and "inside block ResidualBlock, inner node add" in problem.message


@pytest.mark.slow
@pytest.mark.parametrize("name", list(INPUTS))
def test_a_built_in_block_exports_to_onnx_that_verifies(name: str, tmp_path) -> None:
    from designer.compile import export_onnx

    g = Graph("one block")
    g.add_block_definition(builtin_blocks()[name])
    g.sequential(("Input", {"shape": INPUTS[name]}), name, "Output")
    result = export_onnx(g, tmp_path / "block.onnx")
    assert result.verification is not None and result.verification.max_abs_diff <= result.verification.tolerance
