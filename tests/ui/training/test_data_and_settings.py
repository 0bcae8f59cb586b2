"""The data-source editor and the settings forms: they write through the
document (one undo step each), show a preview, what the data gives and
whether the design fits it, and the inspector shows the same editors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from trainingkit import tiny_project

from designer.ui import dialogs


def _editor(window):
    return window.training.panel.data_editor


def test_choosing_a_source_is_one_undo_step_and_shows_a_preview(window, qtbot, tiny) -> None:
    window.open_file(tiny)
    editor = _editor(window)
    qtbot.waitUntil(lambda: editor.preview.kind == "points", timeout=20_000)
    assert "2 classes" in editor.facts.text() and "fit this data" in editor.fit.text()
    before = window.document.undo_stack.count()
    editor.source.setCurrentIndex(editor.source.findData("digits"))
    doc = window.document
    assert doc.project.data["source"] == "digits" and doc.project.data["options"] == {}
    assert doc.undo_stack.count() == before + 1 and doc.data_spec.input.shape == (1, 8, 8)
    qtbot.waitUntil(lambda: editor.preview.kind == "images", timeout=20_000)
    assert len(editor.preview.images.tiles) == 16
    assert "does not fit" in editor.fit.text() and "input1" in editor.fit.text()
    codes = [p.code for p in doc.analysis().problems]
    assert "data-input" in codes and "data-output" in codes  # the canvas and the problems list show it too
    problems = [window.problems.topLevelItem(i).text(2) for i in range(window.problems.topLevelItemCount())]
    assert any("digits data" in p for p in problems)
    inspector = window.inspector.project_settings.data_editor
    assert inspector.source.currentData() == "digits" and inspector.preview is None  # the same editor, without a preview
    doc.undo_stack.undo()
    assert doc.project.data["source"] == "spirals" and doc.project.data["options"] == {"samples": 200}
    assert editor.source.currentData() == "spirals" and doc.data_spec.input.shape == (2,)


def test_option_editors_come_from_the_source_declaration(window, qtbot, tiny) -> None:
    window.open_file(tiny)
    editor = _editor(window)
    assert set(editor.option_editors) == {"samples", "noise", "classes"}
    editor.option_editors["classes"].field.setValue(3)
    assert window.document.project.data["options"] == {"samples": 200, "classes": 3}
    assert window.document.data_spec.num_classes == 3 and "does not fit" in editor.fit.text()
    qtbot.waitUntil(lambda: editor.preview.kind == "points" and len(editor.preview.plot.getPlotItem().items) == 3, timeout=20_000)


def test_a_csv_file_is_read_in_the_background_and_previewed_as_a_table(window, qtbot, tmp_path, monkeypatch) -> None:
    path = tiny_project(tmp_path / "tiny.nnd")
    rng = np.random.default_rng(0)
    rows = ["a,b,label"] + [f"{x:.3f},{y:.3f},{'yes' if x > y else 'no'}" for x, y in rng.normal(size=(60, 2))]
    (tmp_path / "points.csv").write_text("\n".join(rows) + "\n")
    window.open_file(path)
    editor = _editor(window)
    with qtbot.waitSignal(window.document.data_spec_changed, timeout=20_000):
        editor.source.setCurrentIndex(editor.source.findData("csv"))
    qtbot.waitUntil(lambda: "no file chosen" in editor.facts.text(), timeout=20_000)
    monkeypatch.setattr(dialogs, "ask_open_file", lambda *args: str(tmp_path / "points.csv"))
    editor.option_editors["path"].browse.click()
    qtbot.waitUntil(lambda: window.document.data_spec is not None, timeout=20_000)
    assert window.document.project.data["options"]["path"] == "points.csv"  # relative to the project's folder
    assert window.document.data_spec.input.shape == (2,) and window.document.data_spec.num_classes == 2
    qtbot.waitUntil(lambda: editor.preview.kind == "table", timeout=20_000)
    assert editor.preview.table.horizontalHeaderItem(2).text() == "label" and editor.preview.table.rowCount() > 0


def test_a_bad_data_file_is_one_clear_problem(window, qtbot, tmp_path: Path) -> None:
    window.open_file(tiny_project(tmp_path / "tiny.nnd"))
    doc = window.document
    doc.set_settings("data", {"source": "npz", "options": {"path": "nowhere.npz"}})
    qtbot.waitUntil(lambda: bool(doc.data_problems), timeout=20_000)
    assert doc.data_spec is None and "nowhere.npz" in doc.data_problems[0].message
    editor = _editor(window)
    assert "nowhere.npz" in editor.facts.text()
    qtbot.waitUntil(lambda: editor.preview.kind == "error", timeout=20_000)
    assert window.problems.topLevelItem(0).text(2).startswith("the data cannot be used")
    assert not window.training.start() and "the data cannot be used" in window.training.panel.controls.message.text()


def test_settings_that_do_not_apply_are_greyed_and_edits_go_through_the_document(window, tiny) -> None:
    window.open_file(tiny)
    form = window.training.panel.settings_form
    assert not form.editors["momentum"].field.isEnabled() and "sgd and rmsprop" in form.editors["momentum"].field.toolTip()
    form.editors["optimizer"].field.setCurrentText("sgd")
    assert window.document.project.training["optimizer"] == "sgd" and form.editors["momentum"].field.isEnabled()
    inspector = window.inspector.project_settings.training_form
    assert inspector.editors["optimizer"].field.currentText() == "sgd" and inspector.editors["momentum"].field.isEnabled()
    device = form.editors["device"].field
    assert [device.itemData(i) for i in range(device.count())] == ["auto", "cpu", "cuda", "mps"]
    window.document.undo_stack.undo()
    assert form.editors["optimizer"].field.currentText() == "adam"


def test_device_labels_say_what_is_there() -> None:
    from designer.ui.training.devices import Devices

    cpu_only = Devices(None, False, 4)
    assert cpu_only.label("auto") == "auto: CPU, 4 threads" and cpu_only.label("cuda") == "cuda (not available here)"
    gpu = Devices("NVIDIA H100 80GB HBM3", False, 16)
    assert gpu.label("auto") == "auto: CUDA: NVIDIA H100 80GB HBM3" and gpu.label("cuda") == "CUDA: NVIDIA H100 80GB HBM3"


def test_a_long_device_name_does_not_widen_the_inspector(qtbot) -> None:
    from designer.params import Param
    from designer.ui.training.devices import Devices
    from designer.ui.training.settings_form import DeviceEditor

    editor = DeviceEditor(Param("device", "choice", "auto", "where to train", choices=("auto", "cpu", "cuda", "mps")))
    qtbot.addWidget(editor)
    editor._on_devices_found(Devices(None, False, 2))
    short = editor.minimumSizeHint().width()
    gpu = Devices("NVIDIA H100 80GB HBM3 with a very long marketing name", False, 16)
    editor._on_devices_found(gpu)
    assert editor.minimumSizeHint().width() == short  # the field cuts the label ...
    field = editor.field
    assert field.itemText(0) == gpu.label("auto") and field.itemData(0, Qt.ItemDataRole.ToolTipRole) == gpu.label("auto")
    assert field.view().minimumWidth() > field.fontMetrics().horizontalAdvance(gpu.label("auto")) > short  # ... its list shows it whole
