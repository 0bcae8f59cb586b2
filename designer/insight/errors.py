"""Typed refusals of the insight engine, each with a message a user can act on.

The window shows ``str(error)`` in its Insight panel; ``designer explain``
prints it as one line and exits 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class InsightError(Exception):
    """A request the engine cannot answer; ``str()`` is the user-facing reason."""


class UnknownNode(InsightError):
    """The node id is not in the design."""


class NotConvolution(InsightError):
    """Grad-CAM was asked of a node that is not a convolution."""


class SampleOutOfRange(InsightError):
    """A sample index outside the split, or an array of the wrong shape."""


class WrongWeights(InsightError):
    """The weights belong to another design (or another version of it), or cannot be read."""


class Unsupported(InsightError):
    """The request does not apply to this node or design (a neuron of a ReLU, gradients of token ids...)."""


class DesignNotReady(InsightError):
    """The design has problems (or its data cannot be used), so it cannot run."""

    def __init__(self, message: str, problems: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)
