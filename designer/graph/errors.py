"""Typed errors for edits the model refuses, and for shapes that cannot flow.

An edit that would break the design (a cycle, a taken port, a bad parameter)
raises one of these *before* anything changes, so the GUI can show the reason
and never push a command that fails.
"""

from __future__ import annotations


class GraphError(Exception):
    """Base of every error the design model raises."""


class EditError(GraphError):
    """An edit the model refuses; nothing was changed."""


class UnknownNodeError(EditError):
    pass


class UnknownLayerError(EditError):
    pass


class DuplicateIdError(EditError):
    pass


class InvalidIdError(EditError):
    pass


class CycleError(EditError):
    pass


class PortError(EditError):
    """The target port does not exist or is already taken."""


class ParamError(EditError):
    """A parameter value is refused; ``param`` names it."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.reason = message


class ShapeError(GraphError):
    """A layer cannot accept the tensors fed to it; the message says why and how to fix it."""

    def __init__(self, message: str, code: str = "shape") -> None:
        super().__init__(message)
        self.code = code
