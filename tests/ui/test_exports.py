"""Export menu: ONNX and Python on a worker thread, the window stays usable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from paths import sample

from designer.ui import dialogs


def test_export_onnx_in_the_background(window, qtbot, tmp_path: Path) -> None:
    window.open_file(sample("spirals_mlp"))
    target = tmp_path / "spirals.onnx"
    window.exports.export_onnx(str(target))
    qtbot.waitUntil(lambda: "Exported the model with fresh untrained weights" in window._status.text(), timeout=60000)
    assert target.stat().st_size > 1000 and "onnxruntime matches" in window._status.text()


def test_export_python_runs_with_torch_only(window, qtbot, tmp_path: Path) -> None:
    window.open_file(sample("digits_cnn"))
    target = tmp_path / "digits.py"
    window.exports.export_python(str(target))
    qtbot.waitUntil(lambda: "Exported class" in window._status.text(), timeout=30000)
    result = subprocess.run([sys.executable, str(target)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_export_of_a_broken_design_says_why(window, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, message: shown.append(message))
    window.document.add_node("Linear")
    window.exports.export_onnx("unused.onnx")
    assert shown and "no Input" in shown[0]
