"""A project's runs folder: claiming a new run, reading every run back,
deleting, pinning, and keeping weights only where they are wanted.

Reading never trusts the folder: each run is read whole or reported as an
``UnreadableRun`` with the reason (a link, a missing or broken file, a
field of the wrong type, a file too large), and one bad run never stops the
others from loading.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from designer.project import ProjectError, loads
from designer.project.atomic import write_text_atomic
from designer.runs import layout
from designer.runs.files import RunFileError, dump_json, plain_file, read_json, read_text
from designer.runs.formatting import better
from designer.runs.layout import BATCHES, DESIGN, EPOCHS, RUN_FILE, WEIGHTS, run_id, run_number
from designer.runs.meta import apply_meta, check_meta
from designer.runs.outcome import RunOutcome
from designer.runs.record import RUNNING, RunRecord
from designer.runs.tables import parse_batches, parse_epochs
from designer.runs.views import read_views
from designer.train import RunResult

R = TypeVar("R", bound=RunRecord)
MAX_WEIGHTS_BYTES = 16 * 1024**3


@dataclass(frozen=True)
class UnreadableRun:
    """A folder in the runs folder that could not be read, and why."""

    folder: Path
    reason: str

    @property
    def id(self) -> str:
        return self.folder.name


class RunStore:
    """The runs of one project, in ``folder`` (``NAME.runs`` beside ``NAME.nnd``)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    @classmethod
    def of(cls, project_path: str | os.PathLike[str]) -> RunStore:
        return cls(layout.runs_folder(project_path))

    # ------------------------------------------------------------ listing
    def run_folders(self) -> list[Path]:
        """Every entry named like a run (``run-0007``), by number; other names are not runs."""
        try:
            entries = list(os.scandir(self.folder))
        except (FileNotFoundError, NotADirectoryError):
            return []
        numbered = [(n, Path(e.path)) for e in entries if (n := run_number(e.name)) is not None]
        return [path for _, path in sorted(numbered)]

    def claim(self) -> tuple[str, int, Path]:
        """A new run's (id, number, folder): the next number, its folder made here and now."""
        self.folder.mkdir(parents=True, exist_ok=True)
        number = max((run_number(p.name) or 0 for p in self.run_folders()), default=0) + 1
        while True:
            folder = self.folder / run_id(number)
            try:
                folder.mkdir()
            except FileExistsError:  # another process of a sweep took it first
                number += 1
                continue
            return folder.name, number, folder

    def find(self, ref: str) -> Path:
        """A run's folder from its id (``run-0003``), its number (``3``) or its path; RunFileError when there is none."""
        # os.path's checks never raise (a name too long for the system is simply not there),
        # and only ASCII digits are a run number ('²'.isdigit() is true, int('²') fails).
        if os.path.isdir(ref) and os.path.exists(os.path.join(ref, RUN_FILE)):
            return Path(ref)
        name = run_id(int(ref)) if ref.isascii() and ref.isdigit() else ref
        folder = self.folder / name
        if run_number(name) is None or not os.path.isdir(folder):
            known = ", ".join(p.name for p in self.run_folders()[-5:]) or "none yet"
            raise RunFileError(f"no run {ref!r} in {self.folder.name} (the latest: {known})")
        return folder

    # ------------------------------------------------------------ reading
    def read_all(self, record_type: Callable[..., R] = RunRecord, with_weights: bool = True) -> tuple[list[R], list[UnreadableRun]]:
        """Every run, oldest first, and the folders that could not be read."""
        runs: list[R] = []
        unreadable: list[UnreadableRun] = []
        for folder in self.run_folders():
            try:
                runs.append(read_run(folder, record_type, with_weights))
            except RunFileError as exc:
                unreadable.append(UnreadableRun(folder, str(exc)))
        return runs, unreadable

    def read_metas(self) -> dict[str, dict]:
        """Each readable run's ``run.json`` by id (quick: no curves, no design)."""
        metas = {}
        for folder in self.run_folders():
            try:
                metas[folder.name] = check_meta(read_json(_in_plain_folder(folder) / RUN_FILE), folder.name)
            except RunFileError:
                continue
        return metas

    # ----------------------------------------------------------- changing
    def delete(self, ref: str | Path) -> None:
        """Remove a run's folder and its files (a link is removed, never followed)."""
        folder = Path(ref) if isinstance(ref, Path) else self.folder / ref
        if folder.parent.resolve() != self.folder.resolve() or run_number(folder.name) is None:
            raise RunFileError(f"{folder} is not a run of {self.folder.name}")
        info = os.lstat(folder)
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            folder.unlink()
        else:
            shutil.rmtree(folder)

    def set_pinned(self, record: RunRecord, pinned: bool, project_name: str = "") -> None:
        """Pin a run (its weights are kept whatever runs come later) or unpin it."""
        record.pinned = pinned
        if record.folder is None:
            return
        meta = check_meta(read_json(record.folder / RUN_FILE), record.folder.name)
        meta["pinned"] = pinned
        write_text_atomic(record.folder / RUN_FILE, dump_json(meta))
        state = record.kept_state
        if pinned and state is not None and not (record.folder / WEIGHTS).exists():
            from designer.project.weights import save_weights

            save_weights(record.folder / WEIGHTS, state, record.fingerprint, {"run": record.id})
        self.prune_weights()

    def keepers(self, metas: dict[str, dict] | None = None) -> set[str]:
        """Runs whose weights are kept: the pinned ones and, per kind of metric, the best finished one."""
        metas = self.read_metas() if metas is None else metas
        keep = {run for run, meta in metas.items() if meta.get("pinned")}
        best: dict[str, tuple[float, str]] = {}
        for run, meta in metas.items():
            value, name = meta.get("best_metric"), meta["metric_name"]
            if value is None or meta["status"] == RUNNING:
                continue
            if name not in best or better(name, value, best[name][0]):
                best[name] = (value, run)
        return keep | {run for _, run in best.values()}

    def prune_weights(self, keep: Iterable[str] | None = None) -> None:
        """Delete the weights of runs that are neither pinned nor the best."""
        keep = set(self.keepers() if keep is None else keep)
        for folder in self.run_folders():
            if folder.name not in keep and (folder / WEIGHTS).is_file() and not (folder / WEIGHTS).is_symlink():
                (folder / WEIGHTS).unlink(missing_ok=True)


