"""Every sample is a smoke test: it opens, checks clean against its data,
compiles, and trains one epoch with the real Trainer.

The data is capped to a few hundred samples per split so all samples together
train in seconds; training each sample to its stated result is the slow
test's job (test_sample_results.py), timing it and exporting it to ONNX the
benchmark's (benchmarks/train_samples.py).
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import pytest
from paths import SAMPLES

from designer.data import ArrayDataset, DataBundle, data_spec_for
from designer.project import load_project

CAP = 256  # samples per split in the smoke run
STATED_RESULT = re.compile(r"\d+%|MSE below")  # "over 95% validation accuracy", "validation MSE below 0.01"


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_the_samples_are_there() -> None:
    stems = {p.stem for p in SAMPLES}
    assert {"spirals_mlp", "digits_cnn", "residual_cnn", "sine_lstm"} <= stems
    assert {"xor_mlp", "cancer_dropout", "digits_autoencoder", "waves_gru", "tokens_transformer"} <= stems


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_opens_and_checks_clean(path: Path) -> None:
    project = load_project(path)
    assert project.name and project.name != "untitled"
    sentences = [s for s in re.split(r"(?<=\.)\s+", project.description.strip()) if s]
    assert 2 <= len(sentences) <= 3, project.description  # the start page shows the first: what the sample teaches
    assert STATED_RESULT.search(project.description), "the description states the result training reaches"
    spec = data_spec_for(project)
    assert spec is not None
    assert project.graph.validate(spec) == []


def _capped(bundle: DataBundle) -> DataBundle:
    def cap(part: ArrayDataset | None) -> ArrayDataset | None:
        return None if part is None else ArrayDataset(part.x[:CAP], part.y[:CAP])

    return dataclasses.replace(bundle, train=cap(bundle.train), validation=cap(bundle.validation), test=cap(bundle.test))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_compiles_and_trains_an_epoch(path: Path) -> None:
    from designer.compile import compile_design, to_source
    from designer.train import FINISHED, Trainer, TrainSettings, load_bundle, prepare

    project = load_project(path)
    assert "def forward" in to_source(project.graph)
    compile_design(project.graph).new_module()
    bundle = _capped(load_bundle(project))
    settings = TrainSettings.from_mapping(project.training, epochs=1, device="cpu")
    trainer = Trainer(prepare(project, bundle), bundle, settings)
    result = trainer.run()
    assert result.status == FINISHED, result.message
    (epoch,) = result.epochs
    assert math.isfinite(epoch.train_loss) and math.isfinite(epoch.val_loss)
    predictions = trainer.predict("validation")
    assert len(predictions.outputs) == len(bundle.validation)
    if bundle.spec.task == "regression":  # the outputs have the targets' shape: an autoencoder's are images
        assert predictions.outputs.shape[1:] == bundle.spec.target_shape
