"""Two runs side by side: their settings (differences marked), their
results, and the diff of the designs that produced them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from designer.runs.diff import DesignDiff, diff_designs, diff_records
from designer.runs.formatting import duration_text, metric_text, value_text
from designer.runs.record import RunRecord


@dataclass(frozen=True)
class SettingRow:
    section: str  # training, data or result
    name: str
    first: str
    second: str

    @property
    def differs(self) -> bool:
        return self.first != self.second


@dataclass
class RunComparison:
    first: RunRecord
    second: RunRecord
    rows: list[SettingRow]
    design: DesignDiff

    @property
    def differences(self) -> list[SettingRow]:
        return [row for row in self.rows if row.differs and row.section != "result"]

    def text(self) -> str:
        """The comparison for a terminal: results, settings that differ, design changes."""
        a, b = self.first, self.second
        lines = [f"{a.id or a.label} → {b.id or b.label}"]
        width = max((len(f"{r.section}.{r.name}") for r in self.rows), default=10)
        lines.append("results:")
        lines += [f"  {r.name.ljust(width)}  {r.first}  →  {r.second}" for r in self.rows if r.section == "result"]
        changed = self.differences
        lines.append("settings that differ:" if changed else "settings: the same")
        lines += [f"  {(r.section + '.' + r.name).ljust(width)}  {r.first}  →  {r.second}" for r in changed]
        lines.append("design:")
        lines += [f"  {line}" for line in self.design.lines()]
        return "\n".join(lines)


def compare_runs(first: RunRecord, second: RunRecord) -> RunComparison:
    settings = _section_rows("training", first.settings, second.settings)
    settings += _section_rows("data", _flat_data(first.data), _flat_data(second.data))
    settings.sort(key=lambda row: not row.differs)  # the differences first, each group in its order
    return RunComparison(first, second, result_rows(first, second) + settings, design_diff(first, second))


def design_diff(first: RunRecord, second: RunRecord) -> DesignDiff:
    """The diff of the runs' design snapshots (empty when either is missing)."""
    if first.snapshot is None or second.snapshot is None:
        return diff_records({}, {})
    return diff_designs(first.snapshot.graph, second.snapshot.graph)


def result_rows(first: RunRecord, second: RunRecord) -> list[SettingRow]:
    def of(record: RunRecord) -> list[str]:
        best = record.best
        loss = None if best is None else best.val_loss if best.val_loss is not None else best.train_loss
        return [
            record.status.replace("_", " "),
            metric_text(record.metric_name, record.best_metric),
            "–" if loss is None else f"{loss:.4g}",
            str(best.epoch) if best else "–",
            str(len(record.epochs)),
            duration_text(record.seconds),
            record.device or "–",
        ]

    names = ("status", "best metric", "best loss", "best epoch", "epochs", "time", "device")
    return [SettingRow("result", n, x, y) for n, x, y in zip(names, of(first), of(second))]


def _section_rows(section: str, a: dict[str, Any], b: dict[str, Any]) -> list[SettingRow]:
    return [SettingRow(section, key, value_text(a.get(key)), value_text(b.get(key))) for key in sorted(set(a) | set(b))]


def _flat_data(data: dict[str, Any]) -> dict[str, Any]:
    """The data section with its source's options as ``options.NAME`` rows."""
    flat = {k: v for k, v in data.items() if k != "options"}
    options = data.get("options")
    if isinstance(options, dict):
        flat.update({f"options.{k}": v for k, v in options.items()})
    return flat
