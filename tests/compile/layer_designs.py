"""Small designs for the compiler's tests: one layer type between its typical
inputs and an Output, variants that exercise other code paths, and designs
with one such branch per layer type (one ONNX export checks many layers)."""

from __future__ import annotations

from catalog_inputs import TYPICAL_PARAMS, typical_inputs

from designer.graph import Graph
from designer.layers import CATALOG

LAYER_TYPES = [name for name in CATALOG.names() if name != "Input"]
Case = tuple[str, dict]
# Other forward code than the typical parameters write (recurrent `returns`, 2-D modes).
VARIANTS: list[Case] = [
    ("RNN", {"returns": "sequence", "bidirectional": True, "num_layers": 2, "nonlinearity": "relu"}),
    ("LSTM", {"returns": "hidden", "bidirectional": True, "num_layers": 2}),
    ("GRU", {"returns": "hidden"}),
    ("LSTM", {"returns": "sequence"}),
    ("Upsample", {"mode": "bilinear"}),
    ("TransformerEncoderLayer", {"norm_first": True, "activation": "gelu", "nhead": 2}),
]
SEQUENCE_TYPES = ("RNN", "LSTM", "GRU", "MultiheadAttention", "TransformerEncoderLayer")


def case_id(type_name: str, params: dict) -> str:
    return "-".join([type_name, *(f"{k}={v}" for k, v in params.items())])


def _branch(graph: Graph, type_name: str, params: dict) -> None:
    inputs = [graph.add("Input", shape=list(spec.shape), dtype=spec.dtype) for spec in typical_inputs(type_name)]
    node = graph.add(type_name, **{**TYPICAL_PARAMS.get(type_name, {}), **params})
    for source in inputs:
        graph.connect(source, node)
    if type_name != "Output":
        graph.connect(node, graph.add("Output"))


def layer_design(type_name: str, params: dict | None = None) -> Graph:
    """Inputs -> one node of ``type_name`` -> Output."""
    graph = Graph(f"one {type_name}")
    _branch(graph, type_name, params or {})
    return graph


def branches_design(name: str, cases: list[Case]) -> Graph:
    """One independent branch (inputs -> layer -> Output) per case."""
    graph = Graph(name)
    for type_name, params in cases:
        _branch(graph, type_name, params)
    return graph


def all_designs() -> list[tuple[str, Graph]]:
    """(test id, design) for every layer type and every variant."""
    cases = [(name, {}) for name in LAYER_TYPES] + VARIANTS
    return [(case_id(t, p), layer_design(t, p)) for t, p in cases]


def export_groups() -> dict[str, list[Case]]:
    """Every layer type and variant, grouped so one export covers each group:
    the fixed-size layers; the sequence layers that torch.export keeps dynamic
    in length; plain RNNs, which take the TorchScript exporter."""
    cases = [(name, {}) for name in LAYER_TYPES] + VARIANTS
    return {
        "fixed-size layers": [c for c in cases if c[0] not in SEQUENCE_TYPES],
        "sequence layers": [c for c in cases if c[0] in SEQUENCE_TYPES and c[0] != "RNN"],
        "RNN": [c for c in cases if c[0] == "RNN"],
    }
