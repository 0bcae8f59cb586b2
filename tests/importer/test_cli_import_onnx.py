"""``designer import MODEL.onnx``: a project with its weights, or one clear
line and exit 2 with nothing written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from designer.cli import main
from designer.project import load_project
from designer.project.weights import load_weights


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _model(path: Path, nodes: list, inputs: list[str], initializers: dict[str, np.ndarray] | None = None, width: int = 4) -> Path:
    values = [helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", 4]) for name in inputs]
    output = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", width])
    tensors = [numpy_helper.from_array(value, name) for name, value in (initializers or {}).items()]
    graph = helper.make_graph(nodes, "hand made", values, [output], initializer=tensors)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def _mlp(path: Path) -> Path:
    rng = np.random.default_rng(0)
    weights = {"w": rng.standard_normal((3, 4)).astype(np.float32), "b": rng.standard_normal(3).astype(np.float32)}
    nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["h"], name="dense", transB=1), helper.make_node("Relu", ["h"], ["y"], name="act")]
    return _model(path, nodes, ["x"], weights, width=3)


def test_import_writes_a_project_and_its_weights(tmp_path: Path, capsys) -> None:
    code, out, err = _run(capsys, "import", str(_mlp(tmp_path / "mlp.onnx")), "-o", str(tmp_path / "out" / "net.nnd"))
    assert code == 0, err
    project = load_project(tmp_path / "out" / "net.nnd")
    assert [(n.id, n.type) for n in project.graph.nodes] == [("x", "Input"), ("dense", "Linear"), ("act", "ReLU"), ("y", "Output")]
    weights = load_weights(tmp_path / "out" / "net.safetensors", project.graph.fingerprint())
    assert weights["dense.weight"].shape == (3, 4)
    assert "wrote" in out and "checked" in out


def test_each_unusable_model_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, capsys) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "text.onnx").write_text("not a model at all\n")
    whole = _mlp(models / "whole.onnx").read_bytes()
    (models / "truncated.onnx").write_bytes(whole[: len(whole) // 2])
    _model(models / "two.onnx", [helper.make_node("Add", ["a", "b"], ["y"])], ["a", "b"])
    _model(models / "odd.onnx", [helper.make_node("Sin", ["x"], ["y"], name="sine")], ["x"])
    (models / "whole.onnx").unlink()
    expected = {"text": "not an ONNX model", "truncated": "ONNX model", "two": "2 inputs", "odd": "Sin 'sine'"}
    for stem, fragment in expected.items():
        code, out, err = _run(capsys, "import", str(models / f"{stem}.onnx"), "-o", str(tmp_path / f"{stem}.nnd"))
        assert code == 2, stem
        assert err.startswith("designer: error: ") and len(err.strip().splitlines()) == 1, err
        assert fragment in err and "Traceback" not in err, err
        assert out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models"]


def test_partial_import_keeps_placeholders_that_fail_check(tmp_path: Path, capsys) -> None:
    path = _model(tmp_path / "odd.onnx", [helper.make_node("Sin", ["x"], ["y"], name="sine")], ["x"])
    code, out, err = _run(capsys, "import", str(path), "--partial")
    assert code == 0, err
    assert "placeholder" in out and not (tmp_path / "odd.safetensors").exists()
    code, out, _ = _run(capsys, "check", str(tmp_path / "odd.nnd"))
    assert code == 1 and "Sin 'sine' of the imported model has no equivalent" in out
