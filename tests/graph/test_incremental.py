"""The analysis kept across edits gives what a fresh one gives: any sequence
of edits (nodes, wires, parameters, renames, a block's definition), analysed
after some of them, yields the same order, shapes, counts and problems as
analysing the final design from scratch."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

import designer  # noqa: F401 - registers the layer catalog
from designer.graph import DataSpec, Edge, EditError, Graph, TensorSpec
from designer.graph.analysis import Analysis, analyze

TYPES = ("Linear", "ReLU", "Add", "Concat", "Flatten", "Output", "Input", "Body")


def start() -> Graph:
    """Input -> Linear -> [ReLU -> Linear as block Body] -> Add -> Output, and Input -> Linear -> Add."""
    g = Graph("incremental")
    x, first, relu, second = g.add("Input", shape=[8]), g.add("Linear", out_features=6), g.add("ReLU"), g.add("Linear", out_features=4)
    side, add, out = g.add("Linear", out_features=4), g.add("Add"), g.add("Output")
    for source, target in [(x, first), (first, relu), (relu, second), (second, add), (x, side), (side, add), (add, out)]:
        g.connect(source, target)
    g.make_block([relu, second], "Body")
    return g


def content(analysis: Analysis) -> tuple:
    nodes = [(nid, info.output, info.inferred, info.param_count, info.macs) for nid, info in analysis.nodes.items()]
    problems = [(p.severity, p.message, p.node, p.code, p.suggestion) for p in analysis.problems]
    return analysis.order, nodes, problems


def edit(g: Graph, data: st.DataObject) -> None:
    """One random edit; one the model refuses changes nothing."""
    ids = g.node_ids()
    kind = data.draw(st.sampled_from(["add", "remove", "connect", "wire back", "disconnect", "param", "rename", "block"]))
    pick = (lambda: data.draw(st.sampled_from(ids))) if ids else None
    try:
        if kind == "add" or pick is None:
            g.add(data.draw(st.sampled_from(TYPES)))
        elif kind == "remove":
            g.remove_node(pick())
        elif kind == "connect":
            g.connect(pick(), pick())
        elif kind == "wire back":  # as undo does, unchecked: a broken file's cycle can arise
            source, target = pick(), pick()
            port = g.free_port(target)
            if port is not None:
                g.restore_edge(Edge(source, target, port))
        elif kind == "disconnect" and g.edges:
            g.disconnect(data.draw(st.sampled_from(g.edges)))
        elif kind == "param":
            node = g.node(pick())
            if node.type == "Linear":
                g.set_param(node.id, data.draw(st.sampled_from(["out_features", "bias"])), data.draw(st.sampled_from([4, 6, True, False])))
            elif node.type == "Input":
                g.set_param(node.id, "shape", data.draw(st.sampled_from([[8], [6], [2, 4]])))
            elif node.type == "Concat":
                g.set_param(node.id, "dim", data.draw(st.sampled_from([0, 1, -1])))
        elif kind == "rename":
            g.rename_node(pick(), data.draw(st.sampled_from(["a", "b", "dense1"])))
        elif kind == "block":  # every instance follows the new inside
            inner = g.block_graph("Body")
            linear = next(n.id for n in inner.nodes if n.type == "Linear")
            inner.set_param(linear, "out_features", data.draw(st.sampled_from([3, 4, 6])))
            g.set_block_definition("Body", g.blocks["Body"].with_inside(inner))
    except (EditError, ValueError, KeyError):
        pass


@given(st.data())
def test_edits_analysed_incrementally_match_a_fresh_analysis(data: st.DataObject) -> None:
    g = start()
    spec = DataSpec(TensorSpec((8,)), "classification", num_classes=4)
    for _ in range(data.draw(st.integers(1, 12))):
        edit(g, data)
        if data.draw(st.booleans()):  # several edits may pass between two analyses
            with_data = spec if data.draw(st.booleans()) else None
            assert content(g.analyze(with_data)) == content(analyze(g, with_data))
    assert content(g.analyze()) == content(analyze(g))


def test_an_unchanged_node_keeps_its_result_and_an_edit_reinfers_downstream() -> None:
    g = start()
    before = g.analyze()
    g.set_param("dense1", "out_features", 5)
    after = g.analyze()
    assert after.nodes["input1"] is before.nodes["input1"]  # kept: upstream of the edit
    assert after.nodes["dense1"] is not before.nodes["dense1"]
    assert after.output_of("block1") == before.output_of("block1") and after.nodes["block1"].inferred != before.nodes["block1"].inferred


def test_a_new_block_definition_reinfers_its_instances() -> None:
    g = start()
    assert g.analyze().output_of("block1") == TensorSpec((4,)) and g.analyze().ok
    inner = g.block_graph("Body")
    linear = next(n.id for n in inner.nodes if n.type == "Linear")
    inner.set_param(linear, "out_features", 3)
    g.set_block_definition("Body", g.blocks["Body"].with_inside(inner))
    after = g.analyze()
    assert after.output_of("block1") == TensorSpec((3,)) and [p.node for p in after.errors] == ["add1"]


def test_a_wire_closing_a_cycle_clears_the_shapes_in_it_and_removing_it_brings_them_back() -> None:
    g = start()
    before = content(g.analyze())
    g.restore_edge(Edge("output1", "add1", 2))  # unchecked, as a broken file's wiring arrives
    assert content(g.analyze()) == content(analyze(g))
    assert g.analyze().output_of("add1") is None and {p.code for p in g.analyze().problems_for("add1")} == {"cycle"}
    g.disconnect(Edge("output1", "add1", 2))
    assert content(g.analyze()) == before


def long_chain(layers: int) -> Graph:
    """Input, ``layers`` Linear/ReLU layers, Output: every shape follows from the first."""
    g = Graph("chain")
    previous = g.add("Input", shape=[8])
    for i in range(layers):
        node = g.add("Linear", out_features=6 + i % 3) if i % 2 == 0 else g.add("ReLU")
        g.connect(previous, node)
        previous = node
    g.connect(previous, g.add("Output"))
    return g


def remove_and_put_back(g: Graph, node_ids: list[str]) -> Callable[[], None]:
    """Remove nodes with their edges; the returned function puts them back, as undo does
    (each at its old place: the lowest index first, whatever order they were named in)."""
    removed = [(g.index_of(nid), g.node(nid)) for nid in node_ids]
    edges = list(dict.fromkeys(e for nid in node_ids for e in g.inputs_of(nid) + g.outputs_of(nid)))
    g.remove_nodes(node_ids)

    def put_back() -> None:
        with g.batch():
            for index, node in sorted(removed, key=lambda entry: entry[0]):
                g.add_node(node.type, dict(node.params), node_id=node.id, position=node.position, check=False, index=index)
            for edge in edges:
                g.restore_edge(edge)

    return put_back


def test_deleting_early_in_a_long_chain_and_undoing_it_takes_every_result_back() -> None:
    g = long_chain(40)
    before = g.analyze()
    put_back = remove_and_put_back(g, ["dense2"])
    deleted = g.analyze()
    assert content(deleted) == content(analyze(g))
    after_it = g.node_ids()[g.node_ids().index("relu1") + 1 :]
    assert all(deleted.output_of(nid) is None for nid in after_it)  # cut off the Input: no shape after it
    put_back()
    undone = g.analyze()
    assert content(undone) == content(before) == content(analyze(g))
    assert all(undone.nodes[nid] is before.nodes[nid] for nid in g.node_ids() if nid != "dense2")  # the same results, not recomputed


@given(st.data())
def test_deletes_undos_and_edits_on_a_long_chain_match_a_fresh_analysis(data: st.DataObject) -> None:
    g = long_chain(24)
    undo: list = []
    for _ in range(data.draw(st.integers(1, 10))):
        kind = data.draw(st.sampled_from(["delete", "undo", "param", "input"]))
        ids = g.node_ids()
        if kind == "delete" and len(ids) > 2:
            undo.append(remove_and_put_back(g, data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))))
        elif kind == "undo" and undo:
            undo.pop()()
        elif kind == "param":
            linear = [nid for nid in ids if g.node(nid).type == "Linear"]
            if linear:
                g.set_param(data.draw(st.sampled_from(linear)), "out_features", data.draw(st.sampled_from([5, 6, 7])))
        elif kind == "input" and "input1" in g:
            g.set_param("input1", "shape", data.draw(st.sampled_from([[8], [4], [2, 4]])))
        if data.draw(st.booleans()):
            assert content(g.analyze()) == content(analyze(g))
    while undo:
        undo.pop()()
        assert content(g.analyze()) == content(analyze(g))


@given(st.data())
def test_the_order_is_networkx_lexicographical_topological_order(data: st.DataObject) -> None:
    """Layers first by their place in the design, then each only after its inputs,
    whether or not the design's own order already puts every input first."""
    import networkx as nx

    count = data.draw(st.integers(1, 12))
    rank = data.draw(st.permutations(range(count)))  # the wiring's order; the node order is the list's
    g = Graph("order")
    ids = [g.add("Add") for _ in range(count)]
    for _ in range(data.draw(st.integers(0, 20))):
        a, b = data.draw(st.sampled_from(ids)), data.draw(st.sampled_from(ids))
        if rank[ids.index(a)] < rank[ids.index(b)]:
            g.restore_edge(Edge(a, b, g.free_port(b)))
    wiring = nx.DiGraph()
    wiring.add_nodes_from(ids)
    wiring.add_edges_from((e.source, e.target) for e in g.edges)
    assert g.analyze().order == list(nx.lexicographical_topological_sort(wiring, key=ids.index))
