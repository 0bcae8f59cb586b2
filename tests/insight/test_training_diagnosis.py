"""Problems found while training: each detector fires on a network that has the
problem and stays quiet on one that does not."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from paths import sample

import designer
from designer.compile import compile_design
from designer.graph import DataSpec, TensorSpec
from designer.insight import diagnosis as dx
from designer.insight.watch import TrainingWatch
from designer.project import load_project
from designer.train import Callbacks, Trainer, TrainSettings, load_bundle, prepare


@pytest.fixture(autouse=True)
def _one_thread(one_torch_thread) -> None:
    """These tests train."""


def kinds(watch: TrainingWatch) -> dict[str, list[dx.TrainingProblem]]:
    found: dict[str, list[dx.TrainingProblem]] = {}
    for problem in watch.problems:
        found.setdefault(problem.kind, []).append(problem)
    return found


def deep_mlp(activation: str, norm: bool, depth: int = 10) -> designer.Graph:
    g = designer.Graph(f"deep {activation}")
    x = g.add("Input", shape=[2])
    layers: list = []
    for _ in range(depth):
        layers += [("Linear", {"out_features": 32}), *(["BatchNorm1d"] if norm else []), activation]
    g.sequential(*layers, ("Linear", {"out_features": 2}), "Output", after=x)
    return g


@pytest.mark.parametrize(("activation", "norm", "flagged"), [("Sigmoid", False, True), ("ReLU", True, False)])
def test_a_deep_sigmoid_stack_has_vanishing_gradients_and_relu_with_batchnorm_not(activation, norm, flagged) -> None:
    project = load_project(sample("spirals_mlp"))
    bundle = load_bundle(project)
    graph = deep_mlp(activation, norm)
    watch = TrainingWatch(graph, every=5)
    result = Trainer(compile_design(graph), bundle, TrainSettings.from_mapping(project.training, device="cpu", epochs=2), watch).run()
    assert result.ok
    vanishing = kinds(watch).get(dx.VANISHING, [])
    if flagged:
        assert "dense1" in {p.node for p in vanishing}  # the first layer, farthest from the loss
        assert "ReLU instead of Sigmoid" in vanishing[0].advice
    else:
        assert vanishing == []


def test_a_learning_rate_of_10_is_flagged_as_diverging_at_once() -> None:
    project = load_project(sample("spirals_mlp"))
    bundle = load_bundle(project)
    watch = TrainingWatch(project.graph)
    settings = TrainSettings.from_mapping(project.training, device="cpu", epochs=2, learning_rate=10.0)
    Trainer(prepare(project, bundle), bundle, settings, watch).run()
    diverging = kinds(watch)[dx.DIVERGING]
    assert diverging[0].epoch == 1 and diverging[0].batch <= 5
    nan = next((i for i, (_, _, loss) in enumerate(watch.losses) if not math.isfinite(loss)), None)
    assert nan is None or watch.losses[nan][:2] > (diverging[0].epoch, diverging[0].batch)


@dataclass
class _Split:
    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.x)


@dataclass
class _Bundle:
    train: _Split
    validation: _Split | None
    test: None
    spec: DataSpec
    class_names: tuple = ()


def test_divergence_is_flagged_batches_before_the_loss_turns_nan() -> None:
    """On spirals a rate of 10 never reaches NaN (Adam's steps are bounded), so a
    regression with large targets and plain SGD shows the order: warning first."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (256, 3)).astype(np.float32)
    y = (1000 * x @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)).astype(np.float32)
    bundle = _Bundle(_Split(x, y), None, None, DataSpec(TensorSpec((3,)), "regression", target_shape=(1,), name="linear"))
    g = designer.Graph("regression")
    g.sequential(("Linear", {"out_features": 16}), "ReLU", ("Linear", {"out_features": 1}), "Output", after=g.add("Input", shape=[3]))
    watch = TrainingWatch(g)
    settings = TrainSettings.from_mapping(
        {"epochs": 5, "batch_size": 16, "device": "cpu", "loss": "mse", "optimizer": "sgd", "learning_rate": 10.0}
    )
    result = Trainer(compile_design(g), bundle, settings, watch).run()
    assert result.status == "failed" and "loss became" in result.message
    flagged = kinds(watch)[dx.DIVERGING][0]
    failed_at = result.message.split("at epoch ")[1].split(":")[0]  # "E, batch B"
    epoch, batch = (int(part.split()[-1]) for part in failed_at.split(","))
    assert (flagged.epoch, flagged.batch) < (epoch, batch)


def without_dropout(project) -> None:
    g = project.graph
    for node in [n.id for n in g.nodes if n.type == "Dropout"]:
        source = g.inputs_of(node)[0].source
        targets = [(e.target, e.port) for e in g.outputs_of(node)]
        g.remove_node(node)
        for target, port in targets:
            g.connect(source, target, port)


@pytest.mark.parametrize("dropout", [False, True])
def test_the_breast_cancer_mlp_overfits_without_dropout_and_not_with_it(dropout) -> None:
    project = load_project(sample("cancer_dropout"))
    if not dropout:
        without_dropout(project)
    bundle = load_bundle(project)
    watch = TrainingWatch(project.graph, every=50)
    epochs = []
    settings = TrainSettings.from_mapping(project.training, device="cpu", epochs=40)
    result = Trainer(prepare(project, bundle), bundle, settings, [watch, Callbacks(on_epoch=epochs.append)]).run()
    assert result.ok
    overfitting = kinds(watch).get(dx.OVERFITTING, [])
    if dropout:
        assert overfitting == []
    else:
        (problem,) = overfitting
        best = min(epochs, key=lambda m: m.val_loss)
        assert problem.epoch == best.epoch + 1 <= 15
        assert "Dropout" in problem.advice and "validation loss rose" in problem.message


