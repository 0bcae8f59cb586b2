"""Loading weights into a design from another network: what matched, and why the rest did not."""

from __future__ import annotations

import torch

import designer
from designer.compile import compile_design
from designer.project.weights import save_weights
from designer.train.transfer import BY_NAME, BY_SHAPE, KEPT, LOADED, init_from_file, transfer


def cnn(classes: int, ids: tuple[str, str, str] = ("conv1", "conv2", "dense1")) -> designer.Graph:
    g = designer.Graph("cnn")
    x = g.add("Input", shape=[1, 8, 8])
    g.sequential(
        ("Conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 1}, ids[0]),
        "ReLU",
        ("Conv2d", {"out_channels": 6, "kernel_size": 3, "padding": 1}, ids[1]),
        "ReLU",
        "Flatten",
        ("Linear", {"out_features": classes}, ids[2]),
        "Output",
        after=x,
    )
    return g


def trained_state(graph: designer.Graph, seed: int = 1) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    return {k: v.detach().clone() for k, v in compile_design(graph).new_module().state_dict().items()}


def test_the_backbone_loads_by_name_and_a_new_head_stays_fresh() -> None:
    source = trained_state(cnn(5))
    compiled = compile_design(cnn(3))
    fresh = trained_state(cnn(3), seed=2)
    state, report = transfer(compiled, fresh, source)
    assert [(n.node, n.status, n.source, n.reason) for n in report.nodes[:2]] == [
        ("conv1", LOADED, "conv1", BY_NAME),
        ("conv2", LOADED, "conv2", BY_NAME),
    ]
    head = report.nodes[2]
    assert (head.node, head.status) == ("dense1", KEPT) and head.reason == "shape differs: weight is 3x384 here, 5x384 in the file"
    assert torch.equal(state["conv1.weight"], source["conv1.weight"]) and torch.equal(state["conv2.bias"], source["conv2.bias"])
    assert torch.equal(state["dense1.weight"], fresh["dense1.weight"])
    assert report.loaded == ["conv1", "conv2"] and report.kept == ["dense1"] and report.unused == ["dense1"]


def test_other_names_match_by_shapes_in_graph_order(tmp_path) -> None:
    source_graph = cnn(5, ("a_conv", "b_conv", "c_fc"))
    path = save_weights(tmp_path / "w.safetensors", trained_state(source_graph), source_graph.fingerprint())
    target = cnn(5, ("first", "second", "head"))
    state, report = init_from_file(compile_design(target), path, seed=0)
    assert [(n.node, n.source, n.reason) for n in report.nodes] == [
        ("first", "a_conv", BY_SHAPE),
        ("second", "b_conv", BY_SHAPE),
        ("head", "c_fc", BY_SHAPE),
    ]
    assert report.unused == [] and report.headline() == "3 of 3 layers with weights loaded, 0 kept their initialisation"
    module = compile_design(target).new_module()
    module.load_state_dict(state)  # a complete state dict of the design


def test_a_layer_without_a_counterpart_says_so() -> None:
    g = designer.Graph("mlp")
    x = g.add("Input", shape=[4])
    g.sequential(("Linear", {"out_features": 7}, "odd"), "Output", after=x)
    _, report = transfer(compile_design(g), trained_state(g), trained_state(cnn(5)))
    assert report.nodes[0].status == KEPT and report.nodes[0].reason == "no layer in the file has its tensors' shapes"
    assert "odd  kept its initialisation" in report.lines()[0] and report.lines()[-1].startswith("not used from the file: conv1")


def test_an_imported_model_lends_its_layers_by_shape(tmp_path) -> None:
    from torch import nn

    from designer.importer import from_module

    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(384, 9)
    )
    _, weights = from_module(net, torch.randn(2, 1, 8, 8)).save(tmp_path / "imported.nnd")
    state, report = init_from_file(compile_design(cnn(3)), weights, seed=0)
    assert [(n.node, n.status, n.reason) for n in report.nodes] == [
        ("conv1", LOADED, BY_SHAPE),
        ("conv2", LOADED, BY_SHAPE),
        ("dense1", KEPT, "no layer in the file has its tensors' shapes (after the ones already matched)"),
    ]
    assert torch.equal(state["conv1.weight"], net[0].weight.detach()) and torch.equal(state["conv2.bias"], net[2].bias.detach())
