"""Recording small runs from Python for the run-record tests (a plain module:
conftest names clash between folders)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from trainingkit import tiny_project

from designer.project import Project, load_project
from designer.runs import RunRecorder, RunStore, new_run
from designer.train import Callback, Trainer, TrainSettings, load_bundle, prepare
from designer.train.resume import TrainState


class StopAfter(Callback):
    """Stops its trainer at the end of epoch ``epoch``."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        self.trainer: Trainer | None = None

    def on_epoch_end(self, metrics) -> None:
        if metrics.epoch == self.epoch and self.trainer is not None:
            self.trainer.stop()


def project(folder: Path, **training: object) -> Project:
    return load_project(tiny_project(folder / "tiny.nnd", **training))


def record_run(
    project: Project,
    settings: dict | None = None,
    before: Sequence[Callback] = (),
    resume: tuple[TrainState, dict] | None = None,
    folder: Path | None = None,
) -> RunRecorder:
    """Train ``project`` once, recorded in its runs folder (``folder``: continue that run)."""
    store = RunStore.of(project.path)
    if folder is None:
        record, snapshot = new_run(store, project, settings, origin="command line")
    else:
        from designer.runs import read_run

        record = read_run(folder, with_weights=False)
        snapshot = record.snapshot
        snapshot.path = project.path
        if settings:
            snapshot.training.update(settings)
            record.settings = snapshot.training.as_dict()
    bundle = load_bundle(snapshot)
    state, extra = resume if resume is not None else (None, None)
    trainer = Trainer(prepare(snapshot, bundle), bundle, TrainSettings.from_mapping(snapshot.training), resume=state)
    recorder = RunRecorder(store, record, snapshot, trainer, resume=state, resume_extra=extra)
    for callback in before:
        if isinstance(callback, StopAfter):
            callback.trainer = trainer
    trainer.callbacks = [*before, recorder]
    trainer.run()
    assert recorder.error is None, recorder.error
    return recorder
