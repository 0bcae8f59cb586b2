"""A project's run, end to end: its data, its checked design, where results go,
saving them, and evaluating saved weights. What ``designer train`` and
``designer evaluate`` do, without the printing.

Outputs: with an output folder, ``DIR/weights.safetensors`` and
``DIR/metrics.csv``; without one, beside the project file ``NAME.nnd``:
``NAME.safetensors`` (where the designer looks for a project's weights) and
``NAME.metrics.csv``. Per-node statistics (``designer train --layer-stats``)
go to ``DIR/layers.csv`` or ``NAME.layers.csv``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from designer.graph import ERROR
from designer.project import Project
from designer.project.atomic import unwritable
from designer.project.weights import load_weights, save_weights
from designer.train.errors import DesignProblems, TrainError
from designer.train.memory import check_design_memory, out_of_memory_as_error
from designer.train.objective import Objective
from designer.train.predict import Evaluation, evaluate
from designer.train.results import RunResult, StateDict, write_metrics_csv

if TYPE_CHECKING:
    import torch

    from designer.compile import CompiledDesign
    from designer.data import ArrayDataset, DataBundle


@dataclass(frozen=True)
class OutputPaths:
    weights: Path
    metrics: Path
    layers: Path  # per-node statistics, written by ``designer train --layer-stats``


def output_paths(project: Project, out_dir: str | os.PathLike[str] | None = None) -> OutputPaths:
    """Where a run's weights and metrics go (see the module docstring)."""
    if out_dir is not None:
        folder = Path(out_dir)
        return OutputPaths(folder / "weights.safetensors", folder / "metrics.csv", folder / "layers.csv")
    if project.path is None:
        raise TrainError("the project has not been saved to a file: give an output folder")
    stem = project.path.stem
    return OutputPaths(
        project.path.with_suffix(".safetensors"),
        project.path.with_name(stem + ".metrics.csv"),
        project.path.with_name(stem + ".layers.csv"),
    )


def load_bundle(project: Project) -> DataBundle:
    """The project's data; raises designer.data.DataError (one clear line)."""
    from designer.data import load_data

    base = project.path.parent if project.path is not None else Path.cwd()
    return load_data(project.data, base_dir=base)


def prepare(project: Project, bundle: DataBundle) -> CompiledDesign:
    """Check the design against its data and compile it; raises DesignProblems."""
    from designer.compile import CompileError, compile_design

    errors = [p for p in project.graph.validate(bundle.spec) if p.severity == ERROR]
    if errors:
        raise DesignProblems(errors)
    try:
        return compile_design(project.graph)
    except CompileError as exc:
        raise DesignProblems(exc.problems) from None


def check_outputs(paths: OutputPaths, layers: bool = False) -> None:
    """TrainError when a run's outputs could not be written (a folder that is a
    file, one the user may not write in): said before the run, not after it."""
    for path in (paths.weights, paths.metrics, *([paths.layers] if layers else [])):
        problem = unwritable(path)
        if problem is not None:
            raise TrainError(problem)


def save_results(project: Project, result: RunResult, paths: OutputPaths, metric_name: str) -> Path | None:
    """Write the weights file (tagged with the design's fingerprint) and the
    metrics CSV, as a pair. A run that kept no weights (it failed before its
    first epoch ended) writes neither, so the pair an earlier run left there
    still belongs together. Returns the weights path, or None when nothing was
    written; TrainError when a file cannot be written."""
    state = result.kept_state
    if state is None:
        return None
    try:
        written = _save_weights(project, result, paths, state)
        write_metrics_csv(paths.metrics, result.epochs, metric_name)
    except OSError as exc:
        raise TrainError(f"cannot write {exc.filename or paths.weights.parent}: {exc.strerror or exc}") from None
    return written


def _save_weights(project: Project, result: RunResult, paths: OutputPaths, state: StateDict) -> Path:
    best, last = result.best, result.last
    metadata = {
        "status": result.status,
        "epochs": str(last.epoch if last else 0),
        "best_epoch": str(result.best_epoch or ""),
        "val_loss": str(best.val_loss if best and best.val_loss is not None else ""),
    }
    return save_weights(paths.weights, state, project.graph.fingerprint(), metadata)


def load_trained(project: Project, compiled: CompiledDesign, weights: str | os.PathLike[str]) -> torch.nn.Module:
    """A module of the design with saved weights; raises ProjectError when the
    file is missing, unreadable, belongs to another version of the design or
    holds tensors that do not fit it (named)."""
    module = compiled.new_module()
    module.load_state_dict(load_weights(weights, project.graph.fingerprint(), expected=module.state_dict()))
    return module


def evaluation_split(bundle: DataBundle) -> tuple[str, ArrayDataset]:
    """The test split, or the validation split when the data has no test split."""
    for name in ("test", "validation"):
        split = getattr(bundle, name)
        if split is not None and len(split.x):
            return name, split
    raise TrainError(f"{bundle.spec.name} has neither a test nor a validation split: set data.test_split above 0")


def evaluate_project(project: Project, bundle: DataBundle, weights: str | os.PathLike[str], device: str = "auto") -> tuple[str, Evaluation]:
    """(split name, evaluation) of saved weights on the test (or validation) split."""
    from designer.train.device import pick_device
    from designer.train.settings import TrainSettings

    compiled = prepare(project, bundle)
    settings = TrainSettings.from_mapping(project.training, device=device)
    name, split = evaluation_split(bundle)
    target = pick_device(settings.device)
    check_design_memory(project.graph, target, settings.batch_size, training=False)
    with out_of_memory_as_error(project.graph, target, settings.batch_size, training=False):
        module = load_trained(project, compiled, weights).to(target)
        objective = Objective(settings.loss, bundle.spec)
        return name, evaluate(module, split, objective, target, settings.batch_size, settings.bf16)
