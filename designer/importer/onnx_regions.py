"""Layers an exporter writes as many operators (recurrent layers with their
transposes, attention, a Transformer encoder layer, GELU below opset 20).

Around an anchor operator (an LSTM, a Softmax, an Erf) the importer looks for
a run with one entry and one exit: the entry a tensor every path to the
anchor goes through (a dominator), the exit one every path from it goes
through (a post-dominator), and nothing else going in or out. Each run whose
operator counts fit a catalog layer's declaration is read by that layer's
reader; the candidate is built in torch with the weights found in the run
and must compute, from the entry's values, the exit's values. Of the runs
that do, the largest is the layer (it explains the most operators).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from designer.graph import GraphError, TensorSpec
from designer.importer.onnx_graph import OnnxGraph, View
from designer.importer.onnx_weights import Parts, empty_module, layer_weights
from designer.layers import CATALOG, LayerType
from designer.layers.mapping import OnnxMapping, RegionFacts, Unmappable

MAX_ENTRIES, MAX_EXITS = 16, 32  # how far from the anchor runs are looked for
ROOT, SINK = "<input>", "<output>"
RECURRENT_OPS = frozenset({"LSTM", "GRU", "RNN"})


@dataclass
class Region:
    layer: LayerType
    mapping: OnnxMapping
    params: dict[str, Any]
    members: list[Any]  # the ONNX operators, in file order
    entry: str
    exit: str
    weights: dict[str, Any]
    anchor: Any = None  # the operator the run was found around (its name names the layer)


def find_regions(graph: OnnxGraph) -> list[Region]:
    """Every layer read from a run of operators, none sharing an operator."""
    forms = [(layer, form) for layer in CATALOG for form in layer.onnx if form.region]
    anchors = {form.op for _, form in forms}
    flow = _Flow(graph)
    claimed: set[int] = set()
    regions: list[Region] = []
    for node in graph.data_nodes:
        if node.op_type not in anchors or id(node) in claimed:
            continue
        best: Region | None = None
        for layer, form in forms:
            if form.op == node.op_type:
                found = _search(graph, flow, node, layer, form, claimed)
                if found is not None and (best is None or len(found.members) > len(best.members)):
                    best = found
        if best is not None:
            regions.append(best)
            claimed.update(id(member) for member in best.members)
    return regions


class _Flow:
    """The data operators as a graph of operators, with dominators both ways."""

    def __init__(self, graph: OnnxGraph) -> None:
        import networkx as nx

        self.graph = graph
        g = nx.DiGraph()
        g.add_node(ROOT)
        g.add_node(SINK)
        for node in graph.data_nodes:
            g.add_node(id(node))
            for name in graph.data_inputs(node):
                producer = graph.producer.get(name)
                g.add_edge(id(producer) if producer is not None and not graph.is_constant_node(producer) else ROOT, id(node))
            for name in node.output:
                if name in graph.loaded.outputs:
                    g.add_edge(id(node), SINK)
            if g.out_degree(id(node)) == 0 and not any(graph.data_readers(n) for n in node.output if n):
                g.add_edge(id(node), SINK)
        self.g = g
        self.dominators = nx.immediate_dominators(g, ROOT)
        self.post_dominators = nx.immediate_dominators(g.reverse(copy=True), SINK)
        self.nodes = {id(node): node for node in graph.data_nodes}

    def chain(self, start: Any, table: dict[Any, Any], limit: int) -> list[Any]:
        found, current = [], start
        while len(found) < limit:
            parent = table.get(current)
            if parent is None or parent == current:
                break
            found.append(parent)
            current = parent
        return found


def _search(graph: OnnxGraph, flow: _Flow, anchor: Any, layer: LayerType, form: OnnxMapping, claimed: set[int]) -> Region | None:
    import networkx as nx

    best: Region | None = None
    exits = [id(anchor), *flow.chain(id(anchor), flow.post_dominators, MAX_EXITS)]
    for entry_op in flow.chain(id(anchor), flow.dominators, MAX_ENTRIES):
        entry = graph.loaded.input_name if entry_op == ROOT else _output_towards(graph, flow.nodes[entry_op], anchor)
        if entry is None or graph.shape(entry)[:1] != (-1,):
            continue
        after_entry = nx.descendants(flow.g, entry_op)
        succeeded = False
        for exit_op in exits:
            if exit_op == SINK:
                break
            members_ids = (after_entry & nx.ancestors(flow.g, exit_op)) | {exit_op}
            members = sorted((flow.nodes[m] for m in members_ids if m in flow.nodes), key=lambda n: graph.index[id(n)])
            counts = Counter(node.op_type for node in members)
            if any(counts.get(op, 0) > wanted for op, wanted in form.region_ops.items()):
                break
            if any(counts.get(op, 0) != wanted for op, wanted in form.region_ops.items()) or claimed & members_ids:
                continue
            exit_name = flow.nodes[exit_op].output[0]
            if not _closed(graph, members, entry, exit_name):
                continue
            region = _try(graph, layer, form, anchor, members, entry, exit_name)
            if region is not None:
                succeeded = True
                if best is None or len(region.members) > len(best.members):
                    best = region
            elif succeeded:
                break
        if best is not None:
            break
    return best


def _output_towards(graph: OnnxGraph, node: Any, anchor: Any) -> str | None:
    outputs = [name for name in node.output if graph.is_data(name)]
    return outputs[0] if len(outputs) == 1 else None


def _closed(graph: OnnxGraph, members: list[Any], entry: str, exit_name: str) -> bool:
    """Nothing enters the run but the entry, nothing leaves it but the exit."""
    inside = {id(m) for m in members}
    produced = {name for m in members for name in m.output if name}
    for member in members:
        if any(name not in produced and name != entry for name in graph.data_inputs(member)):
            return False
        for name in member.output:
            if not name or name == exit_name:
                continue
            if name in graph.loaded.outputs or any(id(reader) not in inside for reader in graph.data_readers(name)):
                return False
    return graph.shape(exit_name)[:1] == (-1,)


def _try(
    graph: OnnxGraph, layer: LayerType, form: OnnxMapping, anchor: Any, members: list[Any], entry: str, exit_name: str
) -> Region | None:
    """The layer, if one of the reader's candidates computes the run."""
    if anchor.op_type in RECURRENT_OPS and not _plain_recurrence(graph, anchor):
        return None
    facts, parts = _facts(graph, members, anchor, exit_name)
    view = View(graph, anchor.op_type, [entry, *list(anchor.input)[1:]], exit_name, View.of(graph, anchor).attributes, members, facts)
    view.inputs[0] = entry
    parts.recurrents = [View.of(graph, m) for m in members if m.op_type == anchor.op_type]
    try:
        candidates = form.read(view)
    except Unmappable:
        return None
    for params in candidates if isinstance(candidates, list) else [candidates]:
        region = _verified(graph, layer, form, params, view, parts, members, entry, exit_name)
        if region is not None:
            region.anchor = anchor
            return region
    return None


