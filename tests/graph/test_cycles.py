"""Cycles of any length are refused before an edge is added, and a cycle
that only a broken file can hold is reported on every node in it."""

from __future__ import annotations

import pytest

from designer.graph import CycleError, Edge, Graph


def _chain(length: int) -> tuple[Graph, list[str]]:
    g = Graph("chain")
    ids = [g.add("Identity") for _ in range(length)]
    for source, target in zip(ids, ids[1:]):
        g.connect(source, target)
    return g, ids


@pytest.mark.parametrize("length", [2, 3, 4, 12])
def test_closing_a_chain_into_a_loop_is_refused_and_changes_nothing(length: int) -> None:
    g, ids = _chain(length)
    edges, revision = list(g.edges), g.revision
    with pytest.raises(CycleError, match=f"connecting {ids[-1]} -> {ids[0]} would make a cycle"):
        g.connect(ids[-1], ids[0])
    with pytest.raises(CycleError):
        g.check_connect(ids[-1], ids[0])
    assert list(g.edges) == edges and g.revision == revision


def test_a_loop_through_a_merge_is_refused() -> None:
    # a -> b -> add <- c; add -> d; closing d -> a goes round through the merge.
    g = Graph()
    a, b, c, add, d = g.add("Identity"), g.add("Identity"), g.add("Identity"), g.add("Add"), g.add("Identity")
    for source, target in [(a, b), (b, add), (c, add), (add, d)]:
        g.connect(source, target)
    with pytest.raises(CycleError):
        g.connect(d, a)
    with pytest.raises(CycleError):
        g.connect(d, c)
    assert g.connect(d, g.add("Identity")).source == d  # onwards is fine


def test_edges_that_close_no_loop_are_accepted() -> None:
    g, ids = _chain(4)
    g.connect(ids[0], g.add("Add"))
    assert g.connect(ids[3], "add1").port == 1  # a second path into the same node: a diamond, not a cycle


def test_reaches_follows_every_step_of_a_path() -> None:
    g, ids = _chain(5)
    assert g.reaches(ids[0], ids[1]) and g.reaches(ids[0], ids[4]) and g.reaches(ids[2], ids[2])
    assert not g.reaches(ids[4], ids[0]) and not g.reaches(ids[3], ids[1])


def test_a_three_node_cycle_from_a_file_is_reported_on_each_of_its_nodes() -> None:
    g = Graph()
    x = g.add("Input", shape=[4])
    a, b, c = g.add("Identity"), g.add("Identity"), g.add("Identity")
    out = g.add("Output")
    g.connect(x, a)
    g.connect(a, b)
    g.connect(b, c)
    g.connect(c, out)
    merge = g.add("Add")
    g.disconnect(g.inputs_of(a)[0])
    g.connect(x, merge)
    g.connect(merge, a)
    g.restore_edge(Edge(c, merge, 1))  # a -> b -> c -> add -> a: only a broken file can hold it
    cyclic = {p.node for p in g.validate() if p.code == "cycle"}
    assert cyclic == {a, b, c, merge}
    problem = next(p for p in g.validate() if p.code == "cycle" and p.node == b)
    assert "remove one of its edges" in problem.message
