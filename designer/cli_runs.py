"""``designer runs``: a project's recorded runs (list, compare, pin, delete),
and the recording that ``designer train`` does by default (``--resume``,
``--no-record``)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from designer.cli import OK, UsageError

if TYPE_CHECKING:
    from designer.project import Project
    from designer.runs import RunRecord, RunRecorder, RunStore
    from designer.train import Trainer
    from designer.train.resume import TrainState


# ------------------------------------------------------------ designer train
def add_record_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--resume",
        metavar="RUN",
        help="continue a stopped or crashed run (its id, number or folder) from its last checkpoint, with its own design and settings",
    )
    parser.add_argument("--no-record", action="store_true", help="do not record the run in NAME.runs beside FILE")


def run_store(project_path: Path, out: str | None = None) -> RunStore:
    """NAME.runs beside the project, where the window looks; with --out DIR, DIR/NAME.runs (every output goes to DIR)."""
    from designer.runs import RunStore

    beside = RunStore.of(project_path)
    return RunStore(Path(out) / beside.folder.name) if out is not None else beside


@dataclass
class Resumed:
    """A run to continue: its record, the design it trains and the state it goes on from."""

    record: RunRecord
    snapshot: Project
    state: TrainState
    extra: dict[str, Any]


def load_resumed(project: Project, args: argparse.Namespace) -> Resumed | None:
    """``--resume RUN``: the run's own design and settings (the flags override them); UsageError when it cannot go on."""
    if not getattr(args, "resume", None):
        return None
    from designer.runs import RUNNING, load_resume, read_run
    from designer.runs.files import RunFileError

    if args.nproc > 1:
        raise UsageError("--resume continues a run in one process: leave out --nproc")
    if args.no_record:
        raise UsageError("--resume records into the run it continues: leave out --no-record")
    store = run_store(project.path, args.out)
    try:
        folder = store.find(args.resume)
        record = read_run(folder, with_weights=False)
        if record.status == RUNNING:
            raise UsageError(f"{folder.name} is still running; stop it first")
        if not record.resumable:
            raise UsageError(f"{folder.name} {record.status.replace('_', ' ')}: only a stopped, failed or crashed run with a checkpoint resumes")
        state, extra = load_resume(folder)
    except RunFileError as exc:
        raise UsageError(f"cannot resume {args.resume}: {exc}") from None
    snapshot = record.snapshot
    snapshot.path = project.path
    return Resumed(record, snapshot, state, extra)


def start_recording(
    project: Project, args: argparse.Namespace, trainer: Trainer, resumed: Resumed | None, layers: Any = None
) -> RunRecorder | None:
    """The recorder of this run (None with --no-record); the project's settings as the run uses them."""
    from designer.runs import RunRecorder, new_run

    if args.no_record:
        return None
    store = run_store(project.path, args.out)
    settings = trainer.settings.as_dict()
    if resumed is not None:
        if settings["epochs"] <= resumed.state.epoch:
            raise UsageError(
                f"{resumed.record.id} has trained {resumed.state.epoch} of {settings['epochs']} epochs: give --epochs above {resumed.state.epoch} to train further"
            )
        record, snapshot = resumed.record, resumed.snapshot
        snapshot.training.update(settings)
        record.settings = snapshot.training.as_dict()
        return RunRecorder(store, record, snapshot, trainer, layers, resume=resumed.state, resume_extra=resumed.extra)
    try:
        record, snapshot = new_run(store, project, settings, origin="command line")
    except OSError as exc:
        print(f"{args.file}: warning: the run is not recorded ({exc})", file=sys.stderr)
        return None
    return RunRecorder(store, record, snapshot, trainer, layers)


def recorded_line(recorder: RunRecorder) -> str:
    if recorder.error:
        return f"warning: {recorder.error}"
    return f"recorded {recorder.record.label} in {recorder.folder}"


# ------------------------------------------------------------ designer runs
def register(commands: argparse._SubParsersAction) -> None:
    runs = commands.add_parser(
        "runs",
        help="a project's recorded runs: list, compare, pin, delete",
        description="The runs recorded beside a project (NAME.runs): list them, compare two (settings and design), pin or delete one.",
    )
    runs.add_argument("file", metavar="FILE", help="project file (.nnd)")
    runs.add_argument("--compare", nargs=2, metavar=("A", "B"), help="the settings and design differences between two runs")
    runs.add_argument("--pin", metavar="RUN", help="keep this run's weights whatever runs come later")
    runs.add_argument("--unpin", metavar="RUN", help="let this run's weights go when it is not the best")
    runs.add_argument("--delete", metavar="RUN", help="delete this run's folder (asks first unless --yes)")
    runs.add_argument("--yes", action="store_true", help="delete without asking")
    runs.add_argument("--sort", choices=("number", "best", "epochs", "time"), default="number", help="order of the list")
    runs.set_defaults(handler=_runs)


def _runs(args: argparse.Namespace) -> int:
    from designer.runs.files import RunFileError

    project_path = Path(args.file)
    if not project_path.is_file():
        raise UsageError(f"{args.file}: no such project file")
    store = run_store(project_path)
    try:
        if args.delete:
            return _delete(store, args.delete, args.yes)
        if args.pin or args.unpin:
            return _pin(store, args.pin or args.unpin, bool(args.pin))
        if args.compare:
            return _compare(store, *args.compare)
    except RunFileError as exc:
        raise UsageError(str(exc)) from None
    return _list(store, args.sort)


def _list(store: RunStore, sort: str) -> int:
    from designer.runs.table import runs_table

    runs, unreadable = store.read_all(with_weights=False)
    if not runs and not unreadable:
        print(f"no runs recorded in {store.folder}")
        return OK
    table = runs_table(runs, sort)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    for bad in unreadable:
        print(f"{bad.id}: unreadable: {bad.reason}", file=sys.stderr)
    return OK


def _read(store: RunStore, ref: str) -> RunRecord:
    from designer.runs import read_run

    return read_run(store.find(ref), with_weights=False)


def _delete(store: RunStore, ref: str, yes: bool) -> int:
    folder = store.find(ref)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(f"deleting {folder.name} needs --yes when nobody can be asked")
        answer = input(f"Delete {folder.name} and all its files? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return OK
    store.delete(folder)
    print(f"deleted {folder.name}")
    return OK


def _pin(store: RunStore, ref: str, pinned: bool) -> int:
    record = _read(store, ref)
    store.set_pinned(record, pinned)
    print(f"{record.id} {'pinned' if pinned else 'unpinned'}")
    return OK


def _compare(store: RunStore, a: str, b: str) -> int:
    from designer.runs.compare import compare_runs

    first, second = _read(store, a), _read(store, b)
    print(compare_runs(first, second).text())
    return OK
