"""What a run reports: per-batch losses, per-epoch metrics, the run's result,
the plain-function callbacks that receive them; the metrics as CSV."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from designer.project.atomic import write_text_atomic
from designer.train.callbacks import Callback

if TYPE_CHECKING:
    import torch

FINISHED, EARLY_STOPPED, STOPPED, FAILED = "finished", "early_stopped", "stopped", "failed"
StateDict = dict[str, "torch.Tensor"]


@dataclass(frozen=True)
class BatchReport:
    """Losses of the batches since the last report (``batch`` is the last one,
    1-based), and the epoch so far in this process: samples, mean loss, metric."""

    epoch: int
    batch: int
    batches: int  # per epoch, in this process
    losses: tuple[float, ...]
    samples: int
    running_loss: float
    running_metric: float


@dataclass(frozen=True)
class EpochMetrics:
    """One epoch's numbers. ``metric_name`` is ``accuracy`` (0..1) or ``mae``."""

    epoch: int
    train_loss: float
    val_loss: float | None
    train_metric: float
    val_metric: float | None
    metric_name: str
    lr: float
    seconds: float
    samples_per_second: float

    def row(self) -> dict[str, object]:
        """The CSV row: epoch, train_loss, val_loss, train_<metric>, val_<metric>, lr, seconds."""
        return {
            "epoch": self.epoch,
            "train_loss": _fmt(self.train_loss),
            "val_loss": _fmt(self.val_loss),
            f"train_{self.metric_name}": _fmt(self.train_metric),
            f"val_{self.metric_name}": _fmt(self.val_metric),
            "lr": _fmt(self.lr),
            "seconds": f"{self.seconds:.3f}",
        }


@dataclass
class RunResult:
    """How a run ended. States are on the CPU; ``best_*`` is the epoch with the
    lowest validation loss (training loss when there is no validation split)."""

    status: str
    message: str
    epochs: list[EpochMetrics] = field(default_factory=list)
    best_epoch: int | None = None
    best_state: StateDict | None = None
    last_state: StateDict | None = None
    keep_best: bool = False  # early stopping on: the best weights are the ones kept
    node: str | None = None  # the node that failed, when one did
    threads: int = 0  # the CPU threads it trained with at the end (designer.train.threads)

    @property
    def ok(self) -> bool:
        return self.status != FAILED

    @property
    def best(self) -> EpochMetrics | None:
        return next((m for m in self.epochs if m.epoch == self.best_epoch), None)

    @property
    def last(self) -> EpochMetrics | None:
        return self.epochs[-1] if self.epochs else None

    @property
    def kept_state(self) -> StateDict | None:
        """The weights to save: the best ones with early stopping or after a
        failure (the last ones may hold NaN), otherwise the last ones."""
        if self.status == FAILED or (self.keep_best and self.best_state is not None):
            return self.best_state
        return self.last_state


@dataclass
class Callbacks(Callback):
    """Three plain functions as one callback object: ``on_batch`` gets each
    BatchReport, ``on_epoch`` each EpochMetrics, ``on_end`` the RunResult.
    Called on the training thread; keep them quick (a GUI emits a signal)."""

    on_batch: Callable[[BatchReport], None] | None = None
    on_epoch: Callable[[EpochMetrics], None] | None = None
    on_end: Callable[[RunResult], None] | None = None

    def on_report(self, report: BatchReport) -> None:
        if self.on_batch is not None:
            self.on_batch(report)

    def on_epoch_end(self, metrics: EpochMetrics) -> None:
        if self.on_epoch is not None:
            self.on_epoch(metrics)

    def on_run_end(self, result: RunResult) -> None:
        if self.on_end is not None:
            self.on_end(result)


def metrics_csv(epochs: Sequence[EpochMetrics]) -> str:
    rows = [m.row() for m in epochs]
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def write_metrics_csv(path: str | os.PathLike[str], epochs: Sequence[EpochMetrics], metric_name: str = "accuracy") -> Path:
    """One row per epoch, written atomically (a header only when no epoch ran)."""
    text = metrics_csv(epochs) or f"epoch,train_loss,val_loss,train_{metric_name},val_{metric_name},lr,seconds\n"
    write_text_atomic(path, text)
    return Path(path)


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"
