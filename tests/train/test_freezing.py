"""Frozen nodes and learning-rate factors: what training changes, and what it leaves alone."""

from __future__ import annotations

import pytest
import torch
from trainkit import classification_bundle

import designer
from designer.compile import compile_design
from designer.train import FINISHED, Trainer, TrainError, TrainSettings
from designer.train.freezing import parameter_groups, trainable_count


def settings(**values) -> TrainSettings:
    return TrainSettings.from_mapping({"epochs": 2, "batch_size": 32, "learning_rate": 0.01, "device": "cpu", **values})


def norm_mlp() -> designer.Graph:
    g = designer.Graph("frozen mlp")
    x = g.add("Input", shape=[2])
    g.sequential(
        ("Linear", {"out_features": 16}, "dense1"),
        ("BatchNorm1d", {}, "norm1"),
        ("ReLU", {}, "relu1"),
        ("Linear", {"out_features": 2}, "dense2"),
        "Output",
        after=x,
    )
    return g


def test_frozen_weights_stay_bit_identical_and_the_rest_change() -> None:
    g = norm_mlp()
    g.set_node_training("dense1", frozen=True)
    g.set_node_training("norm1", frozen=True)
    compiled = compile_design(g)
    torch.manual_seed(0)
    start = {k: v.clone() for k, v in compiled.new_module().state_dict().items()}
    result = Trainer(compiled, classification_bundle(), settings(), initial_state=start).run()
    assert result.status == FINISHED
    end = result.last_state
    for key in ("dense1.weight", "dense1.bias", "norm1.weight", "norm1.bias", "norm1.running_mean", "norm1.running_var"):
        assert torch.equal(end[key], start[key]), key
    assert end["norm1.num_batches_tracked"] == start["norm1.num_batches_tracked"]  # eval mode throughout: no statistics gathered
    assert not torch.equal(end["dense2.weight"], start["dense2.weight"])


def test_frozen_parameters_get_no_gradient_and_no_optimizer_state() -> None:
    g = norm_mlp()
    g.set_node_training("dense1", frozen=True)
    compiled = compile_design(g)
    module = compiled.new_module()
    groups = parameter_groups(module, compiled)
    in_optimizer = {id(p) for group in groups for p in group["params"]}
    assert all(not p.requires_grad and id(p) not in in_optimizer for p in module.dense1.parameters())
    trainable, frozen = trainable_count(module)
    assert frozen == sum(p.numel() for p in module.dense1.parameters())
    assert trainable + frozen == sum(p.numel() for p in module.parameters())


def test_a_learning_rate_factor_scales_its_nodes_rate() -> None:
    g = norm_mlp()
    g.set_node_training("dense2", lr_factor=0.1)
    compiled = compile_design(g)
    seen = []
    trainer = Trainer(compiled, classification_bundle(), settings(epochs=1, optimizer="sgd"))
    from designer.train.callbacks import Callback

    class Rates(Callback):
        def on_run_start(self, start) -> None:
            seen.extend((group["lr"], len(group["params"])) for group in start.optimizer.param_groups)

    trainer.callbacks = [Rates()]
    result = trainer.run()
    assert result.status == FINISHED and result.epochs[-1].lr == pytest.approx(0.01)
    assert seen == [(pytest.approx(0.01), 4), (pytest.approx(0.001), 2)]


def test_freezing_every_layer_is_refused_with_a_reason() -> None:
    g = norm_mlp()
    for nid in ("dense1", "norm1", "dense2"):
        g.set_node_training(nid, frozen=True)
    result = Trainer(compile_design(g), classification_bundle(), settings(epochs=1)).run()
    assert result.status == "failed" and "every layer with weights is frozen" in result.message
    with pytest.raises(TrainError):
        parameter_groups(compile_design(g).new_module(), compile_design(g))


def test_the_summary_counts_trainable_and_frozen_parameters_as_torch_does() -> None:
    from designer.graph.summary import format_summary, summarize

    g = norm_mlp()
    g.set_node_training("dense1", frozen=True)
    g.set_node_training("norm1", frozen=True)
    compiled = compile_design(g)
    module = compiled.new_module()
    parameter_groups(module, compiled)
    summary = summarize(g)
    assert (summary.trainable_params, summary.frozen_params) == trainable_count(module) == (34, 80)
    assert format_summary(g).splitlines()[-1] == "trainable 34, frozen 80"
