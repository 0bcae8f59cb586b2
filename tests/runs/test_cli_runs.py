"""``designer train`` records its run beside the project; a run killed with
SIGKILL leaves a readable record of the epochs it finished and resumes to
the weights an uninterrupted run ends with; ``designer runs`` lists,
compares, pins and deletes; mistakes are one line."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from trainingkit import tiny_project

from designer.cli import main
from designer.project import load_project
from designer.project.weights import load_weights
from designer.runs import CRASHED, RunStore, read_run
from designer.train import FINISHED


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_run_keeps_its_epochs_and_resumes_to_the_uninterrupted_weights(tmp_path: Path, capsys) -> None:
    project = tiny_project(tmp_path / "tiny.nnd", epochs=40, samples=2000)
    command = [sys.executable, "-m", "designer", "train", str(project)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        while not process.stdout.readline().startswith("epoch 3/40"):
            assert process.poll() is None, process.stderr.read()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    crashed = read_run(RunStore.of(project).find("1"))
    assert crashed.status == CRASHED and "process ended" in crashed.message
    assert len(crashed.epochs) >= 2 and [m.epoch for m in crashed.epochs] == list(range(1, len(crashed.epochs) + 1))
    assert crashed.resumable
    code, out, _ = run(capsys, "train", str(project), "--resume", "run-0001")
    assert code == 0 and "finished 40 epochs" in out and "recorded Run 1" in out
    assert run(capsys, "train", str(project), "--out", str(tmp_path / "straight"), "--no-record")[0] == 0
    fingerprint = load_project(project).graph.fingerprint()
    resumed = load_weights(project.with_suffix(".safetensors"), fingerprint)
    straight = load_weights(tmp_path / "straight" / "weights.safetensors", fingerprint)
    assert all(torch.equal(resumed[k], straight[k]) for k in straight)
    record = read_run(RunStore.of(project).find("1"))
    assert record.status == FINISHED and [m.epoch for m in record.epochs] == list(range(1, 41)) and not record.resumable
    assert not (tmp_path / "straight" / "tiny.runs").exists()  # --no-record recorded nothing


def test_designer_runs_lists_compares_pins_and_deletes(tmp_path: Path, capsys) -> None:
    project = tiny_project(tmp_path / "tiny.nnd", epochs=1)
    assert run(capsys, "train", str(project))[0] == 0
    assert run(capsys, "train", str(project), "--lr", "0.05", "--epochs", "2")[0] == 0
    code, out, _ = run(capsys, "runs", str(project), "--sort", "best")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:6] == ["run", "status", "best", "epochs", "time", "started"]
    assert len(lines) == 3 and "0.05" in out and "finished" in lines[1]
    code, out, _ = run(capsys, "runs", str(project), "--compare", "1", "2")
    assert code == 0 and re.search(r"training\.learning_rate\s+0\.01  →  0\.05", out) and "the designs are the same" in out
    assert run(capsys, "runs", str(project), "--pin", "1")[0] == 0 and read_run(RunStore.of(project).find("1")).pinned
    code, out, _ = run(capsys, "runs", str(project), "--delete", "run-0002", "--yes")
    assert code == 0 and [f.name for f in RunStore.of(project).run_folders()] == ["run-0001"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["runs", "{tmp}/none.nnd"], "no such project file"),
        (["runs", "{project}", "--delete", "7", "--yes"], "no run '7'"),
        (["train", "{project}", "--resume", "run-0042"], "cannot resume run-0042: no run"),
        (["train", "{project}", "--resume", "1"], "run-0001 finished: only a stopped, failed or crashed run"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path, capsys) -> None:
    project = tiny_project(tmp_path / "tiny.nnd", epochs=1)
    assert main(["train", str(project)]) == 0
    capsys.readouterr()
    code, _, err = run(capsys, *[a.format(project=project, tmp=tmp_path) for a in args])
    assert code == 2 and err.startswith("designer: error: ") and err.count("\n") == 1 and message in err, err
