"""Train > Load Weights into Design…: the report, one undo step, and a run that starts from the loaded weights."""

from __future__ import annotations

import shutil
from pathlib import Path

import torch
from paths import sample

from designer.compile import compile_design
from designer.project import load_project
from designer.project.weights import save_weights
from designer.train.transfer import read_source
from designer.ui import dialogs
from designer.ui.training.worker import TrainingRun


def pretrained(tmp_path: Path) -> tuple[Path, dict[str, torch.Tensor]]:
    """Weights of the digits CNN with every value 0.5, as if trained."""
    project = load_project(sample("digits_cnn"))
    state = {k: torch.full_like(v, 0.5) for k, v in compile_design(project.graph).new_module().state_dict().items()}
    return save_weights(tmp_path / "pretrained.safetensors", state, project.graph.fingerprint()), state


def test_loading_weights_reports_each_layer_and_is_one_undo_step(window, tmp_path: Path, monkeypatch) -> None:
    path, _ = pretrained(tmp_path)
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_text", lambda parent, title, text: shown.append(text))
    copy = tmp_path / "digits.nnd"
    shutil.copy(sample("digits_cnn"), copy)
    window.open_file(copy)
    document = window.document
    document.set_param("dense2", "out_features", 5)  # a new head: it keeps its initialisation
    report = window.start_weights.load(str(path))
    assert report.loaded == ["conv1", "conv2", "dense1"] and report.kept == ["dense2"]
    assert "dense2</b></td><td>kept its initialisation: shape differs: weight is 5x64 here, 10x64 in the file" in shown[0]
    assert document.start_weights is not None and document.undo_stack.count() == 2
    document.undo_stack.undo()
    assert document.start_weights is None
    document.undo_stack.redo()
    window.start_weights.clear()
    assert document.start_weights is None and document.undo_stack.count() == 3


def test_a_file_that_is_not_weights_is_one_error(window, tmp_path: Path) -> None:
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"nothing")
    assert window.start_weights.load(str(junk)) is None
    assert window.errors and "not a safetensors weights file" in window.errors[0][1]
    assert window.document.start_weights is None


def test_a_run_starts_from_the_loaded_weights_and_keeps_frozen_ones(qtbot, tmp_path: Path) -> None:
    path, state = pretrained(tmp_path)
    project = load_project(sample("digits_cnn"))
    project.training.update({"epochs": 1})
    project.graph.set_node_training("conv1", frozen=True)
    run = TrainingRun(project, start=read_source(path))
    with qtbot.waitSignal(run.ended, timeout=60_000) as ended:
        run.start()
    assert run.wait(10_000)
    result = ended.args[0].result
    assert torch.equal(result.last_state["conv1.weight"], state["conv1.weight"])  # loaded, then frozen
    assert not torch.equal(result.last_state["conv2.weight"], state["conv2.weight"])  # loaded, then trained


def test_frozen_layers_with_fresh_weights_are_said_before_and_after_the_run(window, qtbot, tmp_path: Path, monkeypatch) -> None:
    """The transfer sample trained without its pretrained weights kept its frozen convolutions
    random and 'finished' near chance; the panel now says why, at the start and at the end."""
    monkeypatch.setattr(dialogs, "show_text", lambda parent, title, text: None)
    copy = tmp_path / "digits.nnd"
    shutil.copy(sample("digits_cnn"), copy)
    window.open_file(copy)
    document, panel = window.document, window.training.panel
    document.set_node_training(["conv1", "conv2"], frozen=True)
    document.set_setting("training", "epochs", 1)
    with qtbot.waitSignal(panel.running_changed, timeout=60_000, check_params_cb=lambda running: not running):
        assert panel.start()
        assert panel.controls.message.text().startswith("conv1, conv2 are frozen with fresh random weights and will not learn")
    assert "; conv1, conv2 are frozen with fresh random weights and will not learn" in panel.controls.message.text()
    path, _ = pretrained(tmp_path)
    window.start_weights.load(str(path))
    with qtbot.waitSignal(panel.running_changed, timeout=60_000, check_params_cb=lambda running: not running):
        assert panel.start()
        assert panel.controls.message.text() == ""  # they start from the loaded weights: nothing to say
    assert "fresh random" not in panel.controls.message.text()