def test_the_samples_train_without_warnings() -> None:
    project = load_project(sample("spirals_mlp"))
    bundle = load_bundle(project)
    watch = TrainingWatch(project.graph)
    Trainer(prepare(project, bundle), bundle, TrainSettings.from_mapping(project.training, device="cpu", epochs=10), watch).run()
    assert watch.problems == []


def test_dead_and_saturated_units_are_found_in_activation_samples() -> None:
    from designer.insight.probes import ActivationSample

    nodes = ("relu1", "sigmoid1")
    quiet = ActivationSample(1, nodes, np.array([0.1, np.nan]), np.array([np.nan, 0.2]), np.zeros(2), np.ones(2))
    loud = ActivationSample(2, nodes, np.array([0.7, np.nan]), np.array([np.nan, 0.9]), np.zeros(2), np.ones(2))
    assert dx.find_dead_units([quiet]) == [] and dx.find_saturation([quiet]) == []
    (dead,) = dx.find_dead_units([quiet, loud, loud])
    (saturated,) = dx.find_saturation([quiet, loud])
    assert (dead.node, dead.epoch, saturated.node) == ("relu1", 2, "sigmoid1")
    assert "LeakyReLU" in dead.advice and "70%" in dead.message


def test_the_activation_probe_sees_saturation_in_a_sigmoid_network() -> None:
    project = load_project(sample("spirals_mlp"))
    graph = deep_mlp("Sigmoid", False, depth=2)
    watch = TrainingWatch(graph)
    Trainer(compile_design(graph), load_bundle(project), TrainSettings.from_mapping(project.training, device="cpu", epochs=1), watch).run()
    (act,) = watch.activations.samples
    i = act.nodes.index("sigmoid1")
    assert 0 <= act.saturated_share[i] <= 1 and math.isnan(act.dead_share[i])
    assert 0 < act.mean[i] < 1 and act.std[i] > 0
    assert torch.is_grad_enabled()


@pytest.mark.parametrize("channels_last", [False, True])
def test_the_activation_probes_statistics_are_their_plain_definitions(channels_last: bool) -> None:
    from designer.insight.probes import ActivationProbe

    graph = deep_mlp("ReLU", False, depth=1)
    probe = ActivationProbe(graph)
    torch.manual_seed(0)
    y = torch.randn(16, 4, 5, 3).relu()
    y[:, 1] = -torch.rand(16, 5, 3)  # a channel negative everywhere on every sample: a dead filter
    y[:, 3] = 0.0  # zero everywhere: dead too
    y[:, 2, 2, :] = -1.0  # a row of positions of a live channel: the filter still works
    if channels_last:
        y = y.contiguous(memory_format=torch.channels_last)
    dead, saturated, mean, std = probe._stats("relu1", y).tolist()
    expected_std, expected_mean = torch.std_mean(y)
    assert dead == pytest.approx((y.amax(dim=(0, 2, 3)) <= 0).float().mean().item()) == pytest.approx(2 / 4)
    flat = torch.randn(16, 6).relu()
    flat[:, 4] = -1.0  # of a Linear's output, a unit is one feature
    assert probe._stats("relu1", flat)[0].item() == pytest.approx(1 / 6)
    assert math.isnan(saturated)
    assert mean == pytest.approx(expected_mean.item(), rel=1e-6) and std == pytest.approx(expected_std.item(), rel=1e-6)


@pytest.mark.parametrize("rise", [1.08, 1.6])  # slow: found some epochs after it could be; sharp: at the first it can
@pytest.mark.parametrize("seed", range(4))
def test_the_watch_reports_overfitting_at_the_epoch_the_full_check_first_finds_it(seed: int, rise: float) -> None:
    """The watch skips the check while it cannot find anything new; it must
    report at the same epoch as checking every epoch over all of them."""
    from designer.train.results import EpochMetrics

    rng = np.random.default_rng(seed)
    train, val = 1.0, 1.0
    epochs = []
    for epoch in range(1, 41):
        train *= 0.93
        val = val * (0.9 if epoch < 8 + seed else rise) + rng.normal(0, 0.02)  # falls, then rises
        if epoch == 8 + seed:
            val = min(m.val_loss for m in epochs if m.val_loss is not None)  # the lowest again: a tie
        missing = rng.random() < 0.15 and epoch != 8 + seed  # some epochs without a validation loss
        epochs.append(EpochMetrics(epoch, train, None if missing else val, 0.9, None, "accuracy", 0.01, 0.1, 100.0))
    expected = next((m.epoch for k, m in enumerate(epochs, 1) if dx.find_overfitting(epochs[:k])), None)
    watch = TrainingWatch(deep_mlp("ReLU", False, depth=1))
    reported_at = None
    for metrics in epochs:
        watch.on_epoch_end(metrics)
        if reported_at is None and kinds(watch).get(dx.OVERFITTING):
            reported_at = metrics.epoch
    assert expected is not None and reported_at == expected


def test_the_summary_of_problems_names_kinds_and_counts_nodes() -> None:
    from designer.insight.diagnosis import DEAD, DIVERGING, OVERFITTING, VANISHING, TrainingProblem, summary

    def problem(kind: str, node: str | None) -> TrainingProblem:
        return TrainingProblem(kind, node, 1, None, "message", "advice")

    found = [problem(VANISHING, "dense1"), problem(VANISHING, "dense2"), problem(DEAD, "relu1")]
    assert summary(found) == "vanishing gradients (2 nodes), dead units (relu1)"
    assert summary([problem(DIVERGING, None)]) == "a diverging loss"
    assert summary([*found, problem(OVERFITTING, None), problem(DIVERGING, None)]).endswith(", 2 more kinds")
