"""Blocks in the design model: make, expand, detach, edit, rename and remove
definitions; shapes across the boundary; recursion and bad names refused."""

from __future__ import annotations

import pytest

import designer  # noqa: F401 - registers the layer catalog
from designer.graph import Graph, ShapeError, TensorSpec, format_summary, summarize
from designer.graph.blocks import BlockDefinition, BlockError, ExposedParam


def residual_design(channels: int = 8) -> tuple[Graph, list[str]]:
    g = Graph("res")
    x = g.add("Input", shape=[channels, 6, 6])
    c1 = g.add("Conv2d", out_channels=channels, kernel_size=3, padding=1)
    r = g.add("ReLU")
    c2 = g.add("Conv2d", out_channels=channels, kernel_size=3, padding=1)
    a = g.add("Add")
    f = g.add("Flatten")
    o = g.add("Output")
    for s, t in [(x, c1), (c1, r), (r, c2), (c2, a), (x, a), (a, f), (f, o)]:
        g.connect(s, t)
    return g, [c1, r, c2, a]


def exposed_channels(g: Graph, name: str = "ResidualBlock") -> BlockDefinition:
    definition = g.blocks[name]
    return definition.with_params({"channels": ExposedParam(8, (("conv1", "out_channels"), ("conv2", "out_channels")))})


def test_make_block_keeps_shapes_counts_and_wires() -> None:
    g, inner = residual_design()
    before = g.analyze()
    block = g.make_block(inner, "ResidualBlock")
    assert block == "block1" and g.node(block).type == "ResidualBlock"
    assert [e.source for e in g.inputs_of(block)] == ["input1"]
    assert [e.target for e in g.outputs_of(block)] == ["flatten1"]
    after = g.analyze()
    assert after.ok and after.output_of(block) == before.output_of("add1")
    assert after.total_params == before.total_params and after.total_macs == before.total_macs
    assert g.blocks["ResidualBlock"].input_ids == ["x"]
    assert g.spec(block).category == "Blocks" and g.spec(block).max_inputs == 1


def test_expand_gives_back_the_design() -> None:
    g, inner = residual_design()
    before = g.records()
    block = g.make_block(inner, "ResidualBlock")
    assert g.expand_block(block) == inner
    assert sorted(map(str, g.records()["edges"])) == sorted(map(str, before["edges"]))
    assert {n["id"]: n["params"] for n in g.records()["nodes"]} == {n["id"]: n["params"] for n in before["nodes"]}
    assert "ResidualBlock" in g.blocks  # the definition stays for more instances


def test_restore_of_a_snapshot_undoes_make_block_exactly() -> None:
    g, inner = residual_design()
    snapshot, records = g.snapshot(), g.records()
    g.make_block(inner, "ResidualBlock")
    g.restore(snapshot)
    assert g.records() == records and dict(g.blocks) == {}


@pytest.mark.parametrize(
    ("selection", "reason"),
    [
        (["conv1", "conv2", "add1"], "relu1 lies between selected layers"),
        (["loose1", "loose2"], "ends in 2 layers"),
        ([], "select the layers"),
        (["input1", "conv1"], "leave Input and Output"),
        (["conv1", "loose1", "relu1", "conv2", "add1"], "loose1 do not lead to add1"),
    ],
)
def test_selections_that_cannot_be_a_block_are_refused(selection: list[str], reason: str) -> None:
    g, _ = residual_design()
    g.connect("conv1", g.add("ReLU", id="loose1"))  # dead ends: warnings, but no block output
    g.add("ReLU", id="loose2")
    before = g.records()
    with pytest.raises(BlockError, match=reason):
        g.make_block(selection, "ResidualBlock")
    assert g.records() == before and not g.blocks


def test_two_outputs_leaving_are_refused() -> None:
    g, _ = residual_design()
    g.connect("relu1", g.add("Output", id="extra"))
    with pytest.raises(BlockError, match="feed layers outside the selection"):
        g.make_block(["conv1", "relu1", "conv2", "add1"], "ResidualBlock")


