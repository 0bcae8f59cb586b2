"""Validation and shape inference in one traversal, incremental across edits.

Every problem names its node (or edge) and says how to fix it. A node whose
inputs cannot be inferred gets no output shape and no further message: only
the root cause is reported, not its consequences downstream.

A design's :class:`AnalysisState` keeps what the last analysis found, so the
next one after an edit redoes only what the edit can change: the order and
the wiring checks when nodes or edges were added or removed, and a node's
inference when its key (its layer type, parameter values, the wires into it
and the specs on its input ports) differs from the one its kept result was
computed from. A node's inference is a pure function of that key, so a kept
result is the result; each node also keeps the result before (an undo's key
equals it, and takes it back without inferring). networkx is imported only to report a cycle (only a broken file can
hold one): the path taken after every edit stays in plain Python.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

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

    @cached_property
    def unused(self) -> list[str]:
        """The nodes whose output goes nowhere (their "not used" warnings), in the node order."""
        return [p.node for p in self.problems if p.code == "unused" and p.node is not None]

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


@dataclass
class _Structure:
    """What follows from the wiring alone: kept while no node or edge is added or removed."""

    revision: int
    index: dict[str, int]  # node -> place in the node order (the file's, and the ties' in the topological order)
    order: list[str]
    problems: list[Problem]  # cycles, no Input or Output, unused outputs
    inputs: list[str]  # the Input nodes, in node order
    outputs: list[str]  # the Output nodes, in node order


@dataclass(slots=True)
class _Inferred:
    """One node's inference and the key it was computed from."""

    spec: Any  # the layer type object (a block's changes whenever a definition does)
    params: dict[str, Any]
    inputs: tuple[tuple[int, TensorSpec | None], ...]  # (port, spec reaching it)
    info: NodeInfo
    problems: tuple[Problem, ...]
    sources: tuple[tuple[int, str], ...]  # (port, node feeding it): the wiring the inputs were read from
    checked: dict[str, Any]  # its parameter values checked (reused while only its inputs change)
    param_problems: tuple[Problem, ...]  # what checking them found


