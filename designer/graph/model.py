"""The design model: nodes, edges and every edit the GUI needs.

No Qt and no torch. Each edit checks first and raises a typed
:class:`~designer.graph.errors.EditError` before changing anything; after a
change it emits fine-grained events and then ``changed`` (once per batch).
"""

from __future__ import annotations

import copy
import hashlib
import json
import keyword
import re
from collections.abc import Container, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from designer.graph import block_edits
from designer.graph.blocks import BlockDefinition, DesignCatalog, blocks_used, plain_value
from designer.graph.errors import (
    CycleError,
    DuplicateIdError,
    EditError,
    InvalidIdError,
    ParamError,
    PortError,
    UnknownNodeError,
)
from designer.graph.events import GraphEvents
from designer.graph.messages import short_repr
from designer.graph.spec import Catalog

if TYPE_CHECKING:
    from designer.graph.analysis import Analysis, AnalysisState, DataSpec
    from designer.graph.tensor import TensorSpec

Position = tuple[float, float]
_ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # the whole id (fullmatch: "$" would let a trailing newline through)
MAX_ID_LENGTH = 100
_TRAILING_NUMBER = re.compile(r"^(.*?)(\d+)$")
MAX_INPUTS = 256  # input ports of one node (a merge takes any number up to this)
MAX_COORDINATE = 1e9  # canvas units: far beyond any design, well inside what the canvas can draw
MAX_LR_FACTOR = 1e6  # a node's learning-rate factor: 0 (no updates, but optimizer state) up to this
_default_catalog: Catalog | None = None


def set_default_catalog(catalog: Catalog) -> None:
    """Called once by ``designer.layers`` so ``Graph()`` needs no argument."""
    global _default_catalog
    _default_catalog = catalog


@dataclass
class Node:
    id: str
    type: str
    params: dict[str, Any]
    position: Position = (0.0, 0.0)
    frozen: bool = False  # transfer learning: its weights get no gradient and no optimizer state
    lr_factor: float = 1.0  # its learning rate is the run's times this

    def record(self) -> dict[str, Any]:
        """The node as plain JSON-able data (the project file's node entry);
        ``frozen`` and ``lr_factor`` appear only when they differ from the
        default, so older files and their diffs stay as they were."""
        record = {
            "id": self.id,
            "type": self.type,
            "params": {k: plain_value(v) for k, v in self.params.items()},
            "position": [round(float(self.position[0]), 2), round(float(self.position[1]), 2)],
        }
        if self.frozen:
            record["frozen"] = True
        if self.lr_factor != 1.0:
            record["lr_factor"] = self.lr_factor
        return record


@dataclass(frozen=True, order=True)
class Edge:
    """A wire from ``source``'s output to input ``port`` of ``target``."""

    source: str
    target: str
    port: int = 0

    def record(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "port": self.port}


@dataclass
class _Analysed:
    revision: int
    data: Any
    analysis: Analysis = field(repr=False)


