"""The runs of one project in this session: each run's curves (growing numpy
buffers), its settings and how it ended, so earlier runs stay on the plots,
dimmed, next to the current one.

The history lives in memory, one per project, and is not written beside the
project file: a saved list of runs would describe designs that have since
changed (the curves of a 3-layer net next to today's 5-layer one) and would
add a second file to every project folder under version control. What a
user wants to keep is already kept: Save weights writes ``NAME.safetensors``
and that run's ``NAME.metrics.csv``, and the plots export every run as CSV.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from designer.train import BatchReport, EpochMetrics

if TYPE_CHECKING:
    from designer.project import Project
    from designer.ui.training.outcome import RunOutcome

RUNNING = "running"
# One colour per run, in order; distinct for the common kinds of colour blindness first.
PALETTE = ("#2f80ed", "#e8710a", "#2a9467", "#b93a86", "#8756b0", "#c04a46", "#687a2a", "#0f9bb8")


class Series:
    """A float buffer that doubles when full: appends are cheap and ``view()``
    is what ``setData`` gets, without copying the history on every batch."""

    def __init__(self, capacity: int = 256) -> None:
        self._data = np.empty(capacity, dtype=np.float64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def extend(self, values: Sequence[float] | np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        need = self._size + len(values)
        if need > len(self._data):
            grown = np.empty(max(need, 2 * len(self._data)), dtype=np.float64)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : need] = values
        self._size = need

    def view(self) -> np.ndarray:
        return self._data[: self._size]


@dataclass
class RunRecord:
    """One run: its settings at the start, its curves, and how it ended.

    Batch losses sit at fractional epochs (batch 9 of 45 in epoch 2 is at
    1.2), epoch values at whole ones, so both share one epoch axis. The
    smoothed curve is an exponential moving average, bias-corrected so it
    starts at the first loss rather than at zero.
    """

    number: int
    colour: str
    settings: dict[str, Any]
    data_source: str
    fingerprint: str
    metric_name: str = "accuracy"
    status: str = RUNNING
    message: str = ""
    best_epoch: int | None = None
    device: str = ""
    hidden: bool = False
    outcome: RunOutcome | None = None
    snapshot: Project | None = None  # the project as it was trained (its graph fits the weights)
    epochs: list[EpochMetrics] = field(default_factory=list)
    batch_x: Series = field(default_factory=Series)
    batch_loss: Series = field(default_factory=Series)
    batch_smooth: Series = field(default_factory=Series)
    _average: float = 0.0
    _weight_sum: float = 0.0

    @property
    def running(self) -> bool:
        return self.status == RUNNING

    @property
    def label(self) -> str:
        return f"Run {self.number}"

    def add_batches(self, reports: Sequence[BatchReport]) -> None:
        xs: list[float] = []
        losses: list[float] = []
        smooth: list[float] = []
        for report in reports:
            keep = _smoothing(report.batches)
            first = report.batch - len(report.losses) + 1
            for i, loss in enumerate(report.losses):
                xs.append(report.epoch - 1 + (first + i) / report.batches)
                losses.append(loss)
                self._average = keep * self._average + (1 - keep) * loss
                self._weight_sum = keep * self._weight_sum + (1 - keep)
                smooth.append(self._average / self._weight_sum)
        self.batch_x.extend(xs)
        self.batch_loss.extend(losses)
        self.batch_smooth.extend(smooth)

    def add_epochs(self, metrics: Sequence[EpochMetrics]) -> None:
        self.epochs.extend(metrics)
        if metrics:
            self.metric_name = metrics[-1].metric_name

    def epoch_array(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) of one EpochMetrics field, leaving out missing values."""
        pairs = [(m.epoch, getattr(m, name)) for m in self.epochs if getattr(m, name) is not None]
        if not pairs:
            return np.zeros(0), np.zeros(0)
        x, y = zip(*pairs)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def settings_text(self) -> str:
        """The settings that tell runs apart, in one line."""
        s = self.settings
        parts = [f"{s.get('optimizer')} lr {s.get('learning_rate'):g}", f"batch {s.get('batch_size')}", f"{s.get('epochs')} epochs"]
        if s.get("schedule") not in (None, "none"):
            parts.append(str(s["schedule"]))
        if s.get("weight_decay"):
            parts.append(f"wd {s['weight_decay']:g}")
        if s.get("early_stopping"):
            parts.append(f"early stop {s.get('patience')}")
        parts.append(f"seed {s.get('seed')}")
        return ", ".join(parts)

    def result_text(self) -> str:
        """How far it got: the best validation metric, or the state while running."""
        best = next((m for m in self.epochs if m.epoch == self.best_epoch), None) or (self.epochs[-1] if self.epochs else None)
        if best is None:
            return self.status.replace("_", " ")
        value = best.val_metric if best.val_metric is not None else best.train_metric
        shown = f"{100 * value:.1f}%" if self.metric_name == "accuracy" else f"MAE {value:.4g}"
        return f"{self.status.replace('_', ' ')}, {shown} at epoch {best.epoch}"


def _smoothing(batches_per_epoch: int) -> float:
    """EMA weight: a window of about a fifth of an epoch (at least 5 batches)."""
    window = max(5.0, batches_per_epoch / 5)
    return math.exp(-1.0 / window)


class RunHistory(QObject):
    """The runs of one project, oldest first; views follow its signals."""

    run_added = Signal(object)  # RunRecord
    run_changed = Signal(object)  # RunRecord: status, visibility or outcome changed
    run_removed = Signal(object)  # RunRecord

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runs: list[RunRecord] = []
        self._numbers = 0

    def new_run(self, settings: dict[str, Any], data_source: str, fingerprint: str) -> RunRecord:
        self._numbers += 1
        record = RunRecord(self._numbers, PALETTE[(self._numbers - 1) % len(PALETTE)], dict(settings), data_source, fingerprint)
        self.runs.append(record)
        self.run_added.emit(record)
        return record

    def changed(self, record: RunRecord) -> None:
        self.run_changed.emit(record)

    def set_hidden(self, record: RunRecord, hidden: bool) -> None:
        if record.hidden != hidden:
            record.hidden = hidden
            self.run_changed.emit(record)

    def remove(self, record: RunRecord) -> None:
        """Forget a finished run (a running one is stopped first by the panel)."""
        if record in self.runs:
            self.runs.remove(record)
            self.run_removed.emit(record)

    @property
    def latest(self) -> RunRecord | None:
        return self.runs[-1] if self.runs else None
