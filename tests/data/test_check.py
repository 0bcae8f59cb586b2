"""A design is checked against its data: in the model, and by ``designer check``."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import SAMPLES

from designer.cli import main
from designer.data import check_project_data, data_spec_for
from designer.project import load_project, save_project


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_samples_fit_their_data(sample: Path) -> None:
    project = load_project(sample)
    spec = data_spec_for(project)
    assert spec is not None
    assert project.graph.validate(spec) == []


def _project_on(tmp_path: Path, data: dict) -> Path:
    project = load_project(next(p for p in SAMPLES if p.stem == "spirals_mlp"))
    project.data = {**project.data, **data}
    folder = tmp_path / "work"
    folder.mkdir(exist_ok=True)
    return save_project(project, folder / "design.nnd")


def test_output_size_that_does_not_fit_the_classes_is_a_problem_on_the_node(tmp_path: Path, capsys) -> None:
    path = _project_on(tmp_path, {"source": "blobs", "options": {"classes": 3}})
    problems = load_project(path).graph.validate(data_spec_for(load_project(path)))
    assert [(p.node, p.code) for p in problems] == [("output1", "data-output")]
    assert "the blobs data has 3 classes" in problems[0].message
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{path}: output1: error: ") and out.count("\n") == 1


def test_input_shape_that_does_not_fit_is_a_problem_on_the_input(tmp_path: Path) -> None:
    path = _project_on(tmp_path, {"source": "iris", "options": {}})
    project = load_project(path)
    problems = project.graph.validate(data_spec_for(project))
    assert ("input1", "data-input") in [(p.node, p.code) for p in problems]


def test_relative_data_paths_start_at_the_project_folder(tmp_path: Path, monkeypatch, capsys) -> None:
    path = _project_on(tmp_path, {"source": "csv", "options": {"path": "points.csv"}})
    (path.parent / "points.csv").write_text("a,b,label\n0.1,0.2,x\n0.3,0.1,y\n0.5,0.9,x\n")
    monkeypatch.chdir(tmp_path)
    assert data_spec_for(load_project(path)).num_classes == 2  # type: ignore[union-attr]
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: ok (7 nodes)\n"


def test_unreadable_data_is_one_line_not_a_crash(tmp_path: Path, capsys) -> None:
    path = _project_on(tmp_path, {"source": "csv", "options": {"path": "gone.csv"}})
    spec, problems = check_project_data(load_project(path))
    assert spec is None and len(problems) == 1 and problems[0].code == "data"
    assert data_spec_for(load_project(path)) is None
    assert main(["check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == f"{path}: design: error: the data cannot be used: gone.csv: no such file (looked for {path.parent / 'gone.csv'})\n"
    assert "Traceback" not in err
