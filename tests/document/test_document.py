"""Document edits: one command each, undo/redo back to the identical design,
refused edits push nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import SAMPLES

from designer.document import Document, fixes_for
from designer.document.clipboard import from_mime, to_mime
from designer.graph import CycleError, DataSpec, DuplicateIdError, Edge, InvalidIdError, ParamError, PortError, TensorSpec
from designer.project import dumps


@pytest.fixture
def doc(qapp) -> Document:
    return Document.open(next(p for p in SAMPLES if p.stem == "digits_cnn"))


def snapshot(doc: Document) -> str:
    return dumps(doc.project)


def _edits(doc: Document):
    edge = doc.graph.inputs_of("relu1")[0]
    return [
        ("add", lambda: doc.add_node("Dropout", (5, 5))),
        ("delete", lambda: doc.remove_nodes(["conv2", "relu2"])),
        ("disconnect", lambda: doc.disconnect(edge)),
        ("connect", lambda: doc.connect("flatten1", doc.add_node("Identity"))),
        ("param", lambda: doc.set_param("conv1", "out_channels", 24)),
        ("move", lambda: doc.move_nodes({"conv1": doc.graph.node("conv1").position}, {"conv1": (1.0, 2.0)})),
        ("paste", lambda: doc.paste(doc.graph.records(["conv1", "relu1"]))),
        ("layout", doc.auto_layout),
        ("rename", lambda: doc.rename_node("dense1", "hidden")),
        ("insert", lambda: doc.insert_on_edge(edge, "BatchNorm2d", (0, 0))),
        ("setting", lambda: doc.set_setting("training", "epochs", 3)),
        ("name", lambda: doc.set_name("Renamed")),
    ]


@pytest.mark.parametrize("index", range(12))
def test_each_edit_undoes_and_redoes_to_the_identical_design(doc: Document, index: int) -> None:
    name, edit = _edits(doc)[index]
    if name == "layout":
        doc.graph.move_nodes({"pool1": (999.0, 999.0)})  # untidy the sample first (not an undoable edit)
    before = snapshot(doc)
    edit()
    after = snapshot(doc)
    assert after != before, name
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert snapshot(doc) == before
    while doc.undo_stack.canRedo():
        doc.undo_stack.redo()
    assert snapshot(doc) == after


def test_refused_edits_push_nothing(doc: Document) -> None:
    with pytest.raises(CycleError):
        doc.connect("dense2", "dense2")
    with pytest.raises(PortError):
        doc.connect("input1", "relu1")
    with pytest.raises(ParamError):
        doc.set_param("conv1", "kernel_size", 0)
    with pytest.raises(InvalidIdError):
        doc.rename_node("conv1", "not valid")
    with pytest.raises(DuplicateIdError):
        doc.rename_node("conv1", "conv2")
    assert doc.undo_stack.count() == 0 and not doc.modified


def test_modified_follows_the_clean_state(doc: Document, tmp_path: Path, qtbot) -> None:
    with qtbot.waitSignal(doc.modified_changed) as blocker:
        doc.set_param("conv1", "out_channels", 8)
    assert blocker.args == [True] and doc.modified
    doc.save(tmp_path / "copy.nnd")
    assert not doc.modified and doc.path == tmp_path / "copy.nnd"
    doc.undo_stack.undo()
    assert doc.modified


def test_parameter_typing_merges_into_one_step(doc: Document) -> None:
    for value in (20, 21, 22):
        doc.set_param("conv1", "out_channels", value)
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.graph.node("conv1").params["out_channels"] == 16


def test_clipboard_round_trip_and_garbage(doc: Document) -> None:
    records = from_mime(to_mime(doc.graph.records(["conv1", "relu1"])))
    assert records and [n["id"] for n in records["nodes"]] == ["conv1", "relu1"]
    from PySide6.QtCore import QMimeData

    junk = QMimeData()
    junk.setText("hello")
    assert from_mime(junk) is None


def test_quick_fix_inserts_flatten(qapp) -> None:
    doc = Document()
    a = doc.add_node("Input", params={"shape": [1, 8, 8]})
    b = doc.add_node("Linear")
    c = doc.add_node("Output")
    doc.connect(a, b)
    doc.connect(b, c)
    (problem,) = doc.graph.validate()
    (fix,) = fixes_for(doc, problem)
    fix.apply()
    assert doc.graph.validate() == []
    doc.undo_stack.undo()
    assert len(doc.graph) == 3


def test_quick_fix_projects_channels(qapp) -> None:
    doc = Document()
    x = doc.add_node("Input", params={"shape": [3, 8, 8]})
    a, b = (
        doc.add_node("Conv2d", params={"out_channels": 8, "padding": 1}),
        doc.add_node("Conv2d", params={"out_channels": 16, "padding": 1}),
    )
    add, out = doc.add_node("Add"), doc.add_node("Output")
    for src, dst in [(x, a), (x, b), (a, add), (b, add), (add, out)]:
        doc.connect(src, dst)
    (problem,) = doc.graph.validate()
    (fix,) = fixes_for(doc, problem)
    fix.apply()
    assert doc.graph.validate() == []
    assert doc.undo_stack.count() == 11  # five adds, five connects, then the fix as one step
    doc.undo_stack.undo()
    assert [p.code for p in doc.graph.validate()] == ["channel-mismatch"]


def test_a_layer_deleted_from_a_chain_is_mended_by_quick_fixes(doc: Document) -> None:
    """Deleting the digits CNN's Flatten leaves pool2's output unused and dense1
    without input: the fix connects them, the next one puts a Flatten back."""
    doc.remove_nodes(["flatten1"])
    missing = next(p for p in doc.graph.validate() if p.node == "dense1")
    fixes = fixes_for(doc, missing)
    assert [f.title for f in fixes] == ["Connect pool2 to it"]
    fixes[0].apply()
    (flatten,) = [p for p in doc.graph.validate() if p.node == "dense1"]
    assert flatten.code == "linear-needs-flatten"
    fixes_for(doc, flatten)[0].apply()
    assert doc.graph.validate() == []


def test_no_connect_fix_that_would_make_a_cycle(qapp) -> None:
    doc = Document()
    x, a, b, out = doc.add_node("Input"), doc.add_node("Linear"), doc.add_node("ReLU"), doc.add_node("Output")
    doc.connect(a, b)  # b's output goes nowhere, but a feeds it: b -> a would be a cycle
    problems = {p.node: p for p in doc.graph.validate() if p.code == "missing-input"}
    assert {p.node for p in doc.graph.validate() if p.code == "unused"} == {x, b}
    assert [f.title for f in fixes_for(doc, problems[a])] == [f"Connect {x} to it"]
    assert {f.title for f in fixes_for(doc, problems[out])} == {f"Connect {x} to it", f"Connect {b} to it"}


def test_quick_fix_from_data_mismatch(qapp) -> None:
    doc = Document()
    x, d, o = doc.add_node("Input"), doc.add_node("Linear", params={"out_features": 5}), doc.add_node("Output")
    doc.connect(x, d)
    doc.connect(d, o)
    data = DataSpec(TensorSpec((4,)), "classification", num_classes=3, name="iris")
    for problem in doc.graph.validate(data):
        for fix in fixes_for(doc, problem):
            fix.apply()
    assert doc.graph.validate(data) == []


def test_splice_free_node_onto_edge(doc: Document) -> None:
    free = doc.add_node("Dropout")
    edge = doc.graph.inputs_of("dense2")[0]
    doc.splice_node(free, edge)
    assert doc.graph.inputs_of("dense2")[0].source == free
    assert doc.graph.inputs_of(free)[0] == Edge(edge.source, free, 0)
