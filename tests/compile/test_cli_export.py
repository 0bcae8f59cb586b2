"""``designer export``: exit codes 0/1/2, one line for a user's mistake, the
trained weights used when they exist."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import onnx
import onnxruntime
import pytest
import torch
from paths import sample

from designer.cli import main
from designer.compile import compile_design, export_module
from designer.graph import Graph
from designer.project import Project, load_project, save_project
from designer.project.weights import save_weights


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return Path(shutil.copy(sample("spirals_mlp"), tmp_path / "spirals.nnd"))


def test_exports_python_and_verified_onnx(project: Path, capsys) -> None:
    py, model = project.with_name("out.py"), project.with_name("out.onnx")
    code, out, err = run(capsys, "export", str(project), "--python", str(py), "--onnx", str(model))
    assert code == 0, err
    assert py.exists() and model.exists() and err == ""
    assert f"wrote {model} (opset 20" in out and "weights: untrained (no spirals.safetensors); exporter: torchscript)" in out
    assert "inputs: input1 [batch x 2]; outputs: output1 [batch x 2]" in out
    assert "verified: onnx.checker (full check) passed; onnxruntime matches torch within 0.0001, max absolute difference" in out


def test_trained_weights_go_into_both_exports(project: Path, capsys) -> None:
    graph = load_project(project).graph
    torch.manual_seed(1)
    state = compile_design(graph).new_module().state_dict()
    save_weights(project.with_suffix(".safetensors"), state, graph.fingerprint())
    py, model = project.with_name("net.py"), project.with_name("net.onnx")
    code, out, err = run(capsys, "export", str(project), "--python", str(py), "--weights", "--onnx", str(model), "--no-verify")
    assert code == 0, err
    assert project.with_name("net.safetensors").exists() and "weights: trained" in out and "verified" not in out
    assert {p.key: p.value for p in onnx.load(model).metadata_props}["designer.weights"] == "trained"
    x = torch.randn(3, 2)
    (got,) = onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"]).run(None, {"input1": x.numpy()})
    with torch.no_grad():
        assert torch.allclose(torch.from_numpy(got), export_module(compile_design(graph), state)(x), atol=1e-5)


def test_weights_of_an_older_design_are_refused(project: Path, capsys) -> None:
    save_weights(project.with_suffix(".safetensors"), {"x": torch.zeros(1)}, "0123456789abcdef")
    code, _, err = run(capsys, "export", str(project), "--onnx", str(project.with_name("o.onnx")))
    assert code == 2 and err.startswith("designer: error: ") and err.count("\n") == 1
    assert "different version of the design" in err and "--untrained" in err


def test_weights_option_needs_trained_weights(project: Path, capsys) -> None:
    code, _, err = run(capsys, "export", str(project), "--python", str(project.with_name("o.py")), "--weights")
    assert code == 2 and "no trained weights (spirals.safetensors)" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to export"),
        (["--weights", "--onnx", "o.onnx"], "--weights goes with --python"),
    ],
)
def test_usage_mistakes_are_one_line(project: Path, capsys, args: list[str], message: str) -> None:
    code, _, err = run(capsys, "export", str(project), *args)
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_opset_outside_the_range_is_a_usage_error(project: Path, capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["export", str(project), "--onnx", "o.onnx", "--opset", "3"])
    assert caught.value.code == 2 and "outside 7 to 25" in capsys.readouterr().err


def test_design_with_problems_exits_1_listing_them(project: Path, capsys) -> None:
    document = json.loads(project.read_text())
    document["edges"] = document["edges"][1:]
    project.write_text(json.dumps(document))
    code, out, err = run(capsys, "export", str(project), "--python", str(project.with_name("o.py")))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert all(line.startswith(f"{project}: ") for line in lines[:-1]) and ": error: " in lines[0]
    assert lines[-1].startswith("designer: error: ") and not project.with_name("o.py").exists()


def test_layer_that_cannot_be_exported_is_named(tmp_path: Path, capsys) -> None:
    graph = Graph("normed")
    graph.sequential(("Input", {"shape": [4, 6]}), "LayerNorm", ("Linear", {"out_features": 2}), "Output")
    path = tmp_path / "normed.nnd"
    save_project(Project(graph), path)
    code, _, err = run(capsys, "export", str(path), "--onnx", str(tmp_path / "n.onnx"), "--opset", "13")
    assert code == 1 and err.count("\n") == 1
    assert "ln1 (LayerNorm) cannot be exported at opset 13" in err and not (tmp_path / "n.onnx").exists()


def test_unwritable_output_is_a_usage_error(project: Path, capsys) -> None:
    code, _, err = run(capsys, "export", str(project), "--python", str(project / "inside-a-file.py"))
    assert code == 2 and err.startswith("designer: error: cannot write") and err.count("\n") == 1


def test_help(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["export", "--help"])
    out = capsys.readouterr().out
    assert caught.value.code == 0 and "--onnx OUT.onnx" in out and "--no-verify" in out
