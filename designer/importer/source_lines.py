"""Where an operation was written: the line of the user's code a traced or
exported operation comes from, and the variable that line assigns.

Both importers read node names from it. ``relu1 = torch.relu(dense1)``
names its node ``relu1``; several operations on one line (``x.flatten(2)
.mean(dim=2)``, ``a + b + c``) are recognised as one expression.
"""

from __future__ import annotations

import ast
import linecache
import os
import re
from dataclasses import dataclass

_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)\n(?P<code>[^\n]*)')


@dataclass(frozen=True)
class SourceLine:
    file: str
    line: int
    code: str

    @property
    def variable(self) -> str | None:
        """The name the line assigns (the first of a tuple: ``lstm1, _ = ...``), if any."""
        return assigned_name(self.code)


def assigned_name(code: str) -> str | None:
    try:
        tree = ast.parse(code.strip())
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return None
    statement = tree.body[0]
    target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
    if isinstance(target, ast.Tuple) and target.elts:
        target = target.elts[0]
    return target.id if isinstance(target, ast.Name) and target.id != "_" else None


def innermost_user_line(stack_trace: str | None, skip_dirs: tuple[str, ...]) -> SourceLine | None:
    """The innermost frame of ``stack_trace`` outside ``skip_dirs`` (torch's own code)."""
    if not stack_trace:
        return None
    found = None
    for match in _FRAME.finditer(stack_trace):
        file = match.group("file")
        if any(os.path.abspath(file).startswith(d) for d in skip_dirs):
            continue
        code = match.group("code").strip() or linecache.getline(file, int(match.group("line"))).strip()
        found = SourceLine(file, int(match.group("line")), code)
    return found
