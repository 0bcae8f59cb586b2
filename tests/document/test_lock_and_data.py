"""The document's lock (a training run uses the design), several settings as
one undo step, and the data spec kept current with the data settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import sample

from designer.document import Document, LockedError
from designer.graph import ParamError
from designer.project import dumps


@pytest.fixture
def doc(qapp) -> Document:
    return Document.open(sample("digits_cnn"))


def test_a_locked_document_refuses_every_edit(doc: Document) -> None:
    before, count = dumps(doc.project), doc.undo_stack.count()
    reasons: list[str] = []
    doc.locked_changed.connect(reasons.append)
    doc.set_locked("Run 1 is training")
    edits = [
        lambda: doc.add_node("ReLU"),
        lambda: doc.remove_nodes(["relu1"]),
        lambda: doc.set_param("conv1", "out_channels", 8),
        lambda: doc.rename_node("conv1", "first"),
        lambda: doc.set_setting("training", "epochs", 3),
        lambda: doc.set_settings("data", {"source": "iris"}),
        lambda: doc.set_name("Other"),
        lambda: doc.move_nodes({"conv1": doc.graph.node("conv1").position}, {"conv1": (5.0, 5.0)}),
        lambda: doc.macro("Paste"),
    ]
    for edit in edits:
        with pytest.raises(LockedError, match="Run 1 is training"):
            edit()
    assert dumps(doc.project) == before and doc.undo_stack.count() == count and doc.locked
    doc.set_locked(None)
    doc.set_setting("training", "epochs", 3)
    assert reasons == ["Run 1 is training", ""] and not doc.locked


def test_several_settings_are_one_undo_step(doc: Document) -> None:
    doc.set_settings("data", {"source": "spirals", "options": {"samples": 300}, "seed": 4})
    assert doc.undo_stack.count() == 1 and doc.project.data["options"] == {"samples": 300}
    doc.undo_stack.undo()
    assert doc.project.data["source"] == "digits" and doc.project.data["seed"] == 0
    doc.undo_stack.redo()
    assert doc.project.data["seed"] == 4
    doc.set_settings("data", {"source": "spirals"})  # nothing changes: nothing pushed
    assert doc.undo_stack.count() == 1


@pytest.mark.parametrize(
    ("section", "values", "message"),
    [
        ("training", {"epochs": 0}, "training.epochs: must be a whole number ≥ 1"),
        ("training", {"optimizer": "adam", "learnig_rate": 0.1}, "training.learnig_rate: unknown setting"),
        ("data", {"validation_split": 2.0}, "data.validation_split: must be a number"),
        ("data", {"source": "spirals", "options": {"classes": "three"}}, "data.options: spirals: option classes"),
        ("data", {"options": {"no_such_option": 1}}, "unknown option 'no_such_option'"),
        ("data", {"source": 3}, "data.source: must be a name"),
    ],
)
def test_a_bad_setting_is_refused_before_anything_is_pushed(doc: Document, section: str, values: dict, message: str) -> None:
    before = doc.project.data.as_dict(), doc.project.training.as_dict()
    with pytest.raises(ParamError) as refused:
        doc.set_settings(section, values)
    assert message in str(refused.value)
    assert doc.undo_stack.count() == 0 and (doc.project.data.as_dict(), doc.project.training.as_dict()) == before


def test_settings_say_when_a_setting_is_not_used(doc: Document) -> None:
    training = doc.project.training
    assert training.unused_reason("momentum") == "used by sgd and rmsprop only"
    doc.set_setting("training", "optimizer", "sgd")
    assert training.unused_reason("momentum") == ""
    assert training.unused_reason("epochs") == ""


def test_settings_events_name_the_keys_that_changed(doc: Document) -> None:
    seen: list[tuple[str, ...]] = []
    doc.project.training.changed.connect(seen.append)
    doc.set_settings("training", {"epochs": 7, "seed": 0, "learning_rate": 0.01})  # seed is unchanged
    doc.undo_stack.undo()
    assert seen == [("epochs", "learning_rate"), ("epochs", "learning_rate")]


def test_the_data_spec_follows_the_data_settings(doc: Document) -> None:
    assert doc.data_spec.input.shape == (1, 8, 8) and doc.data_spec.num_classes == 10 and doc.data_problems == []
    changes: list[int] = []
    doc.data_spec_changed.connect(lambda: changes.append(1))
    doc.set_settings("data", {"source": "spirals", "options": {"classes": 3}})
    assert doc.data_spec.input.shape == (2,) and doc.data_spec.num_classes == 3 and changes == [1]
    codes = {p.code for p in doc.analysis().problems}
    assert {"data-input", "data-output"} <= codes
    doc.undo_stack.undo()
    assert doc.data_spec.input.shape == (1, 8, 8) and not {p.code for p in doc.analysis().problems} & {"data-input", "data-output"}


def test_a_data_file_is_described_in_the_background(qtbot, tmp_path: Path) -> None:
    import numpy as np

    np.savez(tmp_path / "data.npz", x=np.zeros((20, 3), np.float32), y=np.arange(20) % 2)
    doc = Document()
    doc.save(tmp_path / "p.nnd")
    doc.set_settings("data", {"source": "npz", "options": {"path": "data.npz"}})
    assert doc.describing_data and doc.data_spec is None
    qtbot.waitUntil(lambda: not doc.describing_data, timeout=20_000)
    assert doc.data_spec.input.shape == (3,) and doc.data_problems == []
    doc.set_settings("data", {"source": "npz", "options": {"path": "gone.npz"}})
    qtbot.waitUntil(lambda: not doc.describing_data, timeout=20_000)
    assert doc.data_spec is None and "gone.npz" in doc.data_problems[0].message
    doc.set_settings("data", {"source": "nonsense"})
    assert "unknown data source" in doc.data_problems[0].message  # described at once: nothing to read
