"""One undo step per thing the user changed: typing into one field merges
into one step, a change of another parameter or another node is a step of
its own."""

from __future__ import annotations

import pytest
from paths import sample

from designer.document import Document


@pytest.fixture
def doc(qapp) -> Document:
    return Document.open(sample("digits_cnn"))


def _params(doc: Document, node: str) -> dict:
    return dict(doc.graph.node(node).params)


def test_changes_of_different_parameters_are_separate_steps(doc: Document) -> None:
    original = _params(doc, "conv1")
    doc.set_param("conv1", "out_channels", 20)
    doc.set_param("conv1", "kernel_size", 5)
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    assert doc.graph.node("conv1").params["kernel_size"] == original["kernel_size"]
    assert doc.graph.node("conv1").params["out_channels"] == 20
    doc.undo_stack.undo()
    assert _params(doc, "conv1") == original


def test_the_same_parameter_of_different_nodes_is_separate_steps(doc: Document) -> None:
    before = (doc.graph.node("conv1").params["out_channels"], doc.graph.node("conv2").params["out_channels"])
    doc.set_param("conv1", "out_channels", 20)
    doc.set_param("conv2", "out_channels", 40)
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    assert (doc.graph.node("conv1").params["out_channels"], doc.graph.node("conv2").params["out_channels"]) == (20, before[1])
    doc.undo_stack.undo()
    assert (doc.graph.node("conv1").params["out_channels"], doc.graph.node("conv2").params["out_channels"]) == before


def test_typing_merges_only_while_the_same_field_is_edited(doc: Document) -> None:
    original = doc.graph.node("conv1").params["out_channels"]
    for value in (2, 24):
        doc.set_param("conv1", "out_channels", value)
    doc.set_param("conv1", "stride", 2)
    for value in (3, 32):
        doc.set_param("conv1", "out_channels", value)
    assert doc.undo_stack.count() == 3
    doc.undo_stack.undo()
    assert doc.graph.node("conv1").params["out_channels"] == 24
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.graph.node("conv1").params["out_channels"] == original
    assert doc.graph.node("conv1").params["stride"] == 1


def test_a_merged_step_redoes_to_the_last_value(doc: Document) -> None:
    for value in (20, 21, 22):
        doc.set_param("conv1", "out_channels", value)
    doc.undo_stack.undo()
    doc.undo_stack.redo()
    assert doc.graph.node("conv1").params["out_channels"] == 22 and doc.undo_stack.count() == 1
