"""Freezing nodes and setting learning-rate factors: one undo step each, refused while locked."""

from __future__ import annotations

import pytest
from paths import sample

from designer.document import Document
from designer.document.document import LockedError
from designer.graph.errors import ParamError


@pytest.fixture
def doc(qapp) -> Document:
    return Document.open(sample("digits_cnn"))


def state(doc: Document, node: str) -> tuple[bool, float]:
    n = doc.graph.node(node)
    return n.frozen, n.lr_factor


def test_freezing_several_nodes_is_one_undo_step(doc: Document) -> None:
    doc.set_node_training(["conv1", "conv2"], frozen=True)
    assert doc.undo_stack.count() == 1 and doc.modified
    assert state(doc, "conv1") == state(doc, "conv2") == (True, 1.0)
    doc.undo_stack.undo()
    assert state(doc, "conv1") == state(doc, "conv2") == (False, 1.0) and not doc.modified
    doc.undo_stack.redo()
    assert state(doc, "conv2") == (True, 1.0)


def test_a_factor_is_checked_before_anything_is_pushed(doc: Document) -> None:
    with pytest.raises(ParamError):
        doc.set_node_training(["dense1"], lr_factor=-2)
    assert doc.undo_stack.count() == 0
    doc.set_node_training(["dense1"], lr_factor=0.1)
    doc.set_node_training(["dense1"], lr_factor=0.1)  # no change: no step
    assert doc.undo_stack.count() == 1 and state(doc, "dense1") == (False, 0.1)


def test_deleting_a_frozen_node_and_undoing_keeps_it_frozen(doc: Document) -> None:
    doc.set_node_training(["conv1"], frozen=True, lr_factor=0.5)
    doc.remove_nodes(["conv1"])
    doc.undo_stack.undo()
    assert state(doc, "conv1") == (True, 0.5)


def test_a_locked_design_refuses_freezing(doc: Document) -> None:
    doc.set_locked("training")
    with pytest.raises(LockedError):
        doc.set_node_training(["conv1"], frozen=True)
    assert state(doc, "conv1") == (False, 1.0)