def _verified(graph, layer, form, params, view, parts, members, entry, exit_name) -> Region | None:
    import numpy as np
    import torch

    try:
        values = {**layer.defaults(), **params}
        values = {k: layer.check_param(k, v) for k, v in values.items()}
        spec = TensorSpec(graph.shape(entry)[1:], "int64" if str(graph.loaded.values[entry].dtype) == "int64" else "float32")
        inferred = dict(layer.infer([spec], values).inferred)
        module = empty_module(layer, values, inferred)  # None for a layer without weights (GELU)
        weights = layer_weights(form, values, view, module, parts)
        if module is not None:
            module.load_state_dict(weights)
            module.eval()
        inputs = torch.from_numpy(np.ascontiguousarray(graph.loaded.values[entry]))
        with torch.no_grad():
            produced = _forward(layer, values, module, inputs)
    except (Unmappable, GraphError, RuntimeError, ValueError, IndexError, KeyError, TypeError):
        return None
    expected = torch.from_numpy(np.ascontiguousarray(graph.loaded.values[exit_name]))
    if tuple(produced.shape) != tuple(expected.shape):
        return None
    scale = max(1.0, float(expected.abs().max())) if expected.numel() else 1.0
    if not torch.allclose(produced.float(), expected.float(), rtol=1e-3, atol=1e-4 * scale):
        return None
    return Region(layer, form, values, members, entry, exit_name, weights)


