"""Runs that last (no Qt): every training run's record, kept in a folder of
plain files beside its project, read by the window and the command line alike.

Recording a run::

    store = RunStore.of(project.path)                  # NAME.runs beside NAME.nnd
    record, snapshot = new_run(store, project, origin="command line")
    trainer = Trainer(prepare(snapshot, bundle), bundle, settings)
    recorder = RunRecorder(store, record, snapshot, trainer)
    trainer.callbacks = [..., recorder]                 # last: it captures the resume state
    trainer.run()

Reading them back: ``store.read_all()`` gives the runs (curves, settings,
design snapshot, results views, kept weights) and the folders that could not
be read, each with the reason. ``designer.runs.layout`` describes the files.
"""

from designer.runs.formatting import better, metric_text, settings_text
from designer.runs.layout import runs_folder
from designer.runs.outcome import ResultViews, RunOutcome, compute_views
from designer.runs.record import CRASHED, RUNNING, RunRecord, Series
from designer.runs.recorder import RunRecorder, device_text, load_resume, new_run
from designer.runs.store import RunStore, UnreadableRun, read_run

__all__ = [
    "CRASHED",
    "RUNNING",
    "ResultViews",
    "RunOutcome",
    "RunRecord",
    "RunRecorder",
    "RunStore",
    "Series",
    "UnreadableRun",
    "better",
    "compute_views",
    "device_text",
    "load_resume",
    "metric_text",
    "new_run",
    "read_run",
    "runs_folder",
    "settings_text",
]
