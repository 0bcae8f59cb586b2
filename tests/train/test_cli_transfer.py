"""``designer train --init-from W --freeze IDS``: the report, frozen weights kept, mistakes in one line."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from paths import sample

from designer.cli import main
from designer.project.weights import load_weights


def copy_sample(tmp_path: Path, name: str, stem: str, **dense1) -> Path:
    document = json.loads(sample(name).read_text())
    document["training"].update(epochs=1)
    for node in document["nodes"]:
        if node["id"] == "dense1":
            node["params"].update(dense1)
    target = tmp_path / f"{stem}.nnd"
    target.write_text(json.dumps(document))
    return target


def test_a_partial_load_reports_each_node_and_frozen_layers_stay_as_loaded(tmp_path: Path, capsys) -> None:
    source = copy_sample(tmp_path, "digits_cnn", "source")
    assert main(["train", str(source), "--device", "cpu", "--no-record"]) == 0
    pretrained = tmp_path / "source.safetensors"
    target = copy_sample(tmp_path, "digits_cnn", "target", out_features=32)
    capsys.readouterr()
    code = main(["train", str(target), "--device", "cpu", "--no-record", "--init-from", str(pretrained), "--freeze", "conv1,conv2"])
    out, _ = capsys.readouterr()
    assert code == 0, out
    report = [line.strip() for line in out.splitlines()[:5]]
    assert report == [
        f"{pretrained}: 2 of 4 layers with weights loaded, 2 kept their initialisation",
        "conv1   loaded from conv1 (same name)",
        "conv2   loaded from conv2 (same name)",
        "dense1  kept its initialisation: shape differs: weight is 32x128 here, 64x128 in the file",
        "dense2  kept its initialisation: shape differs: weight is 10x32 here, 10x64 in the file",
    ]
    assert "fresh random weights" not in out  # frozen, but loaded: nothing to warn of
    before, after = load_weights(pretrained), load_weights(tmp_path / "target.safetensors")
    for key in ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"):
        assert torch.equal(before[key], after[key]), key


def test_mistakes_are_one_line(tmp_path: Path, capsys) -> None:
    project = copy_sample(tmp_path, "digits_cnn", "p")
    assert main(["train", str(project), "--device", "cpu", "--no-record", "--freeze", "conv1,nosuch"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--freeze: the design has no node 'nosuch'" in err
    assert main(["train", str(project), "--device", "cpu", "--no-record", "--init-from", str(tmp_path / "none.safetensors")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no such weights file" in err
    (tmp_path / "junk.safetensors").write_bytes(b"not weights")
    assert main(["train", str(project), "--device", "cpu", "--no-record", "--init-from", str(tmp_path / "junk.safetensors")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_frozen_layers_without_weights_to_start_from_are_warned_of(tmp_path: Path, capsys) -> None:
    project = copy_sample(tmp_path, "digits_cnn", "p")
    assert main(["train", str(project), "--device", "cpu", "--no-record", "--epochs", "1", "--freeze", "conv1,conv2"]) == 0
    err = capsys.readouterr().err
    assert f"{project}: warning: conv1, conv2 are frozen with fresh random weights and will not learn (start from" in err
