"""Every node's output equals what the compiled module computes, for every sample design.

The reference is an independent forward: forward hooks on the module's
layers, and parameter-free nodes recomputed by hand from their inputs' values.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from paths import SAMPLES

from designer.insight import Inspector, SampleOutOfRange, UnknownNode, activations
from designer.project import load_project

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _recomputed(node_type: str, params: dict, inputs: list[torch.Tensor]) -> torch.Tensor:
    """A parameter-free node's output, written out by hand."""
    x = inputs[0]
    by_type = {
        "ReLU": lambda: torch.clamp(x, min=0),
        "Sigmoid": lambda: 1 / (1 + torch.exp(-x)),
        "Flatten": lambda: x.reshape(len(x), -1),
        "Add": lambda: sum(inputs[1:], inputs[0]),
        "GlobalAvgPool": lambda: x.mean(dim=tuple(range(2, x.dim()))),
        "Permute": lambda: x.permute(*params["dims"]),
        "Reshape": lambda: x.reshape(len(x), *params["shape"]),
        "Dropout": lambda: x,  # eval mode
        "Output": lambda: x,
    }
    return by_type[node_type]()


def _hooked_outputs(module: torch.nn.Module, attributes: dict[str, str], x: torch.Tensor) -> tuple[dict[str, object], torch.Tensor]:
    seen: dict[str, object] = {}
    handles = [
        getattr(module, attr).register_forward_hook(lambda m, i, o, nid=nid: seen.__setitem__(nid, o)) for nid, attr in attributes.items()
    ]
    try:
        with torch.no_grad():
            out = module(x)
    finally:
        for handle in handles:
            handle.remove()
    return seen, out


def _layer_result(node_type: str, params: dict, raw: object) -> torch.Tensor:
    """What a layer node passes on, from its module's raw return value."""
    if node_type in ("LSTM", "GRU", "RNN"):
        sequence, state = raw  # type: ignore[misc]
        if params["returns"] == "sequence":
            return sequence
        if params["returns"] == "last":
            return sequence[:, -1]
        hidden = state[0] if node_type == "LSTM" else state
        return hidden[-1]
    assert isinstance(raw, torch.Tensor)
    return raw


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_node_matches_an_independent_forward(path):
    project = load_project(path)
    inspector = Inspector(project, weights=3)
    graph = project.graph
    x = inspector.inputs([0, 1, 2, 3])
    got = inspector.activations([0, 1, 2, 3])
    assert set(got) == set(graph.node_ids()), "every node, parameter-free ones included"

    raw, out = _hooked_outputs(inspector.module, inspector.compiled.generated.attributes, x)
    expected: dict[str, torch.Tensor] = {}
    for nid in graph.analyze().order:
        node = graph.node(nid)
        if node.type == "Input":
            expected[nid] = x
        elif nid in raw:
            expected[nid] = _layer_result(node.type, node.params, raw[nid])
        else:
            sources = [expected[e.source] for e in graph.inputs_of(nid)]
            expected[nid] = _recomputed(node.type, dict(node.params), sources)
        assert got[nid].shape == tuple(expected[nid].shape), nid
        np.testing.assert_allclose(got[nid], expected[nid].numpy(), rtol=1e-5, atol=1e-6, err_msg=nid)
    assert np.array_equal(got[inspector.output_node], out.numpy()), "the last node's output is the module's output, exactly"


def test_parameter_free_nodes_and_raw_arrays(samples_dir):
    project = load_project(samples_dir / "digits_cnn.nnd")
    inspector = Inspector(project)
    one = inspector.split.x[5]
    from_array = inspector.activations(one)  # one sample without its batch dimension
    from_index = inspector.activations(5)
    for nid in ("relu1", "flatten1", "relu3"):
        assert nid not in inspector.compiled.generated.attributes  # written as calls, not modules
        np.testing.assert_array_equal(from_array[nid], from_index[nid])
    assert from_index["relu1"].min() >= 0
    assert activations(project, None, [5])["dense2"].shape == (1, 10)


def test_refusals_name_the_problem(samples_dir):
    inspector = Inspector(load_project(samples_dir / "digits_cnn.nnd"))
    count = len(inspector.split)
    with pytest.raises(SampleOutOfRange, match=f"sample {count} is out of range: the validation split has {count} samples"):
        inspector.activations(count)
    with pytest.raises(SampleOutOfRange, match="do not fit the input"):
        inspector.activations(np.zeros((3, 8, 8), np.float32))
    with pytest.raises(UnknownNode, match="there is no node 'conv9'"):
        inspector.parameters("conv9")


def test_seeded_weights_repeat_and_set_weights_recompiles_nothing(samples_dir):
    project = load_project(samples_dir / "spirals_mlp.nnd")
    a, b = Inspector(project, weights=7), Inspector(project, weights=7)
    np.testing.assert_array_equal(a.activations(0)["dense3"], b.activations(0)["dense3"])
    compiled = a.compiled
    zeros = {k: torch.zeros_like(v) for k, v in a.module.state_dict().items()}
    a.set_weights(zeros)
    assert a.compiled is compiled
    assert not a.activations(0)["dense3"].any()
