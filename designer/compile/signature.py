"""What a compiled design takes and gives: its inputs and outputs, with the
dimensions that may vary at run time (the batch, and the sequence length of
recurrent and attention designs), and random inputs for checking a module.

No torch at import time; ``random_inputs`` imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from designer.compile.codegen import GeneratedSource
from designer.graph import LONG, Graph, GraphError
from designer.graph.analysis import INPUT_TYPE, OUTPUT_TYPE
from designer.layers import mapping as capabilities

if TYPE_CHECKING:
    import torch

BATCH = "batch"
SEQUENCE = "sequence"
Dim = int | str | None  # a fixed size, a named dynamic size, or a size that varies without a name


@dataclass(frozen=True)
class Port:
    """One input or output of a compiled design."""

    name: str  # the node id (ONNX names inputs and outputs after it)
    dims: tuple[Dim, ...]  # with the batch first
    dtype: str  # "float32" or "int64"
    high: int = 0  # token ids must lie below this (int64 inputs)

    def display(self) -> str:
        return " x ".join(str(d) if d is not None else "?" for d in self.dims)


@dataclass(frozen=True)
class Signature:
    inputs: list[Port]
    outputs: list[Port]
    arguments: list[str]  # forward's argument names, in the order of ``inputs``
    sequence: int | None = None  # the sequence length the design was drawn with, when it may vary
    other_lengths: tuple[int, ...] = ()  # further lengths checked to fit the very same module

    @property
    def dynamic_sequence(self) -> bool:
        return self.sequence is not None


def signature(graph: Graph, generated: GeneratedSource, dynamic_sequence: bool = True) -> Signature:
    """The design's inputs and outputs; the sequence dimension is dynamic only
    when the same module (same layers, same weights) fits another length too."""
    analysis = graph.analyze()
    inputs = [nid for nid in analysis.order if graph.node(nid).type == INPUT_TYPE]
    candidates = _sequence_inputs(graph, inputs) if dynamic_sequence else []
    length = graph.node(candidates[0]).params["shape"][0] if candidates else 0
    others = tuple(sorted({2, max(2, length // 2), 2 * length} - {length}))
    variants = [_variant_outputs(graph, candidates, n) for n in others] if length else [None]
    longer = variants[-1] if all(v is not None for v in variants) else None
    sequence = length if longer is not None else None
    high = _token_bound(graph)
    ports = []
    for nid in inputs:
        spec = analysis.nodes[nid].output
        dims: list[Dim] = [BATCH, *spec.shape]  # type: ignore[union-attr]
        if sequence is not None and nid in candidates:
            dims[1] = SEQUENCE
        ports.append(Port(nid, tuple(dims), spec.dtype, high if spec.dtype == LONG else 0))  # type: ignore[union-attr]
    outputs = []
    for nid in generated.output_names:
        spec = analysis.nodes[nid].output
        dims = [BATCH, *spec.shape]  # type: ignore[union-attr]
        if longer is not None:
            for i, (now, then) in enumerate(zip(spec.shape, longer[nid])):  # type: ignore[union-attr]
                if now != then:
                    dims[i + 1] = SEQUENCE if (now, then) == (length, 2 * length) else None
        outputs.append(Port(nid, tuple(dims), spec.dtype))  # type: ignore[union-attr]
    return Signature(ports, outputs, list(generated.input_names), sequence, others if sequence else ())


def _sequence_inputs(graph: Graph, inputs: list[str]) -> list[str]:
    """Inputs whose first dimension is a sequence length (recurrent and attention designs only)."""
    # Only layers that read a sequence of any length with the same weights (the catalog says which) make the length free.
    if not any(graph.catalog.get(node.type).can(capabilities.SEQUENCE) for node in graph.nodes):
        return []
    found = []
    for nid in inputs:
        params = graph.node(nid).params
        if len(params["shape"]) >= (1 if params["dtype"] == LONG else 2) and params["shape"][0] > 1:
            found.append(nid)
    lengths = {graph.node(nid).params["shape"][0] for nid in found}
    return found if len(lengths) == 1 else []  # inputs of different lengths: leave them fixed


def _variant_outputs(graph: Graph, inputs: list[str], length: int) -> dict[str, tuple[int, ...]] | None:
    """Output shapes with the inputs' sequence length changed, or None when the
    design would need other layers (a Flatten before a Linear, a Reshape) or
    becomes invalid. Constructor arguments come only from inferred values and
    parameters, so equal inferred values mean the very same module."""
    variant = Graph(graph.name, graph.catalog)
    variant.paste(graph.records())
    with variant.batch():
        for nid in inputs:
            shape = list(graph.node(nid).params["shape"])
            variant.set_param(nid, "shape", (length, *shape[1:]), check=False)  # a length past the bounds is an error below
    before, after = graph.analyze(), variant.analyze()
    if after.errors or any(after.nodes[nid].inferred != info.inferred for nid, info in before.nodes.items()):
        return None
    return {nid: after.nodes[nid].output.shape for nid in after.order if graph.node(nid).type == OUTPUT_TYPE}  # type: ignore[union-attr]


def _token_bound(graph: Graph) -> int:
    """Random token ids must be valid for every Embedding in the design, inside blocks too."""
    sizes = _token_sizes(graph)
    return min(sizes) if sizes else 10


def _token_sizes(graph: Graph) -> list[int]:
    sizes = [node.params["num_embeddings"] for node in graph.nodes if graph.catalog.get(node.type).can(capabilities.TOKEN_IDS)]
    for node in graph.nodes:
        if graph.catalog.is_block(node.type):
            try:
                sizes += _token_sizes(graph.block_inside(node.id).graph)
            except GraphError:  # a block that does not work: the design does not compile either
                continue
    return sizes


def random_inputs(sig: Signature, batch: int, sequence: int | None = None, seed: int = 0) -> list[torch.Tensor]:
    """Inputs for a forward pass: ``batch`` samples, at ``sequence`` steps where that may vary."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    steps = sequence or sig.sequence
    tensors = []
    for port in sig.inputs:
        shape = [batch, *(steps if d == SEQUENCE else d for d in port.dims[1:])]
        if port.dtype == LONG:
            tensors.append(torch.randint(0, port.high, shape, generator=generator))
        else:
            tensors.append(torch.randn(shape, generator=generator))
    return tensors
