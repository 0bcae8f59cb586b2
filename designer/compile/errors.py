"""Errors of the compile step."""

from __future__ import annotations

from designer.graph import Problem


class CompileError(Exception):
    """A design with errors cannot be compiled; ``problems`` lists them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p.node or 'design'}: {p.message}" for p in problems)
        super().__init__(
            f"the design has {len(problems)} problem{'s' if len(problems) != 1 else ''}; fix {'them' if len(problems) != 1 else 'it'} first:\n{lines}"
        )


class ExportError(Exception):
    """An export failed for a reason the user can act on; ``node`` names the
    layer responsible when one is."""

    def __init__(self, message: str, node: str | None = None) -> None:
        self.node = node
        super().__init__(message)


class VerificationError(ExportError):
    """The exported model fails onnx.checker or disagrees with torch."""
