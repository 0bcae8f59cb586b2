"""The run's CSV files: epochs.csv (one row per epoch) and batches.csv (the
per-batch loss and its smoothed curve on the epoch axis), written and read.

A killed process may leave half a last line: reading drops a last line that
has no line end. Anything else that does not parse makes the file unreadable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from designer.runs.files import RunFileError
from designer.train import EpochMetrics

EPOCH_COLUMNS = ("epoch", "train_loss", "val_loss", "train_metric", "val_metric", "lr", "seconds", "samples_per_second")
BATCH_COLUMNS = ("x", "loss", "smooth")
EPOCH_HEADER = ",".join(EPOCH_COLUMNS) + "\n"
BATCH_HEADER = ",".join(BATCH_COLUMNS) + "\n"


def epoch_line(m: EpochMetrics) -> str:
    cells = (m.epoch, m.train_loss, m.val_loss, m.train_metric, m.val_metric, m.lr, m.seconds, m.samples_per_second)
    return ",".join(_cell(v) for v in cells) + "\n"


def batch_lines(xs: Sequence[float], losses: Sequence[float], smooth: Sequence[float]) -> str:
    return "".join(f"{x:.6g},{loss:.7g},{s:.7g}\n" for x, loss, s in zip(xs, losses, smooth))


def parse_epochs(text: str, metric_name: str, name: str = "epochs.csv") -> list[EpochMetrics]:
    lines = _complete_lines(text, EPOCH_HEADER, name)
    epochs: list[EpochMetrics] = []
    for number, line in enumerate(lines, 2):
        cells = line.split(",")
        if len(cells) != len(EPOCH_COLUMNS):
            raise RunFileError(f"{name}, line {number}: {len(cells)} cells, not {len(EPOCH_COLUMNS)}")
        try:
            epoch = int(cells[0])
            values = [_number(c) for c in cells[1:]]
        except ValueError:
            raise RunFileError(f"{name}, line {number}: not a number") from None
        train_loss, val_loss, train_metric, val_metric, lr, seconds, rate = values
        if train_loss is None or train_metric is None or lr is None or seconds is None or rate is None:
            raise RunFileError(f"{name}, line {number}: a required value is empty")
        if epoch != len(epochs) + 1:
            raise RunFileError(f"{name}, line {number}: epoch {epoch} where {len(epochs) + 1} was expected")
        epochs.append(EpochMetrics(epoch, train_loss, val_loss, train_metric, val_metric, metric_name, lr, seconds, rate))
    return epochs


def parse_batches(text: str, name: str = "batches.csv") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lines = _complete_lines(text, BATCH_HEADER, name)
    if not lines:
        empty = np.zeros(0)
        return empty, empty, empty
    try:
        values = np.array(",".join(lines).split(","), dtype=np.float64)
    except ValueError:
        raise RunFileError(f"{name}: a cell is not a number") from None
    if len(values) != 3 * len(lines):
        raise RunFileError(f"{name}: every line needs {len(BATCH_COLUMNS)} cells")
    table = values.reshape(-1, 3)
    return table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy()


def _complete_lines(text: str, header: str, name: str) -> list[str]:
    if not text.startswith(header):
        raise RunFileError(f"{name} does not start with the header {header.strip()!r}")
    body = text[len(header) :]
    lines = body.split("\n")
    lines.pop()  # what follows the last line end: empty, or half a line a killed process left
    return [line for line in lines if line]


def _number(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def _cell(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value:.7g}" if math.isfinite(value) else str(value)
