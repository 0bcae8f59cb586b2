"""The mouse wheel over a field the user has not clicked into scrolls the
panel around it and leaves the value (and the project) as it was; a
focused field takes the wheel as usual."""

from __future__ import annotations

from paths import sample
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QScrollArea, QSpinBox


def wheel(widget, steps: int = 1) -> None:
    """A wheel turn of ``steps`` notches away from the user, over the middle of ``widget``."""
    at = QPointF(widget.rect().center())
    event = QWheelEvent(
        at,
        QPointF(widget.mapToGlobal(at.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def scroll_area_of(widget) -> QScrollArea:
    parent = widget.parentWidget()
    while not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent


def test_wheel_over_an_unfocused_spin_box_scrolls_the_data_panel(window, qtbot) -> None:
    window.open_file(sample("spirals_mlp"))
    window.training.show_panel()
    editor = window.training.panel.data_editor
    spin = editor.option_editors["samples"].field
    assert isinstance(spin, QSpinBox)
    before = spin.value()
    area = scroll_area_of(spin)
    area.resize(area.width(), 120)  # a short panel: there is something to scroll
    qtbot.waitUntil(lambda: area.verticalScrollBar().maximum() > 0)
    area.verticalScrollBar().setValue(0)
    window.view.setFocus()
    wheel(spin, 1)
    assert spin.value() == before and not window.document.modified
    assert area.verticalScrollBar().value() > 0, "the panel scrolled instead"
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    wheel(spin, -1)  # towards the user: up
    assert spin.value() != before, "a focused field still takes the wheel"
    window.document.undo_stack.setClean()


def test_wheel_over_unfocused_lists_in_the_settings_and_inspector_keeps_their_choice(window) -> None:
    window.open_file(sample("digits_cnn"))
    fields = [w for w in window.training.panel.settings_form.findChildren(QComboBox) if w.isEnabled()]
    fields += [w for kind in (QComboBox, QSpinBox) for w in window.inspector.findChildren(kind) if w.isEnabled()]
    assert len(fields) >= 3
    window.view.setFocus()
    before = [f.currentIndex() if isinstance(f, QComboBox) else f.value() for f in fields]
    for field in fields:
        wheel(field, 1)
        wheel(field, -2)
    after = [f.currentIndex() if isinstance(f, QComboBox) else f.value() for f in fields]
    assert after == before and not window.document.modified


def test_a_node_selected_after_scrolling_the_project_settings_shows_from_its_top(window, qtbot) -> None:
    window.open_file(sample("digits_cnn"))
    inspector = window.inspector
    bar = inspector.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)  # the project's settings are long
    bar.setValue(bar.maximum())
    window.scene.select_nodes(["conv1"])
    assert bar.value() == 0
    field = inspector.node_inspector.id_field
    qtbot.waitUntil(lambda: not field.visibleRegion().isEmpty())
