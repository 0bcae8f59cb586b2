"""The overfitting flag on the loss plot (the Dropout sample without its
Dropout overfits, with it not; driven by recorded epoch metrics) and the
learning-rate finder dialog: it sweeps, applies its suggestion, Undo restores."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import sample
from trainingkit import tiny_project as tiny_spirals

from designer.project import load_project
from designer.train import Callbacks, Trainer, TrainSettings, load_bundle, prepare
from designer.ui.training.lr_finder import LrFinderDialog
from designer.ui.training.panel import TrainingPanel


def without_dropout(project) -> None:
    graph = project.graph
    for node in [n.id for n in graph.nodes if n.type == "Dropout"]:
        source = graph.inputs_of(node)[0].source
        targets = [(e.target, e.port) for e in graph.outputs_of(node)]
        graph.remove_node(node)
        for target, port in targets:
            graph.connect(source, target, port)


def recorded_epochs(dropout: bool) -> list:
    project = load_project(sample("cancer_dropout"))
    if not dropout:
        without_dropout(project)
    bundle = load_bundle(project)
    epochs: list = []
    settings = TrainSettings.from_mapping(project.training, device="cpu", epochs=25)
    Trainer(prepare(project, bundle), bundle, settings, Callbacks(on_epoch=epochs.append)).run()
    return epochs


@pytest.mark.parametrize("dropout", [False, True])
def test_the_overfitting_flag_shows_without_dropout_and_not_with(qtbot, dropout: bool) -> None:
    panel = TrainingPanel()
    qtbot.addWidget(panel)
    live = panel.live
    live.show_overfitting(recorded_epochs(dropout=False))  # a previous run that overfit ...
    assert live.overfitting.problem is not None
    problem = live.show_overfitting(recorded_epochs(dropout))  # ... is cleared by one that does not
    flag = live.overfitting
    if dropout:
        assert problem is None and flag.text == "" and flag.region.scene() is None
    else:
        assert problem is not None and flag.region.scene() is not None
        start, end = flag.region.getRegion()
        assert start == problem.epoch - 1 and end == 25
        assert f"from epoch {problem.epoch}" in flag.text and "Dropout" in flag.text and "weight decay" in flag.text
        assert flag.gap > 0 and f"{flag.gap:.3g}" in flag.text


def test_the_lr_finder_applies_its_suggestion_and_undo_restores(window, qtbot, tmp_path: Path) -> None:
    window.open_file(tiny_spirals(tmp_path / "tiny.nnd", samples=400))
    document = window.document
    before = document.project.training["learning_rate"]
    with qtbot.waitSignal(window.lr_finder_action.triggered):
        window.lr_finder_action.trigger()
    dialog = window.findChild(LrFinderDialog)
    qtbot.waitExposed(dialog)
    plot_height = dialog.plot.height()
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=60_000)
    assert dialog.result is not None and dialog.apply_button.isEnabled()
    x, _ = dialog.smooth.getData()
    assert len(x) >= 8 and "Suggested learning rate" in dialog.status.text()
    qtbot.wait(50)  # laid out with the result's two lines: the plot kept its room, under the buttons' row
    buttons = dialog.apply_button.parentWidget()
    assert dialog.plot.height() == plot_height and dialog.plot.geometry().bottom() < buttons.geometry().top()
    assert dialog.apply()
    assert document.project.training["learning_rate"] == dialog.suggestion != before
    document.undo_stack.undo()
    assert document.project.training["learning_rate"] == before
    dialog.close()


def test_the_lr_finder_can_be_cancelled(window, qtbot, tmp_path: Path) -> None:
    window.open_file(tiny_spirals(tmp_path / "tiny.nnd", samples=2000))
    dialog = window.find_learning_rate()
    with qtbot.waitSignal(dialog.ended, timeout=60_000, check_params_cb=lambda found: not found):
        dialog.cancel()
    assert dialog.result is None and not dialog.apply_button.isEnabled() and "Cancelled" in dialog.status.text()
    dialog.close()