@pytest.mark.parametrize("name", ["residual", "Conv2d", "Res Block", "", "X" * 65, 3])
def test_bad_block_names_are_refused(name) -> None:
    g, inner = residual_design()
    with pytest.raises(BlockError):
        g.make_block(inner, name)
    assert len(g) == 7


def test_exposed_parameter_sets_every_instance_and_edit_once_changes_all() -> None:
    g, inner = residual_design()
    block = g.make_block(inner, "ResidualBlock")
    g.set_block_definition("ResidualBlock", exposed_channels(g))
    assert g.node(block).params == {"channels": 8}
    g.set_param(block, "channels", 4)  # conv2 then gives 4 channels to an Add with 8: a clear error on the instance
    problems = g.validate()
    assert problems and problems[0].node == block and "inner node add1" in problems[0].message
    g.set_param(block, "channels", 8)
    assert g.analyze().ok


def test_make_unique_detaches_one_instance() -> None:
    g, inner = residual_design()
    block = g.make_block(inner, "ResidualBlock")
    second = g.add_node("ResidualBlock").id
    g.make_unique(second, "ResidualBlock2")
    assert g.node(second).type == "ResidualBlock2" and g.node(block).type == "ResidualBlock"
    assert set(g.blocks) == {"ResidualBlock", "ResidualBlock2"}
    with pytest.raises(BlockError, match="already exists"):
        g.make_unique(block, "ResidualBlock2")


def test_remove_is_refused_while_used_and_rename_follows() -> None:
    g, inner = residual_design()
    block = g.make_block(inner, "ResidualBlock")
    with pytest.raises(BlockError, match="used by block1"):
        g.remove_block_definition("ResidualBlock")
    g.rename_block("ResidualBlock", "Res")
    assert g.node(block).type == "Res" and list(g.blocks) == ["Res"] and g.analyze().ok
    assert [e.source for e in g.inputs_of(block)] == ["input1"]
    g.expand_block(block)
    g.remove_block_definition("Res")
    assert not g.blocks


def test_a_block_cannot_contain_itself_directly_or_not() -> None:
    g, inner = residual_design()
    g.make_block(inner, "Outer")
    outer = g.blocks["Outer"]
    inner_graph = outer.build_graph(g.catalog)
    nested = BlockDefinition.from_graph("Outer", inner_graph)
    inner_graph.make_block(["conv1", "relu1", "conv2", "add1"], "Inner")  # an Inner block inside a copy of Outer
    g.add_block_definition(inner_graph.blocks["Inner"])
    holder = BlockDefinition.from_graph("Outer", inner_graph)
    g.set_block_definition("Outer", holder)  # Outer holds Inner: fine
    assert g.analyze().ok
    loop = inner_graph.blocks["Inner"].with_type_renamed("Conv2d", "Outer")  # Inner would hold Outer, which holds Inner
    with pytest.raises(BlockError, match="contain itself"):
        g.set_block_definition("Inner", loop)
    with pytest.raises(BlockError, match="contain itself"):
        g.set_block_definition("Outer", nested.with_type_renamed("Conv2d", "Outer"))


def test_summary_expands_per_block_without_counting_twice() -> None:
    g, inner = residual_design()
    total = summarize(g).total_params
    block = g.make_block(inner, "ResidualBlock")
    expanded = summarize(g, expand_blocks=True)
    assert expanded.total_params == total
    assert [r.node for r in expanded.rows if r.inside == block] == [f"{block}.{n}" for n in inner]
    row = next(r for r in expanded.rows if r.node == block)
    assert row.activation_bytes == sum(r.activation_bytes for r in expanded.rows if r.inside == block) == 4 * 8 * 6 * 6 * 4  # every tensor inside it
    assert summarize(g).total_activation_bytes == expanded.total_activation_bytes
    assert "block1.conv1" in format_summary(g, expand_blocks=True)
    assert "block1.conv1" not in format_summary(g)


def test_instance_inside_is_analysed_with_its_inputs() -> None:
    g, inner = residual_design()
    block = g.make_block(inner, "ResidualBlock")
    inside = g.block_inside(block)
    assert inside.analysis.output_of("conv1").shape == (8, 6, 6)
    g.set_param("input1", "shape", [8, 10, 10])
    assert g.block_inside(block).analysis.output_of("conv1").shape == (8, 10, 10)
    with pytest.raises(ShapeError, match="inside block ResidualBlock, inner node conv1"):
        g.spec(block).infer([TensorSpec((5,))], {})


