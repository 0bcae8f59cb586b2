"""The window never dies from a hostile project file (issue 15): Open and a
drop either show the design, with what is wrong reported on its nodes, or
say why in one message, and the design that was open stays as it was."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hostile_projects import hostile_files
from hypothesis import HealthCheck, event, given, settings
from paths import sample
from PySide6.QtCore import QCoreApplication, QEvent

from designer.ui.main_window import MainWindow

FOLDER = Path(tempfile.mkdtemp(prefix="hostile-open-"))  # hypothesis runs many examples per test function


def _xor() -> dict:
    return json.loads(sample("xor_mlp").read_text(encoding="utf-8"))


def _with(change) -> str:
    document = _xor()
    change(document)
    return json.dumps(document)


def _param(node: int, name: str, value):
    return lambda d: d["nodes"][node]["params"].__setitem__(name, value)


REFUSED = {
    "deep.nnd": "[" * 100_000 + "]" * 100_000,
    "surrogate.nnd": _with(lambda d: d.__setitem__("name", "a\ud800b")),
    "newline_id.nnd": _with(lambda d: d["nodes"][1].__setitem__("id", "dense1\n")),
    "far_away.nnd": _with(lambda d: d["nodes"][1].__setitem__("position", [1e300, 0])),
    "huge_port.nnd": _with(lambda d: d["edges"][0].__setitem__("port", 10**18)),
    "nan.nnd": _with(lambda d: None).replace('"version": 1', '"version": NaN'),
    "digits.nnd": _with(lambda d: None).replace('"version": 1', '"version": ' + "9" * 5000),
    "truncated.nnd": _with(lambda d: None)[:100],
}
# Files that open: what is wrong is a problem on its node.
OPENED = {
    "scalar_shape.nnd": (_with(_param(0, "shape", 0)), "input1"),
    "shape_2_63.nnd": (_with(_param(0, "shape", [2**63])), "input1"),
    "too_many_values.nnd": (_with(_param(0, "shape", [2**31 - 1] * 4)), "input1"),
    "units_2_62.nnd": (_with(_param(1, "out_features", 2**62)), "dense1"),
    "units_negative.nnd": (_with(_param(1, "out_features", -(2**62))), "dense1"),
    "wired_to_itself.nnd": (_with(lambda d: d["edges"][1].__setitem__("source", "sigmoid1")), "sigmoid1"),
}
# Files that open with data options the data source cannot use: the settings show them.
SPIRALS_OPTIONS = [{"samples": None}, {"samples": "many"}, {"samples": 2**62}, {"samples": [1, 2]}, {"noise": {"a": 1}}]


@pytest.mark.parametrize("options", SPIRALS_OPTIONS, ids=str)
def test_data_options_of_any_type_open_and_show(window: MainWindow, tmp_path: Path, options: dict) -> None:
    document = json.loads(sample("spirals_mlp").read_text(encoding="utf-8"))
    document["data"]["options"] = options
    path = tmp_path / "options.nnd"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert window.files.open_path(str(path), ask=False)
    assert not window.errors  # type: ignore[attr-defined]
    window.scene.select_nodes([])  # the inspector shows the project's settings, the data options among them


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_open_and_drop_refuse_a_hostile_file_in_one_message_and_keep_the_design(window: MainWindow, tmp_path: Path, name: str) -> None:
    assert window.files.open_path(str(sample("spirals_mlp")), ask=False)
    document, records = window.document, json.dumps(window.document.graph.records())
    path = tmp_path / name
    path.write_text(REFUSED[name], encoding="utf-8", errors="surrogatepass")
    for open_it in (lambda: window.files.open_path(str(path)), lambda: window._on_files_dropped([str(path)])):
        window.errors.clear()  # type: ignore[attr-defined]
        assert open_it() in (False, None)
        ((title, message),) = window.errors  # type: ignore[attr-defined]
        assert title == "Cannot open the design" and message.startswith(f"{path}: ") and "\n" not in message
        assert window.document is document and json.dumps(window.document.graph.records()) == records


@pytest.mark.parametrize("name", sorted(OPENED))
def test_a_file_with_values_out_of_bounds_opens_with_the_problem_on_its_node(window: MainWindow, tmp_path: Path, name: str) -> None:
    text, node = OPENED[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert window.files.open_path(str(path), ask=False)
    assert not window.errors  # type: ignore[attr-defined]
    problems = window.document.graph.validate()
    assert any(p.node == node and p.severity == "error" for p in problems), problems
    for node_id in window.document.graph.node_ids():  # the inspector shows each node's values, the kept ones too
        window.reveal_node(node_id)
    window.view.fit()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # one window serves every example
@given(data=hostile_files())
def test_the_window_opens_or_refuses_every_generated_hostile_file(window: MainWindow, data: bytes) -> None:
    before = window.document
    path = FOLDER / "hostile.nnd"
    path.write_bytes(data)
    window.errors.clear()  # type: ignore[attr-defined]
    if window.files.open_path(str(path), ask=False):
        event("opened")
        assert window.document is not before and not window.errors  # type: ignore[attr-defined]
        window.document.graph.validate()
    else:
        event("refused in a message")
        ((_, message),) = window.errors  # type: ignore[attr-defined]
        assert message.startswith(f"{path}: ") and "\n" not in message
        assert window.document is before
    # What the event loop does between two opens: the replaced scene and panels are deleted.
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
