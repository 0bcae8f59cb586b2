"""PlaneProbe: the maps over the 2-D input plane have the promised shapes, are
the module's own outputs on the grid, and leave the run's results unchanged."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from paths import sample

from designer.insight.playground import GRID, PlaneMaps, PlaneProbe, plane_reason, unit_nodes
from designer.project import load_project
from designer.train import Trainer, TrainSettings, load_bundle, prepare


@pytest.fixture(autouse=True)
def _threads(one_torch_thread):
    yield


def _trained(name: str, epochs: int, callbacks=None):
    project = load_project(sample(name))
    project.training["epochs"] = epochs
    bundle = load_bundle(project)
    trainer = Trainer(prepare(project, bundle), bundle, TrainSettings.from_mapping(project.training), callbacks)
    return project, trainer, trainer.run()


def test_maps_have_the_grid_shapes_and_wide_nodes_show_their_most_varied_units() -> None:
    project = load_project(sample("spirals_mlp"))
    found: list[PlaneMaps] = []
    probe = PlaneProbe(project.graph, found.append, every_s=0.0, grid=32, max_units=16)
    _, trainer, result = _trained("spirals_mlp", 2, probe)
    assert result.status == "finished"
    steps = found[-1].step
    assert probe.count == len(found) == 1 + steps + 2 + 1  # the untrained network, every batch, each epoch end, the end
    last = found[-1]
    assert last.epoch == 2 and last.step == found[-2].step
    assert last.output.shape == (32, 32, 2)
    np.testing.assert_allclose(last.output.sum(axis=-1), 1.0, atol=1e-5)
    assert last.predicted.shape == last.confidence.shape == (32, 32)
    assert set(last.units) == {"dense1", "relu1", "dense2", "relu2", "dense3"}
    relu1 = last.units["relu1"]
    assert relu1.total == 64 and len(relu1.units) == 16 and relu1.values.shape == (16, 32, 32)
    assert list(relu1.units) == sorted(relu1.units)
    assert last.units["dense3"].units == (0, 1)
    # The maps are the trained module's outputs at the grid points.
    x0, x1, y0, y1 = last.extent
    gx, gy = np.linspace(x0, x1, 32), np.linspace(y0, y1, 32)
    point = torch.tensor([[gx[5], gy[20]]], dtype=torch.float32)
    trainer.module.eval()
    with torch.no_grad():
        hidden = torch.relu(trainer.module.dense1(point))[0]
        probabilities = torch.softmax(trainer.module(point), dim=1)[0]
    np.testing.assert_allclose(relu1.values[:, 20, 5], hidden[list(relu1.units)].numpy(), atol=1e-5)
    np.testing.assert_allclose(last.output[20, 5], probabilities.numpy(), atol=1e-5)
    assert probe.latest is last


def test_a_wide_node_shows_the_units_that_vary_most_over_the_plane() -> None:
    every, few = (PlaneProbe(load_project(sample("spirals_mlp")).graph, grid=24, max_units=n) for n in (64, 16))
    _trained("spirals_mlp", 1, every)
    _trained("spirals_mlp", 1, few)  # the same seed: the same weights at the end
    all_units, shown = every.latest.units["relu2"], few.latest.units["relu2"]
    assert len(all_units.units) == 64
    spread = all_units.values.reshape(64, -1).std(axis=1)
    assert set(shown.units) == set(np.argsort(-spread, kind="stable")[:16].tolist())
    np.testing.assert_allclose(shown.values, all_units.values[list(shown.units)], atol=1e-6)


def test_the_probe_does_not_change_the_run() -> None:
    project = load_project(sample("spirals_mlp"))
    probe = PlaneProbe(project.graph, every_s=0.0, grid=16)
    _, _, with_probe = _trained("spirals_mlp", 2, probe)
    _, _, without = _trained("spirals_mlp", 2)
    assert probe.count > 10
    assert [m.train_loss for m in with_probe.epochs] == [m.train_loss for m in without.epochs]
    assert [m.val_loss for m in with_probe.epochs] == [m.val_loss for m in without.epochs]
    for name, value in without.last_state.items():
        assert torch.equal(with_probe.last_state[name], value), name


def test_maps_are_paced_by_training_time() -> None:
    project = load_project(sample("spirals_mlp"))
    probe = PlaneProbe(project.graph, every_s=3600.0, grid=16)
    _trained("spirals_mlp", 2, probe)
    assert probe.count == 2  # the untrained network, then the kept weights at the end


def test_only_designs_on_two_features_are_mapped() -> None:
    cnn = load_project(sample("digits_cnn"))
    reason = plane_reason(cnn.graph)
    assert reason is not None and "2 features" in reason
    probe = PlaneProbe(cnn.graph, every_s=0.0)
    assert not probe.active and probe.reason == reason
    assert plane_reason(load_project(sample("spirals_mlp")).graph) is None
    assert GRID >= 48
    vectors = unit_nodes(cnn.graph)  # feature maps are not units over a plane
    assert vectors and not any(cnn.graph.node(nid).type == "Conv2d" for nid in vectors)
