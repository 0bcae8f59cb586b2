"""Views built on a bare document (no main window): settings forms show what
the settings declare, refusals reach the user, and a destroyed view is never
called by the model's events again."""

from __future__ import annotations

from paths import sample
from PySide6.QtWidgets import QWidget

from designer.document import Document
from designer.project.settings import TRAINING
from designer.ui.problems_panel import ProblemsPanel
from designer.ui.training.settings_form import SettingsForm


def test_a_setting_that_does_not_apply_is_greyed_with_the_reason(qtbot) -> None:
    document = Document()
    form = SettingsForm(document, "training", TRAINING)
    qtbot.addWidget(form)
    momentum = form.editors["momentum"].field
    assert not momentum.isEnabled() and "used by sgd and rmsprop only" in momentum.toolTip()
    document.set_setting("training", "optimizer", "sgd")  # the form follows the document, not its own widgets
    assert momentum.isEnabled() and "Not used now" not in momentum.toolTip()
    document.undo_stack.undo()
    assert not momentum.isEnabled()


def test_a_refused_setting_is_said_and_the_editor_shows_the_kept_value(qtbot) -> None:
    document = Document()
    form = SettingsForm(document, "training", TRAINING)
    qtbot.addWidget(form)
    document.set_locked("run 1 is training")
    with qtbot.waitSignal(form.refused) as refused:
        form.editors["epochs"].committed.emit("epochs", 99)
    assert "locked" in refused.args[0] and document.project.training["epochs"] == 20
    assert document.undo_stack.count() == 0


def test_a_destroyed_view_is_no_longer_called_by_graph_events(qtbot) -> None:
    document = Document.open(sample("spirals_mlp"))
    changed = document.graph.events.changed
    before = len(changed)
    holder = QWidget()
    qtbot.addWidget(holder)
    panel = ProblemsPanel(document, holder)
    assert len(changed) == before + 1
    panel.deleteLater()
    qtbot.waitUntil(lambda: len(changed) == before)  # cut when Qt destroys it, though Python still holds `panel`
    node = next(iter(document.graph.nodes)).id
    document.move_nodes({node: document.graph.node(node).position}, {node: (5.0, 5.0)})  # would call into a dead widget
