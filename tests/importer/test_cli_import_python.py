"""``designer import model.py --class NAME --input-shape ...``: a project and
its weights, or one line and exit 2 with nothing written."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from paths import sample

from designer.cli import main
from designer.compile import python_file
from designer.project import load_project
from designer.project.weights import load_weights


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _exported(tmp_path: Path, stem: str) -> Path:
    source = tmp_path / f"{stem}.py"
    source.write_text(python_file(load_project(sample(stem)).graph))
    return source


def test_import_writes_the_project_and_its_weights(tmp_path: Path, capsys) -> None:
    source = _exported(tmp_path, "tokens_transformer")
    code, out, err = _run(capsys, "import", str(source), "--class", "TokensTransformer", "--input-shape", "16", "--input-dtype", "int64")
    assert code == 0, err
    project = load_project(tmp_path / "tokens_transformer.nnd")
    assert [n.type for n in project.graph.nodes] == [n.type for n in load_project(sample("tokens_transformer")).graph.nodes]
    weights = load_weights(tmp_path / "tokens_transformer.safetensors", project.graph.fingerprint())
    assert "encoder1.self_attn.in_proj_weight" in weights
    assert "wrote" in out and "match the model's" in out


def test_mistakes_are_one_line_and_write_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as for a user (a test run may have it set): no __pycache__ either
    source = _exported(tmp_path, "xor_mlp")
    cases = [
        ("--class", "Missing", "--input-shape", "2"),
        ("--class", "XORMLP", "--input-shape", "3"),
        ("--class", "XORMLP", "--input-shape", "2", "--args", "{not json"),
        ("--class", "XORMLP"),
    ]
    for extra in cases:
        code, out, err = _run(capsys, "import", str(source), *extra)
        assert code == 2, extra
        assert err.startswith("designer: error: ") and len(err.strip().splitlines()) == 1, err
        assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xor_mlp.py"]


def test_the_help_says_a_python_file_is_run(capsys) -> None:
    with contextlib.suppress(SystemExit):  # argparse exits after printing the help
        main(["import", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "RUNS that file" in out and "never runs code" in out
