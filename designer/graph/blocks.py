"""Blocks: a layer type whose shape rule is an inner design's.

A :class:`BlockDefinition` is a small design (its Input nodes are the
block's input ports, in node order; exactly one Output) with optional
exposed parameters (a block parameter sets one or more inner parameters,
such as a residual block's ``channels``). A design holds its definitions in
``graph.blocks``; a node whose type is a definition's name is an instance,
its ``params`` the exposed values. :class:`DesignCatalog` resolves such a type
to a :class:`BlockType`, so every ``graph.catalog.get(node.type)`` works on
instances like on any layer.

Definitions are immutable values: an edit builds a new one and hands it to
``Graph.set_block_definition``. No Qt, no torch.
"""

from __future__ import annotations

import copy
import dataclasses
import keyword
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from designer.graph.analysis import INPUT_TYPE, OUTPUT_TYPE
from designer.graph.errors import EditError, ParamError, ShapeError
from designer.graph.messages import short_repr
from designer.graph.spec import Catalog, DeclaredParams, Inference
from designer.graph.tensor import DTYPES, TensorSpec

if TYPE_CHECKING:
    from designer.graph.analysis import Analysis
    from designer.graph.model import Graph

BLOCK_CATEGORY = "Blocks"
BLOCK_ID_PREFIX = "block"
MAX_BLOCK_NODES = 1000  # nodes inside one definition (nested blocks count as one)
MAX_BLOCK_DEPTH = 8  # blocks inside blocks inside blocks...
MAX_EXPANDED_NODES = 100_000  # layers one block holds with every nested block expanded: bounds the work of checking it
MAX_BLOCK_NAME = 64
MAX_BLOCK_PARAMS = 64
MAX_DESCRIPTION = 10_000
_BLOCK_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
_PARAM_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_INFER_CACHE = 128  # inner analyses kept per block type (one per distinct input shapes and values)


class BlockError(EditError):
    """A block edit or definition the model refuses; nothing was changed."""


@dataclass(frozen=True)
class ExposedParam:
    """A block parameter: its default and the inner ``(node, param)`` pairs it sets."""

    default: Any
    targets: tuple[tuple[str, str], ...]

    def record(self) -> dict[str, Any]:
        return {"default": plain_value(self.default), "targets": [list(t) for t in self.targets]}


