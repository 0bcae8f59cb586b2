"""A compiled design's class lives in a registered module, so torch.compile
can inline it inside another module; the registry stays bounded."""

from __future__ import annotations

import sys

import torch
from paths import sample
from torch import nn

from designer.compile import build
from designer.compile.build import compile_design
from designer.project import load_project


def test_torch_compile_inlines_a_design_inside_another_module() -> None:
    design = compile_design(load_project(sample("spirals_mlp")).graph).new_module()
    wrapped = nn.Sequential(design, nn.Softmax(1))
    compiled = torch.compile(wrapped, backend="eager")  # dynamo traces into the design's forward
    x = torch.randn(5, 2)
    torch.testing.assert_close(compiled(x), wrapped(x))
    assert sys.modules[type(design).__module__].__dict__[type(design).__name__] is type(design)


def test_only_the_latest_compilations_stay_registered(monkeypatch) -> None:
    monkeypatch.setattr(build, "REGISTERED", 3)
    graph = load_project(sample("spirals_mlp")).graph
    names = [compile_design(graph).module_class.__module__ for _ in range(5)]
    assert [name in sys.modules for name in names] == [False, False, True, True, True]