def read_run(folder: Path, record_type: Callable[..., R] = RunRecord, with_weights: bool = True) -> R:
    """One run from its folder; RunFileError (with the reason) when it cannot be read."""
    folder = _in_plain_folder(folder)
    meta = check_meta(read_json(folder / RUN_FILE), folder.name)
    try:
        snapshot = loads(read_text(folder / DESIGN), DESIGN)
    except ProjectError as exc:
        raise RunFileError(f"its design cannot be read: {exc}") from None
    record = record_type(
        number=meta["number"],
        settings=dict(meta["settings"]),
        data_source=str(meta["data"].get("source", "")),
        fingerprint=meta["fingerprint"],
        id=folder.name,
        folder=folder,
    )
    apply_meta(record, meta)
    record.snapshot = snapshot
    record.add_epochs(parse_epochs(read_text(folder / EPOCHS), record.metric_name))
    if (folder / BATCHES).exists():
        x, loss, smooth = parse_batches(read_text(folder / BATCHES))
        record.batch_x.extend(x)
        record.batch_loss.extend(loss)
        record.batch_smooth.extend(smooth)
        if len(smooth):
            record._smoother.average, record._smoother.weight_sum = float(smooth[-1]), 1.0
    result = RunResult(record.status, record.message, list(record.epochs), record.best_epoch)
    outcome = RunOutcome(result, record.metric_name)
    try:
        outcome.views = read_views(folder)
    except RunFileError as exc:
        outcome.notes.append(f"the results views cannot be shown: {exc}")
    if with_weights and (folder / WEIGHTS).exists():
        try:
            # the kept weights whatever the status (a failed run's kept ones are its best)
            result.last_state = result.best_state = _read_weights(folder / WEIGHTS, record.fingerprint)
        except (RunFileError, ProjectError) as exc:
            outcome.notes.append(f"the kept weights cannot be used: {exc}")
    record.outcome = outcome
    return record


def _read_weights(path: Path, fingerprint: str) -> dict:
    from designer.project.weights import load_weights

    if plain_file(path).st_size > MAX_WEIGHTS_BYTES:
        raise RunFileError(f"{path.name} is too large")
    return load_weights(path, fingerprint)


def _in_plain_folder(folder: Path) -> Path:
    """``folder`` when it is a real folder (not a link to one elsewhere)."""
    try:
        info = os.lstat(folder)
    except OSError as exc:
        raise RunFileError(f"the folder cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISLNK(info.st_mode):
        raise RunFileError("the run folder is a link (runs are plain folders)")
    if not stat.S_ISDIR(info.st_mode):
        raise RunFileError("not a folder")
    return folder