@dataclass(frozen=True, eq=True)
class BlockDefinition:
    """A reusable block: a name, an inner design (node and edge records as in
    the project file), exposed parameters and a description."""

    name: str
    nodes: tuple[Mapping[str, Any], ...]
    edges: tuple[Mapping[str, Any], ...]
    params: Mapping[str, ExposedParam] = field(default_factory=dict)
    description: str = ""

    __hash__ = object.__hash__  # identity: the catalog caches per definition object

    # ------------------------------------------------------------- making
    @classmethod
    def from_graph(
        cls, name: str, graph: Graph, params: Mapping[str, ExposedParam] | None = None, description: str = ""
    ) -> BlockDefinition:
        """A definition whose inside is ``graph`` (copied; checked when it is
        added to a design)."""
        records = graph.records()
        return cls(name, tuple(records["nodes"]), tuple(records["edges"]), dict(params or {}), description)

    def record(self) -> dict[str, Any]:
        """Plain JSON-able data (the project file's ``blocks`` entry, without the name)."""
        return {
            "description": self.description,
            "params": {key: exposed.record() for key, exposed in self.params.items()},
            "nodes": [copy.deepcopy(dict(n)) for n in self.nodes],
            "edges": [dict(e) for e in self.edges],
        }

    def renamed(self, name: str) -> BlockDefinition:
        return dataclasses.replace(self, name=name)

    def with_params(self, params: Mapping[str, ExposedParam]) -> BlockDefinition:
        return dataclasses.replace(self, params=dict(params))

    def with_inside(self, inner: Graph) -> BlockDefinition:
        """This block with ``inner`` (an edited copy of its inside) as its
        design; exposed parameters keep the targets that still exist, and a
        parameter none of whose targets is left goes."""
        records = inner.records()
        kinds = {n["id"]: n["type"] for n in records["nodes"]}
        params = {}
        for key, exposed in self.params.items():
            targets = tuple((node, param) for node, param in exposed.targets if node in kinds and param in inner.node(node).params)
            if targets:
                params[key] = ExposedParam(exposed.default, targets)
        return dataclasses.replace(self, nodes=tuple(records["nodes"]), edges=tuple(records["edges"]), params=params)

    def exposing(self, name: str, default: Any, targets: Iterable[tuple[str, str]]) -> BlockDefinition:
        """This block with block parameter ``name`` (added or replaced) setting ``targets``."""
        return dataclasses.replace(self, params={**self.params, name: ExposedParam(default, tuple(targets))})

    def without_param(self, name: str) -> BlockDefinition:
        """This block without block parameter ``name`` (its inner values stay as stored)."""
        return dataclasses.replace(self, params={k: v for k, v in self.params.items() if k != name})

    def with_description(self, description: str) -> BlockDefinition:
        return dataclasses.replace(self, description=description)

    def with_type_renamed(self, old: str, new: str) -> BlockDefinition:
        """The definition with inner nodes of type ``old`` now of type ``new``."""
        nodes = tuple({**n, "type": new} if n["type"] == old else n for n in self.nodes)
        return dataclasses.replace(self, nodes=nodes)

    # ------------------------------------------------------------ reading
    @property
    def input_ids(self) -> list[str]:
        """The inner Input nodes, in node order: the block's input ports."""
        return [n["id"] for n in self.nodes if n["type"] == INPUT_TYPE]

    @property
    def output_id(self) -> str:
        return next(n["id"] for n in self.nodes if n["type"] == OUTPUT_TYPE)

    @property
    def layer_count(self) -> int:
        """How many layers the block holds (its Inputs and Output are ports, not layers)."""
        return sum(1 for n in self.nodes if n["type"] not in (INPUT_TYPE, OUTPUT_TYPE))

    def node_types(self) -> set[str]:
        return {n["type"] for n in self.nodes}

    def build_graph(self, catalog: Catalog) -> Graph:
        """The inside as an editable design (its own copy); ``catalog`` resolves
        nested blocks (pass the design's ``graph.catalog``)."""
        from designer.graph.model import Edge, Graph

        inner = Graph(self.name, catalog)
        with inner.batch():
            for record in self.nodes:
                inner.add_node(
                    record["type"],
                    copy.deepcopy(dict(record.get("params", {}))),
                    node_id=record["id"],
                    position=tuple(record.get("position", (0.0, 0.0))),  # type: ignore[arg-type]
                    check=False,
                    frozen=record.get("frozen", False),
                    lr_factor=record.get("lr_factor", 1.0),
                )
            for record in self.edges:
                inner.restore_edge(Edge(record["source"], record["target"], record.get("port", 0)))
        return inner


def plain_value(value: Any) -> Any:
    """A parameter value as JSON holds it: a tuple as a list."""
    return list(value) if isinstance(value, tuple) else value


# ---------------------------------------------------------------- checking
def check_block_name(name: Any, catalog: Catalog | None = None, *, taken: Iterable[str] = ()) -> str:
    """``name`` when it can name a new block: a CamelCase identifier, not a
    layer type's name nor a block's already; BlockError otherwise."""
    if not isinstance(name, str) or not _BLOCK_NAME.fullmatch(name) or keyword.iskeyword(name):
        raise BlockError(f"{short_repr(name)} cannot name a block: use a CamelCase name of letters and digits, such as ResidualBlock")
    if len(name) > MAX_BLOCK_NAME:
        raise BlockError(f"{short_repr(name)} is too long for a block name: use at most {MAX_BLOCK_NAME} characters")
    base = catalog.base if isinstance(catalog, DesignCatalog) else catalog
    if base is not None and name in base:
        raise BlockError(f"{name} is a layer type: choose another name for the block")
    if name in set(taken):
        raise BlockError(f"a block named {name} already exists: choose another name")
    return name