def _forward(layer: LayerType, params: dict[str, Any], module: Any, x: Any) -> Any:
    """Run the layer exactly as the compiler writes it."""
    import torch
    from torch.nn import functional

    namespace = {"torch": torch, "F": functional, "m": module, "x": x}
    exec("\n".join(layer.forward("y", "m", ["x"], params)), namespace)  # noqa: S102 - the catalog's own generated code
    return namespace["y"]


def _plain_recurrence(graph: OnnxGraph, node: Any) -> bool:
    """No sequence lengths, zero initial states, no peepholes (what torch's layers do)."""
    import numpy as np

    inputs = list(node.input) + [""] * 8
    if inputs[4]:
        return False
    for name in (inputs[5], inputs[6], inputs[7]):
        if name and np.any(graph.loaded.values.get(name, graph.loaded.constants.get(name, np.zeros(1)))):
            return False
    return True


def _facts(graph: OnnxGraph, members: list[Any], anchor: Any, exit_name: str) -> tuple[RegionFacts, Parts]:
    """What the run holds: its projections and norms (with their weights), in order."""
    import numpy as np

    parts = Parts()
    linears: list[tuple[int, int, bool]] = []
    norms_eps: list[float] = []
    consumed: set[int] = set()
    heads: list[int] = []
    softmax_at = next((i for i, m in enumerate(members) if m.op_type == "Softmax"), None)
    first_norm = next((i for i, m in enumerate(members) if m.op_type == "LayerNormalization"), None)
    for member in members:
        if id(member) in consumed:
            continue
        view = View.of(graph, member)
        if member.op_type in ("MatMul", "Gemm") and view.const(1) is not None and len(view.const(1).shape) == 2 and view.const(0) is None:
            weight = view.const(1)
            if member.op_type == "Gemm":
                weight = (weight if view.attr("transB", 0) else weight.T) * float(view.attr("alpha", 1.0))
                bias = view.const(2)
                bias = None if bias is None else np.reshape(bias * float(view.attr("beta", 1.0)), (-1,))
            else:
                weight = weight.T
                bias = None
                reader = graph.single_reader(member.output[0])
                if reader is not None and reader.op_type == "Add" and reader in members:
                    other = [n for n in reader.input if n != member.output[0]]
                    constant = graph.loaded.constants.get(other[0]) if other else None
                    if constant is not None and constant.ndim == 1:
                        bias = constant
                        consumed.add(id(reader))
            parts.linears.append((weight, bias))
            linears.append((int(weight.shape[1]), int(weight.shape[0]), bias is not None))
        elif member.op_type == "LayerNormalization":
            parts.norms.append((view.const(1), view.const(2)))
            norms_eps.append(float(view.attr("epsilon", 1e-5)))
        elif member.op_type == "Reshape" and view.const(1) is not None:
            heads += [int(v) for v in view.const(1).reshape(-1).tolist() if int(v) > 1]
    used = tuple(i for i, name in enumerate(anchor.output) if name and graph.data_readers(name) or name == exit_name)
    facts = RegionFacts(
        op_counts=dict(Counter(m.op_type for m in members)),
        linears=tuple(linears),
        norms_eps=tuple(norms_eps),
        norm_before_softmax=first_norm is not None and softmax_at is not None and first_norm < softmax_at,
        outputs_used=used,
        heads_hints=tuple(dict.fromkeys(heads)),
    )
    return facts, parts
