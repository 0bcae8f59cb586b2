"""The ONNX check compares with a tight tolerance: a model whose outputs are
off by a little (here an offset added to torch's side) is refused with the
difference it found; rounding noise passes."""

from __future__ import annotations

import pytest
import torch
from layer_designs import layer_design
from torch import nn

from designer.compile import VerificationError, compile_design, export_module, export_onnx, verify_onnx


class _Shifted(nn.Module):
    """The exported module with ``offset`` added to its output."""

    def __init__(self, inner: nn.Module, offset: float) -> None:
        super().__init__()
        self.inner, self.offset = inner, offset

    def forward(self, *args: torch.Tensor) -> torch.Tensor:
        return self.inner(*args) + self.offset


@pytest.fixture(scope="module")
def exported():
    graph = layer_design("Linear")
    return export_onnx(graph, verify=False), export_module(compile_design(graph))


@pytest.mark.parametrize("offset", [0.02, 1e-3])
def test_outputs_off_by_a_little_are_refused(exported, offset: float) -> None:
    result, module = exported
    with pytest.raises(VerificationError, match=rf"differs from torch's by {offset:.3g}, more than 0.0001 \(batch 1\)"):
        verify_onnx(result.model, _Shifted(module, offset), result.signature)


def test_rounding_noise_passes_and_is_reported(exported) -> None:
    result, module = exported
    verification = verify_onnx(result.model, _Shifted(module, 1e-6), result.signature)
    assert verification.tolerance == 1e-4
    assert 5e-7 < verification.max_abs_diff < 1e-4
    assert "within 0.0001" in verification.describe()


def test_the_same_module_matches_closely(exported) -> None:
    result, module = exported
    assert verify_onnx(result.model, module, result.signature).max_abs_diff < 1e-5


def test_a_looser_tolerance_is_the_callers_choice(exported) -> None:
    result, module = exported
    assert verify_onnx(result.model, _Shifted(module, 0.02), result.signature, tolerance=0.05).tolerance == 0.05
