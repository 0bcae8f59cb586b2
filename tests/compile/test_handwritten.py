"""Each sample's compiled module computes exactly what the same network
written by hand computes, given the same weights."""

from __future__ import annotations

import pytest
import torch
from handwritten import HANDWRITTEN
from paths import SAMPLES

from designer.compile import compile_design, random_inputs, signature
from designer.project import load_project


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_equals_its_handwritten_module(path) -> None:
    assert path.stem in HANDWRITTEN, f"write {path.stem} by hand in tests/compile/handwritten.py"
    graph = load_project(path).graph
    compiled = compile_design(graph)
    torch.manual_seed(0)
    module = compiled.new_module()
    for buffer in module.buffers():  # non-trivial BatchNorm statistics, so eval mode really uses them
        if buffer.is_floating_point():
            buffer.uniform_(0.5, 1.5)
    reference = HANDWRITTEN[path.stem]()
    reference.load_state_dict(module.state_dict())
    sig = signature(graph, compiled.generated)
    inputs = random_inputs(sig, batch=7)
    for mode in ("eval", "train"):
        getattr(module, mode)()
        getattr(reference, mode)()
        with torch.no_grad():
            torch.manual_seed(1)  # the same dropout masks for both in training mode
            ours = module(*inputs)
            torch.manual_seed(1)
            assert torch.equal(ours, reference(*inputs)), mode
