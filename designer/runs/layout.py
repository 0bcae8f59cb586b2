"""Where runs live and what their folders hold.

A project ``NAME.nnd`` keeps its runs beside it in ``NAME.runs/``, one
folder per run named ``run-0001``, ``run-0002``... (the number is the run's
label in the window; folders are claimed with ``mkdir``, so processes of a
sweep never take the same one). A run folder holds plain files only:

``run.json``
    id, number, times, origin, status and message, settings, data, device,
    the design's fingerprint, best epoch, pinned, sweep trial
``design.nnd``
    the design as it was trained (a project file)
``epochs.csv``
    one row per finished epoch, appended as the run goes
``batches.csv``
    per-batch loss and its smoothed curve on the epoch axis, appended at each
    epoch's end; thinned (every 2nd, 4th... batch) past ``BATCH_ROWS`` rows
``layers.csv``
    per-node statistics per epoch, when the run measured them
``views.json`` + ``views.safetensors``
    the results views: confusion matrix, decision boundary, predicted
    against true values, sample images
``weights.safetensors``
    the kept weights, for the best run and the pinned ones
``checkpoint.safetensors``
    the state to resume from, its JSON part in the header (stopped, failed
    and crashed runs only)

Nothing is pickled; a folder that cannot be read is reported, with the
reason, never loaded half.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

RUNS_SUFFIX = ".runs"
RUN_FILE = "run.json"
DESIGN = "design.nnd"
EPOCHS = "epochs.csv"
BATCHES = "batches.csv"
LAYERS = "layers.csv"
VIEWS = "views.json"
VIEW_ARRAYS = "views.safetensors"
WEIGHTS = "weights.safetensors"
CHECKPOINT = "checkpoint.safetensors"
RUN_FORMAT = "nn-designer-run"
RUN_VERSION = 1
RUN_ID = re.compile(r"run-(\d{4,9})")

BATCH_ROWS = 4000  # per-batch rows kept in batches.csv before they are thinned
MAX_TEXT_BYTES = 8 * 1024 * 1024  # run.json, the CSV files and design.nnd larger than this are refused
MAX_JSON_BYTES = 1024 * 1024


def runs_folder(project_path: str | os.PathLike[str]) -> Path:
    """``NAME.runs`` beside ``NAME.nnd``."""
    path = Path(project_path)
    return path.with_name(path.stem + RUNS_SUFFIX)


def run_id(number: int) -> str:
    return f"run-{number:04d}"


def run_number(name: str) -> int | None:
    """The number in a run folder's name, None for anything else."""
    match = RUN_ID.fullmatch(name)
    return int(match.group(1)) if match else None
