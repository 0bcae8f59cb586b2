"""Sweeps: many trainings of one design with different settings and node
parameters, each trial a recorded run, searched by Optuna (grid, random, or
its TPE sampler), with poor trials stopped early by Optuna's median pruner.

Trials run in ``jobs`` processes on this machine, all working on one Optuna
study kept in a storage: by default a journal file in the project's runs
folder (``NAME.runs/sweeps.journal``), or any storage URL Optuna takes
(``sqlite:///sweeps.db``, ``postgresql://...``), through which several
machines work on the same study: start the same sweep with the same
``--study`` name and ``--storage`` URL on each.

The objective is the run's best validation metric (accuracy up, MAE down),
or its best validation loss with ``objective="loss"``. Each trial's run
records the study, the trial's number, the values it tried and its result
(``RunRecord.sweep``), so the runs table and comparison show them.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from designer.project import Project, load_project
from designer.runs.record import RunRecord
from designer.runs.store import RunStore
from designer.runs.sweep_params import SweepError, SweepParam, apply_params, check_params, grid_size
from designer.train import EARLY_STOPPED, Callback, EpochMetrics, RunResult

SAMPLERS = ("tpe", "random", "grid")
JOURNAL = "sweeps.journal"
POLL_S = 0.5


@dataclass
class SweepSpec:
    """One sweep, as plain data (it travels to the worker processes)."""

    project: str  # the project file
    params: list[SweepParam]
    trials: int = 10
    jobs: int = 1
    sampler: str = "tpe"
    prune: bool = True
    objective: str = "metric"  # or "loss"
    storage: str | None = None  # an Optuna storage URL; None: a journal file in the runs folder
    study: str = ""
    seed: int = 0

    @property
    def searched(self) -> list[SweepParam]:
        return [p for p in self.params if not p.fixed]

    @property
    def fixed(self) -> dict[str, Any]:
        return {p.name: p.choices[0] for p in self.params if p.fixed}


@dataclass(frozen=True)
class TrialResult:
    number: int
    state: str  # complete, pruned, fail
    value: float | None
    params: dict[str, Any]
    run: str  # the run's id


@dataclass
class SweepSummary:
    study: str
    direction: str
    metric_name: str
    trials: list[TrialResult] = field(default_factory=list)

    @property
    def best(self) -> TrialResult | None:
        done = [t for t in self.trials if t.state == "complete" and t.value is not None and math.isfinite(t.value)]
        if not done:
            return None
        pick = max if self.direction == "maximize" else min
        return pick(done, key=lambda t: t.value)


def prepare_sweep(spec: SweepSpec) -> tuple[Project, str, str]:
    """Check the sweep before anything runs; returns the project, the metric's name and the direction."""
    from designer.train import TrainSettings
    from designer.train.objective import Objective
    from designer.train.session import load_bundle, prepare

    if spec.trials < 1:
        raise SweepError(f"--trials must be at least 1, not {spec.trials}")
    if spec.jobs < 1:
        raise SweepError(f"--jobs must be at least 1, not {spec.jobs}")
    if spec.sampler not in SAMPLERS:
        raise SweepError(f"unknown sampler {spec.sampler!r} (known: {', '.join(SAMPLERS)})")
    if not spec.searched:
        raise SweepError("nothing to search: give at least one --param with several values or a range")
    project = load_project(spec.project)
    check_params(project, spec.params)
    if spec.sampler == "grid" and grid_size(spec.searched) > 10_000:
        raise SweepError(f"the grid has {grid_size(spec.searched):,} combinations: list fewer values")
    base = apply_params(project, spec.fixed)
    bundle = load_bundle(base)
    prepare(base, bundle)
    settings = TrainSettings.from_mapping(base.training)
    metric = Objective(settings.loss, bundle.spec).metric_name
    if spec.objective == "loss":
        return project, metric, "minimize"
    return project, metric, "maximize" if metric == "accuracy" else "minimize"


