"""Hostile project files: through the API, the command line and the document,
every file either opens or is refused with one line naming the file and the
place, never a traceback; what opens validates, summarises, saves and (when
valid) compiles; nothing in a file is ever run (issue 15)."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import pytest
from hostile_projects import DOCUMENTS, hostile_files, mutated_documents, plausible_documents, to_text
from hypothesis import event, given
from hypothesis import strategies as st

from designer.cli import main
from designer.compile import generate
from designer.graph import format_summary
from designer.project import Project, ProjectError, dumps, load_project, loads
from designer.project.parse import MAX_DEPTH, MAX_FILE_BYTES

FOLDER = Path(tempfile.mkdtemp(prefix="hostile-projects-"))  # hypothesis runs many examples per test function


def _write(data: bytes, name: str = "hostile.nnd") -> Path:
    path = FOLDER / name
    path.write_bytes(data)
    return path


def _open(path: Path) -> Project | None:
    """The project, or None when it was refused with one line naming the file."""
    try:
        return load_project(path)
    except ProjectError as exc:
        message = str(exc)
        assert message.startswith(f"{path}: ") and "\n" not in message and len(message) < 400, message
        return None


def _use(project: Project) -> None:
    """What the designer does with a project it opened: validate, summarise,
    save, and generate the source when the design is valid."""
    problems = project.graph.validate()
    assert all(p.node is None or p.node in project.graph for p in problems)
    format_summary(project.graph)
    text = dumps(project)
    assert dumps(loads(text)) == text  # what opens saves, and reads back the same
    if not any(p.severity == "error" for p in problems):
        compile(generate(project.graph).source, "<generated>", "exec")  # the class compiles; no module is built


def _run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@given(hostile_files())
def test_api_opens_or_refuses_every_hostile_file_in_one_line(data: bytes) -> None:
    path = _write(data)
    project = _open(path)
    if project is None:
        event("refused in one line")
    else:
        event("opened" + (" (with problems)" if project.graph.validate() else " (valid)"))
        _use(project)


@given(hostile_files())
def test_designer_check_and_summary_answer_every_hostile_file_without_a_traceback(data: bytes) -> None:
    path = _write(data)
    for command in ("check", "summary"):
        code, out, err = _run_cli(command, str(path))
        assert code in (0, 1, 2), (command, code, err)
        assert "Traceback" not in out + err
        if code == 2:
            assert len(err.splitlines()) == 1 and str(path) in err, err


@given(st.one_of(plausible_documents(), mutated_documents()))
def test_document_opens_or_refuses_every_hostile_file(qapp, document) -> None:
    from designer.document import Document

    path = _write(to_text(document).encode("utf-8", "surrogatepass"))
    try:
        opened = Document.open(path)
    except ProjectError as exc:
        assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)
        return
    opened.graph.validate()


# ------------------------------------------------------------------ the classes of fault issue 15 names
def _sample_with(change) -> bytes:
    document = json.loads(json.dumps(next(d for d in DOCUMENTS if d["name"] == "XOR MLP")))
    change(document)
    return to_text(document).encode("utf-8", "surrogatepass")


def _set_input_shape(value):
    return lambda d: d["nodes"][0]["params"].__setitem__("shape", value)


def test_json_nested_100000_deep_is_refused_in_one_line() -> None:
    path = _write(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ProjectError, match=rf"nested 100000 deep \(a project file is at most {MAX_DEPTH} deep\)"):
        load_project(path)
    nested_inside = _write(_sample_with(lambda d: d["data"]["options"].__setitem__("x", "\x00deep:1000")))
    with pytest.raises(ProjectError, match="nested 10"):
        load_project(nested_inside)
    brackets_in_strings = _write(_sample_with(lambda d: d.__setitem__("description", "[" * 10_000)))
    assert load_project(brackets_in_strings).description == "[" * 10_000


def test_a_scalar_input_shape_is_kept_and_reported_on_the_node() -> None:
    project = load_project(_write(_sample_with(_set_input_shape(0))))
    assert project.graph.node("input1").params["shape"] == (0,)
    (problem,) = [p for p in project.graph.validate() if p.code == "param"]
    assert problem.node == "input1" and "shape" in problem.message


@pytest.mark.parametrize("shape", [[2**63], [2**31], [2**31 - 1, 2**31 - 1], [2**20, 2**20, 2**20]])
def test_an_input_shape_beyond_the_bounds_is_an_error_on_the_node(shape: list[int]) -> None:
    project = load_project(_write(_sample_with(_set_input_shape(shape))))
    errors = [p for p in project.graph.validate() if p.severity == "error" and p.code in ("param", "too-large")]
    assert [p.node for p in errors] == ["input1"]
    code, _, err = _run_cli("export", str(FOLDER / "hostile.nnd"), "--python", str(FOLDER / "out.py"))
    assert code == 1 and "input1" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("change", "place"),
    [
        (lambda d: d.__setitem__("name", "a\ud800b"), "name: holds \\ud800"),
        (lambda d: d["nodes"][1].__setitem__("id", "dense1\n"), "nodes[1].id: 'dense1\\n' is not a valid node id"),
        (lambda d: d["nodes"][1].__setitem__("id", "a" * 10_000), "nodes[1].id: 'aaaa"),
        (lambda d: d["nodes"][1]["params"].__setitem__("out_features", 1e999), "line 1, column"),  # json.dumps writes Infinity
        (lambda d: d["edges"][0].__setitem__("port", 10**18), "edges[0]: 'port' must be a whole number from 0 to"),
        (lambda d: d["nodes"][2].__setitem__("position", [1e300, 0]), "nodes[2] (sigmoid1).position: must be [x, y] numbers between"),
        (lambda d: d.__setitem__("view", {"zoom": "big"}), "view.zoom: must be a number > 0"),
        (lambda d: d["nodes"][0]["params"].__setitem__("shape", list(range(1, 10_000))), "nodes[0] (input1).params.shape: must be a list"),
        (lambda d: d["training"].__setitem__("epochs", "x" * 100_000), "training.epochs: must be a whole number"),
        (lambda d: d.__setitem__("version", 10**4000), "written by a newer designer (file version 2**13287..."),
    ],
)
def test_each_refusal_is_one_line_naming_the_file_and_the_place(change, place: str) -> None:
    path = _write(_sample_with(change))
    with pytest.raises(ProjectError) as caught:
        load_project(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and place in message and "\n" not in message and len(message) < 300, message


def test_a_node_wired_to_itself_in_a_file_is_a_cycle_error_on_it() -> None:
    def self_loop(d):
        d["edges"].append({"source": "sigmoid1", "target": "sigmoid1", "port": 0})
        d["edges"] = [e for e in d["edges"] if not (e["target"] == "sigmoid1" and e["source"] != "sigmoid1")]

    project = load_project(_write(_sample_with(self_loop)))
    assert [(p.node, p.code) for p in project.graph.validate() if p.code == "cycle"] == [("sigmoid1", "cycle")]


def test_numbers_past_the_limits_are_refused_with_their_place() -> None:
    text = to_text(DOCUMENTS[0]).replace('"version": 1', '"version": ' + "9" * 5000)
    with pytest.raises(ProjectError, match=r"line 1, column \d+: a number with more than 4300 digits"):
        loads(text)
    for literal in ("NaN", "Infinity", "1e400"):
        with pytest.raises(ProjectError, match="not a valid project file"):
            loads(to_text(DOCUMENTS[0]).replace('"version": 1', f'"version": {literal}'))


def test_files_that_are_not_project_files_are_refused_before_reading(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.nnd"
    os.mkfifo(fifo)  # opening it would wait for a writer forever
    with pytest.raises(ProjectError, match="not a regular file"):
        load_project(fifo)
    big = tmp_path / "big.nnd"
    with open(big, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ProjectError, match="at most 64 MiB"):
        load_project(big)
    with pytest.raises(ProjectError, match="not a valid file name"):
        load_project("a\x00b.nnd")
    bom = tmp_path / "bom.nnd"
    bom.write_bytes(b"\xef\xbb\xbf" + to_text(DOCUMENTS[0]).encode())
    assert load_project(bom).name == DOCUMENTS[0]["name"]


def test_a_lone_surrogate_set_from_python_saves_and_is_then_refused_with_its_place() -> None:
    project = load_project(_write(_sample_with(lambda d: None)))
    project.graph.name = "x\udc80"
    text = dumps(project)  # saving never fails on it
    with pytest.raises(ProjectError, match=r"name: holds \\udc80"):
        loads(text)


def test_nothing_in_a_file_runs_when_it_is_loaded_checked_and_exported(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    payload = f"__import__('pathlib').Path({str(marker)!r}).write_text('x')"
    hostile = [f'"""; {payload} #', f"'); {payload}; ('", f"\\n{payload}\\n", payload]
    for index, text in enumerate(hostile):
        path = _write(_sample_with(lambda d, t=text: (d.__setitem__("name", t), d.__setitem__("description", t))), f"p{index}.nnd")
        assert _run_cli("check", str(path))[0] == 0
        out = tmp_path / f"out{index}.py"
        assert _run_cli("export", str(path), "--python", str(out))[0] == 0
        namespace = {"__name__": "exported"}
        exec(compile(out.read_text(), str(out), "exec"), namespace)  # noqa: S102 - defines the class, as importing it would
        namespace[next(k for k in namespace if k.startswith("Xor") or k.startswith("Network") or k[:1].isupper())]()
    assert not marker.exists()
