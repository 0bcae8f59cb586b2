"""Per-node summary of a design: type, output shape, parameters, MACs, memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


@dataclass(frozen=True)
class Summary:
    rows: list[SummaryRow]

    @property
    def total_params(self) -> int:
        return sum(r.params for r in self.rows)

    @property
    def frozen_params(self) -> int:
        """Parameters of frozen nodes (training leaves them as they are)."""
        return sum(r.params for r in self.rows if r.frozen)

    @property
    def trainable_params(self) -> int:
        return self.total_params - self.frozen_params

    @property
    def total_macs(self) -> int:
        return sum(r.macs for r in self.rows)

    @property
    def total_activation_bytes(self) -> int:
        return sum(r.activation_bytes for r in self.rows)


def summarize(graph: Graph) -> Summary:
    """Rows in topological order (nodes in a cycle last)."""
    analysis = graph.analyze()
    placed = set(analysis.order)
    ordered = analysis.order + [nid for nid in graph.node_ids() if nid not in placed]
    rows = []
    for nid in ordered:
        info = analysis.nodes[nid]
        out = info.output
        rows.append(
            SummaryRow(
                nid,
                graph.node(nid).type,
                out.display() if out else "?",
                info.param_count,
                info.macs,
                out.nbytes if out else 0,
                graph.node(nid).frozen,
            )
        )
    return Summary(rows)


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


def format_summary(graph: Graph) -> str:
    """The table ``designer summary`` prints (and the GUI's summary shows)."""
    summary = summarize(graph)
    header = ("node", "type", "output", "params", "MACs", "memory")
    body = [
        (r.node + (" (frozen)" if r.frozen else ""), r.type, r.output, f"{r.params:,}", human_count(r.macs), human_bytes(r.activation_bytes))
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
