"""File dialogs start in the open design's folder (the home folder for a design
not saved yet), not in the folder the program happened to be started from:
Import Model, Load Weights into Design and Insight's File… opened in the
working directory."""

from __future__ import annotations

import shutil
from pathlib import Path

from paths import sample

from designer.ui import dialogs


def test_dialogs_start_beside_the_design_or_at_home(window, tmp_path: Path, monkeypatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_open_file", lambda parent, title, directory="", file_filter="": asked.append(directory) or None)
    window.importing.import_model()
    window.start_weights.load()
    assert asked == [str(Path.home())] * 2
    design = Path(shutil.copy(sample("xor_mlp"), tmp_path / "xor.nnd"))
    assert window.open_file(design)
    asked.clear()
    window.importing.import_model()
    window.start_weights.load()
    window.insight.panel.weights._on_activated(window.insight.panel.weights.count() - 1)  # File…
    assert asked == [str(tmp_path)] * 3
    assert dialogs.beside(None, ".onnx", "model") == str(Path.home() / "model.onnx")


def test_open_starts_beside_the_design_or_at_home(window, tmp_path: Path, monkeypatch) -> None:
    """Open wrote its own start folder: the working directory for a design not saved yet."""
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_open_path", lambda parent, directory="": asked.append(directory) or None)
    window.files.open()
    design = Path(shutil.copy(sample("xor_mlp"), tmp_path / "xor.nnd"))
    assert window.open_file(design)
    window.files.open()
    assert asked == [str(Path.home()), str(tmp_path)]