def check_definition(definition: BlockDefinition, catalog: DesignCatalog) -> None:
    """Raise BlockError when ``definition`` cannot be a block of the design
    whose catalog is ``catalog`` (its other blocks resolve nested types):
    wrong structure, an unknown layer inside, a block containing itself
    directly or not, too deep or too large, a bad exposed parameter."""
    name = definition.name
    check_block_name(name, catalog)
    if not isinstance(definition.description, str) or len(definition.description) > MAX_DESCRIPTION:
        raise BlockError(f"{name}: the description must be a text of at most {MAX_DESCRIPTION:,} characters")
    if len(definition.nodes) > MAX_BLOCK_NODES:
        raise BlockError(
            f"{name} has {len(definition.nodes):,} nodes; a block holds at most {MAX_BLOCK_NODES:,}: split it into smaller blocks"
        )
    ids: set[str] = set()
    for record in definition.nodes:
        node_id, type_name = record.get("id"), record.get("type")
        if not isinstance(node_id, str) or node_id in ids:
            raise BlockError(f"{name}: node ids inside a block must be unique names ({short_repr(node_id)})")
        ids.add(node_id)
        if type_name == name:
            raise BlockError(f"{name} cannot contain itself (node {node_id}): a block may hold other blocks, never itself")
        if not isinstance(type_name, str) or type_name not in catalog:
            raise BlockError(f"{name}: node {node_id} has an unknown layer type {short_repr(type_name)}")
    outputs = sum(1 for n in definition.nodes if n["type"] == OUTPUT_TYPE)
    if outputs != 1:
        raise BlockError(f"{name} has {outputs} Output nodes; a block has exactly one: {'add' if not outputs else 'keep'} one Output")
    if not definition.input_ids:
        raise BlockError(f"{name} has no Input node; each Input of a block is one of its input ports: add one")
    for record in definition.edges:
        if record.get("source") not in ids or record.get("target") not in ids:
            raise BlockError(f"{name}: an edge joins nodes that are not in the block ({short_repr(dict(record))})")
    _check_nesting(name, definition, catalog)
    size = expanded_size({**catalog.blocks, name: definition}, name)
    if size > MAX_EXPANDED_NODES:
        raise BlockError(f"{name} holds {size:,} layers with its nested blocks expanded (at most {MAX_EXPANDED_NODES:,}): use fewer or smaller blocks")
    _check_exposed(definition, catalog)


def _check_nesting(name: str, definition: BlockDefinition, catalog: DesignCatalog) -> None:
    """No block reaches itself through the blocks it contains; nesting at most MAX_BLOCK_DEPTH deep."""
    blocks = {**catalog.blocks, name: definition}

    def depth(block: str, path: tuple[str, ...]) -> int:
        if block in path:
            chain = " -> ".join((*path[path.index(block) :], block))
            raise BlockError(f"{name} would contain itself ({chain}): a block may hold other blocks, never itself")
        if len(path) > MAX_BLOCK_DEPTH:
            raise BlockError(f"blocks nest more than {MAX_BLOCK_DEPTH} deep ({' -> '.join(path)}): flatten some of them")
        inner = [t for t in blocks[block].node_types() if t in blocks]
        return 1 + max((depth(t, (*path, block)) for t in inner), default=0)

    depth(name, ())


def _check_exposed(definition: BlockDefinition, catalog: DesignCatalog) -> None:
    name = definition.name
    if len(definition.params) > MAX_BLOCK_PARAMS:
        raise BlockError(f"{name} exposes {len(definition.params)} parameters; at most {MAX_BLOCK_PARAMS}")
    nodes = {n["id"]: n for n in definition.nodes}
    for key, exposed in definition.params.items():
        if not isinstance(key, str) or not _PARAM_NAME.fullmatch(key) or keyword.iskeyword(key) or len(key) > 64:
            raise BlockError(f"{name}: {short_repr(key)} cannot name a block parameter: use lower-case letters, digits and _")
        if not isinstance(exposed, ExposedParam) or not exposed.targets:
            raise BlockError(f"{name}.{key}: a block parameter sets at least one inner parameter")
        kinds = set()
        for target in exposed.targets:
            if not (isinstance(target, tuple) and len(target) == 2 and target[0] in nodes):
                raise BlockError(f"{name}.{key}: {short_repr(target)} is not a node of the block")
            node_id, param = target
            spec = catalog.get(nodes[node_id]["type"])
            if param not in spec.param_names():
                raise BlockError(f"{name}.{key}: {node_id} ({spec.name}) has no parameter {short_repr(param)}")
            if nodes[node_id]["type"] == INPUT_TYPE:
                raise BlockError(f"{name}.{key}: the block's Input {node_id} takes its shape from the wire, not from a parameter")
            kinds.add(getattr(_param_of(spec, param), "kind", None))
        if len(kinds) > 1:
            raise BlockError(
                f"{name}.{key}: its inner parameters are of different kinds ({', '.join(sorted(map(str, kinds)))}): expose them apart"
            )
        first = exposed.targets[0]
        try:
            catalog.get(nodes[first[0]]["type"]).check_param(first[1], exposed.default)
        except ParamError as exc:
            raise BlockError(f"{name}.{key}: the default is refused: {exc.reason}") from None


