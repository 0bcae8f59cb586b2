"""``designer train`` and ``designer evaluate``: the samples learn, outputs land
where documented, faults and mistakes are one line."""

from __future__ import annotations

import csv
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from paths import sample

from designer.cli import main
from designer.project import load_project
from designer.project.weights import load_weights


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def copy_sample(tmp_path: Path, name: str, **training) -> Path:
    target = tmp_path / f"{name}.nnd"
    document = json.loads(sample(name).read_text())
    document["training"].update(training)
    target.write_text(json.dumps(document))
    return target


@pytest.mark.parametrize("name", ["spirals_mlp", "digits_cnn"])
def test_samples_reach_95_percent_validation_accuracy(name: str, tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "train", str(sample(name)), "--device", "cpu", "--out", str(tmp_path), "--no-record")
    assert code == 0, out
    table = rows(tmp_path / "metrics.csv")
    assert list(table[0]) == ["epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "lr", "seconds"]
    assert len(table) == load_project(sample(name)).training["epochs"]
    assert float(table[-1]["val_accuracy"]) >= 0.95
    summary = out.strip().splitlines()[-2]
    assert summary.startswith("finished") and "final (epoch" in summary and "best (epoch" in summary
    project = load_project(sample(name))
    weights = load_weights(tmp_path / "weights.safetensors", project.graph.fingerprint())
    from designer.compile import build_module

    build_module(project.graph).load_state_dict(weights)


def test_outputs_go_beside_the_project_and_evaluate_reads_them(tmp_path: Path, capsys) -> None:
    project = copy_sample(tmp_path, "digits_cnn", epochs=2)
    code, out, _ = run(capsys, "train", str(project), "--device", "cpu", "--batch-size", "64", "--lr", "0.003")
    assert code == 0
    assert (tmp_path / "digits_cnn.safetensors").exists() and len(rows(tmp_path / "digits_cnn.metrics.csv")) == 2
    assert f"wrote {tmp_path / 'digits_cnn.safetensors'}" in out
    assert "finished 2 epochs on 1 CPU thread; final (epoch 2)" in out  # a small design: one thread
    code, out, _ = run(capsys, "evaluate", str(project), "--device", "cpu")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Digits CNN: validation split, ") and "(no test split" in lines[0]
    assert lines[1].startswith("loss ") and "accuracy" in lines[1]
    assert lines[2].startswith("confusion matrix") and len(lines) == 3 + 1 + 10


def test_evaluate_uses_the_test_split_and_regression_metrics(tmp_path: Path, capsys) -> None:
    project = copy_sample(tmp_path, "sine_lstm", epochs=1)
    document = json.loads(project.read_text())
    document["data"]["test_split"] = 0.1
    project.write_text(json.dumps(document))
    assert run(capsys, "train", str(project), "--device", "cpu", "--out", str(tmp_path / "run"))[0] == 0
    assert list(rows(tmp_path / "run" / "metrics.csv")[0])[3:5] == ["train_mae", "val_mae"]
    code, out, _ = run(capsys, "evaluate", str(project), "--weights", str(tmp_path / "run" / "weights.safetensors"))
    assert code == 0 and ": test split, 100 samples" in out and "mae " in out and "confusion" not in out


def test_an_absurd_learning_rate_fails_cleanly(tmp_path: Path, capsys) -> None:
    project = copy_sample(tmp_path, "sine_lstm", optimizer="sgd")
    code, out, err = run(capsys, "train", str(project), "--device", "cpu", "--lr", "10", "--out", str(tmp_path / "run"))
    assert code == 1 and "Traceback" not in err
    # The divergence warning comes first, batches before the loss turns NaN; then the one failure line.
    warning, failure = err.splitlines()
    assert warning.startswith(f"{project}: warning: network: the loss is diverging")
    err = failure + "\n"
    assert err.startswith("training failed: the training loss became ")
    assert "at epoch 1, batch " in err and "learning rate (10) is probably too high" in err
    # No weights or metrics written: an earlier run's pair would stay together (the run's own record is in run/sine_lstm.runs).
    assert "no weights" in out and not any((tmp_path / "run" / name).exists() for name in ("weights.safetensors", "metrics.csv"))


def test_ctrl_c_stops_and_leaves_loadable_weights(tmp_path: Path) -> None:
    project = copy_sample(tmp_path, "spirals_mlp", epochs=100000)
    command = [sys.executable, "-m", "designer", "train", str(project), "--device", "cpu"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        first_epoch = process.stdout.readline()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert first_epoch.startswith("epoch 1/100000")
    assert process.returncode == 130 and "Traceback" not in err
    assert "stopped at epoch" in out
    fingerprint = load_project(project).graph.fingerprint()
    state = load_weights(tmp_path / "spirals_mlp.safetensors", fingerprint)
    assert all(torch.isfinite(t).all() for t in state.values())


def test_two_processes_train_with_distributed_data_parallel(tmp_path: Path, capsys) -> None:
    code, out, _ = run(
        capsys, "train", str(sample("spirals_mlp")), "--device", "cpu", "--epochs", "2", "--nproc", "2", "--out", str(tmp_path), "--no-record"
    )
    assert code == 0
    # One checkpoint and one CSV, written by rank 0.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.csv", "weights.safetensors"]
    assert [r["epoch"] for r in rows(tmp_path / "metrics.csv")] == ["1", "2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "missing.nnd"], "missing.nnd"),
        (["train", "{sample}", "--nproc", "0"], "--nproc must be at least 1"),
        (["train", "{sample}", "--lr", "-1"], "training.learning_rate"),
        (["train", "{sample}", "--epochs", "0"], "training.epochs"),
        (["evaluate", "{sample}", "--weights", "{tmp}/none.safetensors"], "no such weights file"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    copy = shutil.copy(sample("spirals_mlp"), tmp_path / "spirals_mlp.nnd")
    argv = [a.format(sample=copy, tmp=tmp_path) for a in args]
    result = subprocess.run([sys.executable, "-m", "designer", *argv], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("designer: error: ") and result.stderr.count("\n") == 1 and message in result.stderr


def test_weights_of_another_design_are_refused(tmp_path: Path, capsys) -> None:
    project = copy_sample(tmp_path, "spirals_mlp", epochs=1)
    assert run(capsys, "train", str(project), "--device", "cpu")[0] == 0
    document = json.loads(project.read_text())
    document["nodes"][1]["params"]["out_features"] = 32
    project.write_text(json.dumps(document))
    code, _, err = run(capsys, "evaluate", str(project))
    assert code == 2 and "different version of the design" in err and err.count("\n") == 1


def test_a_design_that_does_not_fit_its_data_exits_1(tmp_path: Path, capsys) -> None:
    project = copy_sample(tmp_path, "spirals_mlp")
    document = json.loads(project.read_text())
    document["data"].update(source="digits", options={})
    project.write_text(json.dumps(document))
    code, out, err = run(capsys, "train", str(project), "--device", "cpu")
    assert code == 1 and out == "" and err.startswith(f"{project}: input1: error: ")


def test_what_loading_noted_is_printed_once(tmp_path: Path, capsys) -> None:
    lines = ["a,b,label"] + [f"{i % 7 / 7},{i % 5 / 5},{'yes' if i % 2 else 'no'}" for i in range(60)]
    lines[4] = "0.5,,yes"  # line 5 of the file: a missing value
    (tmp_path / "points.csv").write_text("\n".join(lines) + "\n")
    document = json.loads(sample("spirals_mlp").read_text())
    document["data"] = {"source": "csv", "options": {"path": "points.csv", "missing": "drop"}, "validation_split": 0.2, "seed": 0}
    document["training"]["epochs"] = 1
    project = tmp_path / "points.nnd"
    project.write_text(json.dumps(document))
    code, out, _ = run(capsys, "train", str(project), "--device", "cpu", "--out", str(tmp_path), "--no-record")
    assert code == 0, out
    notes = [line for line in out.splitlines() if ": note: " in line]
    assert len(notes) == 1 and "line 5" in notes[0], out


def test_nproc_counts_the_cores_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """A container or taskset limits the cores: --nproc is checked against those, not the machine's."""
    import os

    from designer.cli_train import max_processes

    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no CPU affinity on this platform")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert max_processes() == 1
