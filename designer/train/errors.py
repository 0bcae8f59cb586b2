"""Errors the trainer raises before a run starts (a run itself never raises)."""

from __future__ import annotations

from collections.abc import Sequence

from designer.graph import Problem


class TrainError(Exception):
    """Training cannot start or go on: one line that says what to change."""


class DesignProblems(TrainError):
    """The design has errors (possibly only against the data it is for)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else None
        where = f"{first.node}: " if first is not None and first.node else ""
        summary = f"{where}{first.message}" if first is not None else "the design has errors"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"the design has errors: {summary}{more}")
