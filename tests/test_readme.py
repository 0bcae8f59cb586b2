"""The README stays true: its Python example runs, its commands are the ones CI runs."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_python_example_runs(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(blocks[0], "README.md", "exec"), {"__name__": "readme"})  # noqa: S102 - our own README
    finally:
        os.chdir(cwd)
    assert (tmp_path / "small.nnd").exists()


def test_readme_opens_with_the_two_commands() -> None:
    main = README.index("<!-- main-command -->")
    test = README.index("<!-- test-command -->")
    assert main < test < README.index("## ")
    assert "pytest" in README[test : README.index("<!-- /test-command -->")]
