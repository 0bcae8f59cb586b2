"""The layer declaration: one :class:`LayerType` per layer the designer offers.

A declaration says everything the rest of the program needs: where it sits
in the palette, its parameters, its input ports, the pure-Python shape rule
(which also names the constructor arguments inferred from the input, counts
parameters and MACs), and how the compiler writes it as PyTorch source.
Torch itself is imported only by :func:`build_module`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.graph.errors import ShapeError, UnknownLayerError
from designer.graph.spec import DeclaredParams, Inference
from designer.graph.tensor import FLOAT, LONG, TensorSpec
from designer.layers.mapping import OnnxMapping, TorchMapping
from designer.params import Param

Params = Mapping[str, Any]
Rule = Callable[[list[TensorSpec], Params], Inference]
# (params, inferred) -> constructor source such as "nn.Conv2d(1, 8, kernel_size=3)", or None
Constructor = Callable[[Params, Mapping[str, Any]], str | None]
# (variable, attribute, argument names, params) -> lines of forward code that assign the variable
Forward = Callable[[str, str, list[str], Params], list[str]]

CATEGORIES = (
    "Input/Output",
    "Core",
    "Activation",
    "Convolution and pooling",
    "Normalisation",
    "Recurrent",
    "Attention",
    "Merge",
)


def call_forward(var: str, attr: str, args: list[str], params: Params) -> list[str]:
    return [f"{var} = {attr}({', '.join(args)})"]


@dataclass(frozen=True)
class LayerType(DeclaredParams):
    name: str
    category: str
    help: str
    rule: Rule
    params: tuple[Param, ...] = ()
    min_inputs: int = 1
    max_inputs: int | None = 1
    id_prefix: str = ""
    constructor: Constructor | None = None
    forward: Forward = call_forward
    label: Callable[[Params], str] = field(default=lambda p: "")
    dtypes: tuple[str, ...] = (FLOAT,)  # dtypes the inputs may have
    port_names: tuple[str, ...] = ()
    torch: TorchMapping | None = None  # its PyTorch forms, read back by the importer (designer.layers.mapping)
    onnx: tuple[OnnxMapping, ...] = ()  # ONNX operators that are this layer
    capabilities: frozenset[str] = frozenset()  # what the compiler and exporters ask (designer.layers.mapping)

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"{self.name}: unknown category {self.category!r}")
        if not self.id_prefix:
            object.__setattr__(self, "id_prefix", self.name.lower())

    # ------------------------------------------------------------- shape
    def infer(self, inputs: list[TensorSpec], params: Params) -> Inference:
        for spec in inputs:
            if spec.dtype not in self.dtypes:
                raise ShapeError(_dtype_message(self.name, spec), code="dtype")
        return self.rule(inputs, params)

    def input_name(self, port: int) -> str:
        if port < len(self.port_names):
            return self.port_names[port]
        return "in" if self.max_inputs == 1 else f"in {port + 1}"

    def describe(self, params: Params) -> str:
        """Key parameters for the node's face, e.g. ``32, 3x3``."""
        try:
            return self.label(params)
        except (TypeError, KeyError, ValueError):
            return ""


def _dtype_message(layer: str, spec: TensorSpec) -> str:
    if spec.dtype == LONG:
        return f"{layer} cannot take integer token ids ({spec}): put an Embedding before it, or set the Input's dtype to float32"
    return f"{layer} needs integer token ids but gets floats ({spec}): set the Input's dtype to int64"


class Catalog:
    """All layer types, by name, in palette order. ``hidden`` types (the
    import placeholder) can be loaded and validated but are not offered:
    iterating, ``names`` and ``by_category`` leave them out."""

    def __init__(self, layers: Iterable[LayerType], hidden: Iterable[LayerType] = ()) -> None:
        self._layers: dict[str, LayerType] = {}
        for layer in layers:
            if layer.name in self._layers:
                raise ValueError(f"layer type {layer.name} declared twice")
            self._layers[layer.name] = layer
        self._hidden = {layer.name: layer for layer in hidden}

    def get(self, type_name: str) -> LayerType:
        try:
            return self._layers[type_name]
        except KeyError:
            if type_name in self._hidden:
                return self._hidden[type_name]
            raise UnknownLayerError(f"unknown layer type '{type_name}'") from None

    def __contains__(self, type_name: object) -> bool:
        return type_name in self._layers or type_name in self._hidden

    def __iter__(self):
        return iter(self._layers.values())

    def __len__(self) -> int:
        return len(self._layers)

    def names(self) -> list[str]:
        return list(self._layers)

    def with_capability(self, capability: str) -> frozenset[str]:
        """Names of the layer types that declare ``capability``."""
        return frozenset(name for name, layer in self._layers.items() if layer.can(capability))

    def by_category(self) -> dict[str, list[LayerType]]:
        groups: dict[str, list[LayerType]] = {c: [] for c in CATEGORIES}
        for layer in self._layers.values():
            groups[layer.category].append(layer)
        return groups


def py(value: Any) -> str:
    """A parameter value as Python source (tuples stay tuples)."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(py(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def torch_call(target: str, *positional: Any, defaults: Mapping[str, Any] | None = None, **keywords: Any) -> str:
    """Constructor source, leaving out keywords equal to torch's defaults."""
    defaults = defaults or {}
    args = [py(v) for v in positional]
    for key, value in keywords.items():
        if key in defaults and defaults[key] == value and type(defaults[key]) is type(value):
            continue
        args.append(f"{key}={py(value)}")
    return f"{target}({', '.join(args)})"


def build_module(layer: LayerType, params: Params, inferred: Mapping[str, Any]):
    """Construct the torch module for one node (imports torch now, not before)."""
    source = layer.constructor(params, inferred) if layer.constructor else None
    if source is None:
        return None
    import torch
    from torch import nn

    return eval(source, {"torch": torch, "nn": nn})  # noqa: S307 - source is generated by the catalog, never read from a file