def _param_of(spec: Any, name: str) -> Any:
    """The inner layer's parameter declaration (a LayerType's ``param``)."""
    return spec.param(name) if hasattr(spec, "param") else None


def expanded_size(definitions: Mapping[str, BlockDefinition], type_name: str) -> int:
    """How many layers a node of ``type_name`` stands for: 1 for a layer, a
    block's layers with its nested blocks expanded (each block counted once
    per use). Definitions must be free of recursion (checked first)."""
    sizes: dict[str, int] = {}

    def size(name: str) -> int:
        if name not in definitions:
            return 1
        if name not in sizes:
            sizes[name] = sum(size(n["type"]) for n in definitions[name].nodes if n["type"] not in (INPUT_TYPE, OUTPUT_TYPE))
        return sizes[name]

    return size(type_name)


def blocks_used(definitions: Mapping[str, BlockDefinition], types: Iterable[str]) -> list[str]:
    """The definitions ``types`` need, nested ones included, each once, in
    dependency order (a block after the blocks it contains)."""
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered or name not in definitions:
            return
        for inner in sorted(definitions[name].node_types()):
            visit(inner)
        ordered.append(name)

    for type_name in types:
        visit(type_name)
    return ordered


# ------------------------------------------------------------ instance type
@dataclass(frozen=True)
class InnerResult:
    """One instance's inside, analysed with its input shapes and parameter values."""

    graph: Graph
    analysis: Analysis


