"""The README stays true: its Python example runs, its commands are the ones CI runs."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _python_block(containing: str) -> str:
    blocks = [b for b in re.findall(r"```python\n(.*?)```", README, flags=re.S) if containing in b]
    assert len(blocks) == 1, f"one Python example with {containing!r}"
    return blocks[0]


def _run_in(folder: Path, code: str) -> dict:
    """Run the example in ``folder``; its variables afterwards."""
    cwd = os.getcwd()
    os.chdir(folder)
    namespace: dict = {"__name__": "readme"}
    try:
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    finally:
        os.chdir(cwd)
    return namespace


def test_python_example_prints_what_its_comments_say(tmp_path: Path, capsys) -> None:
    from designer.cli import main

    namespace = _run_in(tmp_path, _python_block("small.nnd"))
    validated, shape, *table = capsys.readouterr().out.splitlines()
    assert validated == "[]"  # the design is clean
    assert shape == "N x 16 x 4 x 3"  # pool1 after the 3x5 kernel
    assert main(["check", str(tmp_path / "small.nnd")]) == 0  # the example's design fits the data it chose
    capsys.readouterr()
    assert main(["summary", str(tmp_path / "small.nnd")]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(table) == 7 + 4 and printed[-len(table) :] == table  # the table `designer summary` prints: 7 nodes
    assert table[-1].split()[:2] == ["total", f"{sum(row.params for row in namespace['designer'].summarize(namespace['g']).rows):,}"]
    assert namespace["project"].graph.fingerprint() == namespace["g"].fingerprint()


def test_insight_example_runs() -> None:
    namespace = _run_in(ROOT, _python_block("designer.insight"))  # it opens a shipped sample
    project, outputs = namespace["project"], namespace["outputs"]
    assert set(outputs) == set(project.graph.node_ids())  # every node's output
    assert all(len(value) == 2 for value in outputs.values())  # for the two samples asked for


def test_readme_opens_with_the_two_commands() -> None:
    main = README.index("<!-- main-command -->")
    test = README.index("<!-- test-command -->")
    assert main < test < README.index("## ")
    assert "pytest" in README[test : README.index("<!-- /test-command -->")]
