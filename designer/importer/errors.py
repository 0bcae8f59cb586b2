"""What an import reports: the parts of a model with no equivalent, and the
one error an import raises."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unmapped:
    """One operation of the model that no catalog layer computes."""

    op: str  # ONNX operator type, torch module class or function
    name: str  # its name in the model
    why: str

    def line(self) -> str:
        return f"{self.op} '{self.name}': {self.why}"


class ModelImportError(Exception):
    """A model that cannot become a design: one line for the user, and for a
    model with unmapped parts, each of them (``unmapped``)."""

    def __init__(self, message: str, unmapped: tuple[Unmapped, ...] = ()) -> None:
        super().__init__(message)
        self.unmapped = unmapped

    def report(self) -> str:
        """The message, then one line per unmapped operation."""
        return "\n".join([str(self), *(f"  {u.line()}" for u in self.unmapped)])