class AnalysisState:
    """What one design's last analysis found, reused by the next (see the module's note).

    Given the graph, it follows the graph's change events to know which
    nodes were edited since (their parameters, wires or type), and checks
    the key of those and of the nodes downstream whose inputs' specs
    changed; without one (or after a rename or a block definition changed)
    it checks every node's key. A fresh state analyses from scratch."""

    def __init__(self, graph: Graph | None = None) -> None:
        self._structure: _Structure | None = None
        self._inferred: dict[str, _Inferred] = {}
        self._infos: dict[str, NodeInfo] = {}  # every node's, in the node order
        self._flagged: dict[str, tuple[Problem, ...]] = {}  # the nodes whose inference found problems
        self._previous: dict[str, _Inferred] = {}  # each node's result before its last one: an undo's key finds it again
        self._edited: set[str] | None = None  # nodes edited since the last analysis; None: check every node
        if graph is not None:  # psygnal holds these methods weakly: the state goes with its graph
            events = graph.events
            events.node_added.connect(self._on_node_added)
            events.param_changed.connect(self._on_param_changed)
            events.edge_added.connect(self._on_edge_changed)
            events.edge_removed.connect(self._on_edge_changed)
            events.node_renamed.connect(self._on_renamed)
            events.blocks_changed.connect(self._on_blocks_changed)

    # the events that can change a node's key
    def _on_node_added(self, node: Any) -> None:
        self._edit(node.id)

    def _on_param_changed(self, node_id: str, name: str, value: Any) -> None:
        self._edit(node_id)

    def _on_edge_changed(self, edge: Edge) -> None:
        self._edit(edge.target)

    def _on_renamed(self, old: str, new: str) -> None:
        self._edited = None

    def _on_blocks_changed(self) -> None:
        self._edited = None  # a block's layer type object is new: its instances, and blocks holding it, change
        self._previous.clear()  # results of the old layer types: they would only hold those alive

    def _edit(self, node_id: str) -> None:
        if self._edited is not None:
            self._edited.add(node_id)

    def structure(self, graph: Graph) -> _Structure:
        kept = self._structure
        if kept is None or kept.revision != graph.structure_revision:
            kept = self._structure = _structure(graph)
            inferred, infos, index = self._inferred, self._infos, kept.index
            gone = inferred.keys() - index.keys() if len(kept.order) == len(index) else inferred.keys() - set(kept.order)
            for nid in gone:  # removed, renamed, or in a cycle: no result kept
                del inferred[nid]
                self._flagged.pop(nid, None)
                self._previous.pop(nid, None)
            for nid in infos.keys() - index.keys():
                del infos[nid]
            for nid in (index.keys() - infos.keys()) | (gone & index.keys()):
                infos[nid] = inferred[nid].info if nid in inferred else NodeInfo()
            if list(infos) != list(index):  # a node put back at its old place: the analysis lists them in the node order
                self._infos = {nid: infos[nid] for nid in index}
        return kept

    def infer(self, graph: Graph, order: list[str]) -> tuple[dict[str, NodeInfo], dict[str, tuple[Problem, ...]]]:
        """Every node in ``order`` inferred, reusing each kept result whose key
        is unchanged; returns every node's NodeInfo and the problems of those that have any.

        A node not edited since its result was kept, reached only because the
        specs on its inputs changed, has the same type, parameters and wiring:
        only its inputs are read again (and its parameters are not checked
        again). A key equal to the node's result before the kept one (an
        undo's) takes that result back, NodeInfo and all."""
        edited, self._edited = self._edited, set()
        inferred, infos, flagged, previous = self._inferred, self._infos, self._flagged, self._previous
        check = set(order) if edited is None else {nid for nid in edited if nid in infos} | (infos.keys() - inferred.keys())
        get_type, outputs = graph.catalog.get, graph.output_list
        for nid in order:
            if nid not in check:
                continue
            entry = old = inferred.get(nid)
            if old is not None and edited is not None and nid not in edited:  # only what reaches it changed
                spec, params, sources = old.spec, old.params, old.sources
            else:
                node = graph.node(nid)
                spec, params, ports = get_type(node.type), node.params, graph.input_map(nid)
                sources = tuple([(port, ports[port].source) for port in sorted(ports)])
            inputs = tuple([(port, inferred[source].info.output if source in inferred else None) for port, source in sources])
            if old is None or old.spec is not spec or old.inputs != inputs or old.params != params or old.sources != sources:
                back = previous.get(nid)
                if back is not None and back.spec is spec and back.inputs == inputs and back.sources == sources and back.params == params:
                    entry = back  # the result before the kept one (an undo's), NodeInfo and all
                else:
                    same_params = old is not None and old.spec is spec and old.params == params
                    checked, param_problems = (old.checked, old.param_problems) if same_params else _check_params(nid, spec, params)
                    info, problems = _infer_node(nid, spec, inputs, checked, param_problems)
                    kept_params = old.params if same_params else dict(params)  # type: ignore[union-attr]
                    entry = _Inferred(spec, kept_params, inputs, info, tuple(problems), sources, checked, param_problems)
            if entry is not old:
                inferred[nid] = entry
                if old is not None:
                    previous[nid] = old
                infos[nid] = entry.info
                if entry.problems:
                    flagged[nid] = entry.problems
                else:
                    flagged.pop(nid, None)
            if old is None or old.info.output != entry.info.output:
                for edge in outputs(nid):  # their keys changed
                    check.add(edge.target)
        return dict(infos), flagged


def analyze(graph: Graph, data: DataSpec | None = None, state: AnalysisState | None = None) -> Analysis:
    """Shapes, problems and counts; with the ``state`` of an earlier analysis
    of this design, only what the edits since can change is redone."""
    state = state if state is not None else AnalysisState()
    structure = state.structure(graph)
    infos, flagged = state.infer(graph, structure.order)
    data_problems: list[Problem] = []
    if data is not None:
        _check_data(graph, data, structure, infos, data_problems)
    by_node: dict[str | None, list[Problem]] = {nid: list(problems) for nid, problems in flagged.items()}
    for problem in structure.problems + data_problems:
        by_node.setdefault(problem.node, []).append(problem)
    index = structure.index
    problems = [p for nid in sorted(by_node, key=lambda n: index.get(n, -1) if n else -1) for p in by_node[nid]]
    return Analysis(list(structure.order), infos, problems)


