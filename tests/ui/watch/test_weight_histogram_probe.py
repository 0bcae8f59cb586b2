"""WeightHistogramProbe: one histogram per parameterised node at the start
and at each epoch end, on bins fixed for the run, counting every parameter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from trainingkit import tiny_project as tiny_spirals

from designer.insight.probes import WEIGHT_BINS, WeightHistogramProbe
from designer.project import load_project
from designer.train import FINISHED, Trainer, TrainSettings, load_bundle, prepare


def test_histograms_at_start_and_each_epoch(tmp_path: Path) -> None:
    project = load_project(tiny_spirals(tmp_path / "tiny.nnd", epochs=2))
    bundle = load_bundle(project)
    probe = WeightHistogramProbe()
    result = Trainer(prepare(project, bundle), bundle, TrainSettings.from_mapping(project.training), [probe]).run()
    assert result.status == FINISHED
    assert [s.epoch for s in probe.samples] == [0, 1, 2]
    first, last = probe.samples[0], probe.samples[-1]
    assert first.nodes == ("dense1", "dense2")  # the ReLU has no parameters
    edges, counts = last.of("dense1")
    assert len(edges) == WEIGHT_BINS + 1 and counts.shape == (WEIGHT_BINS,)
    assert counts.sum() == 2 * 16 + 16  # weights and biases, none lost outside the bins
    assert np.array_equal(edges, first.of("dense1")[0])  # the bins stay put
    assert not np.array_equal(counts, first.of("dense1")[1])  # training moved the weights
