"""The learning-rate finder: a sane suggestion, weights untouched, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from paths import sample

from designer.cli import main
from designer.project import load_project
from designer.train import TrainError, TrainSettings, load_bundle, prepare
from designer.train.lr_find import find_lr


@pytest.fixture(scope="module")
def spirals():
    project = load_project(sample("spirals_mlp"))
    bundle = load_bundle(project)
    return project, bundle, prepare(project, bundle)


def test_spirals_gets_a_sane_rate_and_the_weights_stay_as_they_were(spirals) -> None:
    project, bundle, compiled = spirals
    module = compiled.new_module().eval()
    before = {k: v.clone() for k, v in module.state_dict().items()}
    result = find_lr(compiled, bundle, TrainSettings.from_mapping(project.training, device="cpu"), module=module)
    assert 1e-4 <= result.suggestion <= 1.0
    assert result.suggestion <= result.lowest_lr  # the steepest fall comes before the lowest loss
    assert len(result.lrs) == len(result.smoothed) <= 100  # 4 passes over 25 batches, unless it diverged first
    assert all(torch.equal(before[k], v) for k, v in module.state_dict().items())
    assert not module.training


def test_the_sweep_stops_when_the_loss_diverges(spirals) -> None:
    project, bundle, compiled = spirals
    settings = TrainSettings.from_mapping(project.training, device="cpu", optimizer="sgd")
    result = find_lr(compiled, bundle, settings, min_lr=1e-3, max_lr=1e4, steps=60)
    assert result.diverged and len(result.lrs) < 60
    with pytest.raises(TrainError, match="0 < min < max"):
        find_lr(compiled, bundle, settings, min_lr=1.0, max_lr=0.1)


def test_cli_prints_a_suggestion_json_and_a_picture(tmp_path: Path, capsys) -> None:
    png = tmp_path / "curve.png"
    assert main(["lr-find", str(sample("xor_mlp")), "--device", "cpu", "--steps", "40", "--out", str(png)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("suggested learning rate: ") and "<- suggested" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["lr-find", str(sample("xor_mlp")), "--device", "cpu", "--steps", "40", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["suggestion"] in data["lrs"] and len(data["lrs"]) == len(data["losses"]) <= 40


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min", "1", "--max", "0.5"], "0 < --min < --max"),
        (["--steps", "3"], "--steps must be at least 8"),
        (["--out", "curve.jpg"], "must name a .png file"),
        (["--out", "no/such/folder/curve.png", "--steps", "10"], "cannot write the picture"),
    ],
)
def test_cli_mistakes_are_one_line_and_exit_2(args, message, capsys) -> None:
    assert main(["lr-find", str(sample("xor_mlp")), "--device", "cpu", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_cli_on_a_missing_file_exits_2(capsys) -> None:
    assert main(["lr-find", "missing.nnd"]) == 2
    assert "missing.nnd" in capsys.readouterr().err


def test_the_sweep_trains_as_a_run_would_frozen_nodes_untouched_and_their_flags_given_back() -> None:
    project = load_project(sample("digits_transfer"))
    bundle = load_bundle(project)
    compiled = prepare(project, bundle)
    assert compiled.frozen  # the sample freezes its convolutions
    module = compiled.new_module()
    find_lr(compiled, bundle, TrainSettings.from_mapping(project.training, device="cpu"), module=module, steps=12)
    attributes = compiled.generated.attributes
    for nid in attributes:
        for parameter in getattr(module, attributes[nid]).parameters():
            assert parameter.requires_grad  # as the caller gave it
            assert (parameter.grad is None) == (nid in compiled.frozen), nid  # only trainable nodes got gradients
