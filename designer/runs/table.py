"""The runs as a table: one row per run, each cell a shown text and a value
to sort by, for the window's runs table and ``designer runs`` alike. Which
training settings get a column: the ones that differ between the runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from designer.runs.formatting import duration_text, metric_text, value_text, when_text
from designer.runs.record import RunRecord

FIXED = ("run", "status", "best", "epochs", "time", "started")
ALWAYS = ("optimizer", "learning_rate", "batch_size")  # shown even when equal: they name a run


@dataclass(frozen=True)
class Cell:
    text: str
    value: Any  # what sorting compares (numbers, or text)


def setting_columns(runs: Sequence[RunRecord]) -> list[str]:
    """The training settings to show: the usual three and any other that differs between runs."""
    keys = sorted({k for r in runs for k in r.settings})
    varying = [k for k in keys if len({repr(r.settings.get(k)) for r in runs}) > 1 and k not in ALWAYS]
    return [*ALWAYS, *varying]


def sweep_columns(runs: Sequence[RunRecord]) -> list[str]:
    """Node parameters a sweep tried (``conv1.out_channels``), in the order first seen."""
    names: list[str] = []
    for record in runs:
        for name in (record.sweep or {}).get("params", {}):
            if "." in name and not name.startswith("training.") and name not in names:
                names.append(name)
    return names


def run_cells(record: RunRecord, settings: Sequence[str], swept: Sequence[str] = ()) -> list[Cell]:
    best = record.best_metric
    higher = record.metric_name == "accuracy"
    sort_best = (best if higher else -best) if best is not None else float("-inf")
    cells = [
        Cell(record.label, record.number),
        Cell(record.status_text, record.status),
        Cell(metric_text(record.metric_name, best), sort_best),
        Cell(str(len(record.epochs)), len(record.epochs)),
        Cell(duration_text(record.seconds), record.seconds),
        Cell(when_text(record.created), record.created),
    ]
    cells += [Cell(value_text(record.settings.get(k)), _sortable(record.settings.get(k))) for k in settings]
    params = (record.sweep or {}).get("params", {})
    cells += [Cell(value_text(params.get(k)), _sortable(params.get(k))) for k in swept]
    return cells


def header(settings: Sequence[str], swept: Sequence[str] = ()) -> list[str]:
    return ["run", "status", "best", "epochs", "time", "started", *settings, *swept]


def runs_table(runs: Sequence[RunRecord], sort: str = "number") -> list[list[str]]:
    """Rows of text, the header first; sorted by number, best result, epochs or time."""
    settings, swept = setting_columns(runs), sweep_columns(runs)
    rows = [(r, run_cells(r, settings, swept)) for r in runs]
    column = {"number": 0, "best": 2, "epochs": 3, "time": 4}[sort]
    rows.sort(key=lambda pair: pair[1][column].value, reverse=sort != "number")
    return [header(settings, swept)] + [[c.text for c in cells] for _, cells in rows]


def _sortable(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    return float("nan") if value is None else str(value)
