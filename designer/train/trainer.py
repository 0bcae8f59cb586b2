"""The training loop: one ``Trainer`` per run (see the package docstring)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from designer.train.augmentation import batch_augmenter
from designer.train.batches import SplitBatches, index_batches
from designer.train.callbacks import BatchStep, Callback, Dispatch, RunStart, as_list
from designer.train.device import autocast, pick_device
from designer.train.distributed import DistContext
from designer.train.errors import TrainError
from designer.train.faults import NonFinite, describe_failure
from designer.train.freezing import keep_frozen_norms, parameter_groups
from designer.train.lean_norm import LeanNorms
from designer.train.lean_step import LeanStep
from designer.train.memory_layout import in_training_layout, plain_state
from designer.train.objective import Objective
from designer.train.optim import Schedule, make_optimizer
from designer.train.predict import Predictions, predictions_for
from designer.train.reporting import BatchLosses, SplitTotals, Totals
from designer.train.results import EARLY_STOPPED, FAILED, FINISHED, STOPPED, BatchReport, Callbacks, EpochMetrics, RunResult
from designer.train.resume import LoopState, TrainState, capture, restore
from designer.train.settings import TrainSettings
from designer.train.threads import MeasuredThreads, choose_threads, thread_counts, torch_threads, training_threads

if TYPE_CHECKING:
    import torch

    from designer.compile import CompiledDesign
    from designer.data import DataBundle


class _Stopped(Exception):
    """Raised inside the loop when stop() was called (or another rank stopped)."""


class Trainer:
    """Trains a fresh module of ``compiled`` on ``bundle`` with ``settings``.

    ``report_every``: batches between batch-loss reports; by default a lone
    process on the CPU reports every 50 ms (designer.train.reporting), several
    every batch, and 20 on a GPU, where reading a loss waits for the device:
    the losses wait on the device until then.
    ``device_limit``: splits larger than this many bytes stream through a
    DataLoader instead of living on the device (default: 512 MiB on a GPU,
    no limit on the CPU).

    ``callbacks``: one Callback object or a list of them (see
    designer.train.callbacks); ``Callbacks(on_batch=, on_epoch=, on_end=)``
    wraps three plain functions as one. ``trainer.callbacks`` may be replaced
    before ``run()``.

    ``resume``: a ``TrainState`` captured after an epoch of an earlier run of
    the same design and settings (``train_state()``, designer.train.resume):
    the run goes on from the next epoch as if it had never stopped.
    """

    def __init__(
        self,
        compiled: CompiledDesign,
        bundle: DataBundle,
        settings: TrainSettings,
        callbacks: Callback | Sequence[Callback] | None = None,
        *,
        initial_state: Mapping[str, torch.Tensor] | None = None,
        dist: DistContext | None = None,
        report_every: int | None = None,
        device_limit: int | None = None,
        resume: TrainState | None = None,
    ) -> None:
        if bundle.train is None or len(bundle.train.x) == 0:
            raise TrainError(f"{bundle.spec.name} has no training samples")
        counts = (len(compiled.generated.input_names), len(compiled.generated.output_names))
        if counts != (1, 1):
            raise TrainError(f"training needs a design with one Input and one Output; this one has {counts[0]} and {counts[1]}")
        self.compiled, self.bundle, self.settings = compiled, bundle, settings
        as_list(callbacks)  # a wrong object fails here, not in the middle of a run
        self.callbacks: Callback | Sequence[Callback] = Callbacks() if callbacks is None else callbacks
        self.dist = dist
        self.device = pick_device(settings.device, dist.local_rank if dist else 0)
        self.objective = Objective(settings.loss, bundle.spec)
        # 0: by time (a lone CPU process; see designer.train.reporting)
        self.report_every = report_every or (20 if self.device.type != "cpu" else 1 if dist else 0)
        # Several processes share the cores as designer.train.distributed set them; one process chooses.
        # None: timed on this machine at the start of the run (CPU only; see designer.train.threads).
        self._most_threads = torch_threads()
        own = choose_threads(settings.threads, compiled.macs_per_sample, settings.batch_size, self._most_threads, self.device.type == "cpu")
        self.threads: int | None = self._most_threads if dist else own
        self.measured_threads: MeasuredThreads | None = None
        self.module: torch.nn.Module | None = None
        self.result: RunResult | None = None
        self.result_so_far: RunResult | None = None  # while running: the epochs so far (train_state reads it)
        self._initial_state = resume.model if resume is not None else initial_state
        self._resume = resume
        self._loop: LoopState | None = None
        self._device_limit = device_limit
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._where = (0, 0)  # (epoch, batch) now running, for messages
        self._paused_for = 0.0
        self._hooks = Dispatch(None)
        self._augment: Any = None  # the training split's augmentation, when the data asks for one
        self._norms = LeanNorms(None)

    # ------------------------------------------------------ control (any thread)
    def pause(self) -> None:
        """Hold before the next batch until resume() or stop()."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        """End the run before the next batch; the weights so far are kept."""
        self._stop.set()
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def position(self) -> tuple[int, int]:
        """(epoch, batch) running now, 1-based; (0, 0) before the first."""
        return self._where

    def train_state(self) -> TrainState:
        """The state to resume from, called from an ``on_epoch_end`` hook (training thread)."""
        if self._loop is None or self.module is None or self.result_so_far is None:
            raise TrainError("no epoch has finished yet")
        state = capture(self._loop, self.module, self.result_so_far)
        state.threads = torch_threads()
        return state

    @property
    def world(self) -> int:
        return self.dist.world if self.dist else 1

    # ------------------------------------------------------------------ running
    def run(self) -> RunResult:
        """Train to the end, an early stop, stop() or a fault; never raises."""
        s = self.settings
        self._hooks = Dispatch(self.callbacks)
        result = RunResult(FINISHED, "", keep_best=s.early_stopping)
        self.result_so_far = result
        try:
            with training_threads(self.threads or 1):
                try:
                    self._train(result)
                finally:
                    result.threads = torch_threads()
                    self._norms.restore()
        except _Stopped:
            epoch, batch = self._where
            result.status, result.message = STOPPED, f"stopped at epoch {epoch}, batch {batch}"
        except Exception as exc:  # every fault ends the run with a message, never a crash
            result.status = FAILED
            result.message, result.node = describe_failure(exc, self._where, s, self.compiled, self.device)
        try:
            if self.module is not None:
                result.last_state = plain_state(self.module)
                kept = result.kept_state
                if kept is not None and kept is not result.last_state:
                    self.module.load_state_dict(kept)
        except Exception as exc:  # a broken device (a CUDA assert) cannot even hand its weights back
            result.last_state = None
            if result.status != FAILED:
                result.status, result.message = FAILED, f"the weights could not be read back from {self.device}: {exc}"
        self.result = result
        Dispatch.call(self._hooks.run_end, result)
        return result

    def predict(self, split: str = "validation") -> Predictions:
        """Outputs of the trained module on a split (after run() returned)."""
        if self.module is None:
            raise TrainError("nothing trained yet: call run() first")
        dataset = getattr(self.bundle, split)
        if dataset is None:
            raise TrainError(f"{self.bundle.spec.name} has no {split} split")
        return predictions_for(self.module, dataset, self.objective, self.device, self.settings.batch_size, self.settings.bf16)

    def _train(self, result: RunResult) -> None:
        import torch

        s, rank = self.settings, self.dist.rank if self.dist else 0
        torch.manual_seed(s.seed)
        module = self.compiled.new_module()
        if self._initial_state is not None:
            module.load_state_dict(self._initial_state)
        self.module = module = in_training_layout(module.to(self.device), self.device, self.settings.bf16)
        model = module
        if self.dist is not None:
            from torch.nn.parallel import DistributedDataParallel

            model = DistributedDataParallel(module, device_ids=[self.device.index] if self.device.type == "cuda" else None)
        train = SplitBatches(self.bundle.train.x, self.bundle.train.y, self.device, self._device_limit)
        val_set = self.bundle.validation
        val = SplitBatches(val_set.x, val_set.y, self.device, self._device_limit) if val_set is not None and len(val_set.x) else None
        # The batch size counts samples per update, whatever the number of processes.
        batch = max(1, math.ceil(s.batch_size / self.world))
        shuffle = torch.Generator().manual_seed(s.seed)
        steps = math.ceil(math.ceil(len(train) / self.world) / batch)
        optimizer = make_optimizer(parameter_groups(module, self.compiled), s)
        schedule = Schedule(optimizer, s, steps)
        update = LeanStep(optimizer)
        # DistributedDataParallel broadcasts the buffers each step: torch's own forward there.
        self._norms = LeanNorms(module if self.dist is None else None)
        self._loop = loop = LoopState(optimizer, schedule, shuffle)
        if self._hooks.run_start:
            start = RunStart(module, optimizer, self.device, self.compiled, self.bundle, s, self.objective, steps, rank == 0)
            Dispatch.call(self._hooks.run_start, start)
        first = restore(self._resume, loop, result) if self._resume is not None else 1
        self._augment = batch_augmenter(self.bundle, self.device, rank)
        if self.threads is None and not train.streamed:  # streamed data: its reading shares the cores, one thread
            self.measured_threads = self._time_threads(module, train, batch)
        for epoch in range(first, s.epochs + 1):
            started, self._paused_for = time.perf_counter(), 0.0
            indices = index_batches(len(train), batch, shuffle, rank, self.world)
            totals = self._train_epoch(epoch, model, train, indices, update, schedule)
            train_seconds = time.perf_counter() - started - self._paused_for
            if self.measured_threads is not None:
                self.measured_threads.epoch_done(train_seconds, len(indices))
            val_totals = self._evaluate(module, val, epoch) if val is not None else None
            metrics = EpochMetrics(
                epoch=epoch,
                train_loss=totals.loss,
                val_loss=val_totals.loss if val_totals else None,
                train_metric=totals.metric,
                val_metric=val_totals.metric if val_totals else None,
                metric_name=self.objective.metric_name,
                lr=schedule.lr,
                seconds=time.perf_counter() - started - self._paused_for,
                samples_per_second=totals.count / max(train_seconds, 1e-9),
            )
            result.epochs.append(metrics)
            monitored = metrics.val_loss if metrics.val_loss is not None else metrics.train_loss
            if monitored < loop.best_loss:
                loop.best_loss, result.best_epoch, result.best_state = monitored, epoch, plain_state(module)
            loop.monitored = monitored
            Dispatch.call(self._hooks.epoch_end, metrics)
            if s.early_stopping and result.best_epoch is not None and epoch - result.best_epoch >= s.patience:
                which = "validation" if val is not None else "training"
                result.status = EARLY_STOPPED
                result.message = f"stopped early at epoch {epoch}: the {which} loss has not improved for {s.patience} epochs since epoch {result.best_epoch}"
                return
            schedule.after_epoch(monitored)
        result.message = f"finished {s.epochs} epochs"

    def _time_threads(self, module: torch.nn.Module, train: SplitBatches, batch: int) -> MeasuredThreads:
        """The run's thread count, timed on a twin of ``module`` (fresh weights,
        the same frozen parameters) and the first batch; a resumed run goes on
        with the count it had."""
        import torch

        with torch.random.fork_rng(devices=[]):
            twin = in_training_layout(self.compiled.new_module().to(self.device), self.device, self.settings.bf16)
        for mine, theirs in zip(twin.parameters(), module.parameters(), strict=False):
            mine.requires_grad_(theirs.requires_grad)
        twin.train()
        xb, yb = next(train.batches([torch.arange(min(batch, len(train)))]))
        settings, objective, norms = self.settings, self.objective, LeanNorms(twin)

        def step() -> None:
            with torch.random.fork_rng(devices=[]), autocast(self.device, settings.bf16):
                loss = objective.loss(twin(xb), yb)
            norms.settle()
            loss.backward()
            for parameter in twin.parameters():
                parameter.grad = None

        measured = MeasuredThreads(step, thread_counts(self._most_threads))
        resumed = min(self._resume.threads, self._most_threads) if self._resume is not None else 0
        if resumed > 0:
            measured.keep(resumed)
        else:
            measured.measure()
        return measured

    def _train_epoch(self, epoch: int, model: Any, train: SplitBatches, indices: list[Any], update: LeanStep, schedule: Schedule) -> Totals:
        import torch

        s, objective = self.settings, self.objective
        model.train()
        keep_frozen_norms(self.module, self.compiled)  # type: ignore[arg-type]
        totals = SplitTotals(self.device, self.dist is not None, objective.metric_sum)
        losses = BatchLosses(self.report_every, self.device, self.dist is not None)
        hooks, norms = self._hooks, self._norms
        for number, (xb, yb) in enumerate(train.batches(indices), 1):
            self._where = (epoch, number)
            self._checkpoint()
            if self._augment is not None:
                xb, yb = self._augment(xb, yb, s.seed, epoch, number)
            for every, hook in hooks.batch_starts:
                if every == 1 or (number - 1) % every == 0:
                    hook(epoch, number)
            with autocast(self.device, s.bf16):
                output = model(xb)
                loss = objective.loss(output, yb)
            norms.settle()
            update.zero_grad()
            loss.backward()
            if s.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), s.grad_clip)
            update.step()
            schedule.after_batch()
            loss = loss.detach()
            step = None
            for every, hook in hooks.batch_ends:
                if every == 1 or (number - 1) % every == 0:
                    step = step or BatchStep(epoch, number, len(indices), (epoch - 1) * len(indices) + number, loss)
                    hook(step)
            totals.add(loss, output.detach(), yb, len(yb))
            if losses.add(loss, self._stop.is_set(), hold=not self._running.is_set()) or number == len(indices):
                self._report(losses, totals, epoch, number, len(indices))
        return totals.finish()

    def _report(self, losses: BatchLosses, totals: SplitTotals, epoch: int, number: int, batches: int) -> None:
        values, stop = losses.flush()
        first_bad = next((i for i, v in enumerate(values) if not math.isfinite(v)), None)
        good = values if first_bad is None else values[:first_bad]
        if self._hooks.report and good:  # the losses before a non-finite one still reach the listeners (divergence warnings)
            so_far = totals.peek()
            last = number - len(values) + len(good)
            Dispatch.call(self._hooks.report, BatchReport(epoch, last, batches, tuple(good), so_far.count, so_far.loss, so_far.metric))
        if first_bad is not None:
            raise NonFinite(epoch, number - len(values) + 1 + first_bad, values[first_bad])
        if stop:
            raise _Stopped

    def _checkpoint(self) -> None:
        """Wait while paused; stop before the batch when asked (alone; several
        processes agree on stopping at the next report instead)."""
        if not self._running.is_set():
            waited = time.perf_counter()
            self._running.wait()
            self._paused_for += time.perf_counter() - waited
        if self._stop.is_set() and self.dist is None:
            raise _Stopped

    def _evaluate(self, module: torch.nn.Module, split: SplitBatches, epoch: int) -> Totals:
        import torch

        rank = self.dist.rank if self.dist else 0
        batch = min(max(self.settings.batch_size, 256), len(split))
        totals = SplitTotals(self.device, self.dist is not None, self.objective.metric_sum)
        module.eval()
        with torch.no_grad(), autocast(self.device, self.settings.bf16):
            for xb, yb in split.batches(index_batches(len(split), batch, None, rank, self.world, pad=False)):
                output = module(xb)
                totals.add(self.objective.loss(output, yb), output, yb, len(yb))
        result = totals.finish()
        if not math.isfinite(result.loss):
            raise NonFinite(epoch, None, result.loss, split="validation")
        return result
