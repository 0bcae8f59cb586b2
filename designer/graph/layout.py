"""Where nodes go on the canvas: automatic layout and free space for new nodes.

Auto-layout places layers left to right by topological depth (networkx).
Columns are the longest path from an input. Rows follow the main path: a
node stays on the row of its first input; when a node feeds several
layers, the first keeps the row and the others branch below, so a skip
connection runs straight along the main row while the block it skips sits
underneath. Nodes in a cycle are placed in one column. Given the room the
canvas has, a long design is wrapped into bands of columns (like lines of
text) so that it is shown as large as that room allows.

Placement finds free space for a node being added, next to a given spot,
and makes room downstream when a node is inserted into a chain. Everything
here is pure: positions in, positions out, no Qt.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from designer.graph.model import Edge, Graph, Position

# The footprint of a node on the canvas (the canvas draws nodes to these sizes).
NODE_WIDTH = 176.0
HEADER_HEIGHT = 24.0
BODY_HEIGHT = 44.0
PORT_SPACING = 20.0

COLUMN_WIDTH = 270.0  # node width plus room for the shape label on the wire
ROW_HEIGHT = 120.0
BAND_GAP = 40.0  # between two bands of a wrapped layout: the wire back to the left runs there
GAP = 24.0  # free space kept around a placed node
FIT_MARGIN = 60.0  # the canvas's fit leaves this much around the design
MAX_FIT_ZOOM = 1.25  # the canvas never fits a design larger than this
COMFORTABLE_ZOOM = 0.75  # a layout shown this large need not wrap further


class Rect(NamedTuple):
    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Rect, gap: float = 0.0) -> bool:
        return (
            self.x < other.x + other.width + gap
            and other.x < self.x + self.width + gap
            and self.y < other.y + other.height + gap
            and other.y < self.y + self.height + gap
        )


def node_height(input_slots: int) -> float:
    """A node's height: the body grows with its input ports (an Add of four)."""
    return HEADER_HEIGHT + max(BODY_HEIGHT, input_slots * PORT_SPACING + 8)


def node_rect(graph: Graph, node_id: str, position: Position | None = None) -> Rect:
    x, y = position if position is not None else graph.node(node_id).position
    return Rect(x, y, NODE_WIDTH, node_height(graph.input_slots(node_id)))


# ---------------------------------------------------------------- auto-layout
def auto_layout(graph: Graph, room: tuple[float, float] | None = None) -> dict[str, Position]:
    """Positions for every node. ``room``: the canvas's size in pixels; the
    columns are then wrapped into as many bands as show the design largest
    in it (one long row on a wide canvas, several on a tall one)."""
    cells = _cells(graph)
    if not cells:
        return {}
    bands = Bands([0]) if room is None else best_bands(graph, cells, room)
    return _place_bands(graph, cells, bands)


def _cells(graph: Graph) -> dict[str, tuple[int, int]]:
    """(column, row) of every node."""
    import networkx as nx  # here only: auto-layout is rare, and a window starts without networkx

    g = nx.DiGraph()
    g.add_nodes_from(graph.node_ids())
    g.add_edges_from((e.source, e.target) for e in graph.iter_edges())
    index = {nid: i for i, nid in enumerate(graph.node_ids())}
    if not nx.is_directed_acyclic_graph(g):
        return {nid: (0, i) for i, nid in enumerate(graph.node_ids())}
    order = list(nx.lexicographical_topological_sort(g, key=index.__getitem__))
    column: dict[str, int] = {}
    for nid in order:
        column[nid] = max((column[p] + 1 for p in g.predecessors(nid)), default=0)
    row: dict[str, int] = {}
    taken: set[tuple[int, int]] = set()
    roots = 0
    for nid in order:
        inputs = graph.inputs_of(nid)
        if not inputs:
            wanted, roots = roots, roots + 1
        else:
            main = min(inputs, key=lambda e: (row[e.source], e.port)).source
            wanted = row[main] + _branch_rank(graph, main, nid, index)
        while (column[nid], wanted) in taken:
            wanted += 1
        row[nid] = wanted
        taken.add((column[nid], wanted))
    return {nid: (column[nid], row[nid]) for nid in graph.node_ids()}


