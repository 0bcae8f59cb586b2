"""Every sample reaches the result its description states, trained with its
own data and settings through the real Trainer on the CPU.

The target is read from the description itself ("over 95% validation
accuracy", "validation MSE below 0.01"), so a sample whose promise changes is
checked against the new promise. The samples that teach by contrast are
trained twice: the Dropout sample also with p = 0 (it overfits), the deep
Sigmoid stack also with ReLU (it learns). ``benchmarks/train_samples.py``
times the same runs and exports each to ONNX.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from paths import SAMPLES, sample

from designer.project import Project, load_project, loads
from designer.train import EpochMetrics, Trainer, TrainSettings, load_bundle, prepare

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("one_torch_thread")]


def stated_result(description: str) -> tuple[str, float]:
    """("accuracy", 0.95) for 'over 95% validation accuracy', ("mse", 0.01) for
    'validation MSE below 0.01', ("chance", 0.5) for 'at 50% validation accuracy'."""
    if found := re.search(r"over (\d+)% validation accuracy", description, re.IGNORECASE):
        return "accuracy", int(found[1]) / 100
    if found := re.search(r"validation MSE below (\d*\.\d+)", description, re.IGNORECASE):
        return "mse", float(found[1])
    if found := re.search(r"at (\d+)% validation accuracy", description, re.IGNORECASE):
        return "chance", int(found[1]) / 100
    raise AssertionError(f"no stated result in: {description}")


def trained(project: Project) -> EpochMetrics:
    """The last epoch of a run with the project's own settings, on the CPU."""
    bundle = load_bundle(project)
    result = Trainer(prepare(project, bundle), bundle, TrainSettings.from_mapping(project.training, device="cpu")).run()
    assert result.ok and result.last is not None, result.message
    return result.last


def _edited(path: Path, old: str, new: str) -> Project:
    text = path.read_text(encoding="utf-8")
    assert old in text
    project = loads(text.replace(old, new))
    project.path = path
    return project


def test_every_description_states_a_result() -> None:
    assert {stated_result(load_project(p).description)[0] for p in SAMPLES} == {"accuracy", "mse", "chance"}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_reaches_its_stated_result(path: Path) -> None:
    project = load_project(path)
    kind, bound = stated_result(project.description)
    if starts_from(project) is not None:
        return  # its result holds when it starts from another sample's weights: test_transfer_beats_training_from_scratch
    last = trained(project)
    if kind == "accuracy":
        assert last.val_metric > bound
    elif kind == "mse":
        assert project.training["loss"] == "mse" and last.val_loss < bound
    else:
        assert abs(last.val_metric - bound) < 0.05  # stuck where guessing would be
    if close := re.search(r"validation and training loss within (\d*\.\d+)", project.description):
        assert abs(last.val_loss - last.train_loss) < float(close[1])


def test_without_dropout_the_network_overfits() -> None:
    path = sample("cancer_dropout")
    climbs = float(re.search(r"climbs above (\d*\.\d+)", load_project(path).description)[1])
    plain = load_project(path)
    dropouts = [node.id for node in plain.graph.nodes if node.type == "Dropout"]
    assert len(dropouts) == 3  # "the three Dropout layers"
    for node in dropouts:
        plain.graph.set_param(node, "p", 0.0)
    overfit = trained(plain)
    assert overfit.train_loss < 0.01 and overfit.val_loss > climbs  # falls to zero; climbs away


def test_the_sigmoid_stack_learns_with_relu() -> None:
    # "replace the Sigmoids with ReLU and it learns": as well as the other samples do.
    with_relu = trained(_edited(sample("deep_sigmoid"), '"type": "Sigmoid"', '"type": "ReLU"'))
    assert with_relu.val_metric > 0.95


def starts_from(project: Project) -> str | None:
    """The sample whose weights a transfer-learning sample's description says to start from."""
    found = re.search(r"--init-from (\w+)\.safetensors", project.description)
    return found[1] if found else None


def test_transfer_beats_training_from_scratch() -> None:
    # "Averaged over the seeds 0-4 ..., over 60% validation accuracy; ... from scratch ... about 50%."
    import torch

    from designer.train.transfer import transfer

    project = load_project(sample("digits_transfer"))
    _, bound = stated_result(project.description)
    scratch_level = int(re.search(r"reaches about (\d+)%", project.description)[1]) / 100
    bundle = load_bundle(load_project(sample(starts_from(project))))
    pretrain = load_project(sample(starts_from(project)))
    source = Trainer(prepare(pretrain, bundle), bundle, TrainSettings.from_mapping(pretrain.training, device="cpu")).run().kept_state
    with_transfer, from_scratch = [], []
    for seed in range(5):
        copy = loads(sample("digits_transfer").read_text(encoding="utf-8"))
        copy.data["seed"], copy.training["seed"] = seed, seed
        data = load_bundle(copy)
        compiled = prepare(copy, data)
        torch.manual_seed(seed)
        start, report = transfer(compiled, compiled.new_module().state_dict(), source)
        assert report.loaded == ["conv1", "conv2"] and report.kept == ["head"]
        settings = TrainSettings.from_mapping(copy.training, device="cpu")
        result = Trainer(compiled, data, settings, initial_state=start).run()
        assert torch.equal(result.last_state["conv1.weight"], source["conv1.weight"])  # frozen: as loaded
        with_transfer.append(result.last.val_metric)
        for node in ("conv1", "conv2"):
            copy.graph.set_node_training(node, frozen=False)
        from_scratch.append(trained(copy).val_metric)
    mean, scratch_mean = sum(with_transfer) / 5, sum(from_scratch) / 5
    assert mean > bound and abs(scratch_mean - scratch_level) < 0.05 and mean - scratch_mean > 0.05
