"""Per-node summary of a design: type, output shape, parameters, MACs, memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from designer.graph.analysis import INPUT_TYPE, OUTPUT_TYPE
from designer.graph.errors import GraphError

if TYPE_CHECKING:
    from designer.graph.analysis import Analysis
    from designer.graph.model import Graph


@dataclass(frozen=True)
class SummaryRow:
    node: str
    type: str
    output: str  # "N x 32 x 14 x 14", or "?" when it cannot be inferred
    params: int
    macs: int  # multiply-accumulates for one sample
    activation_bytes: int  # output memory for one sample
    frozen: bool = False  # transfer learning: training leaves its parameters as they are
    inside: str = ""  # the block instance this row is inside ("" for the design's own nodes); its node reads "block1.conv1"


@dataclass(frozen=True)
class Summary:
    rows: list[SummaryRow]

    @property
    def top_rows(self) -> list[SummaryRow]:
        """The design's own nodes (an expanded block's inner rows are part of its instance's row)."""
        return [r for r in self.rows if not r.inside]

    @property
    def total_params(self) -> int:
        return sum(r.params for r in self.top_rows)

    @property
    def frozen_params(self) -> int:
        """Parameters of frozen nodes (training leaves them as they are)."""
        return sum(r.params for r in self.top_rows if r.frozen)

    @property
    def trainable_params(self) -> int:
        return self.total_params - self.frozen_params

    @property
    def total_macs(self) -> int:
        return sum(r.macs for r in self.top_rows)

    @property
    def total_activation_bytes(self) -> int:
        return sum(r.activation_bytes for r in self.top_rows)


def summarize(graph: Graph, expand_blocks: bool = False) -> Summary:
    """Rows in topological order (nodes in a cycle last); with
    ``expand_blocks``, each block instance's row is followed by one row per
    layer inside it (nested blocks too), named ``block1.conv1``."""
    rows = _rows(graph, graph.analyze(), expand_blocks, prefix="", frozen_around=False)
    return Summary(rows)


def _rows(graph: Graph, analysis: Analysis, expand: bool, prefix: str, frozen_around: bool) -> list[SummaryRow]:
    placed = set(analysis.order)
    ordered = analysis.order + [nid for nid in graph.node_ids() if nid not in placed]
    rows = []
    for nid in ordered:
        info = analysis.nodes[nid]
        out = info.output
        node = graph.node(nid)
        if prefix and node.type in (INPUT_TYPE, OUTPUT_TYPE):
            continue  # a block's ports: the rows around it show those tensors
        frozen = frozen_around if prefix else node.frozen  # inside a block, the instance decides (training freezes it whole)
        name = f"{prefix}{nid}"
        inner: list[SummaryRow] = []
        if out is not None and graph.catalog.is_block(node.type):
            try:
                inside = graph.block_inside(nid)
            except GraphError:  # an instance that does not work has no inside to show
                pass
            else:
                inner = _rows(inside.graph, inside.analysis, expand, f"{name}.", frozen)
        memory = sum(r.activation_bytes for r in inner if r.inside == name) if inner else (out.nbytes if out else 0)  # a block keeps every tensor inside it
        rows.append(SummaryRow(name, node.type, out.display() if out else "?", info.param_count, info.macs, memory, frozen, prefix[:-1]))
        if expand:
            rows += inner
    return rows


def human_count(value: int) -> str:
    """1234567 -> '1.23M'; small numbers stay exact."""
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:.3g}{unit}"
    return str(value)


def human_bytes(value: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value} B"


def format_summary(graph: Graph, expand_blocks: bool = False) -> str:
    """The table ``designer summary`` prints (and the GUI's summary shows);
    ``expand_blocks`` adds the rows inside each block, indented."""
    summary = summarize(graph, expand_blocks)
    header = ("node", "type", "output", "params", "MACs", "memory")
    body = [
        ("  " * r.node.count(".") + r.node + (" (frozen)" if r.frozen and not r.inside else ""), r.type, r.output, f"{r.params:,}", human_count(r.macs), human_bytes(r.activation_bytes))
        for r in summary.rows
    ]
    total = ("total", "", "", f"{summary.total_params:,}", human_count(summary.total_macs), human_bytes(summary.total_activation_bytes))
    widths = [max(len(row[i]) for row in [header, *body, total]) for i in range(len(header))]
    right = {3, 4, 5}

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()

    rule = "-" * len(line(header))
    lines = [line(header), rule, *map(line, body), rule, line(total)]
    if summary.frozen_params:
        lines.append(f"trainable {summary.trainable_params:,}, frozen {summary.frozen_params:,}")
    return "\n".join(lines)
