"""Auto-layout wraps a long design to the canvas's shape; placement finds
free space for new nodes and makes room when one is inserted into a chain."""

from __future__ import annotations

import itertools

import pytest
from paths import SAMPLES

from designer.graph import Edge, Graph
from designer.graph.layout import (
    COLUMN_WIDTH,
    GAP,
    NODE_WIDTH,
    ROW_HEIGHT,
    auto_layout,
    fit_zoom,
    free_offset,
    free_position,
    node_rect,
    place_after,
    room_for_insert,
)
from designer.project import load_project


def chain(length: int) -> Graph:
    g = Graph()
    g.sequential(("Input", {"shape": [4]}), *[("Linear", {"out_features": 4})] * (length - 2), "Output")
    g.move_nodes({nid: (i * COLUMN_WIDTH, 0.0) for i, nid in enumerate(g.node_ids())})  # one column apart
    return g


def overlapping(g: Graph, positions: dict | None = None) -> list[tuple[str, str]]:
    rects = {nid: node_rect(g, nid, (positions or {}).get(nid)) for nid in g.node_ids()}
    return [(a, b) for a, b in itertools.combinations(rects, 2) if rects[a].overlaps(rects[b])]


def extent(g: Graph, positions: dict) -> tuple[float, float]:
    rects = [node_rect(g, nid, positions[nid]) for nid in g.node_ids()]
    return (max(r.x + r.width for r in rects) - min(r.x for r in rects), max(r.y + r.height for r in rects) - min(r.y for r in rects))


def test_without_room_a_chain_is_one_row() -> None:
    g = chain(6)
    positions = auto_layout(g)
    assert [positions[n] for n in g.node_ids()] == [(i * COLUMN_WIDTH, 0.0) for i in range(6)]


def test_a_long_chain_wraps_into_bands_that_fit_the_canvas() -> None:
    g = chain(12)
    room = (900.0, 520.0)
    wrapped = auto_layout(g, room)
    assert not overlapping(g, wrapped)
    rows = sorted({y for _, y in wrapped.values()})
    assert len(rows) > 1, "a 12-layer chain on a 900x520 canvas wraps"
    one_row = fit_zoom(extent(g, auto_layout(g)), room)
    assert fit_zoom(extent(g, wrapped), room) > 2 * one_row
    # each band reads left to right: the chain's order is kept row by row
    ordered = sorted(g.node_ids(), key=lambda n: (wrapped[n][1], wrapped[n][0]))
    assert ordered == list(g.node_ids())


def test_a_tall_canvas_gets_more_bands_than_a_wide_one() -> None:
    g = chain(12)
    tall = auto_layout(g, (500.0, 1400.0))
    wide = auto_layout(g, (1400.0, 500.0))
    assert len({y for _, y in tall.values()}) > len({y for _, y in wide.values()})


def test_a_short_chain_that_fits_stays_on_one_row() -> None:
    g = chain(4)
    assert {y for _, y in auto_layout(g, (1200.0, 600.0)).values()} == {0.0}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_samples_wrap_without_overlaps_or_cutting_through_a_block(path) -> None:
    g = load_project(path).graph
    positions = auto_layout(g, (880.0, 560.0))
    assert not overlapping(g, positions)
    # A band ends only where a single wire leads on (a residual block stays in one band):
    # every wire runs to the right, except one back into the start of each further band.
    backwards = [e for e in g.edges if positions[e.target][0] <= positions[e.source][0]]
    band_starts = [n for n in g.node_ids() if positions[n][0] == 0.0]
    assert len(backwards) == len(band_starts) - 1
    assert all(positions[e.target][0] == 0.0 for e in backwards)


def test_free_position_never_covers_a_node() -> None:
    g = chain(3)
    wanted = g.node("dense1").position
    spot = free_position(g, wanted)
    nid = g.add("ReLU", position=spot)
    assert spot != wanted and not overlapping(g)
    x, y = wanted
    assert g.node(nid).position == (x, y + ROW_HEIGHT), "the nearest free spot: right is taken by output1, so below"


def test_place_after_is_right_of_the_node_on_its_row() -> None:
    g = Graph()
    a = g.add("Input", shape=[4], position=(0.0, 0.0))
    x, y = place_after(g, a)
    assert x >= NODE_WIDTH + GAP and y == 0.0


def test_inserting_into_a_tight_chain_moves_the_downstream_nodes_right() -> None:
    g = chain(4)  # input1 -> dense1 -> dense2 -> output1, one column apart
    edge = g.inputs_of("dense2")[0]
    spot, moves = room_for_insert(g, edge)
    assert set(moves) == {"dense2", "output1"}
    assert all(moves[n][0] == g.node(n).position[0] + COLUMN_WIDTH for n in moves)
    g.move_nodes(moves)
    g.add("ReLU", id="new", position=spot)
    assert not overlapping(g)
    assert g.node("dense1").position[0] < spot[0] < g.node("dense2").position[0]


def test_inserting_where_there_is_room_moves_nothing() -> None:
    g = Graph()
    a = g.add("Input", shape=[4], position=(0.0, 0.0))
    b = g.add("Output", position=(3 * COLUMN_WIDTH, 0.0))
    g.connect(a, b)
    spot, moves = room_for_insert(g, Edge(a, b, 0))
    assert moves == {} and 0 < spot[0] < 3 * COLUMN_WIDTH


def test_a_pasted_group_lands_in_free_space() -> None:
    g = chain(3)
    rects = [node_rect(g, n) for n in g.node_ids()]
    dx, dy = free_offset(g, rects, (40.0, 40.0))
    copies = {f"copy_{n}": (g.node(n).position[0] + dx, g.node(n).position[1] + dy) for n in g.node_ids()}
    for nid, position in copies.items():
        g.add("ReLU", id=nid, position=position)
    assert not overlapping(g)
