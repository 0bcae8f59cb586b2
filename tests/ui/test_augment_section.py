"""The Data panel's augmentation group: its editors write ``data.augment``
through the document (one undo step each), grey what cannot apply to the
data, and a grid shows a few images beside augmented copies, made off the UI
thread."""

from __future__ import annotations

import shutil

import pytest
from paths import sample

from designer.document import Document
from designer.document.workers import running_workers
from designer.project import load_project
from designer.ui.training.augment_section import PREVIEW_IMAGES, PREVIEW_VARIANTS, AugmentSection


@pytest.fixture
def digits(tmp_path) -> Document:
    path = tmp_path / "digits_cnn.nnd"
    shutil.copy(sample("digits_cnn"), path)
    document = Document(load_project(path))
    document.refresh_data_spec()
    return document


def make_section(qtbot, document: Document) -> AugmentSection:
    section = AugmentSection(document)
    qtbot.addWidget(section)
    return section


def test_an_edit_is_one_undo_step_and_the_grid_shows_augmented_copies(qtbot, digits: Document) -> None:
    section = make_section(qtbot, digits)
    assert section.message.text().startswith("Set an option") and not section.grid.tiles
    before = digits.undo_stack.count()
    section.editors["rotate"].field.setText("20")
    section.editors["rotate"].field.editingFinished.emit()
    assert digits.project.data["augment"] == {"rotate": 20.0}
    assert digits.undo_stack.count() == before + 1 and section.clear.isEnabled()
    qtbot.waitUntil(lambda: len(section.grid.tiles) == PREVIEW_IMAGES * (PREVIEW_VARIANTS + 1), timeout=20_000)
    assert section.grid.columns == PREVIEW_VARIANTS + 1
    section.editors["rotate"].field.setText("0")
    section.editors["rotate"].field.editingFinished.emit()
    assert "augment" not in digits.project.data.as_dict()  # 0 is off and leaves the file as it was
    digits.undo_stack.undo()
    assert digits.project.data["augment"] == {"rotate": 20.0} and section.editors["rotate"].field.text() == "20"
    section.clear.click()
    assert digits.project.data["augment"] == {} and not section.clear.isEnabled()
    qtbot.waitUntil(lambda: not running_workers(), timeout=20_000)  # the preview asked for by the undo, dropped but still running


def test_a_bad_value_is_said_under_its_field_and_nothing_changes(qtbot, digits: Document) -> None:
    section = make_section(qtbot, digits)
    editor = section.editors["hflip"]
    editor.field.setText("2")
    editor.field.editingFinished.emit()
    assert not editor.error.isHidden() and "≤ 1" in editor.error.text()
    assert digits.project.data["augment"] == {}


def test_what_cannot_apply_to_the_data_is_greyed_with_the_reason(qtbot, digits: Document) -> None:
    section = make_section(qtbot, digits)
    assert section.editors["hflip"].isEnabled() and section.editors["mixup"].isEnabled()
    assert not section.editors["hue"].isEnabled() and "grayscale" in section.labels["hue"].toolTip()
    digits.set_settings("data", {"source": "spirals", "options": {}})
    assert not any(editor.isEnabled() for editor in section.editors.values())
    assert "applies to images" in section.reason.text() and section.fields.isHidden() and section.message.isHidden()  # only the reason
    digits.set_settings("data", {"source": "digits", "options": {}})
    assert not section.fields.isHidden() and section.reason.text() == ""


def test_opening_a_run_without_augmentation_turns_it_off(qtbot, digits: Document) -> None:
    from types import SimpleNamespace

    from designer.ui.training.run_actions import open_run_design

    plain = load_project(sample("digits_cnn"))
    digits.set_settings("data", {"augment": {"rotate": 10}})
    open_run_design(digits, SimpleNamespace(snapshot=plain, label="run 1"))  # type: ignore[arg-type]
    assert digits.project.data["augment"] == {}
    digits.undo_stack.undo()
    assert digits.project.data["augment"] == {"rotate": 10.0}
