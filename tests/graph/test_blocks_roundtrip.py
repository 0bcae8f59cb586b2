"""Make-block round trips over random connected selections of the samples:
expanding the new block gives the identical design (same nodes, values and
wires; only positions may move), and restoring the snapshot taken before
(what the window's undo does) gives it back exactly."""

from __future__ import annotations

import functools

from hypothesis import assume, given
from hypothesis import strategies as st
from paths import SAMPLES

from designer.graph import Graph
from designer.graph.blocks import BlockError
from designer.project import load_project


@functools.cache
def _sample_records(index: int) -> dict:
    return load_project(SAMPLES[index]).graph.snapshot()


def _design(index: int) -> Graph:
    graph = Graph("sample")
    graph.restore(_sample_records(index))
    return graph


@st.composite
def connected_selections(draw: st.DrawFn) -> tuple[int, list[str]]:
    """A sample and a connected set of its layers (never its Input or Output)."""
    index = draw(st.integers(0, len(SAMPLES) - 1))
    graph = _design(index)
    layers = [n.id for n in graph.nodes if n.type not in ("Input", "Output")]
    chosen = [draw(st.sampled_from(layers))]
    for _ in range(draw(st.integers(0, 6))):
        neighbours = sorted(
            {e.source for nid in chosen for e in graph.inputs_of(nid)} | {e.target for nid in chosen for e in graph.outputs_of(nid)}
        )
        neighbours = [n for n in neighbours if n in layers and n not in chosen]
        if not neighbours:
            break
        chosen.append(draw(st.sampled_from(neighbours)))
    return index, chosen


def _without_positions(graph: Graph) -> tuple[list, list]:
    nodes = sorted((n["id"], n["type"], repr(n["params"]), n.get("frozen"), n.get("lr_factor")) for n in graph.records()["nodes"])
    return nodes, sorted((e.source, e.target, e.port) for e in graph.edges)


@given(connected_selections())
def test_make_block_then_expand_gives_the_identical_design(case: tuple[int, list[str]]) -> None:
    index, chosen = case
    graph = _design(index)
    before, shapes = _without_positions(graph), graph.shapes()
    try:
        block = graph.make_block(chosen, "Chosen")
    except BlockError:
        assume(False)  # a selection with two outputs or a layer between its parts: refused, nothing changed
        return
    after = graph.shapes()
    assert {k: v for k, v in after.items() if k != block} == {k: v for k, v in shapes.items() if k in after and k != block}
    graph.expand_block(block)
    assert _without_positions(graph) == before
    assert graph.shapes() == shapes


@given(connected_selections())
def test_make_block_then_restore_is_exact(case: tuple[int, list[str]]) -> None:
    index, chosen = case
    graph = _design(index)
    snapshot, records, blocks = graph.snapshot(), graph.records(), dict(graph.blocks)
    try:
        graph.make_block(chosen, "Chosen")
    except BlockError:
        assert graph.records() == records and dict(graph.blocks) == blocks  # refused before any change
        return
    graph.restore(snapshot)
    assert graph.records() == records and dict(graph.blocks) == blocks
    assert [n.params for n in graph.nodes] == [dict(r["params"]) for r in snapshot["nodes"]]
