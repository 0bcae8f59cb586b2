"""Recording a run into its folder as it trains: a trainer callback.

``new_run`` claims the run's folder; ``RunRecorder`` (a
``designer.train.Callback``) writes ``run.json`` and ``design.nnd`` when it
begins, appends each epoch's row and the epoch's batch losses when the epoch
ends, keeps a checkpoint to resume from, and at the run's end writes how it
ended, the results views and, for the best or a pinned run, the weights.

Recording must not slow training: the appends are a few lines of text per
epoch, and the checkpoint and per-node statistics are written only while
their cost stays under ``SHARE`` of the run's time so far (the latest
checkpoint is kept in memory and written at the end of a stopped run
whatever it costs). A run killed mid-way keeps every epoch it finished and
the last checkpoint written (and the batch losses of all but its last second).

Every file is replaced in one rename (or appended to and flushed), never
half-written, but without the flush to disk that a project save makes: a
killed process keeps everything, a power cut may lose the last seconds.

A recording that fails (a full disk) never fails the run: the run goes on,
and ``recorder.error`` says what went wrong.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from designer.project import Project, dumps, loads
from designer.runs.checkpoint import read_checkpoint, remove_checkpoint, write_checkpoint
from designer.runs.files import dump_json, read_text, replace_text
from designer.runs.layout import BATCH_ROWS, BATCHES, DESIGN, EPOCHS, LAYERS, RUN_FILE, WEIGHTS
from designer.runs.meta import to_meta
from designer.runs.outcome import ResultViews, compute_views
from designer.runs.record import RUNNING, RunRecord, Smoother
from designer.runs.store import RunStore
from designer.runs.tables import BATCH_HEADER, EPOCH_HEADER, batch_lines, epoch_line, parse_batches
from designer.runs.views import write_views, write_weights
from designer.train import FAILED, STOPPED, BatchReport, Callback, EpochMetrics, RunResult, RunStart

if TYPE_CHECKING:
    from designer.train import Trainer
    from designer.train.resume import TrainState

SHARE = 0.005  # of the run's time that checkpoints and per-node statistics may take
BATCH_FLUSH_S = 1.0  # batch rows reach the file at least this often (each epoch's row at once)


def new_run(
    store: RunStore, project: Project, settings: Mapping[str, Any] | None = None, origin: str = "window", sweep: dict | None = None
) -> tuple[RunRecord, Project]:
    """Claim a folder for a run of ``project`` with ``settings`` (the project's own
    by default); returns the record and the snapshot it trains (its training section
    holds the settings the run uses)."""
    snapshot = loads(dumps(project))
    snapshot.path = project.path
    if settings is not None:
        snapshot.training.update(dict(settings))
    run, number, folder = store.claim()
    record = RunRecord(
        number,
        snapshot.training.as_dict(),
        str(snapshot.data.get("source")),
        snapshot.graph.fingerprint(),
        id=run,
        folder=folder,
        data=snapshot.data.as_dict(),
        origin=origin,
        created=time.time(),
        sweep=sweep,
    )
    record.snapshot = snapshot
    return record, snapshot


@dataclass
class Recording:
    """Where and how a run is recorded, made on one thread (the window's) for a
    recorder made on another (the training thread's): the record is the
    recorder's own copy, never the one the window shows."""

    store: RunStore
    record: RunRecord
    snapshot: Project
    resume: TrainState | None = None
    resume_extra: dict[str, Any] | None = None

    def recorder(self) -> RunRecorder:
        return RunRecorder(self.store, self.record, self.snapshot, resume=self.resume, resume_extra=self.resume_extra)


class Thinning:
    """Per-batch rows to keep: every batch's until ``limit`` rows, then every
    2nd (4th, 8th...) batch's, each row the mean of the batches it stands for."""

    def __init__(self, limit: int = BATCH_ROWS) -> None:
        self.limit = limit
        self.stride = 1
        self.kept: list[tuple[float, float, float]] = []
        self.pending: list[tuple[float, float, float]] = []  # kept rows not yet in the file
        self.rewrite = False  # the file must be written again (the rows were thinned)
        self._group: list[tuple[float, float, float]] = []

    def add(self, xs: list[float], losses: list[float], smooth: list[float]) -> None:
        if self.stride == 1 and not self._group:  # every batch kept: no groups to average
            rows = list(zip(xs, losses, smooth))
            self.kept.extend(rows)
            if not self.rewrite:
                self.pending.extend(rows)
        else:
            for row in zip(xs, losses, smooth):
                self._group.append(row)
                if len(self._group) >= self.stride:
                    self._close_group()
        if len(self.kept) > self.limit:
            pairs = [_merge(self.kept[i : i + 2]) for i in range(0, len(self.kept) - 1, 2)]
            rest = self.kept[len(pairs) * 2 :]
            self.kept = pairs + rest
            self.stride *= 2
            self.rewrite, self.pending = True, []

    def finish(self) -> None:
        """The last partial group becomes a row too (the run ended)."""
        if self._group:
            self._close_group()

    def _close_group(self) -> None:
        row = _merge(self._group)
        self._group = []
        self.kept.append(row)
        if not self.rewrite:
            self.pending.append(row)


def _merge(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    n = len(rows)
    return sum(r[0] for r in rows) / n, sum(r[1] for r in rows) / n, rows[-1][2]


class RunRecorder(Callback):
    """Writes one run's folder while it trains (see the module docstring).

    ``trainer``: the run's Trainer, for the checkpoints and the results views
    (set it before the run starts). ``layers``: returns per-node statistics as
    CSV text (designer.insight.layer_stats), written as the run goes.
    ``resume``: the checkpoint the run continues from (``load_resume``).
    """

    def __init__(
        self,
        store: RunStore,
        record: RunRecord,
        snapshot: Project,
        trainer: Trainer | None = None,
        layers: Callable[[], str] | None = None,
        resume: TrainState | None = None,
        resume_extra: dict[str, Any] | None = None,
    ) -> None:
        self.store, self.record, self.snapshot = store, record, snapshot
        self.folder = record.folder
        self.trainer = trainer
        self.layers = layers
        self.views: ResultViews | None = None
        self.view_notes: list[str] = []
        self.error: str | None = None
        self.ended = False  # on_run_end came
        self._resume = resume
        self._smoother = Smoother()
        self._thinning = Thinning()
        self._batches: list[BatchReport] = []
        self._latest: TrainState | None = None
        self._written_epoch = 0  # the epoch of the checkpoint on disk
        self._started = time.perf_counter()
        self._spent = 0.0  # seconds spent on checkpoints and statistics
        self._last_cost = 0.0
        self._bundle: Any = None
        self._device: Any = None  # the run's, from its start
        self._files: dict[str, Any] = {}  # epochs.csv and batches.csv, open for appending while the run trains
        self._flushed = 0.0  # when batches.csv was last flushed
        if resume is not None:
            record.epochs = list(resume.epochs)
            record.status, record.message, record.ended = RUNNING, "", None
            self._written_epoch = resume.epoch
            self._safely(lambda: self._continue(resume, resume_extra or {}))
        self._safely(self._begin)

    # ------------------------------------------------------------ writing
    def _safely(self, write: Callable[[], None]) -> None:
        if self.error is not None or self.folder is None:
            return
        try:
            write()
        except Exception as exc:  # recording is never worth a failed run
            self.error = f"the run could not be recorded in {self.folder}: {exc}"
            self._close()

    def _begin(self) -> None:
        folder = self.folder
        if self._resume is None:  # new files in the run's own new folder: nothing to replace
            (folder / DESIGN).write_text(dumps(self.snapshot), encoding="utf-8")
            (folder / EPOCHS).write_text(EPOCH_HEADER, encoding="utf-8")
            (folder / BATCHES).write_text(BATCH_HEADER, encoding="utf-8")
        else:
            replace_text(folder / DESIGN, dumps(self.snapshot))
        self._write_meta()  # last: a folder with run.json has all its files
        self._open(EPOCHS)
        self._open(BATCHES)

    def _open(self, name: str) -> None:
        """Keep ``name`` open for appending: a line per epoch costs a write, not an open and a close."""
        self._files[name] = open(self.folder / name, "a", encoding="utf-8")  # noqa: SIM115 - closed at the run's end

    def _append(self, name: str, text: str) -> None:
        handle = self._files[name]
        handle.write(text)
        now = time.perf_counter()
        if name == EPOCHS or now - self._flushed >= BATCH_FLUSH_S:
            handle.flush()  # in the file now: a killed process keeps it
            if name == BATCHES:
                self._flushed = now

    def _close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files = {}

    def _write_meta(self) -> None:
        text = dump_json(to_meta(self.record, self.snapshot.name))
        replace_text(self.folder / RUN_FILE, text)

    def _continue(self, state: TrainState, extra: dict[str, Any]) -> None:
        """Go on from ``state``: the files keep what came before its epoch, and nothing after."""
        folder = self.folder
        self._smoother.average, self._smoother.weight_sum = (float(v) for v in extra.get("smoother", (0.0, 0.0)))
        self._thinning.stride = int(extra.get("stride", 1))
        x, loss, smooth = parse_batches(read_text(folder / BATCHES)) if (folder / BATCHES).exists() else ([], [], [])
        self._thinning.kept = [(float(a), float(b), float(c)) for a, b, c in zip(x, loss, smooth) if a <= state.epoch + 1e-9]
        replace_text(folder / EPOCHS, EPOCH_HEADER + "".join(epoch_line(m) for m in state.epochs))
        replace_text(folder / BATCHES, BATCH_HEADER + batch_lines(*_columns(self._thinning.kept)))

    # -------------------------------------------------------------- hooks
    def on_run_start(self, run: RunStart) -> None:
        self._bundle, self._device = run.bundle, run.device
        self.record.device = device_text(run.device)
        self.record.metric_name = run.objective.metric_name
        self._safely(lambda: self._write_meta())

    def on_report(self, report: BatchReport) -> None:
        self._batches.append(report)

    def on_epoch_end(self, metrics: EpochMetrics) -> None:
        self.record.add_epochs([metrics])
        self._safely(lambda: self._epoch_done(metrics))

    def on_run_end(self, result: RunResult) -> None:
        self.ended = True
        record = self.record
        record.status, record.message = result.status, result.message
        record.best_epoch, record.ended = result.best_epoch, time.time()
        if self._device is not None:  # the thread count can be timed at the start (designer.train.threads)
            record.device = device_text(self._device, result.threads)
        self._compute_views()
        self._safely(lambda: self._finish(result))

    # ------------------------------------------------------------ epochs
    def _epoch_done(self, metrics: EpochMetrics) -> None:
        xs, losses, smooth = self._smoother.feed(self._batches)
        self._batches = []
        self._thinning.add(xs, losses, smooth)
        self._write_batches()
        self._append(EPOCHS, epoch_line(metrics))
        elapsed = time.perf_counter() - self._started
        if self._spent + self._last_cost <= SHARE * elapsed or self._written_epoch == 0:
            started = time.perf_counter()
            if self.trainer is not None:
                self._latest = self.trainer.train_state()
            self._write_checkpoint()
            self._write_layers()
            self._last_cost = time.perf_counter() - started
            self._spent += self._last_cost

    def _write_batches(self) -> None:
        thinning = self._thinning
        if thinning.rewrite:
            self._files.pop(BATCHES).close()
            replace_text(self.folder / BATCHES, BATCH_HEADER + batch_lines(*_columns(thinning.kept)))
            self._open(BATCHES)
            thinning.rewrite = False
        elif thinning.pending:
            self._append(BATCHES, batch_lines(*_columns(thinning.pending)))
        thinning.pending = []

    def _write_checkpoint(self) -> None:
        state = self._latest
        if state is None or state.epoch <= self._written_epoch:
            return
        extra = {"smoother": [self._smoother.average, self._smoother.weight_sum], "stride": self._thinning.stride}
        write_checkpoint(self.folder, state, extra)
        self._written_epoch = state.epoch

    def _write_layers(self) -> None:
        if self.layers is not None:
            replace_text(self.folder / LAYERS, self.layers())

    # -------------------------------------------------------------- end
    def _compute_views(self) -> None:
        trainer = self.trainer
        if trainer is None or self._bundle is None:
            return
        try:
            self.views = compute_views(trainer, self._bundle)
        except Exception as exc:  # the run's result stands even when a view cannot be drawn
            self.view_notes.append(f"the results views could not be computed: {exc}")

    def _finish(self, result: RunResult) -> None:
        folder = self.folder
        xs, losses, smooth = self._smoother.feed(self._batches)  # a stopped epoch's batches: on the curve, in no epoch
        self._batches = []
        self._thinning.add(xs, losses, smooth)
        self._thinning.finish()
        self._write_batches()
        self._close()
        if result.status in (STOPPED, FAILED):
            self._write_checkpoint()  # whatever it costs: the user may resume it
        else:
            remove_checkpoint(folder)
        self._write_layers()
        if self.views is not None:
            write_views(folder, self.views)
        self.record.notes.extend(self.view_notes)
        metas = self.store.read_metas()
        metas[self.record.id] = to_meta(self.record, self.snapshot.name)
        keep = self.store.keepers(metas)
        state = result.kept_state
        if self.record.id in keep and state is not None:
            write_weights(folder / WEIGHTS, state, self.record.fingerprint, {"run": self.record.id, "status": result.status})
        self._write_meta()
        self.store.prune_weights(keep)


def load_resume(folder: os.PathLike[str] | str) -> tuple[TrainState, dict[str, Any]]:
    """The checkpoint of the run in ``folder`` (raises designer.runs.files.RunFileError)."""
    from pathlib import Path

    return read_checkpoint(Path(folder))


def device_text(device: object, threads: int = 0) -> str:
    """A device as people name it: CPU, CUDA: <its name>, Apple MPS; with the
    CPU's threads a run trained with when given ("CPU, 2 threads")."""
    kind = getattr(device, "type", str(device))
    if kind == "cuda":
        import torch

        return f"CUDA: {torch.cuda.get_device_name(device)}"
    if kind == "cpu" and threads > 0:
        return f"CPU, {threads} thread{'s' if threads != 1 else ''}"
    return {"cpu": "CPU", "mps": "Apple MPS"}.get(kind, str(device))


def _columns(rows: list[tuple[float, float, float]]) -> tuple[list[float], list[float], list[float]]:
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