def _position(value: Any) -> Position:
    """A record's position, or the origin when it is missing or malformed."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return float(value[0]), float(value[1])
    return 0.0, 0.0


def _weights_content(definition: BlockDefinition) -> dict[str, Any]:
    """What in a block definition decides its weights: not positions, not the description."""
    return {
        "nodes": [[n["id"], n["type"], {k: plain_value(v) for k, v in sorted(n.get("params", {}).items())}] for n in definition.nodes],
        "edges": sorted([e["source"], e["target"], e.get("port", 0)] for e in definition.edges),
        "params": {k: e.record() for k, e in sorted(definition.params.items())},
    }


def check_node_id(node_id: str) -> None:
    if not isinstance(node_id, str) or not _ID_PATTERN.fullmatch(node_id) or keyword.iskeyword(node_id):
        raise InvalidIdError(f"{short_repr(node_id)} is not a valid node id: use letters, digits and _, starting with a letter")
    if len(node_id) > MAX_ID_LENGTH:
        raise InvalidIdError(f"{short_repr(node_id)} is too long for a node id: use at most {MAX_ID_LENGTH} characters")


def edge_from_record(record: Any, nodes: Container[str], where: str, owner: str = "design") -> Edge:
    """A wire record (``source``, ``target``, ``port``, as a file holds it) as
    an Edge, its structure, port range and ends in ``nodes`` checked; an
    EditError naming ``where`` otherwise. The caller checks the target's ports."""
    if not isinstance(record, dict) or not isinstance(record.get("source"), str) or not isinstance(record.get("target"), str):
        raise EditError(f"{where}: must be an object with 'source' and 'target' node ids")
    port = record.get("port", 0)
    if not (isinstance(port, int) and not isinstance(port, bool) and 0 <= port < MAX_INPUTS):
        raise EditError(f"{where}: 'port' must be a whole number from 0 to {MAX_INPUTS - 1}, found {short_repr(port)}")
    for key in ("source", "target"):
        if record[key] not in nodes:
            raise EditError(f"{where}: {key} {short_repr(record[key])} is not a node of this {owner}")
    return Edge(record["source"], record["target"], port)


