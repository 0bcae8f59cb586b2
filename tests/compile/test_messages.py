"""What the compiler and the ONNX check tell the user, word for word."""

from __future__ import annotations

import pytest

from designer.compile import CompileError, Verification, compile_design, to_source
from designer.compile.onnx_verify import Case
from designer.graph import Graph


def test_a_design_with_problems_lists_each_on_its_node() -> None:
    g = Graph("broken")
    g.add("Input", shape=[4])
    with pytest.raises(CompileError) as one:
        compile_design(g)
    (problem,) = one.value.problems
    assert str(one.value) == f"the design has 1 problem; fix it first:\n  design: {problem.message}"
    assert "no Output" in problem.message
    g.add("ReLU")
    with pytest.raises(CompileError) as two:
        compile_design(g)
    assert str(two.value).startswith(f"the design has 2 problems; fix them first:\n  design: {problem.message}\n")
    assert str(two.value).splitlines()[2].startswith("  relu1: ") and len(two.value.problems) == 2


def test_the_verification_says_what_was_compared() -> None:
    cases = (Case(1, None, 1e-6), Case(5, None, 2e-6), Case(3, 6, 0.0), Case(3, 24, 5e-7))
    assert Verification(cases, 1e-4, 0.5).describe() == (
        "onnx.checker (full check) passed; onnxruntime matches torch within 0.0001, "
        "max absolute difference 2e-06 (batch 1, 3, 5; sequence length 6, 24)"
    )
    assert Verification((Case(1, None, 0.0),), 1e-4, 0.5).describe().endswith("max absolute difference 0 (batch 1)")


def test_the_class_is_named_after_the_design_unless_given() -> None:
    g = Graph("my first net")
    g.sequential(("Input", {"shape": [2]}), ("Linear", {"out_features": 1}), "Output")
    assert "\nclass MyFirstNet(nn.Module):" in to_source(g)
    assert "\nclass Chosen(nn.Module):" in to_source(g, "Chosen")
