"""File > Import Model: an ONNX file read on a worker thread, saved beside it
with its weights and opened; unmapped operators offered as placeholders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from designer.ui import dialogs


def _model(path: Path, odd: bool = False) -> Path:
    rng = np.random.default_rng(0)
    weights = [numpy_helper.from_array(rng.standard_normal((3, 4)).astype(np.float32), "w")]
    nodes = [helper.make_node("Gemm", ["x", "w"], ["h"], name="dense", transB=1)]
    nodes.append(helper.make_node("Sin" if odd else "Relu", ["h"], ["y"], name="wave" if odd else "act"))
    graph = helper.make_graph(
        nodes,
        "small",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])],
        initializer=weights,
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def test_import_opens_the_design_with_its_weights_beside_it(window, qtbot, tmp_path: Path) -> None:
    source = _model(tmp_path / "small.onnx")
    window.importing.import_model(str(source), str(tmp_path / "small.nnd"))
    qtbot.waitUntil(lambda: "Imported small.onnx" in window._status.text(), timeout=30000)
    assert window.document.path == tmp_path / "small.nnd"
    assert [n.type for n in window.document.graph.nodes] == ["Input", "Linear", "ReLU", "Output"]
    assert (tmp_path / "small.safetensors").exists() and "match onnxruntime" in window._status.text()


def test_unmapped_operators_are_listed_and_placeholders_offered(window, qtbot, tmp_path: Path, monkeypatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda parent, title, question: asked.append(question) or True)
    source = _model(tmp_path / "odd.onnx", odd=True)
    window.importing.import_model(str(source), str(tmp_path / "odd.nnd"))
    qtbot.waitUntil(lambda: "Imported odd.onnx" in window._status.text(), timeout=30000)
    assert asked and "Sin 'wave'" in asked[0]
    assert [n.type for n in window.document.graph.nodes].count("Unmapped") == 1
    assert any("no equivalent" in p.message for p in window.document.analysis().errors)


def test_a_file_that_is_no_model_is_said_so_before_any_question_about_saving(window, qtbot, tmp_path: Path, monkeypatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *args, **kwargs: asked.append("save") or None)
    bad = tmp_path / "bad.onnx"
    bad.write_text("not an onnx model")
    window.importing.import_model(str(bad))
    qtbot.waitUntil(lambda: bool(window.errors), timeout=30000)
    assert window.errors[0][0] == "Cannot import the model" and "bad.onnx" in window.errors[0][1]
    assert asked == [] and not (tmp_path / "bad.nnd").exists()


def test_the_design_is_saved_where_the_user_says_once_the_model_is_read(window, qtbot, tmp_path: Path, monkeypatch) -> None:
    source = _model(tmp_path / "small.onnx")
    monkeypatch.setattr(dialogs, "ask_save_path", lambda parent, title, suggested, *rest: str(tmp_path / "chosen"))
    window.importing.import_model(str(source))
    qtbot.waitUntil(lambda: "Imported small.onnx" in window._status.text(), timeout=30000)
    assert window.document.path == tmp_path / "chosen.nnd" and (tmp_path / "chosen.safetensors").exists()
