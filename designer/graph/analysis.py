"""Validation (networkx) and shape inference in one traversal.

Every problem names its node (or edge) and says how to fix it. A node whose
inputs cannot be inferred gets no output shape and no further message: only
the root cause is reported, not its consequences downstream.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from designer.graph.errors import ParamError, ShapeError
from designer.graph.tensor import MAX_DIM, MAX_ELEMENTS, TensorSpec, format_dims

if TYPE_CHECKING:
    from designer.graph.model import Edge, Graph

ERROR = "error"
WARNING = "warning"
INPUT_TYPE = "Input"
OUTPUT_TYPE = "Output"
CLASSIFICATION, REGRESSION = "classification", "regression"  # the tasks a DataSpec names

# Problems about a node's own wiring, values or place in the design. Every
# other error on a node says the tensors reaching it do not fit it.
_OWN_CODES = frozenset({"missing-input", "extra-input", "param", "unused", "cycle", "too-large"})


@dataclass(frozen=True)
class Problem:
    severity: str
    message: str
    node: str | None = None
    edge: Edge | None = None
    code: str = ""
    suggestion: tuple[str, str, Any] | None = None  # (node, parameter, value) that would fix it

    @property
    def is_shape_conflict(self) -> bool:
        """True for an error saying the tensors fed to its node do not fit it
        (shape, dtype, or the data's): the node's input edges are at fault."""
        return self.severity == ERROR and self.node is not None and self.code not in _OWN_CODES

    def __str__(self) -> str:
        where = self.node or (f"{self.edge.source}->{self.edge.target}" if self.edge else "design")
        return f"{where}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class DataSpec:
    """What a data source yields, so the design can be checked against it."""

    input: TensorSpec
    task: str  # CLASSIFICATION or REGRESSION
    num_classes: int = 0
    target_shape: tuple[int, ...] = ()
    name: str = "the data"


@dataclass
class NodeInfo:
    output: TensorSpec | None = None
    inferred: dict[str, Any] = field(default_factory=dict)
    param_count: int = 0
    macs: int = 0


@dataclass
class Analysis:
    order: list[str]
    nodes: dict[str, NodeInfo]
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when the design can be compiled (warnings allowed)."""
        return not self.errors

    def problems_for(self, node_id: str) -> list[Problem]:
        return [p for p in self.problems if p.node == node_id]

    def conflicted_edges(self, graph: Graph) -> set[Edge]:
        """The edges that carry tensors their target cannot take (drawn as conflicts)."""
        targets = {p.node for p in self.problems if p.is_shape_conflict}
        return {edge for nid in targets if nid in graph for edge in graph.inputs_of(nid)}

    def output_of(self, node_id: str) -> TensorSpec | None:
        info = self.nodes.get(node_id)
        return info.output if info else None

    @property
    def total_params(self) -> int:
        return sum(info.param_count for info in self.nodes.values())

    @property
    def total_macs(self) -> int:
        return sum(info.macs for info in self.nodes.values())


def _digraph(graph: Graph) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(graph.node_ids())
    g.add_edges_from((e.source, e.target) for e in graph.iter_edges())
    return g


def analyze(graph: Graph, data: DataSpec | None = None) -> Analysis:
    problems: list[Problem] = []
    g = _digraph(graph)
    index = {nid: i for i, nid in enumerate(graph.node_ids())}

    in_cycle: set[str] = set()
    try:
        order = list(nx.lexicographical_topological_sort(g, key=index.__getitem__))
    except nx.NetworkXUnfeasible:  # only a broken file can hold a cycle: find and report it
        for component in nx.strongly_connected_components(g):
            if len(component) > 1 or any(g.has_edge(n, n) for n in component):  # a node wired to itself is a cycle of one
                members = sorted(component, key=index.__getitem__)
                in_cycle.update(members)
                cycle = f"is part of a cycle ({' -> '.join(members)})" if len(members) > 1 else "is wired to itself"
                for nid in members:
                    problems.append(Problem(ERROR, f"{cycle}: remove one of its edges", nid, code="cycle"))
        acyclic = g.subgraph(n for n in g if n not in in_cycle)
        order = list(nx.lexicographical_topological_sort(acyclic, key=index.__getitem__))

    infos: dict[str, NodeInfo] = {nid: NodeInfo() for nid in graph.node_ids()}
    for nid in order:
        _infer_node(graph, nid, infos, problems)

    _check_structure(graph, g, in_cycle, problems)
    if data is not None:
        _check_data(graph, data, infos, problems)
    problems.sort(key=lambda p: index.get(p.node, -1) if p.node else -1)
    return Analysis(order, infos, problems)


def _infer_node(graph: Graph, nid: str, infos: dict[str, NodeInfo], problems: list[Problem]) -> None:
    node = graph.node(nid)
    spec = graph.catalog.get(node.type)
    bad_param = False
    params: dict[str, Any] = {}  # the checked values: a rule never sees a stored value as it came (a script's check=False)
    for name in spec.param_names():
        try:
            params[name] = spec.check_param(name, node.params.get(name))
        except ParamError as exc:
            problems.append(Problem(ERROR, f"parameter {exc}", nid, code="param"))
            bad_param = True
    edges = graph.inputs_of(nid)
    missing = _missing_ports(spec, edges)
    if missing:
        problems.append(Problem(ERROR, missing, nid, code="missing-input"))
        return
    if spec.max_inputs is not None and len(edges) > spec.max_inputs:
        problems.append(
            Problem(ERROR, f"has {len(edges)} inputs but takes {spec.max_inputs}: remove the extra edges", nid, code="extra-input")
        )
        return
    inputs = [infos[e.source].output for e in edges]
    if bad_param or any(spec_in is None for spec_in in inputs):
        return
    try:
        result = spec.infer(inputs, params)  # type: ignore[arg-type]
    except ShapeError as exc:
        problems.append(Problem(ERROR, str(exc), nid, code=exc.code))
        return
    too_large = _too_large(result.output, result.param_count)
    if too_large:  # reported like a shape error: the node gets no output, so nothing downstream computes with it
        problems.append(Problem(ERROR, too_large, nid, code="too-large"))
        return
    infos[nid] = NodeInfo(result.output, dict(result.inferred), result.param_count, result.macs)
    for code, message in result.warnings:
        problems.append(Problem(WARNING, message, nid, code=code))


def _too_large(output: TensorSpec, param_count: int) -> str:
    """Why a node's output or weights exceed the sane bounds ("" when they do not)."""
    if any(d > MAX_DIM for d in output.shape):
        return f"its output {output.display()} has a dimension above {MAX_DIM:,}, more than PyTorch and ONNX can index: use smaller sizes"
    if output.numel > MAX_ELEMENTS:
        return f"its output {output.display()} holds {_count(output.numel)} values per sample (at most {MAX_ELEMENTS:,}): use smaller sizes"
    if param_count > MAX_ELEMENTS:
        return f"it would have {_count(param_count)} parameters (at most {MAX_ELEMENTS:,}): use fewer units or channels"
    return ""


def _count(n: int) -> str:
    """A large count for a message (a float's range and str's digit limit stay out of reach)."""
    if n < 10**15:
        return f"{n:,}"
    return f"{n:.3g}" if n.bit_length() < 1000 else f"about 2**{n.bit_length() - 1}"


def _missing_ports(spec, edges: list[Edge]) -> str:
    ports = {e.port for e in edges}
    if spec.max_inputs is None:
        if len(edges) < spec.min_inputs:
            have = len(edges)
            return f"{spec.name} needs at least {spec.min_inputs} inputs, it has {have}: connect {'more layers' if have else 'the layers to merge'} to it"
        return ""
    absent = [p for p in range(spec.min_inputs) if p not in ports]
    if not absent:
        return ""
    if spec.min_inputs == 1:
        return "has no input: connect a layer's output to it"
    return f"input {', '.join(map(str, absent))} is not connected: connect a layer's output to it"


def _check_structure(graph: Graph, g: nx.DiGraph, in_cycle: set[str], problems: list[Problem]) -> None:
    inputs = [n.id for n in graph.nodes if n.type == INPUT_TYPE]
    outputs = [n.id for n in graph.nodes if n.type == OUTPUT_TYPE]
    if not inputs:
        problems.append(Problem(ERROR, "the design has no Input: add an Input layer and set its shape", code="no-input"))
    if not outputs:
        problems.append(Problem(ERROR, "the design has no Output: add an Output layer after the last layer", code="no-output"))
    if not outputs:
        return
    reaches_output: set[str] = set(outputs)
    for out in outputs:
        reaches_output |= nx.ancestors(g, out)
    for node in graph.nodes:
        if node.id in reaches_output or node.id in in_cycle or node.type == OUTPUT_TYPE:
            continue
        if g.out_degree(node.id):
            continue  # only the dead end is the cause: the layers before it feed it (one unwired Output is one warning, not one per layer)
        if not g.in_degree(node.id) and node.type != INPUT_TYPE:
            continue  # an isolated node already has its "no input" error
        problems.append(Problem(WARNING, "its output is not used: connect it towards an Output, or delete it", node.id, code="unused"))


def _check_data(graph: Graph, data: DataSpec, infos: dict[str, NodeInfo], problems: list[Problem]) -> None:
    inputs = [n for n in graph.nodes if n.type == INPUT_TYPE]
    outputs = [n for n in graph.nodes if n.type == OUTPUT_TYPE]
    if len(inputs) == 1:
        node = inputs[0]
        want = data.input
        have = TensorSpec(tuple(node.params.get("shape", ())), node.params.get("dtype", want.dtype))
        if have.shape != want.shape:
            message = f"shape {format_dims(have.shape)} does not match {data.name}, which gives {format_dims(want.shape)}: set shape to {list(want.shape)}"
            problems.append(Problem(ERROR, message, node.id, code="data-input", suggestion=(node.id, "shape", list(want.shape))))
        elif have.dtype != want.dtype:
            message = f"dtype {have.dtype} does not match {data.name}, which gives {want.dtype}: set dtype to {want.dtype}"
            problems.append(Problem(ERROR, message, node.id, code="data-input", suggestion=(node.id, "dtype", want.dtype)))
    if len(outputs) != 1:
        return
    node = outputs[0]
    out = infos[node.id].output
    if out is None:
        return
    feeder = graph.inputs_of(node.id)[0].source
    linear_feeder = graph.node(feeder).type == "Linear" and len(out.shape) == 1
    if data.task == CLASSIFICATION:
        classes = data.num_classes
        ok = out.shape in ((1,), (2,)) if classes == 2 else out.shape == (classes,)
        if not ok:
            units = "1 or 2" if classes == 2 else str(classes)
            message = f"gives {format_dims(out.shape)} values per sample but {data.name} has {classes} classes: the last layer needs {units} outputs (one per class)"
            suggestion = (feeder, "out_features", classes) if linear_feeder else None
            problems.append(Problem(ERROR, message, node.id, code="data-output", suggestion=suggestion))
    elif data.task == REGRESSION and out.numel != max(1, _numel(data.target_shape)):
        target = format_dims(data.target_shape)
        message = f"gives {format_dims(out.shape)} values per sample but {data.name} has targets of shape {target}: make the last layer produce {target}"
        suggestion = (feeder, "out_features", _numel(data.target_shape)) if linear_feeder and len(data.target_shape) == 1 else None
        problems.append(Problem(ERROR, message, node.id, code="data-output", suggestion=suggestion))


def _numel(shape: tuple[int, ...]) -> int:
    total = 1
    for d in shape:
        total *= d
    return total
