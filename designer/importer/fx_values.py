"""What a traced value is while a PyTorch module is read: a tensor a design
node computes, a part of a recurrent or attention module's tuple output not
resolved yet, or something that is not a tensor (a size, a flag)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from designer.graph import TensorSpec
from designer.importer.source_lines import SourceLine


@dataclass
class Tensor:
    """The output of a design node."""

    node: str
    spec: TensorSpec | None
    line: SourceLine | None = None  # the line that computed it (for reading one expression as one layer)
    users: int = 1  # how many traced operations use it
    origin: Any = None  # the traced call, for a layer read from several calls on one line


@dataclass
class Pending:
    """A recurrent or attention module's call, whose output is a tuple: the
    design node is made once its use says which part flows on."""

    layer: str
    params: dict[str, Any]
    inputs: list[str]
    weights: dict[str, Any]
    wanted: str
    hidden_path: tuple[int, ...] = (1, -1)  # where the last layer's final hidden state is in the tuple ((1, 0, -1) with a cell state)
    resolved: dict[str, str] = field(default_factory=dict)  # what was taken ("sequence", "last"...) -> node id


@dataclass(frozen=True)
class Part:
    """``pending[path]``: a part of a tuple output (``lstm(x)[1][0]``)."""

    pending: Pending
    path: tuple[Any, ...]


@dataclass(frozen=True)
class Other:
    """Anything that is not a tensor of the design: sizes, shapes, the model's own tensors."""

    what: str
