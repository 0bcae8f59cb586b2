"""``designer train`` and ``designer evaluate``: thin wrappers over designer.train."""

from __future__ import annotations

import argparse
import gc
import math
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from designer.cli import OK, PROBLEMS, UsageError, main
from designer.cli_runs import add_record_flags, load_resumed, recorded_line, start_recording
from designer.cli_transfer import add_transfer_flags, apply_freeze, initial_weights, transfer_argv
from designer.params import CHOICE, INT
from designer.project.messages import one_line
from designer.project.settings import DEVICES, TRAINING_FLAGS, training_param

if TYPE_CHECKING:
    from designer.data import DataBundle
    from designer.insight.watch import TrainingWatch
    from designer.project import Project
    from designer.train import BatchReport, Callbacks, DistContext, EpochMetrics, OutputPaths, RunResult, Trainer
    from designer.train.resume import TrainState

INTERRUPTED = 130  # a run stopped with Ctrl-C (its weights are still written)


def register(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser(
        "train",
        help="train a design on its data; writes weights and a metrics CSV",
        description=(
            "Train the design on its project's data with its training settings (the options override them). "
            "Writes NAME.safetensors and NAME.metrics.csv beside FILE, or DIR/weights.safetensors and DIR/metrics.csv with --out "
            "(and NAME.layers.csv or DIR/layers.csv with --layer-stats), and records the run in NAME.runs beside FILE (in DIR with --out), "
            "where the window shows it. Problems seen while training (vanishing gradients, a diverging loss, "
            "overfitting...) are printed as warnings. "
            "Exit 0 when training ends, 1 when the design has problems or training fails, 2 on unusable input, 130 when stopped with Ctrl-C."
        ),
    )
    train.add_argument("file", metavar="FILE", help="project file (.nnd)")
    add_setting_flags(train)
    train.add_argument("--out", metavar="DIR", help="write weights.safetensors and metrics.csv here instead of beside FILE")
    train.add_argument(
        "--layer-stats",
        action="store_true",
        help="also write per-node statistics per epoch (gradient norms, update ratio, dead and saturated units) to layers.csv beside metrics.csv",
    )
    train.add_argument(
        "--nproc", type=int, default=1, metavar="N", help="train in N processes with DistributedDataParallel (gloo on CPU, NCCL on CUDA)"
    )
    add_record_flags(train)
    add_transfer_flags(train)
    train.set_defaults(handler=_train)

    evaluate = commands.add_parser(
        "evaluate",
        help="metrics of trained weights on the test split; a confusion matrix for classes",
        description="Evaluate trained weights on the project's test split (the validation split when data.test_split is 0).",
    )
    evaluate.add_argument("file", metavar="FILE", help="project file (.nnd)")
    evaluate.add_argument("--weights", metavar="W", help="weights file (default: NAME.safetensors beside FILE)")
    evaluate.add_argument("--device", choices=DEVICES, default="auto")
    evaluate.set_defaults(handler=_evaluate)


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per ``TRAINING_FLAGS`` entry, typed and explained by the setting's declaration."""
    for flag, name in TRAINING_FLAGS.items():
        param = training_param(name)
        if param.kind == CHOICE:
            parser.add_argument(flag, dest=name, choices=param.choices, help=param.help)
        else:
            kind, metavar = (int, "N") if param.kind == INT else (float, "X")
            parser.add_argument(flag, dest=name, type=kind, metavar=metavar, help=f"{param.help} (default: the project's training.{name})")


def setting_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The training settings the command line overrides, by setting name."""
    return {name: getattr(args, name) for name in TRAINING_FLAGS.values() if getattr(args, name) is not None}


def setting_argv(args: argparse.Namespace) -> list[str]:
    """The same overrides as flags again, for the processes of a --nproc run."""
    return [item for flag, name in TRAINING_FLAGS.items() if getattr(args, name) is not None for item in (flag, str(getattr(args, name)))]


def _train(args: argparse.Namespace) -> int:
    from designer.cli import _load
    from designer.train import FAILED, STOPPED, DesignProblems, DistContext, TrainError, output_paths, save_results
    from designer.train.freezing import frozen_fresh

    if args.nproc < 1:
        raise UsageError(f"--nproc must be at least 1, not {args.nproc}")
    if args.nproc > max_processes():
        raise UsageError(f"--nproc {args.nproc} is more processes than this machine has CPU cores and GPUs ({max_processes()})")
    project, dist = _load(args.file), DistContext.from_env()
    resumed = load_resumed(project, args)
    if resumed is not None:
        project = resumed.snapshot  # the run's own design and settings
    apply_freeze(project, args)
    try:
        trainer = _trainer(project, args, dist, resumed.state if resumed else None)
    except DesignProblems as exc:
        return _print_problems(args.file, exc)
    except TrainError as exc:
        raise UsageError(str(exc)) from None
    if args.nproc > 1 and dist is None:
        return _launch(args)
    paths = output_paths(project, args.out)
    show = dist is None or dist.is_main
    if show:
        for note in trainer.bundle.notes:  # what loading changed or chose: rows dropped, data read from disk
            print(one_line(f"{args.file}: note: {note}"))
        frozen = frozen_fresh(project.graph) if not args.init_from and resumed is None else ""
        if frozen:
            print(
                one_line(f"{args.file}: warning: {frozen} (start from trained ones with --init-from W.safetensors, or unfreeze them)"),
                file=sys.stderr,  # as the run's other warnings
            )
    progress = _Progress(trainer.settings.epochs, trainer.objective.metric_name, enabled=show)
    watch = _watch(project, args.file, every_epoch=args.layer_stats) if show else None
    layers = _layers_text(watch) if watch is not None and args.layer_stats else None
    recorder = start_recording(project, args, trainer, resumed, layers) if show else None
    # The recorder goes last: it captures the state to resume from after the others' epoch ends.
    trainer.callbacks = [progress.callbacks(), *([watch] if watch is not None else []), *([recorder] if recorder is not None else [])]
    # Everything made so far (torch, the data, the module) lives to the end:
    # keep the collector from walking it again and again while training.
    gc.freeze()
    with _process_group(dist, trainer.device.type), progress, _stop_on_interrupt(trainer, enabled=dist is None):
        result = trainer.run()
    if show:
        try:
            weights = save_results(project, result, paths, trainer.objective.metric_name)
        except TrainError as exc:
            raise UsageError(str(exc)) from None
        if recorder is not None:
            print(recorded_line(recorder))
        progress.summary(result, weights, paths, on_cpu=trainer.device.type == "cpu")
        if watch is not None and args.layer_stats and weights is not None:
            from designer.insight.layer_stats import write_layers_csv

            print(f"wrote {write_layers_csv(paths.layers, watch.rows())}")
    return PROBLEMS if result.status == FAILED else INTERRUPTED if result.status == STOPPED else OK


def max_processes() -> int:
    """The most processes a --nproc run may start: one per CPU core it may use, or per GPU where there are more."""
    import torch

    from designer.train.batches import usable_cores

    return max(usable_cores(), torch.cuda.device_count() if torch.cuda.is_available() else 0)


def _trainer(project: Project, args: argparse.Namespace, dist: DistContext | None, resume: TrainState | None = None) -> Trainer:
    """Everything checked before a run (settings, outputs, device, data, design, memory), cheapest first."""
    from designer.train import Trainer, TrainSettings, output_paths, pick_device, prepare
    from designer.train.memory import check_design_memory
    from designer.train.session import check_outputs

    settings = TrainSettings.from_mapping(project.training, **setting_overrides(args))
    check_outputs(output_paths(project, args.out), layers=args.layer_stats)
    pick_device(settings.device, dist.local_rank if dist else 0)
    bundle = _data(project, args.file)
    compiled = prepare(project, bundle)
    initial, _ = initial_weights(
        compiled, args, settings.seed, show=(dist is None or dist.is_main) and not (args.nproc > 1 and dist is None)
    )
    trainer = Trainer(compiled, bundle, settings, dist=dist, resume=resume, initial_state=initial)
    check_design_memory(project.graph, trainer.device, max(1, settings.batch_size // trainer.world), training=True)
    return trainer


def _watch(project: Project, path: str, every_epoch: bool) -> TrainingWatch:
    """The probes, printing each problem they find as one warning line (once per kind and node).
    Only for warnings they keep to a small share of the run's time; ``every_epoch``
    (--layer-stats) measures at every epoch end, as layers.csv promises."""
    from designer.insight.probes import LIVE_SHARE, ProbeBudget
    from designer.insight.watch import TrainingWatch

    # No floor: nothing draws curves here, so a short run need not measure twice a second.
    budget = ProbeBudget(None) if every_epoch else ProbeBudget(LIVE_SHARE, floor_s=math.inf)
    return TrainingWatch(
        project.graph, on_problem=lambda problem: print(f"{path}: warning: {problem.line()}", file=sys.stderr), budget=budget
    )


def _layers_text(watch: TrainingWatch) -> Callable[[], str]:
    """The per-node statistics so far as CSV, for the run's record."""
    from designer.insight.layer_stats import layers_csv

    return lambda: layers_csv(watch.rows())


def _evaluate(args: argparse.Namespace) -> int:
    from designer.cli import _load
    from designer.project import ProjectError
    from designer.train import DesignProblems, TrainError, evaluate_project, format_confusion

    project = _load(args.file)
    bundle = _data(project, args.file)
    weights = Path(args.weights) if args.weights else project.weights_path
    if not os.path.exists(weights):  # never raises, for a name too long as for a missing one
        raise UsageError(f"{weights}: no such weights file: run 'designer train {args.file}' first, or give --weights")
    try:
        split, result = evaluate_project(project, bundle, weights, args.device)
    except DesignProblems as exc:
        return _print_problems(args.file, exc)
    except (ProjectError, TrainError) as exc:
        raise UsageError(str(exc)) from None
    note = "" if split == "test" else " (no test split: set data.test_split above 0 for one)"
    print(f"{project.name}: {split} split, {result.samples} samples{note}")
    print(f"loss {result.loss:.4g}  {_metric(result.metric_name, result.metric)}")
    if result.confusion is not None:
        print("confusion matrix (rows: true class, columns: predicted class):")
        print(format_confusion(result.confusion, bundle.class_names))
    return OK


def _data(project: Project, path: str) -> DataBundle:
    from designer.data import DataError
    from designer.train import load_bundle

    try:
        return load_bundle(project)
    except DataError as exc:
        raise UsageError(f"{path}: {exc}") from None


def _print_problems(path: str, exc: Any) -> int:
    for problem in exc.problems:
        print(f"{path}: {problem.node or 'design'}: {problem.severity}: {problem.message}", file=sys.stderr)
    return PROBLEMS


def _launch(args: argparse.Namespace) -> int:
    """Run this same command in ``--nproc`` processes (checked here first, so
    a mistake is one line from this process, not one per worker)."""
    from designer.train import TrainError, launch

    argv = ["train", args.file, *setting_argv(args)]
    argv += ["--out", args.out] if args.out is not None else []
    argv += ["--layer-stats"] if args.layer_stats else []
    argv += ["--no-record"] if args.no_record else []
    argv += transfer_argv(args)
    try:
        codes = launch(args.nproc, _worker, argv)
    except TrainError as exc:
        raise UsageError(str(exc)) from None
    return max(codes.values(), default=OK)


def _worker(argv: list[str]) -> int:
    """One process of a --nproc run; it finds its rank in the environment."""
    return main(argv)


@contextmanager
def _process_group(dist: DistContext | None, device_type: str) -> Iterator[None]:
    if dist is None:
        yield
        return
    from designer.train.distributed import close_process_group, init_process_group

    init_process_group(dist, device_type)
    try:
        yield
    finally:
        close_process_group()


@contextmanager
def _stop_on_interrupt(trainer: Trainer, enabled: bool) -> Iterator[None]:
    """The first Ctrl-C stops before the next batch (the weights are still written); a second one interrupts."""
    if not enabled:
        yield
        return

    def stop(signum: int, frame: object) -> None:
        print("\nstopping before the next batch (Ctrl-C again to interrupt)", file=sys.stderr)
        signal.signal(signal.SIGINT, previous)
        trainer.stop()

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _metric(name: str, value: float | None, prefix: str = "") -> str:
    if value is None:
        return ""
    return f"{prefix}accuracy {value:.2%}" if name == "accuracy" else f"{prefix}mae {value:.4g}"


class _Progress:
    """A rich progress bar per epoch, turned into one line when the epoch ends."""

    def __init__(self, epochs: int, metric_name: str, enabled: bool) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.epochs, self._name, self.enabled = epochs, metric_name, enabled
        self.console = Console()
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
        )
        # A live bar only on a terminal; in a log, each epoch is one line.
        self._bar = Progress(*columns, console=self.console, transient=True, disable=not (enabled and self.console.is_terminal))
        self._task: Any = None
        self._started = time.perf_counter()

    def callbacks(self) -> Callbacks:
        from designer.train import Callbacks

        return Callbacks(on_batch=self._on_batch, on_epoch=self._on_epoch)

    def __enter__(self) -> _Progress:
        self._started = time.perf_counter()
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def _on_batch(self, r: BatchReport) -> None:
        if self._task is None:
            self._task = self._bar.add_task(f"epoch {r.epoch}/{self.epochs}", total=r.batches, stats="")
        rate = r.samples / max(time.perf_counter() - self._started, 1e-9)
        stats = f"loss {r.running_loss:.4f}  {_metric(self._name, r.running_metric)}  {rate:,.0f} samples/s"
        self._bar.update(self._task, completed=r.batch, stats=stats)

    def _on_epoch(self, m: EpochMetrics) -> None:
        if self._task is not None:
            self._bar.remove_task(self._task)
            self._task = None
        if self.enabled:
            val = f"  val_loss {m.val_loss:.4f}  {_metric(m.metric_name, m.val_metric, 'val_')}" if m.val_loss is not None else ""
            line = f"epoch {m.epoch}/{self.epochs}  loss {m.train_loss:.4f}  {_metric(m.metric_name, m.train_metric)}{val}"
            self._bar.console.print(
                f"{line}  lr {m.lr:.3g}  {m.samples_per_second:,.0f} samples/s  {m.seconds:.1f}s", highlight=False, soft_wrap=True
            )
        self._started = time.perf_counter()

    def summary(self, result: RunResult, weights: Path | None, paths: OutputPaths, on_cpu: bool = False) -> None:
        from designer.train import FAILED

        final, best = result.last, result.best
        # The count can be timed at the start (designer.train.threads): it says why two runs' last digits differ.
        threads = f" on {result.threads} CPU thread{'s' if result.threads > 1 else ''}" if on_cpu and result.threads else ""
        parts = [f"training failed: {result.message}" if result.status == FAILED else result.message + threads]
        for label, m in (("final", final), ("best", best)):
            if m is not None:
                loss, metric = (m.val_loss, m.val_metric) if m.val_loss is not None else (m.train_loss, m.train_metric)
                which = "val_" if m.val_loss is not None else ""
                parts.append(f"{label} (epoch {m.epoch}): {which}loss {loss:.4f} {_metric(m.metric_name, metric, which)}")
        print("; ".join(parts), file=sys.stderr if result.status == FAILED else sys.stdout)
        if weights is not None:
            print(f"wrote {weights} and {paths.metrics}")
            return
        earlier = [p.name for p in (paths.weights, paths.metrics) if os.path.exists(p)]
        kept = f"; {' and '.join(earlier)} of an earlier run are left as they were" if earlier else ""
        print(f"wrote nothing (no weights: no epoch completed){kept}")