def run_sweep(
    spec: SweepSpec, on_trial: Callable[[TrialResult], None] | None = None, prepared: tuple[Project, str, str] | None = None
) -> SweepSummary:
    """Run the sweep to ``spec.trials`` trials in ``spec.jobs`` processes; ``on_trial`` hears of each
    trial as it ends. ``prepared``: what ``prepare_sweep(spec)`` returned, when it was called already."""
    project, metric, direction = prepared or prepare_sweep(spec)
    spec.study = spec.study or f"{Path(spec.project).stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    study = _study(spec, direction, create=True)
    seen: set[int] = set()

    def report() -> None:
        for trial in _finished(study):
            if trial.number not in seen:
                seen.add(trial.number)
                if on_trial is not None:
                    on_trial(trial)

    if spec.jobs == 1:
        _optimize(spec, study, project, report)
    else:
        context = multiprocessing.get_context("spawn")
        workers = [context.Process(target=work, args=(asdict_spec(spec), index), daemon=True) for index in range(spec.jobs)]
        for worker in workers:
            worker.start()
        while any(w.is_alive() for w in workers):
            time.sleep(POLL_S)
            report()
        for worker in workers:
            worker.join()
        failed = [w.exitcode for w in workers if w.exitcode]
        if failed and not _finished(study):
            raise SweepError(f"the sweep's processes ended with exit codes {failed}")
    report()
    return SweepSummary(spec.study, direction, metric, sorted(_finished(study), key=lambda t: t.number))


def asdict_spec(spec: SweepSpec) -> dict[str, Any]:
    return asdict(spec)


def work(spec_data: dict[str, Any], index: int = 0) -> None:
    """Worker process ``index``: trials of the shared study until it has enough (its
    sampler seeded apart from the others', so they do not try the same values)."""
    spec = SweepSpec(**{**spec_data, "params": [SweepParam(**p) for p in spec_data["params"]]})
    spec.seed += index
    project = load_project(spec.project)
    study = _study(spec, None, create=False)
    _optimize(spec, study, project, None)


def _study(spec: SweepSpec, direction: str | None, create: bool) -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = _storage(spec)
    if not create:
        return optuna.load_study(study_name=spec.study, storage=storage, sampler=_sampler(spec), pruner=_pruner(spec))
    return optuna.create_study(
        study_name=spec.study, storage=storage, direction=direction, sampler=_sampler(spec), pruner=_pruner(spec), load_if_exists=True
    )


def _storage(spec: SweepSpec) -> Any:
    import optuna

    if spec.storage:
        return spec.storage
    folder = RunStore.of(spec.project).folder
    folder.mkdir(parents=True, exist_ok=True)
    backend = optuna.storages.journal.JournalFileBackend(str(folder / JOURNAL))
    return optuna.storages.JournalStorage(backend)


