"""Block edits through the document: each is one undo step, and undo and
redo bring back exactly the design there was (the saved file, byte for byte)."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from paths import sample

from designer.document import Document, LockedError
from designer.document.block_commands import DesignState
from designer.graph import EditError
from designer.project import dumps, loads

ROUND_TRIP_SAMPLES = ("residual_cnn", "digits_cnn", "spirals_mlp", "tokens_transformer", "digits_autoencoder")


@cache
def _text(stem: str) -> str:
    return sample(stem).read_text()


def _open(stem: str) -> Document:
    return Document(loads(_text(stem)))


def _same(document: Document, saved: str, state: DesignState) -> None:
    assert dumps(document.project) == saved
    assert DesignState.of(document.graph) == state


@pytest.fixture
def residual(qapp) -> Document:
    return _open("residual_cnn")


RESIDUAL = ["conv2", "bn2", "relu2", "conv3", "bn3", "add1"]


@given(stem=st.sampled_from(ROUND_TRIP_SAMPLES), data=st.data())
def test_make_block_expand_and_undo_give_the_identical_design(qapp, stem: str, data) -> None:
    document = _open(stem)
    order = [nid for nid in document.graph.analyze().order if document.graph.node(nid).type not in ("Input", "Output")]
    assume(order)
    start = data.draw(st.integers(0, len(order) - 1), label="start")
    length = data.draw(st.integers(1, len(order) - start), label="length")
    chosen = data.draw(st.sampled_from([order[start : start + length], data.draw(st.sets(st.sampled_from(order), min_size=1))]))
    before, before_state = dumps(document.project), DesignState.of(document.graph)
    try:
        instance = document.make_block(chosen, "PickedBlock")
    except EditError:
        assert document.undo_stack.count() == 0  # refused: nothing pushed, nothing changed
        _same(document, before, before_state)
        return
    made, made_state = dumps(document.project), DesignState.of(document.graph)
    assert document.undo_stack.count() == 1 and document.graph.is_block(instance)
    document.undo_stack.undo()
    _same(document, before, before_state)
    document.undo_stack.redo()
    _same(document, made, made_state)
    document.expand_block(instance)
    assert document.undo_stack.count() == 2
    document.undo_stack.undo()
    _same(document, made, made_state)
    document.undo_stack.undo()
    _same(document, before, before_state)


def test_make_block_is_one_step_and_refusals_push_nothing(residual: Document) -> None:
    with pytest.raises(EditError, match="CamelCase"):
        residual.make_block(RESIDUAL, "not a name")
    with pytest.raises(EditError):
        residual.make_block([], "Empty")
    assert residual.undo_stack.count() == 0
    instance = residual.make_block(RESIDUAL, "ResidualBlock")
    assert residual.undo_stack.count() == 1 and residual.undo_stack.undoText() == "Make block ResidualBlock"
    assert residual.graph.node(instance).type == "ResidualBlock"
    assert not residual.graph.analyze().errors


def test_make_unique_and_its_undo(residual: Document) -> None:
    instance = residual.make_block(RESIDUAL, "ResidualBlock")
    state = DesignState.of(residual.graph)
    residual.make_unique(instance, "WideBlock")
    assert residual.graph.node(instance).type == "WideBlock" and set(residual.graph.blocks) == {"ResidualBlock", "WideBlock"}
    residual.undo_stack.undo()
    assert DesignState.of(residual.graph) == state
    with pytest.raises(EditError, match="not a block"):
        residual.make_unique("conv1", "Other")


def test_a_definition_edit_changes_every_instance_and_undoes_in_one_step(residual: Document) -> None:
    from designer.document.block_document import BlockDocument

    first = residual.make_block(RESIDUAL, "ResidualBlock")
    definition = residual.graph.blocks["ResidualBlock"]
    second = residual.add_block("ResidualBlock", definition, (0.0, 500.0))
    residual.connect("relu1", second)
    assert residual.graph.node(second).type == "ResidualBlock"  # the same definition: no copy
    state, steps = DesignState.of(residual.graph), residual.undo_stack.count()
    inside = BlockDocument(residual, "ResidualBlock")
    inside.set_param("conv3", "out_channels", 24)  # the block's output no longer matches its skip wire
    assert residual.undo_stack.count() == steps + 1
    for instance in (first, second):
        assert residual.graph.analyze().output_of(instance) is None  # both instances broke alike
    assert any(p.node == first for p in residual.graph.analyze().errors)
    assert inside.analysis().errors, "the mistake shows inside the block too"
    residual.undo_stack.undo()
    assert DesignState.of(residual.graph) == state
    assert inside.graph.node("conv3").params["out_channels"] == 16, "the open inside follows the undo"
    residual.undo_stack.redo()
    assert inside.graph.node("conv3").params["out_channels"] == 24


def test_edits_inside_a_block_use_the_usual_document_edits(residual: Document) -> None:
    from designer.document.block_document import BlockDocument

    residual.make_block(RESIDUAL, "ResidualBlock")
    inside = BlockDocument(residual, "ResidualBlock")
    steps = residual.undo_stack.count()
    edge = next(e for e in inside.graph.edges if (e.source, e.target) == ("conv2", "bn2"))
    dropout = inside.insert_on_edge(edge, "Dropout2d")  # a macro of several pushes
    assert residual.undo_stack.count() == steps + 1
    assert dropout in {n["id"] for n in residual.graph.blocks["ResidualBlock"].nodes}
    residual.undo_stack.undo()
    assert dropout not in inside.graph and dropout not in {n["id"] for n in residual.graph.blocks["ResidualBlock"].nodes}


def test_the_inside_closes_when_its_block_is_undone(residual: Document) -> None:
    from designer.document.block_document import BlockDocument

    residual.make_block(RESIDUAL, "ResidualBlock")
    inside = BlockDocument(residual, "ResidualBlock")
    closed: list[bool] = []
    inside.closed.connect(lambda: closed.append(True))
    residual.undo_stack.undo()
    assert closed == [True] and not inside.is_open


def test_adding_a_block_whose_name_is_taken_by_another_definition(residual: Document) -> None:
    residual.make_block(RESIDUAL, "ResidualBlock")
    other = _open("residual_cnn")
    other.make_block(["conv4", "bn4", "relu4"], "ResidualBlock")
    imported = other.graph.blocks["ResidualBlock"]
    node_id = residual.add_block("ResidualBlock", imported, (0.0, 600.0))
    assert residual.graph.node(node_id).type == "ResidualBlock2"
    assert residual.graph.blocks["ResidualBlock2"].nodes == imported.nodes
    residual.undo_stack.undo()
    assert "ResidualBlock2" not in residual.graph.blocks


def test_block_edits_are_refused_while_the_design_is_locked(residual: Document) -> None:
    residual.set_locked("training")
    with pytest.raises(LockedError):
        residual.make_block(RESIDUAL, "ResidualBlock")
    assert not residual.graph.blocks and residual.undo_stack.count() == 0


def test_pasting_blocks_into_another_design_brings_their_definition_and_undoes_whole(residual: Document) -> None:
    instance = residual.make_block(RESIDUAL, "ResidualBlock")
    records = residual.graph.records([instance, "relu1"])
    other = _open("residual_cnn")
    state = DesignState.of(other.graph)
    new_ids = other.paste(records, (0.0, 800.0))
    assert other.undo_stack.count() == 1 and "ResidualBlock" in other.graph.blocks
    assert any(other.graph.node(nid).type == "ResidualBlock" for nid in new_ids)
    other.undo_stack.undo()
    assert DesignState.of(other.graph) == state


def test_exposing_a_layer_parameter_makes_it_the_blocks_own_in_one_step(residual: Document) -> None:
    from designer.document.block_document import BlockDocument

    instance = residual.make_block(RESIDUAL, "ResidualBlock")
    inside = BlockDocument(residual, "ResidualBlock")
    steps = residual.undo_stack.count()
    inside.expose("conv2", "out_channels", "channels")
    inside.expose("conv3", "out_channels", "channels")  # the same block parameter sets both
    assert residual.undo_stack.count() == steps + 2
    assert residual.graph.blocks["ResidualBlock"].params["channels"].targets == (("conv2", "out_channels"), ("conv3", "out_channels"))
    assert inside.exposed_as("conv3") == {"out_channels": "channels"}
    assert residual.graph.node(instance).params == {"channels": 16}
    residual.set_param(instance, "channels", 8)  # the skip wire brings 16 channels: the block no longer fits
    assert any(p.node == instance for p in residual.graph.analyze().errors)
    residual.undo_stack.undo()
    inside.unexpose("channels")
    assert not residual.graph.blocks["ResidualBlock"].params and residual.graph.node(instance).params == {}
    for _ in range(3):
        residual.undo_stack.undo()
    assert not residual.graph.blocks["ResidualBlock"].params
