"""What the model needs to know about layer types, as a protocol.

The concrete catalog lives in ``designer.layers`` (which imports this
package, never the reverse); a Graph is given a catalog that satisfies
:class:`Catalog`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from designer.graph.errors import ParamError
from designer.graph.tensor import TensorSpec


@dataclass(frozen=True)
class Inference:
    """What a layer's shape rule derives from its inputs."""

    output: TensorSpec
    inferred: Mapping[str, Any] = field(default_factory=dict)  # constructor args taken from the input
    param_count: int = 0
    macs: int = 0  # multiply-accumulates for one sample
    warnings: tuple[tuple[str, str], ...] = ()  # (code, message)


class DeclaredParams:
    """The parameter look-ups a layer type offers, shared by the catalog's
    ``LayerType`` and a block's ``BlockType``: both hold ``name``, ``params``
    (a tuple of ``designer.params.Param``) and ``capabilities``."""

    # What the subclasses hold (declared only: a plain base gives a dataclass no fields).
    name: str
    params: tuple[Any, ...]
    capabilities: Any

    def param(self, name: str) -> Any:
        for p in self.params:
            if p.name == name:
                return p
        raise ParamError(name, f"{self.name} has no parameter '{name}'")

    def param_names(self) -> list[str]:
        return [p.name for p in self.params]

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def check_param(self, name: str, value: Any) -> Any:
        return self.param(name).check(value)

    def can(self, capability: str) -> bool:
        """Whether the layer type declares ``capability`` (see designer.layers.mapping)."""
        return capability in self.capabilities


class LayerSpec(Protocol):
    name: str
    category: str
    id_prefix: str
    min_inputs: int
    max_inputs: int | None  # None: variadic

    def defaults(self) -> dict[str, Any]: ...

    def check_param(self, name: str, value: Any) -> Any:
        """Return the normalised value or raise ParamError."""
        ...

    def param_names(self) -> Iterable[str]: ...

    def can(self, capability: str) -> bool:
        """Whether the layer type declares a capability the compiler or exporters ask about."""
        ...

    def infer(self, inputs: list[TensorSpec], params: Mapping[str, Any]) -> Inference:
        """Apply the shape rule; raise ShapeError with a readable reason."""
        ...


class Catalog(Protocol):
    def get(self, type_name: str) -> LayerSpec:
        """Return the declaration or raise UnknownLayerError."""
        ...

    def __contains__(self, type_name: object) -> bool: ...
