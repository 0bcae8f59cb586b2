"""File > Export right after a run writes the run's trained weights (the
dialog offers them first and says which weights each choice is); once the
design changes they no longer fit and are not offered."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper
from trainingkit import tiny_project

from designer.ui import dialogs


@pytest.fixture(autouse=True)
def _one_thread(one_torch_thread) -> None:
    """It trains: one torch thread (see tests/conftest.py)."""


def _train(window, qtbot):
    panel = window.training.panel
    with qtbot.waitSignal(panel.running_changed, timeout=60_000, check_params_cb=lambda running: not running):
        panel.start_action.trigger()
    return panel.history.latest


def _onnx_weights(path: Path) -> list[np.ndarray]:
    return sorted((numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer), key=lambda a: (a.shape, float(a.sum())))


def test_export_after_a_run_writes_its_trained_weights(window, qtbot, tmp_path: Path, monkeypatch) -> None:
    window.open_file(tiny_project(tmp_path / "tiny.nnd"))
    record = _train(window, qtbot)
    asked: list[list[str]] = []

    def choose(parent, title, text, options, default=0):
        asked.append(options)
        return default

    monkeypatch.setattr(dialogs, "ask_choice", choose)
    target = tmp_path / "trained.onnx"
    window.exports.export_onnx(str(target))
    qtbot.waitUntil(lambda: "Exported the model with" in window._status.text(), timeout=120_000)
    assert asked and asked[0][0].startswith(f"The trained weights of {record.label}") and asked[0][-1] == "Fresh, untrained weights"
    assert f"{record.label}'s trained weights" in window._status.text()
    kept = record.outcome.result.kept_state
    expected = sorted((t.detach().cpu().numpy() for t in kept.values() if t.dtype.is_floating_point), key=lambda a: (a.shape, float(a.sum())))
    exported = [a for a in _onnx_weights(target) if a.dtype.kind == "f"]
    assert len(exported) == len(expected) and all(np.allclose(a, b, atol=1e-6) for a, b in zip(exported, expected))

    monkeypatch.setattr(dialogs, "ask_choice", lambda parent, title, text, options, default=0: options.index("Fresh, untrained weights"))
    fresh = tmp_path / "fresh.onnx"
    window.exports.export_onnx(str(fresh))
    qtbot.waitUntil(lambda: "fresh untrained weights" in window._status.text(), timeout=120_000)
    assert not all(np.allclose(a, b) for a, b in zip(_onnx_weights(fresh), _onnx_weights(target)) if a.shape == b.shape)


def test_a_changed_design_is_not_offered_the_run_weights(window, qtbot, tmp_path: Path, monkeypatch) -> None:
    window.open_file(tiny_project(tmp_path / "tiny.nnd", epochs=1))
    _train(window, qtbot)
    window.document.set_param("dense1", "out_features", 12)
    asked: list[list[str]] = []
    texts: list[str] = []
    monkeypatch.setattr(dialogs, "ask_choice", lambda parent, title, text, options, default=0: texts.append(text) or asked.append(options))
    window.exports.export_onnx(str(tmp_path / "x.onnx"))  # cancelled at the question
    assert asked == [["Fresh, untrained weights"]]  # asked all the same: the note says why the run's are not offered
    assert "their weights no longer fit" in texts[0]
    window.document.undo_stack.setClean()


def test_with_nothing_trained_the_export_asks_nothing_and_says_what_it_holds(window, qtbot, tmp_path: Path, monkeypatch) -> None:
    window.open_file(tiny_project(tmp_path / "tiny.nnd"))
    asked: list[list[str]] = []
    monkeypatch.setattr(dialogs, "ask_choice", lambda parent, title, text, options, default=0: asked.append(options))
    window.exports.export_onnx(str(tmp_path / "fresh.onnx"))
    qtbot.waitUntil(lambda: "fresh untrained weights" in window._status.text(), timeout=120_000)
    assert asked == [] and (tmp_path / "fresh.onnx").exists()  # a question with one answer was a click for nothing
