"""A design is traced for its node taps once: each later run's module of the
same design gets the kept tapped forward, bound to its own layers."""

from __future__ import annotations

import torch
from paths import sample

from designer.insight import taps as taps_module
from designer.insight.taps import NodeTaps
from designer.project import load_project
from designer.train import load_bundle, prepare


def _outputs(taps: NodeTaps, x: torch.Tensor) -> dict[str, torch.Tensor]:
    seen: dict[str, torch.Tensor] = {}
    with torch.no_grad():
        taps.run(lambda nid, value: seen.__setitem__(nid, value.clone()), x)
    return seen


def test_a_second_module_of_the_design_reuses_the_trace_with_its_own_layers(monkeypatch) -> None:
    project = load_project(sample("deep_sigmoid"))
    bundle = load_bundle(project)
    monkeypatch.setattr(taps_module, "_TRACED", type(taps_module._TRACED)())  # start without kept traces
    traced: list[object] = []
    trace = NodeTaps._trace
    monkeypatch.setattr(NodeTaps, "_trace", lambda self, compiled: traced.append(compiled) or trace(self, compiled))
    first, second = prepare(project, bundle), prepare(project, bundle)  # two compiles, as two runs do
    torch.manual_seed(0)
    one = first.new_module()
    torch.manual_seed(1)
    two = second.new_module()
    taps_one, taps_two = NodeTaps(one, first), NodeTaps(two, second)
    assert len(traced) == 1 and taps_two.traced and taps_two.node_ids == taps_one.node_ids
    x = torch.from_numpy(bundle.train.x[:16]).float()
    out_one, out_two = _outputs(taps_one, x), _outputs(taps_two, x)
    assert set(out_two) == set(taps_two.node_ids) and "sigmoid1" in out_two
    last = taps_two.node_ids[-1]
    with torch.no_grad():
        assert torch.allclose(out_two[last], two(x)) and torch.allclose(out_one[last], one(x))
        assert torch.allclose(out_two["dense1"], two.get_submodule(second.generated.attributes["dense1"])(x))
    assert not torch.allclose(out_one["dense1"], out_two["dense1"])  # each module's own weights
    assert "forward" not in two.__dict__ and taps_module._TAPS not in two.__dict__  # detached: the module as it was
