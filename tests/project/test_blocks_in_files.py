"""Blocks in project files and block files: definitions saved once under
``blocks``, instances by name; a wrong or hostile block is refused with one
ProjectError naming the place, and nothing in it runs."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from paths import SAMPLES

from designer.graph import Graph
from designer.project import Project, ProjectError, dumps, load_project, loads, save_project
from designer.project.block_files import load_block, load_blocks, save_block


def _design() -> Graph:
    g = Graph("res")
    x = g.add("Input", shape=[4, 6, 6])
    c1 = g.add("Conv2d", out_channels=4, kernel_size=3, padding=1)
    r = g.add("ReLU")
    a = g.add("Add")
    o = g.add("Output")
    for s, t in [(x, c1), (c1, r), (r, a), (x, a), (a, o)]:
        g.connect(s, t)
    g.make_block([c1, r, a], "Residual")
    second = g.add_node("Residual").id
    g.disconnect(g.inputs_of("output1")[0])
    g.connect("block1", second)
    g.connect(second, "output1")
    return g


def _document() -> dict:
    return json.loads(dumps(Project(_design())))


def test_definitions_are_saved_once_and_instances_by_name(tmp_path: Path) -> None:
    document = _document()
    assert document["version"] == 2 and list(document["blocks"]) == ["Residual"]
    assert [n["type"] for n in document["nodes"]] == ["Input", "Residual", "Output", "Residual"]
    path = save_project(Project(_design()), tmp_path / "res.nnd")
    loaded = load_project(path)
    assert loaded.graph.analyze().ok and list(loaded.graph.blocks) == ["Residual"]
    assert dumps(loaded) == path.read_text(encoding="utf-8")


def test_files_without_blocks_stay_as_they_were() -> None:
    for path in SAMPLES:
        text = path.read_text(encoding="utf-8")
        document = json.loads(text)
        if "blocks" in document:
            continue
        assert document["version"] == 1 and dumps(load_project(path)) == text


def _hostile(change) -> dict:
    document = _document()
    change(document)
    return document


def _inner(document: dict) -> dict:
    return document["blocks"]["Residual"]


HOSTILE = {
    "unknown layer inside": (lambda d: _inner(d)["nodes"][1].__setitem__("type", "os.system"), "unknown layer type"),
    "itself inside": (lambda d: _inner(d)["nodes"][1].__setitem__("type", "Residual"), "cannot contain itself"),
    "bad name": (lambda d: d.__setitem__("blocks", {"__import__('os')": _inner(d)}), "cannot name a block"),
    "layer name": (lambda d: d.__setitem__("blocks", {"Conv2d": _inner(d)}), "is a layer type"),
    "not an object": (lambda d: d.__setitem__("blocks", ["Residual"]), "blocks: must be an object"),
    "nodes not a list": (lambda d: _inner(d).__setitem__("nodes", "x"), r"Residual\.nodes: must be a list"),
    "bad value": (lambda d: _inner(d)["nodes"][1]["params"].__setitem__("kernel_size", "exec"), r"nodes\[1\] \(conv1\)\.params\.kernel_size"),
    "unknown parameter": (lambda d: _inner(d)["nodes"][1]["params"].__setitem__("__class__", 1), "has no parameter"),
    "no output": (lambda d: _inner(d).__setitem__("nodes", _inner(d)["nodes"][:-1]), "not a node of this block"),
    "too many nodes": (lambda d: _inner(d).__setitem__("nodes", [copy.deepcopy(_inner(d)["nodes"][2])] * 1001), "at most 1,000"),
    "edge to nowhere": (lambda d: _inner(d)["edges"].append({"source": "x", "target": "nowhere"}), "not a node of this block"),
    "bad exposed": (lambda d: _inner(d).__setitem__("params", {"c": {"default": 4, "targets": [["ghost", "out_channels"]]}}), "not a node"),
    "description": (lambda d: _inner(d).__setitem__("description", {"x": 1}), "description: must be a text"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_wrong_or_hostile_blocks_are_refused_with_one_message(case: str) -> None:
    change, reason = HOSTILE[case]
    with pytest.raises(ProjectError, match=reason) as caught:
        loads(json.dumps(_hostile(change)), "res.nnd")
    assert "\n" not in str(caught.value) and str(caught.value).startswith("res.nnd: ")


def test_blocks_holding_each_other_are_refused() -> None:
    document = _document()
    other = copy.deepcopy(_inner(document))
    other["nodes"][1]["type"] = "Residual"
    _inner(document)["nodes"][1]["type"] = "Other"
    document["blocks"]["Other"] = other
    with pytest.raises(ProjectError, match=r"cannot contain itself \((Residual -> Other -> Residual|Other -> Residual -> Other)\)"):
        loads(json.dumps(document))


def test_block_file_round_trip(tmp_path: Path) -> None:
    g = _design()
    path = save_block(tmp_path / "residual.block.json", g.blocks["Residual"], g.blocks)
    assert load_block(path) == g.blocks["Residual"]
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "nn-designer-block"


def test_a_block_file_carries_the_blocks_it_holds(tmp_path: Path) -> None:
    g = _design()
    g.make_block(["block1", "block2"], "Twice")
    path = save_block(tmp_path / "twice.block.json", g.blocks["Twice"], g.blocks)
    assert list(load_blocks(path)) == ["Residual", "Twice"]
    fresh = Graph("fresh")
    for definition in load_blocks(path).values():
        fresh.add_block_definition(definition)
    assert fresh.blocks["Twice"] == g.blocks["Twice"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"format": "nn-designer", "version": 1}', "not a block file"),
        ('{"format": "nn-designer-block", "version": 99, "name": "A"}', "'version' must be"),
        ('{"format": "nn-designer-block", "version": 1, "name": "A", "nodes": [], "edges": []}', "0 Output nodes"),
        ("[" * 10_000 + "]" * 10_000, "nested"),
        ('{"format": "nn-designer-block", "version": 1, "name": "eval(1)"}', "cannot name a block"),
    ],
)
def test_a_wrong_block_file_is_refused_with_one_message(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "bad.block.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProjectError, match=reason) as caught:
        load_block(path)
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)


def test_a_design_standing_for_too_many_layers_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from designer.project import files

    monkeypatch.setattr(files, "MAX_EXPANDED_LAYERS", 5)  # the design: 2 instances of 3 layers, and 2 nodes
    with pytest.raises(ProjectError, match="holds 8 layers with its blocks expanded"):
        loads(json.dumps(_document()))
