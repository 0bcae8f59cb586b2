"""Building the imported design: nodes with checked parameters, their
weights, and readable ids chosen once everything is known.

Each node is added under a provisional id and checked at once: its
parameters by the catalog, its output shape by the layer's own shape rule
against the shape the model really computes there, so a reader that gets a
layer wrong fails on that node, with the reason, instead of producing a
design that computes something else. Ids are chosen at the end, because the
best name for a node (the variable its line of code assigns) is only known
when every node of that line exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.compile import names
from designer.graph import Graph, GraphError, TensorSpec
from designer.graph.tensor import format_dims
from designer.importer.errors import Unmapped
from designer.layers.mapping import Unmappable
from designer.layers.placeholder import NAME as PLACEHOLDER

_RUNS_OF_UNDERSCORES = re.compile(r"_+")


def legal_id(text: str, fallback: str) -> str:
    """``text`` as a node id that compiles to itself: ASCII letters, digits
    and ``_``, no keyword, builtin or name the generated code or ``nn.Module``
    uses (those get a trailing ``_``); ``fallback`` when nothing is left."""
    name = _RUNS_OF_UNDERSCORES.sub("_", re.sub(r"[^A-Za-z0-9_]", "_", text)).strip("_")
    if not name:
        name = fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    while names.is_variable_clash(name) or names.is_attribute_clash(name):
        name += "_"
    return name


@dataclass
class Built:
    """What the builder knows about one node besides the graph."""

    wanted: str  # the id it should get, if free
    weights: dict[str, Any] = field(default_factory=dict)  # state dict key -> tensor


class DesignBuilder:
    """Adds checked nodes to a new graph and keeps their weights."""

    def __init__(self, name: str) -> None:
        self.graph = Graph(name)
        self.built: dict[str, Built] = {}
        self.unmapped: list[Unmapped] = []
        self.specs: dict[str, TensorSpec | None] = {}  # each node's output, None after a placeholder
        self._count = 0

    def add(
        self,
        type_name: str,
        params: Mapping[str, Any],
        inputs: Iterable[str],
        *,
        wanted: str,
        expected: TensorSpec | None = None,
        weights: Mapping[str, Any] | None = None,
    ) -> str:
        """Add a node fed by ``inputs``; raises Unmappable when its parameters
        are refused or its shape is not ``expected``."""
        inputs = list(inputs)
        try:
            values = self.graph.check_params(type_name, params)
        except GraphError as exc:
            raise Unmappable(str(exc)) from None
        layer = self.graph.catalog.get(type_name)
        output = None if type_name == PLACEHOLDER else self._infer(layer, values, inputs)
        if expected is not None and output is not None and output.shape != expected.shape:
            raise Unmappable(
                f"the designer's {layer.name} would give {format_dims(output.shape)} where the model computes {format_dims(expected.shape)}"
            )
        self._count += 1
        node = self.graph.add_node(type_name, values, node_id=f"n{self._count}_", check=False)
        for port, source in enumerate(inputs):
            self.graph.connect(source, node.id, port)
        self.built[node.id] = Built(wanted, dict(weights or {}))
        self.specs[node.id] = output
        return node.id

    def placeholder(self, unmapped: Unmapped, inputs: Iterable[str], wanted: str) -> str:
        """A node that stands for an unmapped operation (a partial import)."""
        params = {"op": unmapped.op, "source": unmapped.name, "reason": unmapped.why}
        return self.add(PLACEHOLDER, params, inputs, wanted=wanted)

    def remove(self, node_id: str) -> None:
        self.graph.remove_node(node_id)
        del self.built[node_id], self.specs[node_id]

    def _infer(self, layer: Any, params: dict[str, Any], inputs: list[str]) -> TensorSpec | None:
        """The node's output by the layer's own shape rule (None after a placeholder)."""
        specs = [self.specs[source] for source in inputs]
        if any(spec is None for spec in specs):
            return None
        try:
            return layer.infer(specs, params).output  # type: ignore[arg-type]
        except GraphError as exc:
            raise Unmappable(f"the designer's {layer.name} refuses its input: {exc}") from None

    def finish(self) -> tuple[Graph, dict[str, Any]]:
        """Give every node its readable id and return the graph with the
        weights under the keys the compiled design uses (``id.key``)."""
        taken: set[str] = set()
        final: dict[str, str] = {}
        for node_id, built in self.built.items():
            base = legal_id(built.wanted, self.graph.catalog.get(self.graph.node(node_id).type).id_prefix)
            chosen, number = base, 1
            while chosen in taken:
                number += 1
                chosen = f"{base}_{number}"
            taken.add(chosen)
            final[node_id] = chosen
        with self.graph.batch():
            for node_id, chosen in final.items():
                self.graph.rename_node(node_id, chosen)
        weights = {f"{final[node_id]}.{key}": tensor for node_id, built in self.built.items() for key, tensor in built.weights.items()}
        return self.graph, weights