def _sampler(spec: SweepSpec) -> Any:
    import optuna

    if spec.sampler == "grid":
        return optuna.samplers.GridSampler({p.name: p.grid() for p in spec.searched}, seed=spec.seed)
    if spec.sampler == "random":
        return optuna.samplers.RandomSampler(seed=spec.seed)
    return optuna.samplers.TPESampler(seed=spec.seed, n_startup_trials=min(5, max(1, spec.trials // 3)))


def _pruner(spec: SweepSpec) -> Any:
    import optuna

    if not spec.prune:
        return optuna.pruners.NopPruner()
    return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)


def _optimize(spec: SweepSpec, study: Any, project: Project, after_trial: Callable[[], None] | None) -> None:
    from optuna.study import MaxTrialsCallback

    trainer_of = _TrialRunner(spec, project, study.direction.name.lower())
    callbacks = [MaxTrialsCallback(spec.trials, states=None)]
    if after_trial is not None:
        callbacks.append(lambda _study, _trial: after_trial())
    study.optimize(trainer_of, n_trials=spec.trials, callbacks=callbacks, catch=(SweepError,))


class _TrialRunner:
    """The objective: one recorded run per trial (its data loaded once per process)."""

    def __init__(self, spec: SweepSpec, project: Project, direction: str) -> None:
        self.spec, self.project, self.direction = spec, project, direction
        self._bundle: Any = None

    def __call__(self, trial: Any) -> float:
        import optuna

        from designer.runs.recorder import RunRecorder, new_run
        from designer.train import FAILED, Trainer, TrainSettings
        from designer.train.session import load_bundle, prepare

        values = {**self.spec.fixed, **{p.name: p.suggest(trial) for p in self.spec.searched}}
        variant = apply_params(self.project, values)
        store = RunStore.of(self.spec.project)
        sweep = {"study": self.spec.study, "trial": trial.number, "params": values, "objective": self.spec.objective}
        record, snapshot = new_run(store, variant, origin="sweep", sweep=sweep)
        trial.set_user_attr("run", record.id)
        if self._bundle is None:
            self._bundle = load_bundle(snapshot)
        trainer = Trainer(prepare(snapshot, self._bundle), self._bundle, TrainSettings.from_mapping(snapshot.training))
        reporter = _Reporter(trial, trainer, self.spec.objective, record)
        trainer.callbacks = [reporter, RunRecorder(store, record, snapshot, trainer)]
        result = trainer.run()
        if reporter.pruned:
            raise optuna.TrialPruned(f"pruned at epoch {reporter.epoch}")
        if result.status == FAILED or reporter.value is None:
            raise SweepError(f"trial {trial.number} failed: {result.message}")
        return reporter.value


class _Reporter(Callback):
    """Tells the trial each epoch's value, stops the run when the pruner says so,
    and writes the trial's outcome into the run's record before it is saved."""

    def __init__(self, trial: Any, trainer: Any, objective: str, record: RunRecord) -> None:
        self.trial, self.trainer, self.objective, self.record = trial, trainer, objective, record
        self.pruned = False
        self.epoch = 0
        self.value: float | None = None
        self._best: float | None = None

    def on_epoch_end(self, metrics: EpochMetrics) -> None:
        self.epoch = metrics.epoch
        value = _epoch_value(metrics, self.objective)
        self.trial.report(value, metrics.epoch)
        if self.trial.should_prune():
            self.pruned = True
            self.trainer.stop()

    def on_run_end(self, result: RunResult) -> None:
        best = result.best
        self.value = _epoch_value(best, self.objective) if best is not None else None
        sweep = dict(self.record.sweep or {})
        sweep.update(value=self.value, pruned=self.pruned)
        self.record.sweep = sweep
        if self.pruned:  # stopped early, by the pruner: not a run to resume
            result.status = EARLY_STOPPED
            result.message = f"pruned by the sweep at epoch {self.epoch}: its curve was worse than the median trial's"


def _epoch_value(metrics: EpochMetrics, objective: str) -> float:
    if objective == "loss":
        return metrics.val_loss if metrics.val_loss is not None else metrics.train_loss
    return metrics.val_metric if metrics.val_metric is not None else metrics.train_metric


def _finished(study: Any) -> list[TrialResult]:
    from optuna.trial import TrialState

    names = {TrialState.COMPLETE: "complete", TrialState.PRUNED: "pruned", TrialState.FAIL: "fail"}
    return [
        TrialResult(t.number, names[t.state], t.value, dict(t.params), str(t.user_attrs.get("run", "")))
        for t in study.get_trials(deepcopy=False)
        if t.state in names
    ]


def best_values(summary: SweepSummary, spec: SweepSpec) -> dict[str, Any]:
    """The best trial's values, the fixed ones included: what applying it sets."""
    best = summary.best
    if best is None:
        raise SweepError("no trial completed: nothing to apply")
    return {**spec.fixed, **best.params}