def _structure(graph: Graph) -> _Structure:
    ids = graph.node_ids()
    types = [node.type for node in graph.nodes]
    index = {nid: i for i, nid in enumerate(ids)}
    problems: list[Problem] = []
    order = _topological_order(graph, ids, index)
    in_cycle: set[str] = set()
    if order is None:
        order, in_cycle = _order_around_cycles(graph, ids, index, problems)
    inputs = [nid for nid, kind in zip(ids, types) if kind == INPUT_TYPE]
    outputs = [nid for nid, kind in zip(ids, types) if kind == OUTPUT_TYPE]
    _check_structure(graph, ids, inputs, outputs, in_cycle, problems)
    return _Structure(graph.structure_revision, index, order, problems, inputs, outputs)


def _topological_order(graph: Graph, ids: list[str], index: dict[str, int]) -> list[str] | None:
    """Kahn's algorithm, the earliest node in the node order first among the
    ready ones (networkx's lexicographical order); None when there is a cycle."""
    ins, outs = graph.wiring()
    if _forward(ids, index, ins):
        return list(ids)
    waiting = {nid: len(ins[nid]) for nid in ids}
    ready = [index[nid] for nid, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        nid = ids[heapq.heappop(ready)]
        order.append(nid)
        for edge in outs[nid]:
            target = edge.target
            waiting[target] -= 1
            if not waiting[target]:
                heapq.heappush(ready, index[target])
    return order if len(order) == len(ids) else None


def _forward(ids: list[str], index: dict[str, int], ins) -> bool:
    """True when every wire runs from a node earlier in the node order to a
    later one (a design built layer after layer, or loaded from a file, mostly
    is). Then the node order is the topological order Kahn's algorithm would
    give: the earliest node left always has all its inputs placed."""
    for i, nid in enumerate(ids):
        for edge in ins[nid].values():
            if index[edge.source] >= i:
                return False
    return True


def _order_around_cycles(graph: Graph, ids: list[str], index: dict[str, int], problems: list[Problem]) -> tuple[list[str], set[str]]:
    """Only a broken file can hold a cycle: report each, and order the rest."""
    import networkx as nx  # here only: the path of every edit stays free of it

    g = nx.DiGraph()
    g.add_nodes_from(ids)
    g.add_edges_from((e.source, e.target) for e in graph.iter_edges())
    in_cycle: set[str] = set()
    for component in nx.strongly_connected_components(g):
        if len(component) > 1 or any(g.has_edge(n, n) for n in component):  # a node wired to itself is a cycle of one
            members = sorted(component, key=index.__getitem__)
            in_cycle.update(members)
            cycle = f"is part of a cycle ({' -> '.join(members)})" if len(members) > 1 else "is wired to itself"
            for nid in members:
                problems.append(Problem(ERROR, f"{cycle}: remove one of its edges", nid, code="cycle"))
    acyclic = g.subgraph(n for n in g if n not in in_cycle)
    return list(nx.lexicographical_topological_sort(acyclic, key=index.__getitem__)), in_cycle


def _check_structure(
    graph: Graph, ids: list[str], inputs: list[str], outputs: list[str], in_cycle: set[str], problems: list[Problem]
) -> None:
    if not inputs:
        problems.append(Problem(ERROR, "the design has no Input: add an Input layer and set its shape", code="no-input"))
    if not outputs:
        problems.append(Problem(ERROR, "the design has no Output: add an Output layer after the last layer", code="no-output"))
        return
    ins, outs = graph.wiring()
    reaches_output = set(outputs)
    stack = list(outputs)
    while stack:
        for edge in ins[stack.pop()].values():
            if edge.source not in reaches_output:
                reaches_output.add(edge.source)
                stack.append(edge.source)
    if len(reaches_output) == len(ids):
        return  # every layer feeds an Output: none is unused (a wired design's usual case, 2 ms at 10,000 layers)
    for nid in ids:
        if nid in reaches_output or nid in in_cycle:
            continue
        if outs[nid]:
            continue  # only the dead end is the cause: the layers before it feed it (one unwired Output is one warning, not one per layer)
        node_type = graph.node(nid).type
        if node_type == OUTPUT_TYPE or (not graph.input_map(nid) and node_type != INPUT_TYPE):
            continue  # an isolated node already has its "no input" error
        problems.append(Problem(WARNING, "its output is not used: connect it towards an Output, or delete it", nid, code="unused"))


def _check_params(nid: str, spec: Any, values: dict[str, Any]) -> tuple[dict[str, Any], tuple[Problem, ...]]:
    """A node's stored parameter values checked against its layer type, and the problems found."""
    problems: list[Problem] = []
    params: dict[str, Any] = {}  # the checked values: a rule never sees a stored value as it came (a script's check=False)
    for name in spec.param_names():
        try:
            params[name] = spec.check_param(name, values.get(name))
        except ParamError as exc:
            problems.append(Problem(ERROR, f"parameter {exc}", nid, code="param"))
    return params, tuple(problems)


def _infer_node(
    nid: str, spec: Any, inputs: tuple[tuple[int, TensorSpec | None], ...], checked: dict[str, Any], param_problems: tuple[Problem, ...]
) -> tuple[NodeInfo, list[Problem]]:
    """One node's output and problems from its type, checked parameters (and
    the problems checking them found) and the specs reaching its ports."""
    problems = list(param_problems)
    missing = _missing_ports(spec, [port for port, _ in inputs])
    if missing:
        problems.append(Problem(ERROR, missing, nid, code="missing-input"))
        return NodeInfo(), problems
    if spec.max_inputs is not None and len(inputs) > spec.max_inputs:
        problems.append(
            Problem(ERROR, f"has {len(inputs)} inputs but takes {spec.max_inputs}: remove the extra edges", nid, code="extra-input")
        )
        return NodeInfo(), problems
    specs = [spec_in for _, spec_in in inputs]
    if param_problems or not all(specs):  # a spec is never false: only None is
        return NodeInfo(), problems
    try:
        result = spec.infer(specs, checked)
    except ShapeError as exc:
        problems.append(Problem(ERROR, str(exc), nid, code=exc.code))
        return NodeInfo(), problems
    too_large = _too_large(result.output, result.param_count)
    if too_large:  # reported like a shape error: the node gets no output, so nothing downstream computes with it
        problems.append(Problem(ERROR, too_large, nid, code="too-large"))
        return NodeInfo(), problems
    problems.extend(Problem(WARNING, message, nid, code=code) for code, message in result.warnings)
    return NodeInfo(result.output, dict(result.inferred), result.param_count, result.macs), problems


def _too_large(output: TensorSpec, param_count: int) -> str:
    """Why a node's output or weights exceed the sane bounds ("" when they do not)."""
    if max(output.shape, default=0) > MAX_DIM:
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


def _missing_ports(spec, connected: list[int]) -> str:
    ports = set(connected)
    if spec.max_inputs is None:
        if len(connected) < spec.min_inputs:
            have = len(connected)
            return f"{spec.name} needs at least {spec.min_inputs} inputs, it has {have}: connect {'more layers' if have else 'the layers to merge'} to it"
        return ""
    absent = [p for p in range(spec.min_inputs) if p not in ports]
    if not absent:
        return ""
    if spec.min_inputs == 1:
        return "has no input: connect a layer's output to it"
    return f"input {', '.join(map(str, absent))} is not connected: connect a layer's output to it"


def _check_data(graph: Graph, data: DataSpec, structure: _Structure, infos: dict[str, NodeInfo], problems: list[Problem]) -> None:
    inputs = [graph.node(nid) for nid in structure.inputs]
    outputs = [graph.node(nid) for nid in structure.outputs]
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