def _branch_rank(graph: Graph, source: str, nid: str, index: dict[str, int]) -> int:
    """0 for the consumer of ``source`` that continues its row (a merge if
    there is one, else the first added); 1, 2... for the branches."""
    consumers = list(dict.fromkeys(e.target for e in graph.outputs_of(source)))
    consumers.sort(key=lambda t: (graph.catalog.get(graph.node(t).type).max_inputs is not None, index[t]))
    return consumers.index(nid) if nid in consumers else 0


class Bands(NamedTuple):
    """A wrapped layout: the first column of each band."""

    starts: list[int]

    def of(self, column: int) -> int:
        return bisect_right(self.starts, column) - 1


def _cuts(graph: Graph, cells: Mapping[str, tuple[int, int]]) -> set[int]:
    """The columns after which a band may end: where at most one wire crosses
    to the next column (a chain, never through a residual block)."""
    columns = max(c for c, _ in cells.values()) + 1
    crossing = [0] * columns
    for edge in graph.iter_edges():
        first, last = cells[edge.source][0], cells[edge.target][0]
        for column in range(min(first, last), max(first, last)):
            crossing[column] += 1
    return {c for c in range(columns - 1) if crossing[c] <= 1}


def _bands(cells: Mapping[str, tuple[int, int]], cuts: set[int], per_band: int) -> Bands:
    """Bands of at most ``per_band`` columns, ending only at ``cuts`` (a band
    that cannot end in time runs on to the next cut), as even as that many
    bands can be (no lone Output on a last row)."""
    columns = max(c for c, _ in cells.values()) + 1
    count = len(_greedy_bands(columns, cuts, per_band).starts)
    return _greedy_bands(columns, cuts, -(-columns // count))


def _greedy_bands(columns: int, cuts: set[int], per_band: int) -> Bands:
    starts = [0]
    while True:
        first = starts[-1]
        if first + per_band >= columns:
            return Bands(starts)
        ends = [c for c in cuts if first <= c < first + per_band]
        later = [c for c in cuts if c >= first + per_band]
        end = max(ends) if ends else min(later) if later else columns - 1
        if end >= columns - 1:
            return Bands(starts)
        starts.append(end + 1)


def _band_rows(cells: Mapping[str, tuple[int, int]], bands: Bands) -> list[int]:
    """How many rows each band uses."""
    rows = [1] * len(bands.starts)
    for column, row in cells.values():
        band = bands.of(column)
        rows[band] = max(rows[band], row + 1)
    return rows


def _extent(cells: Mapping[str, tuple[int, int]], bands: Bands) -> tuple[float, float]:
    """Width and height of the layout in ``bands``."""
    columns = max(c for c, _ in cells.values()) + 1
    widest = max(b - a for a, b in zip(bands.starts, [*bands.starts[1:], columns]))
    rows = _band_rows(cells, bands)
    width = (widest - 1) * COLUMN_WIDTH + NODE_WIDTH
    height = sum(rows) * ROW_HEIGHT + (len(rows) - 1) * BAND_GAP - (ROW_HEIGHT - node_height(1))
    return width, height


def fit_zoom(size: tuple[float, float], room: tuple[float, float]) -> float:
    """The zoom at which the canvas fits a design of ``size`` into ``room`` pixels."""
    width, height = size
    return min(MAX_FIT_ZOOM, room[0] / (width + 2 * FIT_MARGIN), room[1] / (height + 2 * FIT_MARGIN))


def best_bands(graph: Graph, cells: Mapping[str, tuple[int, int]], room: tuple[float, float]) -> Bands:
    """The bands that show the design largest in ``room``; the fewest bands
    that show it about as large (within 5%) or at a comfortable size
    (COMFORTABLE_ZOOM) already."""
    columns = max(c for c, _ in cells.values()) + 1
    cuts = _cuts(graph, cells)
    options = [_bands(cells, cuts, k) for k in range(columns, 1, -1)]  # fewest bands first
    zooms = [fit_zoom(_extent(cells, bands), room) for bands in options]
    enough = min(0.95 * max(zooms), COMFORTABLE_ZOOM)
    return next(bands for bands, zoom in zip(options, zooms) if zoom >= enough)


def _place_bands(graph: Graph, cells: Mapping[str, tuple[int, int]], bands: Bands) -> dict[str, Position]:
    rows = _band_rows(cells, bands)
    tops = [0.0]
    for used in rows[:-1]:
        tops.append(tops[-1] + used * ROW_HEIGHT + BAND_GAP)
    positions: dict[str, Position] = {}
    for nid in graph.node_ids():
        column, row = cells[nid]
        band = bands.of(column)
        positions[nid] = ((column - bands.starts[band]) * COLUMN_WIDTH, tops[band] + row * ROW_HEIGHT)
    return positions


# ------------------------------------------------------------------ placement
def free_position(
    graph: Graph, wanted: Position, height: float = HEADER_HEIGHT + BODY_HEIGHT, ignore: Iterable[str] = ()
) -> Position:
    """The free spot nearest ``wanted`` (a node's top-left corner) for a node
    of ``height``: tried to the right first, then below, in steps of a column
    and a row, so a new node never covers another."""
    skip = set(ignore)
    taken = [node_rect(graph, nid) for nid in graph.node_ids() if nid not in skip]
    return _free_among(taken, wanted, NODE_WIDTH, height)


def _free_among(taken: list[Rect], wanted: Position, width: float, height: float) -> Position:
    x, y = wanted
    candidates = [(dx, dy) for dy in range(0, 12) for dx in range(0, 12)]
    candidates.sort(key=lambda d: (d[0] + d[1], d[1]))  # nearest first, to the right before below
    for dx, dy in candidates:
        spot = Rect(x + dx * COLUMN_WIDTH, y + dy * ROW_HEIGHT, width, height)
        if not any(spot.overlaps(r, GAP) for r in taken):
            return (spot.x, spot.y)
    bottom = max((r.y + r.height for r in taken), default=y)
    return (x, bottom + ROW_HEIGHT)


def place_after(graph: Graph, source: str, height: float = HEADER_HEIGHT + BODY_HEIGHT) -> Position:
    """A free spot to the right of ``source`` on its row (the next layer of a chain)."""
    x, y = graph.node(source).position
    return free_position(graph, (x + COLUMN_WIDTH, y), height)


def room_for_insert(graph: Graph, edge: Edge, height: float = HEADER_HEIGHT + BODY_HEIGHT) -> tuple[Position, dict[str, Position]]:
    """Where a node inserted into ``edge`` goes, and the nodes to move to make
    room for it: when the gap between the two ends is too narrow, the target
    and every node downstream of it on its side are pushed one column right."""
    sx, sy = graph.node(edge.source).position
    tx, ty = graph.node(edge.target).position
    between = ((sx + tx) / 2, (sy + ty) / 2)
    spot = Rect(between[0], between[1], NODE_WIDTH, height)
    ends = {edge.source, edge.target}
    others = [node_rect(graph, nid) for nid in graph.node_ids() if nid not in ends]
    ends_rects = [node_rect(graph, nid) for nid in ends]
    if not any(spot.overlaps(r, GAP) for r in others + ends_rects):
        return between, {}
    wanted = (sx + COLUMN_WIDTH, sy)
    if tx <= sx:  # the target sits left of its source (a wrapped layout): put it beside the source
        return free_position(graph, wanted, height), {}
    shift = wanted[0] + COLUMN_WIDTH - tx  # the target ends up a column after the new node
    downstream = _downstream(graph, edge.target)
    moves = {nid: (x + shift, y) for nid in downstream for x, y in [graph.node(nid).position] if x >= tx}
    moved = {nid: node_rect(graph, nid, moves.get(nid)) for nid in graph.node_ids()}
    spot = Rect(wanted[0], wanted[1], NODE_WIDTH, height)
    if any(spot.overlaps(r, GAP) for r in moved.values()):
        return _free_among(list(moved.values()), wanted, NODE_WIDTH, height), moves
    return wanted, moves


def _downstream(graph: Graph, node_id: str) -> set[str]:
    found, todo = {node_id}, [node_id]
    while todo:
        for edge in graph.outputs_of(todo.pop()):
            if edge.target not in found:
                found.add(edge.target)
                todo.append(edge.target)
    return found


def free_offset(graph: Graph, rects: list[Rect], wanted: Position) -> Position:
    """An offset for a group of nodes (``rects``, e.g. pasted ones) near
    ``wanted`` at which none of them covers a node already there."""
    taken = [node_rect(graph, nid) for nid in graph.node_ids()]
    if not rects:
        return wanted
    left = min(r.x for r in rects)
    top = min(r.y for r in rects)
    group = Rect(left, top, max(r.x + r.width for r in rects) - left, max(r.y + r.height for r in rects) - top)
    x, y = _free_among(taken, (group.x + wanted[0], group.y + wanted[1]), group.width, group.height)
    return (x - group.x, y - group.y)
