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


def _run_in(folder: Path, code: str) -> None:
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})  # noqa: S102 - our own README
    finally:
        os.chdir(cwd)


def test_python_example_runs(tmp_path: Path) -> None:
    _run_in(tmp_path, _python_block("small.nnd"))
    assert (tmp_path / "small.nnd").exists()


def test_insight_example_runs() -> None:
    _run_in(ROOT, _python_block("designer.insight"))  # it opens a shipped sample


def test_readme_opens_with_the_two_commands() -> None:
    main = README.index("<!-- main-command -->")
    test = README.index("<!-- test-command -->")
    assert main < test < README.index("## ")
    assert "pytest" in README[test : README.index("<!-- /test-command -->")]