def check_lr_factor(value: Any) -> float:
    """A node's learning-rate factor as a float; ParamError when it is not a
    finite number from 0 to MAX_LR_FACTOR."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_LR_FACTOR:
        raise ParamError("lr_factor", f"the learning-rate factor must be a number from 0 to {MAX_LR_FACTOR:g}, not {short_repr(value)}")
    return float(value)


def _is_factor(value: Any) -> bool:
    try:
        check_lr_factor(value)
    except ParamError:
        return False
    return True


class Graph:
    """A network design: layer nodes wired into a directed acyclic graph."""

    def __init__(self, name: str = "untitled", catalog: Catalog | None = None) -> None:
        catalog = catalog or _default_catalog
        if catalog is None:
            raise RuntimeError("no layer catalog: import designer.layers first")
        self._blocks: dict[str, BlockDefinition] = {}
        if isinstance(catalog, DesignCatalog):  # another design's catalog: its blocks come along (a copy or variant of it)
            self._blocks.update(catalog.blocks)
            catalog = catalog.base
        self.catalog: DesignCatalog = DesignCatalog(self._blocks, catalog)
        self.name = name
        self.events = GraphEvents()
        self.revision = 0
        self._nodes: dict[str, Node] = {}
        self._in: dict[str, dict[int, Edge]] = {}
        self._out: dict[str, list[Edge]] = {}
        self._counters: dict[str, int] = {}
        self._batch_depth = 0
        self._dirty = False
        self._cache: _Analysed | None = None
        self.structure_revision = 0  # counts edits that add, remove or rename nodes or edges (the analysis keeps its order until then)
        self._analysis_state: AnalysisState | None = None

    # ----------------------------------------------------------- reading
    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    @property
    def nodes(self) -> list[Node]:
        return list(self._nodes.values())

    def node_ids(self) -> list[str]:
        return list(self._nodes)

    def index_of(self, node_id: str) -> int:
        """The node's place in the node order (which the file and ties in the
        topological order follow)."""
        return list(self._nodes).index(node_id)

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise UnknownNodeError(f"there is no node '{node_id}'") from None

    @property
    def edges(self) -> list[Edge]:
        """All edges in a stable order: by target (insertion order), then port."""
        return [e for nid in self._nodes for _, e in sorted(self._in[nid].items())]

    def iter_edges(self) -> Iterator[Edge]:
        for nid in self._nodes:
            yield from self._in[nid].values()

    def inputs_of(self, node_id: str) -> list[Edge]:
        """Edges into ``node_id``, ordered by port."""
        self.node(node_id)
        return [e for _, e in sorted(self._in[node_id].items())]

    def outputs_of(self, node_id: str) -> list[Edge]:
        self.node(node_id)
        return list(self._out[node_id])

    def input_map(self, node_id: str) -> Mapping[int, Edge]:
        """Input port -> edge, in no order and not copied: read it only (the analysis's fast path)."""
        return self._in[node_id]

    def output_list(self, node_id: str) -> list[Edge]:
        """The edges leaving the node, not copied: read it only (the analysis's fast path)."""
        return self._out[node_id]

    def wiring(self) -> tuple[Mapping[str, Mapping[int, Edge]], Mapping[str, list[Edge]]]:
        """Every node's inputs (port -> edge) and outputs, not copied: read them only (the analysis's fast path)."""
        return self._in, self._out

    def spec(self, node_id: str):  # -> LayerSpec
        return self.catalog.get(self.node(node_id).type)

    @property
    def blocks(self) -> Mapping[str, BlockDefinition]:
        """The design's block definitions, name -> definition (read-only: edit
        them with the block methods below)."""
        return MappingProxyType(self._blocks)

    def is_block(self, node_id: str) -> bool:
        """True when the node is an instance of one of the design's blocks."""
        return self.catalog.is_block(self.node(node_id).type)

    # ------------------------------------------------------------ events
    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group several edits so ``changed`` fires once at the end."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._dirty:
                self._dirty = False
                self.events.changed.emit()

    def _touched(self) -> None:
        self.revision += 1
        if self._batch_depth:
            self._dirty = True
        else:
            self.events.changed.emit()

    # ------------------------------------------------------------- nodes
    def new_id(self, type_name: str) -> str:
        """A fresh readable id such as ``conv3`` for a layer type."""
        prefix = self.catalog.get(type_name).id_prefix
        number = self._counters.get(prefix, 0) + 1
        while f"{prefix}{number}" in self._nodes:
            number += 1
        return f"{prefix}{number}"

    def _count_id(self, node_id: str) -> None:
        match = _TRAILING_NUMBER.match(node_id)
        if match:
            prefix, number = match.group(1), int(match.group(2))
            if number > self._counters.get(prefix, 0):
                self._counters[prefix] = number

    def check_params(self, type_name: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """Defaults merged with ``params``, every value checked and normalised."""
        spec = self.catalog.get(type_name)
        values = spec.defaults()
        known = set(values)
        for name, value in (params or {}).items():
            if name not in known:
                choices = ", ".join(sorted(known)) or "none"
                raise ParamError(name, f"{type_name} has no parameter '{name}' (it has: {choices})")
            values[name] = spec.check_param(name, value)
        return values

    def add_node(
        self,
        type_name: str,
        params: Mapping[str, Any] | None = None,
        *,
        node_id: str | None = None,
        position: Position = (0.0, 0.0),
        check: bool = True,
        index: int | None = None,
        frozen: bool = False,
        lr_factor: float = 1.0,
    ) -> Node:
        """Add a node; ``check=False`` keeps stored values as they are (loading
        a file whose values are out of range: validation reports them).
        ``index`` puts it back at its old place in the node order (undo);
        ``frozen`` and ``lr_factor`` are its training state (see Node)."""
        if check:
            values = self.check_params(type_name, params)
        else:
            values = {**self.catalog.get(type_name).defaults(), **dict(params or {})}
        if node_id is None:
            node_id = self.new_id(type_name)
        check_node_id(node_id)
        if node_id in self._nodes:
            raise DuplicateIdError(f"a node '{node_id}' already exists")
        if not isinstance(frozen, bool):
            raise ParamError("frozen", f"frozen must be true or false, not {short_repr(frozen)}")
        node = Node(node_id, type_name, values, (float(position[0]), float(position[1])), frozen, check_lr_factor(lr_factor))
        if index is None or index >= len(self._nodes):
            self._nodes[node_id] = node
        else:
            items = list(self._nodes.items())
            items.insert(index, (node_id, node))
            self._nodes = dict(items)
        self._in[node_id] = {}
        self._out[node_id] = []
        self.structure_revision += 1
        self._count_id(node_id)
        self.events.node_added.emit(node)
        self._touched()
        return node

    def add(self, type_name: str, /, *, id: str | None = None, position: Position | None = None, **params: Any) -> str:
        """Python-API sugar: ``g.add("Conv2d", out_channels=8, kernel_size=3)`` -> ``"conv1"``."""
        pos = position if position is not None else (len(self._nodes) * 180.0, 0.0)
        return self.add_node(type_name, params, node_id=id, position=pos).id

    def sequential(
        self, *layers: str | tuple[str, Mapping[str, Any]] | tuple[str, Mapping[str, Any], str], after: str | None = None
    ) -> list[str]:
        """Add layers in a chain (each a type name, ``(type, params)`` or
        ``(type, params, id)``), wired one after another, starting from node
        ``after`` when given."""
        ids: list[str] = []
        previous = after
        with self.batch():
            for layer in layers:
                if isinstance(layer, str):
                    type_name, params, wanted = layer, {}, None
                else:
                    type_name, params, wanted = layer[0], layer[1], (layer[2] if len(layer) > 2 else None)
                node_id = self.add_node(type_name, params, node_id=wanted, position=(len(self._nodes) * 180.0, 0.0)).id
                if previous is not None:
                    self.connect(previous, node_id)
                ids.append(node_id)
                previous = node_id
        return ids

    def remove_node(self, node_id: str) -> tuple[Node, list[Edge]]:
        """Remove a node and its edges; returns both (for undo)."""
        node = self.node(node_id)
        with self.batch():
            removed = self.inputs_of(node_id) + self.outputs_of(node_id)
            for edge in removed:
                self._remove_edge(edge)
            del self._nodes[node_id], self._in[node_id], self._out[node_id]
            self.structure_revision += 1
            self.events.node_removed.emit(node)
            self._touched()
        return node, removed

    def remove_nodes(self, node_ids: Iterable[str]) -> list[tuple[Node, list[Edge]]]:
        ids = list(dict.fromkeys(node_ids))
        for node_id in ids:
            self.node(node_id)
        with self.batch():
            return [self.remove_node(nid) for nid in ids]

    def set_param(self, node_id: str, name: str, value: Any, *, check: bool = True) -> Any:
        """Set one parameter; returns the old value. Refuses bad values with ParamError."""
        node = self.node(node_id)
        spec = self.catalog.get(node.type)
        if name not in node.params:
            raise ParamError(name, f"{node.type} has no parameter '{name}'")
        new = spec.check_param(name, value) if check else value
        old = node.params[name]
        if old == new and type(old) is type(new):
            return old
        node.params[name] = new
        self.events.param_changed.emit(node_id, name, new)
        self._touched()
        return old

    def set_node_training(self, node_id: str, frozen: bool | None = None, lr_factor: float | None = None) -> tuple[bool, float]:
        """Freeze or unfreeze a node and set its learning-rate factor (None
        keeps a value); returns the old (frozen, lr_factor) for undo. Refuses
        a factor that is not a finite number from 0 to MAX_LR_FACTOR."""
        node = self.node(node_id)
        old = (node.frozen, node.lr_factor)
        new_frozen = node.frozen if frozen is None else frozen
        new_factor = node.lr_factor if lr_factor is None else check_lr_factor(lr_factor)
        if not isinstance(new_frozen, bool):
            raise ParamError("frozen", f"frozen must be true or false, not {short_repr(new_frozen)}")
        if (new_frozen, new_factor) == old:
            return old
        node.frozen, node.lr_factor = new_frozen, new_factor
        self.events.training_changed.emit(node_id, new_frozen, new_factor)
        self._touched()
        return old

    def move_node(self, node_id: str, position: Position) -> None:
        self.move_nodes({node_id: position})

    def move_nodes(self, positions: Mapping[str, Position]) -> None:
        for node_id in positions:
            self.node(node_id)
        with self.batch():
            for node_id, (x, y) in positions.items():
                node = self._nodes[node_id]
                new = (float(x), float(y))
                if node.position != new:
                    node.position = new
                    self.events.node_moved.emit(node_id, new)
                    self._touched()

    def rename_node(self, old_id: str, new_id: str) -> None:
        node = self.node(old_id)
        if new_id == old_id:
            return
        check_node_id(new_id)
        if new_id in self._nodes:
            raise DuplicateIdError(f"a node '{new_id}' already exists")
        in_edges, out_edges = self.inputs_of(old_id), self.outputs_of(old_id)
        with self.batch():
            for edge in in_edges + out_edges:
                self._remove_edge(edge)
            # Rebuild the ordered dict so the node keeps its place.
            self._nodes = {(new_id if k == old_id else k): v for k, v in self._nodes.items()}
            node.id = new_id
            self._in[new_id] = self._in.pop(old_id)
            self._out[new_id] = self._out.pop(old_id)
            self.structure_revision += 1
            self._count_id(new_id)
            self.events.node_renamed.emit(old_id, new_id)
            for edge in in_edges:
                self._add_edge(Edge(edge.source, new_id, edge.port))
            for edge in out_edges:
                self._add_edge(Edge(new_id, edge.target, edge.port))
            self._touched()

    # ------------------------------------------------------------ blocks
    def make_block(self, node_ids: Iterable[str], name: str) -> str:
        """Collapse the selected nodes into one instance of a new block ``name``
        (its inputs are the wires entering the selection, its output the one
        node feeding the rest); returns the instance's id. BlockError, before
        any change, when the selection cannot be a block."""
        return block_edits.make_block(self, node_ids, name)

    def expand_block(self, node_id: str) -> list[str]:
        """Replace an instance by its inner nodes, wired as it was; returns their ids."""
        return block_edits.expand_block(self, node_id)

    def make_unique(self, node_id: str, new_name: str) -> None:
        """Detach one instance: it gets its own copy of its definition, ``new_name``."""
        block_edits.make_unique(self, node_id, new_name)

    def set_block_definition(self, name: str, definition: BlockDefinition) -> BlockDefinition:
        """Replace a definition (every instance follows); returns the old one."""
        return block_edits.set_block_definition(self, name, definition)

    def add_block_definition(self, definition: BlockDefinition) -> None:
        """Add a definition under its name (checked: structure, types, no recursion)."""
        block_edits.add_block_definition(self, definition)

    def remove_block_definition(self, name: str) -> BlockDefinition:
        """Remove a definition no node or block uses; returns it."""
        return block_edits.remove_block_definition(self, name)

    def rename_block(self, old: str, new: str) -> None:
        """Rename a definition; its instances and the blocks holding it follow."""
        block_edits.rename_block(self, old, new)

    def block_inside(self, node_id: str):  # -> InnerResult
        """An instance's inside, analysed with its input shapes and values: the
        inner design and its Analysis, shared with the analysis cache, so read
        it only (``block_graph`` gives a copy to edit). Raises ShapeError when
        it does not work, EditError when the node is no block or its inputs
        are unknown."""
        definition = block_edits.check_instance(self, node_id)
        analysis = self.analyze()
        inputs = [analysis.output_of(e.source) for e in self.inputs_of(node_id)]
        if len(inputs) != len(definition.input_ids) or any(spec is None for spec in inputs):
            raise block_edits.BlockError(f"{node_id}: the shapes reaching it are not known yet: connect its inputs first")
        params = {k: self.spec(node_id).check_param(k, v) for k, v in self.node(node_id).params.items()}
        return self.spec(node_id).inner(inputs, params)

    def block_graph(self, name: str, node_id: str | None = None) -> Graph:
        """Block ``name``'s inside as an editable design of its own (nested
        blocks resolve through this design); with ``node_id``, an instance of
        it, its Input nodes take the shapes that reach that instance, so the
        inside shows the shapes it has there. Save an edit with
        ``set_block_definition(name, graph.blocks[name].with_inside(inner))``."""
        if name not in self._blocks:
            raise block_edits.BlockError(f"there is no block named {name}")
        inner = self._blocks[name].build_graph(self.catalog)
        if node_id is not None and self.node(node_id).type == name:
            analysis = self.analyze()
            with inner.batch():
                for port_id, edge in zip(self._blocks[name].input_ids, self.inputs_of(node_id)):
                    spec = analysis.output_of(edge.source)
                    if spec is not None:
                        inner.set_param(port_id, "shape", tuple(spec.shape), check=False)
                        inner.set_param(port_id, "dtype", spec.dtype, check=False)
        return inner

    def _put_block(self, name: str, definition: BlockDefinition) -> None:
        self._blocks[name] = definition
        self.catalog.clear_cache()
        self.events.blocks_changed.emit()
        self._touched()

    def _drop_block(self, name: str) -> None:
        del self._blocks[name]
        self.catalog.clear_cache()
        self.events.blocks_changed.emit()
        self._touched()

    def _retype_node(self, node_id: str, type_name: str, params: dict[str, Any]) -> None:
        """Put the node back as ``type_name`` with ``params``, at its place with
        its id, position, training state and wires (inputs past the type's last
        port are dropped: callers check first)."""
        node, edges = self.node(node_id), self.inputs_of(node_id) + self.outputs_of(node_id)
        index = self.index_of(node_id)
        with self.batch():
            self.remove_node(node_id)
            self.add_node(type_name, params, node_id=node_id, position=node.position, check=False, index=index,
                          frozen=node.frozen, lr_factor=node.lr_factor)
            limit = self.catalog.get(type_name).max_inputs
            for edge in edges:
                if edge.target != node_id or limit is None or edge.port < limit:
                    self.restore_edge(edge)

    def snapshot(self) -> dict[str, Any]:
        """The whole design as plain data (blocks, nodes, edges), for :meth:`restore`."""
        nodes = [
            {"id": n.id, "type": n.type, "params": copy.deepcopy(n.params), "position": n.position, "frozen": n.frozen, "lr_factor": n.lr_factor}
            for n in self._nodes.values()
        ]
        return {"nodes": nodes, "edges": [e.record() for e in self.edges], "blocks": dict(self._blocks)}

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Put the design back exactly as :meth:`snapshot` saw it (undo of a
        block edit): same blocks, node ids, order, values and wires."""
        with self.batch():
            self.remove_nodes(list(self._nodes))
            wanted = dict(snapshot["blocks"])
            if set(self._blocks) != set(wanted) or any(self._blocks[k] is not v for k, v in wanted.items()):
                self._blocks.clear()
                self._blocks.update(wanted)
                self.catalog.clear_cache()
                self.events.blocks_changed.emit()
            for rec in snapshot["nodes"]:
                self.add_node(rec["type"], copy.deepcopy(rec["params"]), node_id=rec["id"], position=_position(rec.get("position")),
                              check=False, frozen=rec.get("frozen", False), lr_factor=rec.get("lr_factor", 1.0))
            for rec in snapshot["edges"]:
                self.restore_edge(Edge(rec["source"], rec["target"], rec.get("port", 0)))
            self._touched()

    # ------------------------------------------------------------- edges
    def free_port(self, node_id: str) -> int | None:
        """The first free input port of a node, or None when all are taken."""
        spec = self.spec(node_id)
        taken = self._in[node_id]
        limit = spec.max_inputs if spec.max_inputs is not None else len(taken) + 1
        for port in range(limit):
            if port not in taken:
                return port
        return None

    def input_slots(self, node_id: str) -> int:
        """How many input ports the node offers: its fixed count, or for a node
        that takes any number (a merge) every port up to the last connected
        one plus a free one after it, and never fewer than it needs."""
        spec = self.spec(node_id)
        if spec.max_inputs is not None:
            return spec.max_inputs
        return max(spec.min_inputs, min(MAX_INPUTS, max(self._in[node_id], default=-1) + 2))

    def check_connect(self, source: str, target: str, port: int | None = None) -> int:
        """Return the port an edge would use, or raise why it is refused."""
        self.node(source)
        spec = self.spec(target)
        if source == target:
            raise CycleError(f"cannot connect {source} to itself")
        if port is None:
            port = self.free_port(target)
            if port is None:
                raise PortError(f"all inputs of {target} are taken: disconnect one first")
        if not isinstance(port, int) or port < 0 or (spec.max_inputs is not None and port >= spec.max_inputs):
            count = spec.max_inputs
            raise PortError(f"{target} ({spec.name}) has {count} input{'s' if count != 1 else ''}; port {port} does not exist")
        if port >= MAX_INPUTS:
            raise PortError(f"{target} ({spec.name}) takes at most {MAX_INPUTS} inputs; port {port} does not exist")
        taken = self._in[target].get(port)
        if taken is not None:
            if taken.source == source:
                raise PortError(f"{source} is already connected to {target}")
            raise PortError(f"input {port} of {target} is already fed by {taken.source}: disconnect it first")
        if self.reaches(target, source):
            raise CycleError(f"connecting {source} -> {target} would make a cycle ({target} already feeds {source})")
        return port

    def reaches(self, start: str, goal: str) -> bool:
        """True when a path of edges leads from ``start`` to ``goal``."""
        stack, seen = [start], {start}
        while stack:
            current = stack.pop()
            if current == goal:
                return True
            for edge in self._out[current]:
                if edge.target not in seen:
                    seen.add(edge.target)
                    stack.append(edge.target)
        return False

    def connect(self, source: str, target: str, port: int | None = None) -> Edge:
        port = self.check_connect(source, target, port)
        edge = Edge(source, target, port)
        self._add_edge(edge)
        self._touched()
        return edge

    def _add_edge(self, edge: Edge) -> None:
        self._in[edge.target][edge.port] = edge
        self._out[edge.source].append(edge)
        self.structure_revision += 1
        self.events.edge_added.emit(edge)

    def _remove_edge(self, edge: Edge) -> None:
        del self._in[edge.target][edge.port]
        self._out[edge.source].remove(edge)
        self.structure_revision += 1
        self.events.edge_removed.emit(edge)

    def disconnect(self, edge: Edge) -> None:
        if self._in.get(edge.target, {}).get(edge.port) != edge:
            raise PortError(f"there is no edge {edge.source} -> {edge.target} (port {edge.port})")
        self._remove_edge(edge)
        self._touched()

    def restore_edge(self, edge: Edge) -> None:
        """Put back an edge exactly as it was (loading, undo); skips the cycle
        search because the edge was valid in the state being restored."""
        self.node(edge.source)
        self.node(edge.target)
        if edge.port in self._in[edge.target]:
            raise PortError(f"input {edge.port} of {edge.target} is already taken")
        self._add_edge(edge)
        self._touched()

    # -------------------------------------------------- copy and paste
    def records(self, node_ids: Iterable[str] | None = None) -> dict[str, list[dict[str, Any]]]:
        """Nodes and the edges among them as plain data (file and clipboard format)."""
        ids = list(self._nodes) if node_ids is None else [nid for nid in self._nodes if nid in set(node_ids)]
        chosen = set(ids)
        records: dict[str, Any] = {
            "nodes": [self._nodes[nid].record() for nid in ids],
            "edges": [e.record() for nid in ids for _, e in sorted(self._in[nid].items()) if e.source in chosen],
        }
        used = blocks_used(self._blocks, [self._nodes[nid].type for nid in ids]) if node_ids is not None else []
        if used:  # copied instances carry their definitions, so they paste into another design
            records["blocks"] = {name: self._blocks[name].record() for name in used}
        return records

    def paste(self, records: Mapping[str, Any], offset: Position = (0.0, 0.0)) -> dict[str, str]:
        """Add a copied subgraph, renaming ids that are taken; returns old -> new ids.

        Everything is checked before the first node is added, so a bad
        clipboard leaves the design untouched.
        """
        nodes = list(records.get("nodes", []))
        if records.get("blocks"):
            from designer.graph.block_records import definitions_from_records

            wanted = {k: v for k, v in records["blocks"].items() if k not in self._blocks}
            for name, definition in definitions_from_records(wanted, self.catalog.base, self._blocks).items():
                self._blocks[name] = definition  # checked above; the events follow with the nodes
            if wanted:
                self.catalog.clear_cache()
                self.events.blocks_changed.emit()
        prepared = []
        for rec in nodes:
            prepared.append((rec, self.check_params(rec["type"], rec.get("params"))))
        mapping: dict[str, str] = {}
        with self.batch():
            for rec, params in prepared:
                wanted = rec.get("id")
                node_id = wanted if isinstance(wanted, str) and wanted not in self._nodes else None
                x, y = _position(rec.get("position"))
                frozen, factor = rec.get("frozen", False), rec.get("lr_factor", 1.0)
                node = self.add_node(
                    rec["type"], params, node_id=node_id, position=(x + offset[0], y + offset[1]),
                    frozen=frozen if isinstance(frozen, bool) else False,
                    lr_factor=factor if _is_factor(factor) else 1.0,
                )
                mapping[str(wanted)] = node.id
            for rec in records.get("edges", []):
                source, target = mapping.get(rec["source"]), mapping.get(rec["target"])
                port = rec.get("port", 0)
                if source and target and isinstance(port, int) and port >= 0 and port not in self._in[target]:
                    self.restore_edge(Edge(source, target, port))
        return mapping

    # --------------------------------------------------------- analysis
    def analyze(self, data: DataSpec | None = None) -> Analysis:
        """Shapes, problems and counts for the current state (cached per revision)."""
        cached = self._cache
        if cached is not None and cached.revision == self.revision and cached.data == data:
            return cached.analysis
        from designer.graph.analysis import AnalysisState, analyze

        if self._analysis_state is None:
            self._analysis_state = AnalysisState(self)
        result = analyze(self, data, self._analysis_state)  # redoes only what the edits since the last analysis can change
        self._cache = _Analysed(self.revision, data, result)
        return result

    def validate(self, data: DataSpec | None = None):
        """The design's problems (errors and warnings), each naming its node."""
        return self.analyze(data).problems

    def shapes(self) -> dict[str, TensorSpec | None]:
        """Every node's output, or None where it cannot be inferred."""
        return {nid: info.output for nid, info in self.analyze().nodes.items()}

    def fingerprint(self) -> str:
        """A hash of what determines the weights: ids, types, parameters, wiring.

        Positions and names do not count, so moving a node keeps weights usable.
        """
        content: dict[str, Any] = {
            "nodes": [[n.id, n.type, {k: plain_value(v) for k, v in sorted(n.params.items())}] for n in self._nodes.values()],
            "edges": [[e.source, e.target, e.port] for e in sorted(self.iter_edges())],
        }
        used = blocks_used(self._blocks, [n.type for n in self._nodes.values()])
        if used:  # what is inside a block shapes its weights too (a design without blocks keeps its fingerprint)
            content["blocks"] = {name: _weights_content(self._blocks[name]) for name in used}
        payload = json.dumps(
            content,
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"Graph({self.name!r}, {len(self._nodes)} nodes, {sum(len(v) for v in self._in.values())} edges)"
