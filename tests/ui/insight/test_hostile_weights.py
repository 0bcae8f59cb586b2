"""Weights files that do not fit, or are not weights at all, loaded into the
Insight panel: each is refused with one line, the panel goes back to the
design's initialised weights, and the window stays."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from paths import sample

from designer.insight import Inspector
from designer.project import load_project
from designer.project.weights import save_weights

SPIRALS = sample("spirals_mlp")
WAIT_MS = 60_000


@pytest.fixture(autouse=True)
def _one_thread(one_torch_thread) -> None:
    """The panel runs small models: one torch thread."""


def _own_state() -> tuple[dict[str, torch.Tensor], str]:
    project = load_project(SPIRALS)
    return dict(Inspector(project).module.state_dict()), project.graph.fingerprint()


def _wrong_shape(path: Path) -> Path:
    state, fingerprint = _own_state()
    name = next(iter(state))
    state[name] = torch.zeros(3, 3)
    return save_weights(path, state, fingerprint)


def _missing_tensor(path: Path) -> Path:
    state, fingerprint = _own_state()
    state.pop(next(iter(state)))
    return save_weights(path, state, fingerprint)


def _not_weights(path: Path) -> Path:
    path.write_bytes(b"\x10\0\0\0\0\0\0\0" + b'{"a":{"dtype":"F32","shape":[1099511627776],"data_offsets":[0,4]}}')
    return path


@pytest.mark.parametrize("make", [_wrong_shape, _missing_tensor, _not_weights])
def test_weights_that_do_not_fit_are_refused_and_the_window_stays(qtbot, window, tmp_path: Path, make: Callable[[Path], Path]) -> None:
    assert window.open_file(SPIRALS)
    panel = window.insight.panel
    with qtbot.waitSignal(panel.outputs_shown, timeout=WAIT_MS):
        window.insight.show_panel()
    path = make(tmp_path / "hostile.safetensors")
    with qtbot.waitSignal(panel.runner.failed, timeout=WAIT_MS):
        panel.load_weights_file(path)
    assert panel.problem.isVisibleTo(panel) and "hostile" not in panel.weights.currentText()
    assert panel.weights_choice.key[0] == "seed"
    with qtbot.waitSignal(panel.outputs_shown, timeout=WAIT_MS):
        panel.picker.number.setValue(1)
    assert window.isVisible()
