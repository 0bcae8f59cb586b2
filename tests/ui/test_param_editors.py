"""A parameter's editor: a refused value is marked on the field with the reason
under it; the next accepted value clears both. The reason's line is made only
when there is first something to say (a settings page holds dozens of editors)."""

from __future__ import annotations

from designer.params import FLOAT, Param
from designer.ui.param_editors import ERROR_STYLE, ParamEditor


def test_a_refused_value_is_marked_and_the_next_good_one_clears_it(qtbot) -> None:
    editor = ParamEditor(Param("rate", FLOAT, 0.1, "Learning rate.", min=0.0, max=1.0))
    qtbot.addWidget(editor)
    committed: list[tuple[str, object]] = []
    editor.committed.connect(lambda name, value: committed.append((name, value)))
    editor.set_value(0.1)
    assert editor._error is None and editor.field.styleSheet() == ""
    editor.field.setText("5")
    editor.field.editingFinished.emit()
    assert committed == [] and editor.field.styleSheet() == ERROR_STYLE
    assert not editor.error.isHidden() and "1" in editor.error.text()
    assert editor.layout().indexOf(editor.error) == editor.layout().count() - 1  # under the field
    editor.field.setText("0.5")
    editor.field.editingFinished.emit()
    assert committed == [("rate", 0.5)] and editor.field.styleSheet() == "" and editor.error.isHidden()
    editor.set_value(0.2)
    assert editor.field.text() == "0.2" and editor.error.isHidden()


def test_asking_for_the_reason_line_before_any_error_gives_a_hidden_one(qtbot) -> None:
    editor = ParamEditor(Param("rate", FLOAT, 0.1, "Learning rate."))
    qtbot.addWidget(editor)
    assert editor.error.isHidden() and editor.error.text() == "" and editor.error is editor.error
