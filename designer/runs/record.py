"""One run in memory: its settings, design snapshot, curves and how it ended.

The window's run list, plots and results read this record, and so do the
command line's reports; ``designer.runs.store`` writes it to its folder and
reads it back. The window adds only a colour and whether the curves show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from designer.runs.formatting import metric_text, settings_text
from designer.train import BatchReport, EpochMetrics

if TYPE_CHECKING:
    from designer.project import Project
    from designer.runs.outcome import RunOutcome

RUNNING = "running"
CRASHED = "crashed"  # its process ended without saying how (killed, out of memory, power cut)
# what describes a run, as against what it produced (curves, results)
DESCRIPTION = (
    "number", "settings", "data_source", "fingerprint", "id", "folder", "data", "metric_name", "status", "message",
    "best_epoch", "device", "origin", "created", "ended", "pinned", "sweep", "notes",
)  # fmt: skip


class Series:
    """A float buffer that doubles when full: appends are cheap and ``view()``
    is what a plot's ``setData`` gets, without copying the history on every batch."""

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

    def clear(self) -> None:
        self._size = 0


def smoothing(batches_per_epoch: int) -> float:
    """EMA weight: a window of about a fifth of an epoch (at least 5 batches)."""
    window = max(5.0, batches_per_epoch / 5)
    return math.exp(-1.0 / window)


class Smoother:
    """Per-batch losses to their positions on the epoch axis and an exponential
    moving average, bias-corrected so it starts at the first loss, not at zero.
    Batch 9 of 45 in epoch 2 is at 1.2, so batches and epochs share one axis."""

    def __init__(self) -> None:
        self.average = 0.0
        self.weight_sum = 0.0

    def feed(self, reports: Sequence[BatchReport]) -> tuple[list[float], list[float], list[float]]:
        xs: list[float] = []
        losses: list[float] = []
        smooth: list[float] = []
        for report in reports:
            keep = smoothing(report.batches)
            first = report.batch - len(report.losses) + 1
            for i, loss in enumerate(report.losses):
                xs.append(report.epoch - 1 + (first + i) / report.batches)
                losses.append(loss)
                self.average = keep * self.average + (1 - keep) * loss
                self.weight_sum = keep * self.weight_sum + (1 - keep)
                smooth.append(self.average / self.weight_sum)
        return xs, losses, smooth


@dataclass
class RunRecord:
    """One run: its settings at the start, its curves, and how it ended.

    ``id`` names its folder beside the project (empty for a run of an
    untitled project, kept in memory only); ``number`` is its label.
    """

    number: int
    settings: dict[str, Any]
    data_source: str
    fingerprint: str
    id: str = ""
    folder: Path | None = None
    data: dict[str, Any] = field(default_factory=dict)
    metric_name: str = "accuracy"
    status: str = RUNNING
    message: str = ""
    best_epoch: int | None = None
    device: str = ""
    origin: str = "window"  # window, command line, sweep
    created: float = 0.0  # seconds since the epoch
    ended: float | None = None
    pinned: bool = False
    sweep: dict[str, Any] | None = None  # study, trial number and the values it tried
    notes: list[str] = field(default_factory=list)
    outcome: RunOutcome | None = None
    snapshot: Project | None = None  # the project as it was trained (its graph fits the weights)
    epochs: list[EpochMetrics] = field(default_factory=list)
    batch_x: Series = field(default_factory=Series)
    batch_loss: Series = field(default_factory=Series)
    batch_smooth: Series = field(default_factory=Series)
    _smoother: Smoother = field(default_factory=Smoother, repr=False)

    @property
    def running(self) -> bool:
        return self.status == RUNNING

    @property
    def label(self) -> str:
        return f"Run {self.number}"

    @property
    def kept_state(self) -> dict[str, Any] | None:
        """The weights the run kept (its best epoch's or its last), when it ended in this session."""
        return self.outcome.result.kept_state if self.outcome is not None else None

    @property
    def resumable(self) -> bool:
        """A stopped, failed or crashed run whose folder holds a checkpoint to go on from."""
        from designer.runs.layout import CHECKPOINT

        return (
            self.status not in (RUNNING, "finished", "early_stopped")
            and self.folder is not None
            and (self.folder / CHECKPOINT).is_file()
        )

    def stored_copy(self) -> RunRecord:
        """A plain record with the same description and no curves or results (for a recorder on another thread)."""
        described = {f.name: getattr(self, f.name) for f in fields(RunRecord) if f.name in DESCRIPTION}
        return RunRecord(**{k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v) for k, v in described.items()})

    def add_batches(self, reports: Sequence[BatchReport]) -> None:
        xs, losses, smooth = self._smoother.feed(reports)
        self.batch_x.extend(xs)
        self.batch_loss.extend(losses)
        self.batch_smooth.extend(smooth)

    def add_epochs(self, metrics: Sequence[EpochMetrics]) -> None:
        self.epochs.extend(metrics)
        if metrics:
            self.metric_name = metrics[-1].metric_name

    def truncate(self, epochs: int) -> None:
        """Forget what came after epoch ``epochs`` (a resumed run starts again there)."""
        self.epochs = [m for m in self.epochs if m.epoch <= epochs]
        keep = int(np.searchsorted(self.batch_x.view(), epochs + 1e-9, side="right"))
        for series in (self.batch_x, self.batch_loss, self.batch_smooth):
            kept = series.view()[:keep].copy()
            series.clear()
            series.extend(kept)
        if len(kept := self.batch_smooth.view()):
            # the moving average goes on from the last kept value
            self._smoother.average, self._smoother.weight_sum = float(kept[-1]), 1.0

    def epoch_array(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) of one EpochMetrics field, leaving out missing values."""
        pairs = [(m.epoch, getattr(m, name)) for m in self.epochs if getattr(m, name) is not None]
        if not pairs:
            return np.zeros(0), np.zeros(0)
        x, y = zip(*pairs)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    @property
    def best(self) -> EpochMetrics | None:
        """The best epoch, or the last one when none is marked."""
        return next((m for m in self.epochs if m.epoch == self.best_epoch), None) or (self.epochs[-1] if self.epochs else None)

    @property
    def best_metric(self) -> float | None:
        """The best epoch's validation metric (its training metric without a validation split)."""
        best = self.best
        if best is None:
            return None
        return best.val_metric if best.val_metric is not None else best.train_metric

    @property
    def seconds(self) -> float:
        return sum(m.seconds for m in self.epochs)

    def settings_text(self) -> str:
        """The settings that tell runs apart, in one line."""
        return settings_text(self.settings)

    def result_text(self) -> str:
        """How far it got: the best validation metric, or the state while running."""
        best = self.best
        if best is None:
            return self.status_text
        return f"{self.status_text}, {metric_text(self.metric_name, self.best_metric)} at epoch {best.epoch}"

    @property
    def status_text(self) -> str:
        """How the run ended, in words; a sweep's trial stopped by the pruner says so."""
        if (self.sweep or {}).get("pruned"):
            return "pruned"
        return self.status.replace("_", " ")
