"""Hostile input to the command line: weights that do not fit, designs too big
for memory, outputs that cannot be written, a run that fails before its first
epoch, a crash, saves killed outright, and generated argument lists. Each ends
in one line and its exit code (0, 1 the design has problems, 2 unusable input,
3 a bug, with the trace in a file), never a traceback or a hang."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from paths import ROOT, sample
from trainingkit import tiny_project

from designer.cli import INTERNAL, PROBLEMS, UNUSABLE, main
from designer.compile import compile_design
from designer.project import load_project
from designer.project.atomic import TEMP_SUFFIX, write_text_atomic
from designer.project.weights import save_weights


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def project_file(tmp_path: Path, name: str = "xor_mlp", data: dict | None = None, nodes: dict | None = None, **training) -> Path:
    """A copy of a sample with other data, node parameters or training settings."""
    document = json.loads(sample(name).read_text())
    document["training"].update({"epochs": 1, "device": "cpu", **training})
    if data is not None:
        document["data"] = data
    for node in document["nodes"]:
        node["params"].update((nodes or {}).get(node["id"], {}))
    path = tmp_path / f"{name}.nnd"
    path.write_text(json.dumps(document))
    return path


@pytest.fixture(autouse=True)
def _one_thread(one_torch_thread) -> None:
    """Some tests here train: one torch thread (see tests/conftest.py)."""


# ------------------------------------------------------------------- weights


def _state(path: Path) -> dict[str, torch.Tensor]:
    return compile_design(load_project(path).graph).new_module().state_dict()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("shape", "wrong shape: dense1.weight (3x2 in the file, 8x2 in the design)"),
        ("missing", "missing: dense2.bias"),
        ("extra", "not in the design: spare.weight"),
    ],
)
def test_weights_that_do_not_fit_are_named_in_one_line(tmp_path: Path, capsys, change: str, expected: str) -> None:
    path = project_file(tmp_path, data={"source": "xor", "options": {"samples": 100}, "validation_split": 0.2, "test_split": 0.2})
    state = _state(path)
    if change == "shape":
        state["dense1.weight"] = torch.zeros(3, 2)
    elif change == "missing":
        del state["dense2.bias"]
    else:
        state["spare.weight"] = torch.zeros(2)
    weights = save_weights(tmp_path / "w.safetensors", state, load_project(path).graph.fingerprint())
    code, _, err = run(capsys, "evaluate", path, "--weights", weights)
    assert code == UNUSABLE and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"designer: error: {weights}: these weights do not fit the design: ") and expected in err


def test_a_weights_file_that_is_not_one(tmp_path: Path, capsys) -> None:
    path = project_file(tmp_path, data={"source": "xor", "options": {"samples": 100}, "validation_split": 0.2})
    for content in (
        b"",
        b"\xff" * 8 + b"{}",
        (1 << 60).to_bytes(8, "little") + b"{",
        b"\x10\0\0\0\0\0\0\0" + b'{"a":{"dtype":"F32","shape":[1<<40],"data_offsets":[0,4]}}',
    ):
        bad = tmp_path / "bad.safetensors"
        bad.write_bytes(content)
        code, _, err = run(capsys, "evaluate", path, "--weights", bad)
        assert code == UNUSABLE and err.count("\n") == 1 and err.startswith(f"designer: error: {bad}: not a safetensors weights file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_weights_that_are_a_pipe_are_not_waited_for(tmp_path: Path, capsys) -> None:
    path = project_file(tmp_path, data={"source": "xor", "options": {"samples": 100}, "validation_split": 0.2})
    os.mkfifo(tmp_path / "pipe.safetensors")
    code, _, err = run(capsys, "evaluate", path, "--weights", tmp_path / "pipe.safetensors")
    assert code == UNUSABLE and err.endswith("pipe.safetensors: not a weights file (it is not a regular file)\n")


# -------------------------------------------------------------------- memory

HUGE_WIDTH = 50_000  # Input of 50,000 values into 1,000,000 units: 5e10 weights, 186 GB


def _huge(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "wide.npz", x=rng.normal(size=(20, HUGE_WIDTH)).astype(np.float32), y=np.arange(20) % 2)
    data = {"source": "npz", "options": {"path": "wide.npz"}, "validation_split": 0.25, "test_split": 0.25}
    return project_file(tmp_path, data=data, nodes={"input1": {"shape": [HUGE_WIDTH]}, "dense1": {"out_features": 1_000_000}})


LAYER_ADVICE = "use fewer units or channels in dense1 (50,001,000,000 weights)"


@pytest.mark.parametrize(
    ("command", "need", "advice"),
    [
        (["train"], "to train, the design needs about 1118.1 GB", f"{LAYER_ADVICE}, or a smaller batch (e.g. --batch-size 16)"),
        (["lr-find"], "to train, the design needs about 1118.1 GB", f"{LAYER_ADVICE}, or a smaller batch (e.g. --batch-size 16)"),
        (
            ["evaluate", "--weights", "{file}"],
            "to run, the design needs about 186.5 GB",
            f"{LAYER_ADVICE}, or a smaller batch (e.g. --batch-size 16)",
        ),
        (["export", "--onnx", "{folder}/huge.onnx"], "to run, the design needs about 186.3 GB", LAYER_ADVICE),
        (["explain", "--weights", "{file}", "--json"], "to run, the design needs about 186.8 GB", LAYER_ADVICE),
    ],
)
def test_a_design_too_big_for_memory_says_so_before_allocating(tmp_path: Path, capsys, command: list[str], need: str, advice: str) -> None:
    path = _huge(tmp_path)
    args = [command[0], path, *(a.format(file=path, folder=tmp_path) for a in command[1:])]
    code, out, err = run(capsys, *args)
    assert code == UNUSABLE and err.count("\n") == 1 and out == "" and not (tmp_path / "huge.onnx").exists()
    assert "out of CPU memory: " in err and need in err and err.rstrip().endswith(advice)


def test_torch_running_out_of_memory_anyway_is_one_message(tmp_path: Path, capsys, monkeypatch) -> None:
    from designer.compile.build import CompiledDesign

    path = project_file(tmp_path, data={"source": "xor", "options": {"samples": 100}, "validation_split": 0.2, "test_split": 0.2})
    weights = save_weights(tmp_path / "w.safetensors", _state(path), load_project(path).graph.fingerprint())

    def hungry(self):
        raise RuntimeError(
            "[enforce fail at alloc_cpu.cpp:118] data. DefaultCPUAllocator: can't allocate memory: you tried to allocate 400000000000 bytes."
        )

    monkeypatch.setattr(CompiledDesign, "new_module", hungry)
    code, _, err = run(capsys, "evaluate", path, "--weights", weights)
    assert code == UNUSABLE and err.count("\n") == 1
    assert "out of CPU memory: to run, the design needs about" in err and "and ran out (it asked for 372.5 GB)" in err
    code, out, err = run(capsys, "train", path, "--out", tmp_path / "run")
    assert code == PROBLEMS and "training failed: out of CPU memory (it asked for 372.5 GB) at batch size 32" in err


# ------------------------------------------------------------------- outputs


def test_out_under_a_regular_file_fails_before_training(tmp_path: Path, capsys) -> None:
    path = project_file(tmp_path, data={"source": "xor", "options": {"samples": 100}})
    (tmp_path / "taken").write_text("a file")
    code, out, err = run(capsys, "train", path, "--out", tmp_path / "taken" / "run")
    assert code == UNUSABLE and out == "" and err.count("\n") == 1
    assert (
        err
        == f"designer: error: cannot write {tmp_path / 'taken' / 'run' / 'weights.safetensors'}: {tmp_path / 'taken'} is a file, not a folder\n"
    )


def test_names_longer_than_the_file_system_takes_are_one_line(tmp_path: Path, capsys) -> None:
    path = project_file(tmp_path, data={"source": "xor", "options": {"samples": 100}, "validation_split": 0.2, "test_split": 0.2})
    long = "x" * 300
    code, _, err = run(capsys, "evaluate", path, "--weights", tmp_path / f"{long}.safetensors")
    assert code == UNUSABLE and err.count("\n") == 1 and "no such weights file" in err
    code, out, err = run(capsys, "train", path, "--out", tmp_path / long / "run")
    assert code == UNUSABLE and out == "" and err.count("\n") == 1 and "bytes, the most this file system takes" in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_out_in_a_folder_that_cannot_be_written_fails_before_training(tmp_path: Path, capsys) -> None:
    path = project_file(tmp_path, data={"source": "xor", "options": {"samples": 100}})
    code, out, err = run(capsys, "train", path, "--out", "/proc/designer-run")
    assert code == UNUSABLE and out == "" and err.startswith("designer: error: cannot write in /proc: ") and err.count("\n") == 1


def test_a_run_that_fails_before_its_first_epoch_leaves_the_earlier_pair(tmp_path: Path, capsys, monkeypatch) -> None:
    from designer.train import trainer as trainer_module

    path = project_file(tmp_path, data={"source": "xor", "options": {"samples": 100}})
    out_dir = tmp_path / "run"
    assert run(capsys, "train", path, "--out", out_dir)[0] == 0
    before = {name: (out_dir / name).read_bytes() for name in ("weights.safetensors", "metrics.csv")}

    def nan_loss(self, *args, **kwargs):
        raise trainer_module.NonFinite(1, 1, float("nan"))

    monkeypatch.setattr(trainer_module.Trainer, "_train_epoch", nan_loss)
    code, out, err = run(capsys, "train", path, "--out", out_dir)
    assert code == PROBLEMS and "training failed: the training loss became NaN at epoch 1, batch 1" in err
    assert (
        "wrote nothing (no weights: no epoch completed); weights.safetensors and metrics.csv of an earlier run are left as they were" in out
    )
    assert {name: (out_dir / name).read_bytes() for name in before} == before


KILLED_SAVER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from designer.project.atomic import write_atomic

    def slow(tmp):
        tmp.write_bytes(b"x" * 100000)
        Path(sys.argv[2]).write_text(tmp.name)
        time.sleep(600)

    write_atomic(sys.argv[1], slow)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_a_save_killed_outright_leaves_a_named_temporary_that_the_next_save_removes(tmp_path: Path) -> None:
    target, marker = tmp_path / "model.safetensors", tmp_path / "started"
    target.write_text("old")
    with subprocess.Popen([sys.executable, "-c", KILLED_SAVER, str(target), str(marker)], cwd=ROOT) as saver:
        try:
            for _ in range(600):
                if marker.exists() and marker.read_text():
                    break
                if saver.poll() is not None:
                    pytest.fail(f"the saver ended with {saver.returncode}")
                import time

                time.sleep(0.1)
            os.kill(saver.pid, signal.SIGKILL)
        finally:
            saver.wait(60)
    (left,) = [p for p in tmp_path.iterdir() if p.name.endswith(TEMP_SUFFIX)]
    assert left.name == marker.read_text() and left.name.startswith(f"model.safetensors.{saver.pid}-")
    assert target.read_text() == "old"
    write_text_atomic(target, "new")
    assert target.read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == ["model.safetensors", "started"]


# ------------------------------------------------------------- internal error


def test_an_internal_error_has_its_own_exit_code_and_a_trace_file(tmp_path: Path, capsys, monkeypatch) -> None:
    import designer.cli as cli

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "format_summary", lambda graph, **options: 1 / 0)
    code, out, err = run(capsys, "summary", sample("xor_mlp"))
    assert code == INTERNAL == 3 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(
        "designer: internal error: ZeroDivisionError: division by zero: this is a bug in the designer, please report it; "
    )
    (report,) = (tmp_path / "cache" / "nn-designer" / "crashes").iterdir()
    assert err.rstrip().endswith(f"the full trace is in {report}")
    text = report.read_text()
    assert "Traceback (most recent call last)" in text and "ZeroDivisionError" in text and "command: designer summary " in text


def test_export_with_weights_of_the_design_that_do_not_fit_names_them(tmp_path: Path, capsys) -> None:
    """The right fingerprint, a tensor of another shape: one line naming it, exit 2, nothing written."""
    from safetensors.torch import save_file

    from designer.project.weights import FINGERPRINT_KEY

    project_path = tiny_project(tmp_path / "tiny.nnd")
    project = load_project(project_path)
    state = compile_design(project.graph).new_module().state_dict()
    state = {name: torch.zeros(3, *t.shape[1:]) if name.endswith("weight") and t.dim() == 2 else t for name, t in state.items()}
    save_file({k: v.contiguous() for k, v in state.items()}, str(project.weights_path), metadata={FINGERPRINT_KEY: project.graph.fingerprint()})
    code = main(["export", str(project_path), "--onnx", str(tmp_path / "out.onnx")])
    err = capsys.readouterr().err
    assert code == 2 and "do not fit the design" in err and "wrong shape" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.onnx").exists()
