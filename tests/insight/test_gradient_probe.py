"""The gradient probe's numbers equal the ones computed by hand from ``.grad``."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from paths import SAMPLES

from designer.insight.probes import GradientProbe
from designer.project import load_project
from designer.train import Callback, Trainer, TrainSettings, load_bundle, prepare


class ByHand(Callback):
    """Per-node norms from ``.grad`` and the weights, and module output
    gradients from full backward hooks: a second, independent way."""

    def __init__(self, trainer: Trainer, batches: int) -> None:
        self.trainer, self.batches = trainer, batches
        self.expected: list[dict[str, tuple[float, float, float]]] = []

    def on_run_start(self, run) -> None:
        attributes = run.compiled.generated.attributes
        self.groups = {nid: list(getattr(run.module, attr).parameters()) for nid, attr in attributes.items()}
        self.groups = {nid: ps for nid, ps in self.groups.items() if ps}
        self.outputs: dict[str, float] = {}
        for nid, attr in attributes.items():
            getattr(run.module, attr).register_full_backward_hook(self._hook(nid))

    def _hook(self, nid):
        def hook(module, grad_input, grad_output):
            if isinstance(grad_output[0], torch.Tensor):
                self.outputs[nid] = float(grad_output[0].norm())

        return hook

    def on_batch_start(self, epoch, batch) -> None:
        self.before = {nid: [p.detach().clone() for p in ps] for nid, ps in self.groups.items()}
        self.outputs = {}

    def on_batch_end(self, step) -> None:
        numbers = {}
        for nid, ps in self.groups.items():
            if any(p.grad is None for p in ps):  # a frozen node (digits_transfer's backbone): no gradient to measure
                continue
            grad = float(torch.cat([p.grad.flatten() for p in ps]).norm())
            before = torch.cat([b.flatten() for b in self.before[nid]])
            after = torch.cat([p.detach().flatten() for p in ps])
            numbers[nid] = (grad, self.outputs.get(nid, math.nan), float((after - before).norm() / before.norm()))
        for nid, value in self.outputs.items():
            numbers.setdefault(nid, (math.nan, value, math.nan))
        self.expected.append(numbers)
        if step.batch == self.batches:
            self.trainer.stop()


# digits_transfer trains one batch an epoch (five images) with its backbone frozen;
# digits_pretrain is the same network with every gradient there.
PROBED = [p for p in SAMPLES if p.stem != "digits_transfer"]


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
@pytest.mark.parametrize("path", PROBED, ids=[p.stem for p in PROBED])
def test_gradient_norms_match_the_gradients(path) -> None:
    torch.set_num_threads(1)
    project = load_project(path)
    bundle = load_bundle(project)
    settings = TrainSettings.from_mapping(project.training, device="cpu", epochs=1)
    trainer = Trainer(prepare(project, bundle), bundle, settings)
    probe, by_hand = GradientProbe(every=1), ByHand(trainer, batches=2)
    trainer.callbacks = [probe, by_hand]
    result = trainer.run()
    assert result.status == "stopped", result.message
    assert len(probe.samples) == len(by_hand.expected) == 2
    for sample, expected in zip(probe.samples, by_hand.expected, strict=True):
        assert set(expected) <= set(sample.nodes)
        outputs_checked = 0
        for nid, (grad, output, ratio) in expected.items():
            got = sample.of(nid)
            assert got[0] == pytest.approx(grad, rel=1e-4, abs=1e-9, nan_ok=True), nid
            assert got[2] == pytest.approx(ratio, rel=1e-4, abs=1e-9, nan_ok=True), nid
            # A module whose output the design reshapes on the same line (an LSTM's
            # last step) has a different node output than the module's own.
            if not math.isnan(output) and not math.isnan(got[1]) and np.isclose(got[1], output, rtol=1e-4):
                outputs_checked += 1
        assert outputs_checked >= 1
        # Parameter-free nodes (calls such as torch.relu) have output gradients too.
        free = [n for n in sample.nodes if n not in expected]
        assert all(not math.isnan(sample.of(n)[1]) for n in free if project.graph.node(n).type in ("ReLU", "Flatten", "Sigmoid"))
        assert math.isfinite(sample.loss)


class ToldThenStop(Callback):
    """Keeps what the probe says at the run's start (after its own start), stops after one batch."""

    def __init__(self, trainer: Trainer, probe: GradientProbe) -> None:
        self.trainer, self.probe, self.told = trainer, probe, ()

    def on_run_start(self, run) -> None:
        self.told = self.probe.trained_nodes()

    def on_batch_end(self, step) -> None:
        self.trainer.stop()


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_the_nodes_told_at_the_start_are_the_ones_the_samples_carry_a_norm_for(path) -> None:
    """What the window makes the gradient curves for before the first sample (frozen nodes left out)."""
    torch.set_num_threads(1)
    project = load_project(path)
    bundle = load_bundle(project)
    trainer = Trainer(prepare(project, bundle), bundle, TrainSettings.from_mapping(project.training, device="cpu", epochs=1))
    probe = GradientProbe(every=1)
    tell = ToldThenStop(trainer, probe)
    trainer.callbacks = [probe, tell]
    trainer.run()
    sample = probe.samples[0]
    assert tell.told and tell.told == tuple(nid for i, nid in enumerate(sample.nodes) if math.isfinite(sample.grad_norm[i]))