def test_copied_instances_carry_their_definition_into_another_design() -> None:
    g, inner = residual_design()
    block = g.make_block(inner, "ResidualBlock")
    records = g.records([block])
    assert "ResidualBlock" in records["blocks"]
    other = Graph("other")
    mapping = other.paste(records)
    assert other.node(mapping[block]).type == "ResidualBlock" and "ResidualBlock" in other.blocks


def test_a_copy_of_the_catalog_carries_the_blocks() -> None:
    g, inner = residual_design()
    g.make_block(inner, "ResidualBlock")
    variant = Graph(g.name, g.catalog)
    variant.paste(g.records())
    assert variant.analyze().ok and "ResidualBlock" in variant.blocks


def _wrapped(g: Graph, inner_type: str, name: str, copies: int = 1) -> BlockDefinition:
    """A block holding ``copies`` instances of ``inner_type`` in a chain."""
    inner = Graph(name, g.catalog)
    ids = inner.sequential(("Input", {"shape": [8, 6, 6]}, "x"), *[inner_type] * copies, ("Output", {}, "out"))
    assert len(ids) == copies + 2
    return BlockDefinition.from_graph(name, inner)


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    from designer.graph.blocks import MAX_BLOCK_DEPTH

    g, inner = residual_design()
    g.make_block(inner, "Level0")
    for depth in range(1, MAX_BLOCK_DEPTH + 1):
        g.add_block_definition(_wrapped(g, f"Level{depth - 1}", f"Level{depth}"))
    with pytest.raises(BlockError, match=f"nest more than {MAX_BLOCK_DEPTH} deep"):
        g.add_block_definition(_wrapped(g, f"Level{MAX_BLOCK_DEPTH}", "TooDeep"))


def test_a_block_standing_for_too_many_layers_is_refused() -> None:
    g, inner = residual_design()
    g.make_block(inner, "Level0")  # 4 layers
    for depth in range(1, 5):
        g.add_block_definition(_wrapped(g, f"Level{depth - 1}", f"Level{depth}", copies=10))  # Level4: 40,000 layers
    with pytest.raises(BlockError, match="holds 400,000 layers"):
        g.add_block_definition(_wrapped(g, "Level4", "Level5", copies=10))
    assert "Level5" not in g.blocks


def test_editing_the_inside_of_a_block_changes_every_instance() -> None:
    g, inner = residual_design()
    block = g.make_block(inner, "ResidualBlock")
    g.set_block_definition("ResidualBlock", exposed_channels(g))
    second = g.add_node("ResidualBlock").id
    g.connect(block, second)
    inside = g.block_graph("ResidualBlock", block)
    assert inside.node("x").params["shape"] == (8, 6, 6)
    inside.remove_node("relu1")  # conv1 now feeds conv2 directly
    inside.connect("conv1", "conv2")
    inside.remove_node("conv2")  # and an exposed target goes away: channels keeps its other one
    inside.connect("conv1", "add1", 0)
    edited = g.blocks["ResidualBlock"].with_inside(inside)
    assert edited.params["channels"].targets == (("conv1", "out_channels"),)
    g.set_block_definition("ResidualBlock", edited)
    assert g.analyze().ok and g.analyze().total_params == 2 * (8 * 8 * 9 + 8)
    assert [r.node for r in summarize(g, expand_blocks=True).rows if r.inside == second] == [f"{second}.conv1", f"{second}.add1"]


def test_renaming_a_nested_block_renames_it_in_the_blocks_holding_it() -> None:
    g, inner = residual_design()
    block = g.make_block(inner, "Inner")
    outer = g.make_block([block], "Outer")
    g.rename_block("Inner", "Core")
    assert g.blocks["Outer"].node_types() == {"Input", "Core", "Output"} and "Inner" not in g.blocks
    assert g.node(outer).type == "Outer" and g.analyze().ok
