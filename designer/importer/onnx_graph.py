"""The ONNX graph as the importer walks it: which operators compute data
(the rest only compute constants), who produces and reads each tensor, and
an operator as the catalog's readers see it (:class:`OnnxView`)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from designer.importer.onnx_load import LoadedOnnx
from designer.importer.source_lines import SourceLine, innermost_user_line
from designer.layers.mapping import RegionFacts

SHAPE_OPS = frozenset({"Shape", "Size"})


class OnnxGraph:
    """Data operators in file (topological) order, with producers and readers.

    Sizes computed from a tensor's shape (``Shape`` and what is computed from
    it and constants alone: reshape targets, the size of a zero initial state)
    are not data: no layer computes them, and the layers that read them use
    their own shapes instead."""

    def __init__(self, loaded: LoadedOnnx) -> None:
        self.loaded = loaded
        self.nodes = list(loaded.model.graph.node)
        self.producer: dict[str, Any] = {}
        self.readers: dict[str, list[Any]] = {}
        self.index = {id(node): i for i, node in enumerate(self.nodes)}
        self.sizes: set[str] = set()
        for node in self.nodes:
            for name in node.output:
                if name:
                    self.producer[name] = node
            for name in node.input:
                if name:
                    self.readers.setdefault(name, []).append(node)
            inputs = [name for name in node.input if name]
            from_sizes = (
                bool(inputs) and any(n in self.sizes for n in inputs) and all(n in self.sizes or self.is_constant(n) for n in inputs)
            )
            if node.op_type in SHAPE_OPS or from_sizes:
                self.sizes.update(name for name in node.output if name)
        self.data_nodes = [node for node in self.nodes if not self.is_constant_node(node)]

    def is_constant(self, name: str) -> bool:
        return name in self.loaded.constants

    def is_data(self, name: str) -> bool:
        return bool(name) and name not in self.loaded.constants and name not in self.sizes

    def is_constant_node(self, node: Any) -> bool:
        """An operator that computes no data: constants, or sizes."""
        outputs = [name for name in node.output if name]
        return bool(outputs) and not any(self.is_data(name) for name in outputs)

    def data_inputs(self, node: Any) -> list[str]:
        return [name for name in node.input if self.is_data(name)]

    def data_readers(self, name: str) -> list[Any]:
        """Operators computing data that read ``name`` (graph outputs count as a reader each)."""
        readers = [node for node in self.readers.get(name, []) if not self.is_constant_node(node)]
        return readers

    def single_reader(self, name: str) -> Any | None:
        """The one operator reading ``name``, when it is the only use (not a graph output)."""
        readers = self.data_readers(name)
        if len(readers) == 1 and name not in self.loaded.outputs:
            return readers[0]
        return None

    def shape(self, name: str) -> tuple[int, ...]:
        return self.loaded.shapes.get(name, ())


@dataclass
class View:
    """One operator, or a run of them read as one (see designer.layers.mapping.OnnxView)."""

    graph: OnnxGraph
    op_type: str
    inputs: list[str]
    output: str
    attributes: dict[str, Any]
    members: list[Any] = field(default_factory=list)  # the ONNX operators it stands for
    region: RegionFacts | None = None
    absorbs: str | None = None  # a design node this reading replaces, whose inputs it takes (a sum read as a mean)

    @classmethod
    def of(cls, graph: OnnxGraph, node: Any) -> View:
        return cls(graph, node.op_type, list(node.input), node.output[0], attributes(node), [node])

    def attr(self, name: str, default: Any = None) -> Any:
        return self.attributes.get(name, default)

    def const(self, index: int) -> Any:
        if index >= len(self.inputs) or not self.inputs[index]:
            return None
        return self.graph.loaded.constants.get(self.inputs[index])

    def input_shape(self, index: int = 0) -> tuple[int, ...]:
        data = [name for name in self.inputs if self.graph.is_data(name)]
        name = data[index] if index < len(data) else (self.inputs[index] if index < len(self.inputs) else "")
        return self.graph.shape(name)

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.graph.shape(self.output)


def attributes(node: Any) -> dict[str, Any]:
    """An operator's attributes as plain Python; floats (stored as float32)
    as the shortest decimal that is the same float32 (1e-05, not 9.99e-06)."""
    from onnx import helper

    values = {}
    for attribute in node.attribute:
        value = helper.get_attribute_value(attribute)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        elif isinstance(value, float):
            value = _float32(value)
        elif isinstance(value, list):
            value = [v.decode("utf-8", "replace") if isinstance(v, bytes) else _float32(v) if isinstance(v, float) else v for v in value]
        values[attribute.name] = value
    return values


def _float32(value: float) -> float:
    import numpy as np

    return float(str(np.float32(value)))


# ------------------------------------------------------------ where from
def metadata(node: Any) -> dict[str, str]:
    return {prop.key: prop.value for prop in node.metadata_props}


def module_path(node: Any) -> str | None:
    """The torch module an exported operator came from (``layer1.0.conv1``),
    from the metadata torch's exporter records; None for functions."""
    scopes = metadata(node).get("pkg.torch.onnx.name_scopes")
    if not scopes:
        return None
    try:
        names = ast.literal_eval(scopes)
    except (ValueError, SyntaxError):
        return None
    modules = [n for n in names[1:-1] if isinstance(n, str) and n]
    return modules[0] if modules else None


def source_line(node: Any, skip_dirs: tuple[str, ...]) -> SourceLine | None:
    """The line of the exported module's code an operator came from, if recorded."""
    return innermost_user_line(metadata(node).get("pkg.torch.onnx.stack_trace"), skip_dirs)