class BlockType(DeclaredParams):
    """The layer type of a block's instances: what a LayerType offers, with
    the inner design as its shape rule."""

    category = BLOCK_CATEGORY
    id_prefix = BLOCK_ID_PREFIX
    torch = None
    onnx: tuple[Any, ...] = ()
    is_block = True

    def __init__(self, definition: BlockDefinition, catalog: DesignCatalog) -> None:
        self.definition = definition
        self.name = definition.name
        self.help = definition.description or f"A block of {len(definition.nodes)} nodes."
        self._catalog = catalog
        self.port_names = tuple(definition.input_ids)
        self.min_inputs = self.max_inputs = len(self.port_names)
        self.dtypes = DTYPES
        nodes = {n["id"]: n for n in definition.nodes}
        self.params = tuple(
            _renamed_param(catalog.get(nodes[e.targets[0][0]]["type"]), e.targets[0][1], key, e.default, e.targets)
            for key, e in definition.params.items()
        )
        self._inner_types = [catalog.get(t) for t in sorted(definition.node_types())]
        self.capabilities = frozenset(c for t in self._inner_types for c in getattr(t, "capabilities", ()) if c in _INHERITED)
        self.constructor = _instance_constructor  # an instance has weights: codegen writes its class
        self._results: dict[Any, InnerResult | ShapeError] = {}

    def input_name(self, port: int) -> str:
        return self.port_names[port] if port < len(self.port_names) else f"in {port + 1}"

    def describe(self, params: Mapping[str, Any]) -> str:
        return ", ".join(f"{k}={plain_value(v)}" for k, v in params.items())[:40]

    def forward(self, var: str, attr: str, args: list[str], params: Mapping[str, Any]) -> list[str]:
        return [f"{var} = {attr}({', '.join(args)})"]

    # ------------------------------------------------------------- shape
    def inner(self, inputs: list[TensorSpec], params: Mapping[str, Any]) -> InnerResult:
        """The inside with these inputs and exposed values, analysed (cached);
        raises ShapeError naming the inner node when it does not work."""
        key = (tuple(inputs), tuple(sorted((k, tuple_value(v)) for k, v in params.items())))
        result = self._results.get(key)
        if result is None:
            result = self._analyse(inputs, params)
            if len(self._results) >= _INFER_CACHE:
                self._results.pop(next(iter(self._results)))
            self._results[key] = result
        if isinstance(result, ShapeError):
            raise ShapeError(str(result), code=result.code)
        return result

    def infer(self, inputs: list[TensorSpec], params: Mapping[str, Any]) -> Inference:
        result = self.inner(inputs, params)
        analysis = result.analysis
        output = analysis.output_of(self.definition.output_id)
        assert output is not None  # an inner analysis without errors infers its Output
        warnings = tuple((p.code, f"inside, {p.node}: {p.message}") for p in analysis.warnings if p.node)
        inferred = {f"{nid}.{key}": value for nid in analysis.order for key, value in analysis.nodes[nid].inferred.items()}
        return Inference(output, inferred, analysis.total_params, analysis.total_macs, warnings)

    def _analyse(self, inputs: list[TensorSpec], params: Mapping[str, Any]) -> InnerResult | ShapeError:
        inner = self.definition.build_graph(self._catalog)
        with inner.batch():
            for node_id, spec in zip(self.port_names, inputs):
                inner.set_param(node_id, "shape", tuple(spec.shape), check=False)
                inner.set_param(node_id, "dtype", spec.dtype, check=False)
            for key, exposed in self.definition.params.items():
                for node_id, param in exposed.targets:
                    inner.set_param(node_id, param, params.get(key, exposed.default), check=False)
        analysis = inner.analyze()
        if analysis.errors:
            problem = analysis.errors[0]
            where = f"inner node {problem.node}" if problem.node else "its inside"
            return ShapeError(
                f"inside block {self.name}, {where}: {problem.message} (change what feeds the block or its parameters, or open the block to fix it)",
                code="block",
            )
        return InnerResult(inner, analysis)


_INHERITED = frozenset({"sequence", "attention", "unrolled-by-torch-export", "recurrent"})  # an instance can what its inside can


def _instance_constructor(params: Mapping[str, Any], inferred: Mapping[str, Any]) -> str | None:
    """Never called for source: the compiler writes a block's class itself. It
    marks instances as holding weights (the inspector's frozen switch)."""
    return None


def _renamed_param(spec: Any, inner: str, name: str, default: Any, targets: tuple[tuple[str, str], ...]) -> Any:
    declaration = spec.param(inner)
    where = ", ".join(f"{n}.{p}" for n, p in targets)
    return dataclasses.replace(declaration, name=name, default=default, help=f"{declaration.help} (sets {where})")


def tuple_value(value: Any) -> Any:
    """A parameter value as the model holds it (and hashable): a list as a tuple."""
    return tuple(value) if isinstance(value, list) else value


# ----------------------------------------------------------------- catalog
class DesignCatalog:
    """A design's catalog: its block definitions first, then the layer catalog."""

    def __init__(self, blocks: dict[str, BlockDefinition], base: Catalog) -> None:
        self.blocks = blocks  # the design's own dict: edits through Graph show here at once
        self.base = base
        self._types: dict[str, BlockType] = {}

    def get(self, type_name: str) -> Any:
        definition = self.blocks.get(type_name) if isinstance(type_name, str) else None
        if definition is None:
            return self.base.get(type_name)
        cached = self._types.get(type_name)
        if cached is None or cached.definition is not definition:
            cached = self._types[type_name] = BlockType(definition, self)
        return cached

    def __contains__(self, type_name: object) -> bool:
        return type_name in self.blocks or type_name in self.base

    def is_block(self, type_name: str) -> bool:
        return type_name in self.blocks

    def clear_cache(self) -> None:
        """Forget every block type (a definition changed: nested ones change with it)."""
        self._types.clear()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.base)  # type: ignore[call-overload]

    def __len__(self) -> int:
        return len(self.base)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)  # names, by_category, with_capability: the layer catalog's
