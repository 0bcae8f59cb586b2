"""The headless trainer: pure torch, no Qt.

A run::

    bundle = load_data(project.data, base_dir=...)        # designer.data
    compiled = prepare(project, bundle)                    # checks the design against the data
    settings = TrainSettings.from_mapping(project.training, epochs=5)
    trainer = Trainer(compiled, bundle, settings, Callbacks(on_batch=..., on_epoch=..., on_end=...))
    result = trainer.run()                                 # blocks; never raises
    save_results(project, result, output_paths(project), trainer.objective.metric_name)

``Trainer.run()`` blocks, so a GUI calls it in a worker thread. From any
other thread, ``pause()``, ``resume()`` and ``stop()`` take effect before the
next batch. Callbacks are objects (``designer.train.callbacks.Callback``:
run start, batch start, batch end with the gradients still in ``.grad``,
report, epoch end, run end); the trainer takes one or a list, and calls only
the hooks a callback overrides. They run on the training thread and should
only hand data over (a Qt signal). ``Callbacks`` wraps three plain functions:

- ``on_batch(BatchReport)``: the losses of the batches since the last report,
  plus the epoch's running loss, metric and samples. On the CPU a report
  comes every 50 ms; on a GPU every ``report_every`` (20) batches, because
  reading a loss waits for the GPU: until then losses stay in a device buffer.
- ``on_epoch(EpochMetrics)``: train and validation loss, accuracy (or MAE for
  regression), learning rate, seconds and samples per second.
- ``on_end(RunResult)``: status (finished, early_stopped, stopped, failed),
  a message, the best epoch, and the best and last weights on the CPU.

Faults (a NaN or infinite loss, running out of GPU memory, a layer failing on
its input) end the run with status ``failed`` and a message saying what to
change; ``RunResult.node`` names the failing node. After ``run()``,
``trainer.module`` holds the kept weights (``RunResult.kept_state``) and
``trainer.predict("validation")`` gives outputs, class ids and probabilities
for confusion matrices and predicted-vs-true views; ``predict_outputs`` runs
the module on any array (a grid for a decision boundary).

Same seed, same device: same curve. With ``dist`` (one process of a
``launch``/torchrun group) the module is wrapped in DistributedDataParallel,
each process takes its share of every batch, and all processes agree on
losses, stopping and early stopping.
"""

from designer.train.callbacks import BatchStep, Callback, RunStart
from designer.train.device import pick_device
from designer.train.distributed import DistContext, launch
from designer.train.errors import DesignProblems, TrainError
from designer.train.objective import Objective
from designer.train.predict import Evaluation, Predictions, confusion_matrix, evaluate, format_confusion, predict_outputs
from designer.train.results import (
    EARLY_STOPPED,
    FAILED,
    FINISHED,
    STOPPED,
    BatchReport,
    Callbacks,
    EpochMetrics,
    RunResult,
    metrics_csv,
    write_metrics_csv,
)
from designer.train.session import (
    OutputPaths,
    evaluate_project,
    evaluation_split,
    load_bundle,
    load_trained,
    output_paths,
    prepare,
    save_results,
)
from designer.train.settings import TrainSettings
from designer.train.trainer import Trainer

__all__ = [
    "EARLY_STOPPED",
    "FAILED",
    "FINISHED",
    "STOPPED",
    "BatchReport",
    "BatchStep",
    "Callback",
    "Callbacks",
    "DesignProblems",
    "DistContext",
    "EpochMetrics",
    "Evaluation",
    "Objective",
    "OutputPaths",
    "Predictions",
    "RunResult",
    "RunStart",
    "TrainError",
    "TrainSettings",
    "Trainer",
    "confusion_matrix",
    "evaluate",
    "evaluate_project",
    "evaluation_split",
    "format_confusion",
    "launch",
    "load_bundle",
    "load_trained",
    "metrics_csv",
    "output_paths",
    "pick_device",
    "predict_outputs",
    "prepare",
    "save_results",
    "write_metrics_csv",
]
