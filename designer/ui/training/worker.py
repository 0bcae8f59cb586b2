"""Training on a worker thread (a ``designer.document.workers.Worker`` running
the Qt-free Trainer), with its metrics carried to the UI thread in batches.

The trainer's callbacks run on the training thread and only append to a
locked buffer. The first report after a drain sends one queued signal; the
UI thread then drains the buffer at most every ``FLUSH_MS`` milliseconds and
emits ``updated`` with everything that arrived meanwhile. However fast the
batches come, the plots redraw at most about 30 times a second, and the
training thread never waits for the UI.

Every update costs the UI thread time (the handlers and the redraws they
cause, which the views a run updates time into ``designer.ui.paint_clock``), and while the UI thread runs Python the
training thread waits for the GIL. So the interval also stretches to keep
updates within ``BUDGET`` of the UI thread's time: 30 a second where a
redraw is cheap, fewer on a slow or busy machine, never fewer than two.

Extra callbacks ride on the same pacing: ``TrainingRun(project, watchers=...)``
takes factories that each make one ``designer.train.Callback`` for the run,
given the run's ``publish(kind, item)``. What they publish on the training
thread is appended to the same buffer, keyed by kind, and reaches the UI in
the same paced drain as ``observed`` (the ``(kind, item)`` pairs since the last
update, emitted right after ``updated``, one emission per kind): never a signal
per batch. Items must be safe to hand to another thread (numbers, numpy
arrays, frozen dataclasses).

A drain's parts (the metrics, then each kind of news) are handled one per
pass of the event loop, so paints and input get in between: a run's first
gradient samples, its first boundary and its curves arriving together took
70 ms of the UI thread in one event, a stall a user sees; as parts, none of
them takes 25 ms.

While the window handles an update and repaints what it changed, the trainer
waits before its next batch (``WindowTurn``, at most ``TURN_MAX_S``): the two
threads share the interpreter, and a small model's step is mostly Python, so
a 20 ms update beside a training loop took two to three times as long on the
clock. Given its turn, the window's longest steady-state stall halved
(``benchmarks/gui_probes.py``); the trainer loses the same time it lost
waiting for the interpreter before.

Everything slow happens on the worker: loading the data, compiling, training,
and the predictions the results views need (designer.runs.outcome). With a
``recording`` (designer.runs.Recording) the run is written into its folder
beside the project as it trains, on this same thread.

A full collection walks every object the collector tracks and holds the
interpreter while it does: with torch and Qt tracked, a quarter of a second,
which stalled the UI thread and halved the speed of a small model. What lives
as long as the process (torch included) is frozen out of the collector by
``designer.ui.collector`` before any run starts, so a run needs no freezing of
its own. (Freezing at each run's start and thawing at its end, as before,
thawed torch too: every full collection after a run walked it again, 180-250
ms in the idle window.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from PySide6.QtCore import QObject, QTimer, Signal

from designer.document.workers import Worker, report_progress
from designer.project import Project
from designer.runs.outcome import RunOutcome, compute_views
from designer.runs.recorder import Recording, RunRecorder, device_text
from designer.train import FAILED, STOPPED, BatchReport, Callback, Callbacks, EpochMetrics, RunResult, TrainSettings
from designer.train.transfer import WeightsSource
from designer.ui.paint_clock import PAINT_CLOCK
from designer.ui.training.devices import wait_for_warm_up, warm_up_first, warm_up_pending

FLUSH_MS = 33  # at most ~30 updates a second reach the UI
SLOWEST_MS = 500  # and at least two, however slow the redraw
BUDGET = 0.03  # share of the UI thread's time that updates may take
TURN_MAX_S = 0.05  # the longest the trainer waits for the window's turn
METRICS_WAITING = "metrics waiting"  # the job's news when its buffer fills from empty
CLICK_REPAINT_S = 0.25  # the job waits at most this long for the window to show that the run started
# The stages before the first batch that the progress bar names (the job's news while it prepares)
LOADING_DATA = "loading the data…"
LOADING_TORCH = "loading PyTorch…"  # the first run after the start, while the warm-up goes on

Publish = Callable[[str, object], None]  # an extra callback's (kind, item), from the training thread
RunWatcher = Callable[[Publish], Callback]  # makes one extra callback for a run


@dataclass(frozen=True)
class RunInfo:
    """What the UI needs to know once the run has started."""

    device: str  # "CPU", "CUDA: NVIDIA H100 80GB HBM3", "Apple MPS"
    settings: TrainSettings
    metric_name: str  # accuracy or mae
    task: str
    class_names: list[str]
    train_samples: int
    data_name: str
    notes: tuple[str, ...] = ()  # what loading the data changed or chose: rows dropped, data read from disk


class MetricsBuffer:
    """Batch reports and epoch metrics waiting for the UI (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._batches: list[BatchReport] = []
        self._epochs: list[EpochMetrics] = []
        self._news: list[tuple[str, object]] = []  # the extra callbacks' (kind, item), all kept in order

    def add(self, item: BatchReport | EpochMetrics) -> bool:
        """Append; True when the buffer was empty (the UI must be told)."""
        with self._lock:
            was_empty = not self._news and not self._batches and not self._epochs
            (self._batches if isinstance(item, BatchReport) else self._epochs).append(item)
            return was_empty

    def add_news(self, kind: str, item: object) -> bool:
        """Append an extra callback's item; True when the buffer was empty."""
        with self._lock:
            was_empty = not self._news and not self._batches and not self._epochs
            self._news.append((kind, item))
            return was_empty

    def drain_news(self) -> list[tuple[str, object]]:
        with self._lock:
            news, self._news = self._news, []
            return news

    def pending_batches(self) -> int:
        """Batches reported but not yet drained."""
        with self._lock:
            return sum(len(r.losses) for r in self._batches)

    def drain(self) -> tuple[list[BatchReport], list[EpochMetrics]]:
        with self._lock:
            batches, epochs = self._batches, self._epochs
            self._batches, self._epochs = [], []
            return batches, epochs


class TrainingJob:
    """Runs one project snapshot from data loading to results, on a worker's
    thread; its controls may be used from any thread."""

    def __init__(
        self, project: Project, buffer: MetricsBuffer, recording: Recording | None = None, start: WeightsSource | None = None
    ) -> None:
        self.project = project
        self.start = start  # weights loaded into the design: the run starts from what fits
        self.buffer = buffer
        self.recording = recording
        self.extras: list[Callback] = []  # the watchers' callbacks, after the metrics' own
        self.trainer = None
        self.window_ready = threading.Event()  # set once the window has drawn the run's start (TrainingRun.start)
        self.window_turn = threading.Event()  # cleared while the window handles an update: the trainer waits between batches
        self.window_turn.set()
        self._stop = threading.Event()
        self._pause = threading.Event()
        self._lock = threading.Lock()  # trainer creation against pause/stop requests

    # ------------------------------------------------- control (any thread)
    def pause(self) -> None:
        with self._lock:
            self._pause.set()
            if self.trainer is not None:
                self.trainer.pause()

    def resume(self) -> None:
        with self._lock:
            self._pause.clear()
            if self.trainer is not None:
                self.trainer.resume()

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            if self.trainer is not None:
                self.trainer.stop()

    # --------------------------------------------------- the worker thread
    def run(self) -> RunOutcome:
        """Load, compile, train, compute the results views. Reports the RunInfo
        once the trainer exists, then METRICS_WAITING whenever the buffer fills
        from empty. A fault outside the trainer's own handling arrives as the
        worker's ``failed``."""
        # Loading and compiling are Python and hold the interpreter lock: begun at once, they
        # made the window's own work at the click (the new run's curves, the lock, their
        # repaint) take twice as long. A moment's wait lets it finish first.
        self.window_ready.wait(CLICK_REPAINT_S)
        recorder = self.recording.recorder() if self.recording is not None else None
        outcome = self._train(recorder)
        if recorder is not None and not recorder.ended:  # it ended before training began: recorded as such
            recorder.on_run_end(outcome.result)
        return outcome

    def _train(self, recorder: RunRecorder | None) -> RunOutcome:
        from designer.data import DataError
        from designer.train import DesignProblems, Trainer, TrainError, load_bundle, prepare
        from designer.train.memory import check_design_memory
        from designer.train.transfer import start_state

        if warm_up_pending():  # on a cold start the background warm-up can take tens of seconds
            report_progress(LOADING_TORCH)
            wait_for_warm_up()
            report_progress(LOADING_DATA)
        try:
            settings = TrainSettings.from_mapping(self.project.training)
            bundle = load_bundle(self.project)
            compiled = prepare(self.project, bundle)
            # The recorder goes last: it captures the state to resume from after the others' epoch ends.
            callbacks = [
                WindowTurn(self.window_turn),
                Callbacks(self._on_batch, self._on_epoch),
                *self.extras,
                *([recorder] if recorder is not None else []),
            ]
            resume = self.recording.resume if self.recording is not None else None
            initial = start_state(compiled, self.start, settings.seed)[0] if self.start is not None and resume is None else None
            trainer = Trainer(compiled, bundle, settings, callbacks, resume=resume, initial_state=initial)
            # A design too big for the device's free memory is refused before its module is built, as designer train does.
            check_design_memory(self.project.graph, trainer.device, settings.batch_size, training=True)
            if recorder is not None:
                recorder.trainer = trainer
        except DataError as exc:
            return RunOutcome(RunResult(FAILED, f"the data cannot be used: {exc}"))
        except DesignProblems as exc:
            return RunOutcome(RunResult(FAILED, str(exc)))
        except TrainError as exc:
            return RunOutcome(RunResult(FAILED, str(exc)))
        with self._lock:
            if self._stop.is_set():
                return RunOutcome(RunResult(STOPPED, "stopped before the first batch"), trainer.objective.metric_name)
            if self._pause.is_set():
                trainer.pause()
            self.trainer = trainer
        info = RunInfo(
            device_text(trainer.device),
            settings,
            trainer.objective.metric_name,
            bundle.spec.task,
            list(bundle.class_names),
            len(bundle.train),
            bundle.spec.name,
            tuple(bundle.notes),
        )
        report_progress(info)
        result = trainer.run()
        outcome = RunOutcome(result, trainer.objective.metric_name, notes=list(bundle.notes), device=device_text(trainer.device, result.threads))
        if recorder is not None:  # it computed them at the run's end
            outcome.views = recorder.views
            outcome.notes.extend(recorder.view_notes + ([recorder.error] if recorder.error else []))
        else:
            try:
                outcome.views = compute_views(trainer, bundle)
            except Exception as exc:  # the run's result stands even when a view cannot be drawn
                outcome.notes.append(f"the results views could not be computed: {exc}")
        _keep_only_kept_weights(result)
        return outcome

    def _on_batch(self, report: BatchReport) -> None:
        if self.buffer.add(report):
            report_progress(METRICS_WAITING)

    def _on_epoch(self, metrics: EpochMetrics) -> None:
        if self.buffer.add(metrics):
            report_progress(METRICS_WAITING)

    def publish(self, kind: str, item: object) -> None:
        """An extra callback's news (training thread): buffered, drained with the metrics."""
        if self.buffer.add_news(kind, item):
            report_progress(METRICS_WAITING)


class WindowTurn(Callback):
    """Waits before a batch while the window has its turn (an update and its
    repaint), at most ``TURN_MAX_S``."""

    def __init__(self, turn: threading.Event) -> None:
        self.turn = turn

    def on_batch_start(self, epoch: int, batch: int) -> None:
        if not self.turn.is_set():
            self.turn.wait(TURN_MAX_S)


def _keep_only_kept_weights(result: RunResult) -> None:
    """Drop the copy of the weights that will not be saved: every run stays in
    the history, and a big model's two copies per run add up."""
    kept = result.kept_state
    if kept is not result.best_state:
        result.best_state = None
    if kept is not result.last_state:
        result.last_state = None


class TrainingRun(QObject):
    """One run on its own worker thread; lives on the UI thread and re-emits
    the job's news there, metrics batched (see the module docstring)."""

    prepared = Signal(object)  # RunInfo
    staged = Signal(str)  # a stage before the first batch (LOADING_TORCH, LOADING_DATA)
    updated = Signal(list, list)  # batch reports, epoch metrics since the last update
    observed = Signal(list)  # (kind, item) pairs of one kind the watchers published since the last update
    paused_changed = Signal(bool)
    ended = Signal(object)  # RunOutcome, after the last update

    live: ClassVar[set[TrainingRun]] = set()  # runs whose thread has not finished

    def __init__(
        self,
        project: Project,
        parent: QObject | None = None,
        watchers: Sequence[RunWatcher] = (),
        recording: Recording | None = None,
        start: WeightsSource | None = None,
    ) -> None:
        """``watchers``: factories of extra callbacks for this run, each given
        the run's ``publish`` (see the module docstring); ``recording``: where
        the run is written as it goes (none for an untitled project)."""
        super().__init__(parent)
        self.buffer = MetricsBuffer()
        self.job = TrainingJob(project, self.buffer, recording, start)
        self.job.extras = [make(self.job.publish) for make in watchers]
        self.worker = Worker(self.job.run, "training", on_cancel=self.job.stop, parent=self)
        self.worker.progressed.connect(self._on_progressed)
        self.worker.succeeded.connect(self._on_ended)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)  # stopped before its thread began the job
        self.worker.finished.connect(self._on_thread_finished)
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.timeout.connect(self._on_flush)
        self._next_part = QTimer(self)  # a drain's remaining parts, one per pass of the event loop
        self._next_part.setSingleShot(True)
        self._next_part.setInterval(0)
        self._next_part.timeout.connect(self._on_part)
        self._parts: list[Callable[[], None]] = []
        self._turn_over = QTimer(self)  # the window's turn ends after the repaints its update asked for
        self._turn_over.setSingleShot(True)
        self._turn_over.setInterval(0)
        self._turn_over.timeout.connect(self.job.window_turn.set)
        self._parts_cost = 0.0  # seconds the parts of the current drain took so far
        self._last_flush = 0.0
        self.interval_ms = FLUSH_MS
        self._cost = 0.0  # seconds per update, smoothed: handlers plus the redraw they caused
        self.paused = False
        self.outcome: RunOutcome | None = None

    @property
    def running(self) -> bool:
        return self.outcome is None and self in TrainingRun.live

    def start(self) -> None:
        warm_up_first()
        TrainingRun.live.add(self)
        PAINT_CLOCK.take()  # paints before the run are not its updates' cost
        self.worker.start()
        # A zero timer fires after the events already posted: the repaints the click asked for.
        QTimer.singleShot(0, self, self.job.window_ready.set)

    def pause(self) -> None:
        if self.running and not self.paused:
            self.paused = True
            self.job.pause()
            self.paused_changed.emit(True)

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            self.job.resume()
            self.paused_changed.emit(False)

    def stop(self) -> None:
        """End before the next batch (a paused run too); the weights so far are kept."""
        if self.running:
            self.worker.cancel()  # the job's stop: the trainer ends at its next batch
            self.job.window_ready.set()
            self.job.window_turn.set()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the thread has finished and its news has been delivered (closing the window, tests)."""
        self.job.window_ready.set()  # no event loop runs while this blocks
        self.job.window_turn.set()
        finished = self.worker.wait(timeout_ms / 1000)
        if finished and self in TrainingRun.live:
            self._on_thread_finished()
        return finished

    def _on_progressed(self, news: object) -> None:
        if isinstance(news, RunInfo):
            self.prepared.emit(news)
        elif news in (LOADING_TORCH, LOADING_DATA):
            self.staged.emit(news)
        elif not self._flush.isActive():  # METRICS_WAITING
            since = (time.perf_counter() - self._last_flush) * 1000
            self._flush.start(max(0, int(self.interval_ms - since)))

    def _on_flush(self) -> None:
        if self._parts:  # the last drain's parts are still being handled: drain after them
            self._flush.start(int(self.interval_ms))
            return
        self._queue_drain()
        if self._parts:
            self._turn_over.stop()
            self.job.window_turn.clear()
            self._on_part()

    def _queue_drain(self) -> None:
        """What arrived since the last drain, as parts: the metrics, then each kind of news."""
        self._last_flush = time.perf_counter()
        batches, epochs = self.buffer.drain()
        news = self.buffer.drain_news()
        if batches or epochs:
            self._parts.append(lambda: self.updated.emit(batches, epochs))
        for kind in dict.fromkeys(k for k, _ in news):  # each kind once, in the order it first came
            same = [pair for pair in news if pair[0] == kind]
            self._parts.append(lambda same=same: self.observed.emit(same))

    def _on_part(self) -> None:
        """Handle the oldest waiting part; the next waits for the event loop's next pass."""
        if not self._parts:
            return
        started = time.perf_counter()
        self._parts.pop(0)()  # a view's exception is printed by the signal's emit, which returns: the turn still ends
        self._parts_cost += time.perf_counter() - started
        (self._next_part if self._parts else self._turn_over).start()
        if self._parts:
            return
        cost = self._parts_cost + PAINT_CLOCK.take()  # handlers, and the repaints the last update caused
        self._parts_cost = 0.0
        self._cost = 0.7 * self._cost + 0.3 * cost
        self.interval_ms = min(SLOWEST_MS, max(FLUSH_MS, 1000 * self._cost / BUDGET))

    def _deliver_all(self) -> None:
        """Everything drained and waiting, now (the run's end: its news come before ``ended``)."""
        self._flush.stop()
        self._next_part.stop()
        self._queue_drain()
        while self._parts:
            self._on_part()

    def _on_failed(self, exc: BaseException) -> None:
        """A fault outside the trainer's own handling: still a message, never a crash."""
        self._on_ended(RunOutcome(RunResult(FAILED, f"training failed: {exc}")))

    def _on_cancelled(self) -> None:
        self._on_ended(RunOutcome(RunResult(STOPPED, "stopped before the first batch")))

    def _on_ended(self, outcome: RunOutcome) -> None:
        self._deliver_all()
        self.outcome = outcome
        self.paused = False
        self.ended.emit(outcome)

    def _on_thread_finished(self) -> None:
        TrainingRun.live.discard(self)
