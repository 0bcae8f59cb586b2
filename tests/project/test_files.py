"""Project files: round trip, one-line diffs, atomic saves, clear errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from paths import SAMPLES

from designer.graph import Graph
from designer.project import FORMAT, VERSION, Project, ProjectError, dumps, load_project, loads, save_project
from designer.project import files as project_files


def small_project() -> Project:
    g = Graph("small")
    g.sequential(
        ("Input", {"shape": [1, 8, 8]}),
        ("Conv2d", {"out_channels": 4, "kernel_size": [3, 5]}),
        "Flatten",
        ("Linear", {"out_features": 10}),
        "Output",
    )
    return Project(g, "a test")


def test_round_trip_is_identical(tmp_path: Path) -> None:
    project = small_project()
    path = save_project(project, tmp_path / "small.nnd")
    loaded = load_project(path)
    assert dumps(loaded) == dumps(project)
    assert loaded.graph.node("conv1").params["kernel_size"] == (3, 5)
    assert loaded.path == path


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_samples_load_check_clean_and_save_unchanged(sample: Path) -> None:
    project = load_project(sample)
    assert project.graph.validate() == []
    assert dumps(project) == sample.read_text(encoding="utf-8")


def test_one_parameter_change_is_a_one_line_diff() -> None:
    project = small_project()
    before = dumps(project).splitlines()
    project.graph.set_param("conv1", "out_channels", 8)
    after = dumps(project).splitlines()
    assert len(before) == len(after)
    assert [(a, b) for a, b in zip(before, after) if a != b] == [('        "out_channels": 4,', '        "out_channels": 8,')]


def test_key_order_is_stable() -> None:
    document = json.loads(dumps(small_project()))
    assert list(document) == ["format", "version", "name", "description", "nodes", "edges", "data", "training", "view"]
    assert list(document["nodes"][0]) == ["id", "type", "params", "position"]


def test_interrupted_save_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save_project(small_project(), tmp_path / "p.nnd")
    old = path.read_text()

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    changed = load_project(path)
    changed.graph.set_param("dense1", "out_features", 3)
    with pytest.raises(OSError):
        save_project(changed)
    assert path.read_text() == old
    assert [p.name for p in tmp_path.iterdir()] == ["p.nnd"]  # no temporary file left behind


def _document() -> dict:
    return json.loads(dumps(small_project()))


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: "not json {", "JSON error at line 1"),
        (lambda d: [1, 2], "top level must be a JSON object"),
        (lambda d: {**d, "format": "keras"}, "'format' must be"),
        (lambda d: {**d, "version": VERSION + 1}, "newer designer"),
        (lambda d: {**d, "version": "one"}, "'version' must be"),
        (lambda d: {k: v for k, v in d.items() if k != "nodes"}, "missing field 'nodes'"),
        (lambda d: {**d, "nodes": d["nodes"] + [{"id": "x1", "type": "Conv3d"}]}, r"nodes\[5\] \(x1\): unknown layer type 'Conv3d'"),
        (lambda d: {**d, "nodes": [{**d["nodes"][0], "params": {"shape": "big"}}] + d["nodes"][1:]}, r"nodes\[0\] \(input1\).params.shape"),
        (lambda d: {**d, "nodes": [{**d["nodes"][0], "params": {"colour": 1}}] + d["nodes"][1:]}, "has no parameter 'colour'"),
        (lambda d: {**d, "nodes": [{**d["nodes"][0], "position": "here"}] + d["nodes"][1:]}, "position: must be"),
        (lambda d: {**d, "nodes": d["nodes"] + [d["nodes"][0]]}, "already exists"),
        (lambda d: {**d, "edges": d["edges"] + [{"source": "ghost", "target": "conv1"}]}, "source 'ghost' is not a node"),
        (lambda d: {**d, "edges": d["edges"] + [{"source": "input1", "target": "conv1", "port": 0}]}, "already taken"),
        (lambda d: {**d, "training": {"epochs": "many"}}, "training.epochs"),
        (lambda d: {**d, "training": {"colour": 1}}, "training.colour: unknown setting"),
        (lambda d: {**d, "nodes": 3}, "'nodes' must be a list"),
        (lambda d: "NaN", "NaN is not allowed"),
    ],
)
def test_bad_files_raise_one_project_error(tmp_path: Path, mutate, fragment: str) -> None:
    value = mutate(_document())
    path = tmp_path / "bad.nnd"
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    with pytest.raises(ProjectError, match=fragment) as info:
        load_project(path)
    assert str(info.value).startswith(str(path))


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no such file"):
        load_project(tmp_path / "missing.nnd")
    with pytest.raises(ProjectError, match="is a folder"):
        load_project(tmp_path)
    binary = tmp_path / "b.nnd"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(ProjectError, match="not text"):
        load_project(binary)


def test_out_of_range_value_loads_and_is_reported() -> None:
    document = _document()
    document["nodes"][1]["params"]["out_channels"] = 0
    project = loads(json.dumps(document))
    assert [p.code for p in project.graph.validate()] == ["param"]


def test_loading_executes_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    document = _document()
    document["name"] = f"__import__('os').mkdir({str(marker)!r})"
    document["nodes"][0]["params"]["dtype"] = "__import__('os')"
    with pytest.raises(ProjectError):
        loads(json.dumps(document))
    document["nodes"][0]["params"]["dtype"] = "float32"
    project = loads(json.dumps(document))
    assert project.name.startswith("__import__") and not marker.exists()


def test_migrations_run_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project_files, "VERSION", 2)
    monkeypatch.setitem(project_files.MIGRATIONS, 1, lambda d: {**d, "version": 2, "description": "migrated"})
    document = {**_document(), "version": 1}
    assert document["format"] == FORMAT
    assert loads(json.dumps(document)).description == "migrated"


@pytest.mark.parametrize("escape", ["\\ud800", "\\uD800", "\\uDfFf", "\\udc00"])
def test_an_escaped_lone_surrogate_is_refused_naming_its_place(escape: str) -> None:
    """Its escape in the text (either case) sends parsing through the walk that names the place."""
    text = dumps(small_project()).replace('"id": "dense1"', f'"id": "dense{escape}1"', 1)
    with pytest.raises(ProjectError) as raised:
        loads(text)
    character = json.loads(f'"{escape}"')
    assert (
        str(raised.value)
        == f"<text>: nodes[3].id: holds \\u{ord(character):04x}, half of a surrogate pair, which is not a character on its own"
    )


def test_a_lone_surrogate_in_the_text_itself_is_refused_naming_its_place() -> None:
    text = dumps(small_project()).replace('"name": "small"', '"name": "sm\ud800all"', 1)
    with pytest.raises(ProjectError, match=r"^<text>: name: holds \\ud800, half of a surrogate pair"):
        loads(text)


def test_an_escaped_backslash_before_a_surrogate_like_text_is_kept_as_text() -> None:
    """``\\\\ud800`` in the text is a backslash and "ud800": valid text, loaded as it is."""
    text = dumps(small_project()).replace('"description": "a test"', '"description": "a \\\\ud800 and \\ud83d\\ude00"', 1)
    assert loads(text).description == "a \\ud800 and \U0001f600"


def test_an_ordinary_file_is_not_walked_for_lone_surrogates(monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk that names a lone surrogate's place runs only when the text holds or
    escapes one (it was a third of opening a 10,000-node file)."""
    from designer.project import parse

    def walked(value: object) -> None:
        raise AssertionError("walked an ordinary file")

    monkeypatch.setattr(parse, "unencodable_place", walked)
    text = dumps(small_project()).replace('"description": "a test"', '"description": "caf\\u00e9 \u2728"', 1)
    assert loads(text).description == "café \u2728"
