"""Edits on the design model: each refuses bad input before changing anything."""

from __future__ import annotations

import pytest

from designer.graph import (
    CycleError,
    DuplicateIdError,
    Edge,
    Graph,
    InvalidIdError,
    ParamError,
    PortError,
    UnknownLayerError,
    UnknownNodeError,
)


@pytest.fixture
def chain() -> Graph:
    g = Graph("chain")
    g.sequential(("Input", {"shape": [4]}), ("Linear", {"out_features": 8}), "ReLU", ("Linear", {"out_features": 2}), "Output")
    return g


def test_ids_are_readable_and_stable(chain: Graph) -> None:
    assert chain.node_ids() == ["input1", "dense1", "relu1", "dense2", "output1"]
    chain.remove_node("dense2")
    assert chain.add("Linear") == "dense3"  # never reuses an id within a session


def test_params_merge_defaults_and_normalise() -> None:
    g = Graph()
    node = g.add_node("Conv2d", {"out_channels": 8, "kernel_size": [3, 5]})
    assert node.params["kernel_size"] == (3, 5)
    assert node.params["stride"] == 1
    assert g.add_node("Conv2d", {"kernel_size": "3x3"}).params["kernel_size"] == (3, 3)


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("out_channels", 0, "≥ 1"),
        ("out_channels", "many", "whole number"),
        ("kernel_size", [3, 3, 3], "like 3x3"),
        ("bias", 1, "true or false"),
        ("padding", "half", "'same'"),
    ],
)
def test_set_param_refuses_bad_values_without_change(chain: Graph, name: str, value, fragment: str) -> None:
    g = Graph()
    conv = g.add("Conv2d")
    revision = g.revision
    with pytest.raises(ParamError, match=fragment) as info:
        g.set_param(conv, name, value)
    assert info.value.param == name
    assert g.revision == revision


def test_unknown_layer_and_param() -> None:
    g = Graph()
    with pytest.raises(UnknownLayerError):
        g.add("Conv3d")
    with pytest.raises(ParamError, match="has no parameter 'units'"):
        g.add("Linear", units=3)


def test_connect_refuses_cycles_taken_ports_and_self_loops(chain: Graph) -> None:
    with pytest.raises(PortError, match="all inputs of dense1 are taken"):
        chain.connect("relu1", "dense1")
    with pytest.raises(PortError, match="already fed by"):
        chain.connect("input1", "relu1", 0)
    with pytest.raises(CycleError):
        chain.connect("relu1", "relu1")
    with pytest.raises(PortError, match="does not exist"):
        chain.connect("input1", "relu1", 3)
    with pytest.raises(UnknownNodeError):
        chain.connect("nope", "relu1")


def test_cycle_refused_on_a_free_port() -> None:
    g = Graph()
    a, b = g.add("Identity"), g.add("Add")
    g.connect(a, b)
    with pytest.raises(CycleError, match="would make a cycle"):
        g.connect(b, a)


def test_variadic_merges_take_the_next_port() -> None:
    g = Graph()
    a, b, c, add = g.add("Identity"), g.add("Identity"), g.add("Identity"), g.add("Add")
    assert [g.connect(x, add).port for x in (a, b, c)] == [0, 1, 2]


def test_events_fire_once_per_batch(chain: Graph) -> None:
    seen: list[str] = []
    chain.events.changed.connect(lambda: seen.append("changed"))
    chain.events.node_removed.connect(lambda node: seen.append(f"removed {node.id}"))
    chain.remove_nodes(["relu1", "dense2"])
    assert seen == ["removed relu1", "removed dense2", "changed"]


def test_remove_returns_what_undo_needs(chain: Graph) -> None:
    node, edges = chain.remove_node("relu1")
    assert node.type == "ReLU"
    assert set(edges) == {Edge("dense1", "relu1", 0), Edge("relu1", "dense2", 0)}
    chain.add_node(node.type, node.params, node_id=node.id, position=node.position)
    for edge in edges:
        chain.restore_edge(edge)
    assert not chain.validate()


def test_move_and_set_param_fire_only_on_real_change(chain: Graph) -> None:
    fired: list[tuple] = []
    chain.events.param_changed.connect(lambda *a: fired.append(a))
    chain.events.node_moved.connect(lambda *a: fired.append(a))
    chain.set_param("dense1", "out_features", 8)
    chain.move_node("dense1", chain.node("dense1").position)
    assert fired == []
    chain.set_param("dense1", "out_features", 16)
    chain.move_node("dense1", (5, 6))
    assert fired == [("dense1", "out_features", 16), ("dense1", (5.0, 6.0))]


def test_rename_keeps_edges_and_refuses_bad_ids(chain: Graph) -> None:
    chain.rename_node("dense1", "hidden")
    assert [e.source for e in chain.inputs_of("relu1")] == ["hidden"]
    with pytest.raises(DuplicateIdError):
        chain.rename_node("hidden", "relu1")
    with pytest.raises(InvalidIdError):
        chain.rename_node("hidden", "class")
    with pytest.raises(InvalidIdError):
        chain.rename_node("hidden", "2x")


def test_copy_paste_renames_taken_ids(chain: Graph) -> None:
    copied = chain.records(["dense1", "relu1"])
    assert copied["edges"] == [{"source": "dense1", "target": "relu1", "port": 0}]
    mapping = chain.paste(copied, offset=(10, 20))
    assert set(mapping) == {"dense1", "relu1"}
    new_dense, new_relu = mapping["dense1"], mapping["relu1"]
    assert new_dense not in ("dense1",) and chain.node(new_dense).params["out_features"] == 8
    assert chain.inputs_of(new_relu) == [Edge(new_dense, new_relu, 0)]


def test_bad_paste_changes_nothing(chain: Graph) -> None:
    before = chain.records()
    with pytest.raises(ParamError):
        chain.paste(
            {
                "nodes": [{"id": "a", "type": "Linear", "params": {}}, {"id": "b", "type": "Linear", "params": {"out_features": -1}}],
                "edges": [],
            }
        )
    assert chain.records() == before


def test_fingerprint_ignores_positions_but_not_params(chain: Graph) -> None:
    first = chain.fingerprint()
    chain.move_node("dense1", (100, 100))
    assert chain.fingerprint() == first
    chain.set_param("dense1", "out_features", 9)
    assert chain.fingerprint() != first
