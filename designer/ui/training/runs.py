"""The runs of one project in the window: a thin Qt view over the run
records of ``designer.runs``, which are kept in ``NAME.runs`` beside the
project. The window adds only a colour per run and whether its curves show.

Opening a project reads its runs (curves, results, the weights kept), and
the history follows the folder: a run that ``designer train`` or a sweep
records there appears in the window, and one still training on another
process grows as its epochs are written. A folder that cannot be read is
listed with the reason, never loaded half. An untitled project's runs stay
in memory until it has a file.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from designer.project import Project
from designer.runs import RUNNING, RunStore, UnreadableRun, new_run, read_run
from designer.runs import RunRecord as StoredRun
from designer.runs import Series as Series  # the plots' growing buffers (re-exported for the views)
from designer.runs.files import RunFileError
from designer.runs.layout import EPOCHS, RUN_FILE

# One colour per run, in order; distinct for the common kinds of colour blindness first.
PALETTE = ("#2f80ed", "#e8710a", "#2a9467", "#b93a86", "#8756b0", "#c04a46", "#687a2a", "#0f9bb8")
SHOWN_AT_OPEN = 5  # runs read from disk whose curves show at first: the newest ones
RESCAN_MS = 400  # after the folder changed, so a burst of writes reads once
FOLLOW_MS = 2000  # how often runs training in another process are read again


@dataclasses.dataclass
class RunRecord(StoredRun):
    """A run as the window shows it: the stored record, a colour and its visibility."""

    colour: str = PALETTE[0]
    hidden: bool = False


def colour_of(number: int) -> str:
    return PALETTE[(number - 1) % len(PALETTE)]


class RunHistory(QObject):
    """The runs of one project, oldest first, and the folders that could not be read; views follow its signals."""

    run_added = Signal(object)  # RunRecord
    run_changed = Signal(object)  # RunRecord: status, visibility, outcome or curves changed
    run_removed = Signal(object)  # RunRecord
    unreadable_changed = Signal()

    def __init__(self, parent: QObject | None = None, store: RunStore | None = None) -> None:
        super().__init__(parent)
        self.runs: list[RunRecord] = []
        self.unreadable: list[UnreadableRun] = []
        self.store: RunStore | None = None
        self._numbers = 0
        self._own: set[str] = set()  # ids of runs this window trains (not read back while they run)
        self._stamps: dict[str, tuple[int, int]] = {}  # run id -> its files' state when last read
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(lambda _: self._rescan.start())
        self._rescan = QTimer(self)
        self._rescan.setSingleShot(True)
        self._rescan.setInterval(RESCAN_MS)
        self._rescan.timeout.connect(self.refresh)
        self._follow = QTimer(self)
        self._follow.setInterval(FOLLOW_MS)
        self._follow.timeout.connect(self._on_follow)
        if store is not None:
            self.set_store(store)

    # ------------------------------------------------------------ the folder
    def set_store(self, store: RunStore | None) -> None:
        """Keep runs in ``store`` from now on, and show the runs it holds."""
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        self.store = store
        if store is not None:
            self.refresh()

    def refresh(self) -> None:
        """Read the folder again: new runs appear, deleted ones go, runs of other processes update."""
        store = self.store
        if store is None:
            return
        if store.folder.is_dir() and not self._watcher.directories():
            self._watcher.addPath(str(store.folder))
        known = {r.id: r for r in self.runs if r.id}
        first_read = not known
        fresh: list[RunRecord] = []
        unreadable: list[UnreadableRun] = []
        folders = store.run_folders()
        for folder in folders:
            if folder.name in self._own:
                continue
            stamp = _stamp(folder)
            record = known.get(folder.name)
            if record is not None and self._stamps.get(folder.name) == stamp:
                continue  # unchanged since it was read
            try:
                read = read_run(folder, RunRecord)
            except RunFileError as exc:
                unreadable.append(UnreadableRun(folder, str(exc)))
                continue
            self._stamps[folder.name] = stamp
            if record is not None:
                if _absorb(record, read):
                    self.run_changed.emit(record)
            else:
                fresh.append(read)
        present = {f.name for f in folders}
        for record in [r for r in self.runs if r.id and r.id not in present and r.id not in self._own]:
            self.runs.remove(record)
            self.run_removed.emit(record)
        newest = {r.number for r in sorted(fresh, key=lambda r: r.number)[-SHOWN_AT_OPEN:]} if first_read else None
        for record in sorted(fresh, key=lambda r: r.number):
            record.colour = colour_of(record.number)
            record.hidden = newest is not None and record.number not in newest
            self._insert(record)
        if unreadable != self.unreadable:
            self.unreadable = unreadable
            self.unreadable_changed.emit()
        self._numbers = max([self._numbers, *(r.number for r in self.runs)])
        external = any(r.running and r.id not in self._own for r in self.runs)
        if external and not self._follow.isActive():
            self._follow.start()
        elif not external:
            self._follow.stop()

    def _insert(self, record: RunRecord) -> None:
        position = next((i for i, r in enumerate(self.runs) if r.number > record.number), len(self.runs))
        self.runs.insert(position, record)
        self.run_added.emit(record)

    def _on_follow(self) -> None:
        self.refresh()

    # ------------------------------------------------------------ new runs
    def start_run(self, project: Project) -> tuple[RunRecord, Project]:
        """A new run of ``project``: its folder claimed when the project has one; returns the record and the snapshot it trains."""
        if self.store is not None:
            try:
                stored, snapshot = new_run(self.store, project)
            except OSError:
                stored = None
            if stored is not None:
                record = RunRecord(**{f.name: getattr(stored, f.name) for f in dataclasses.fields(StoredRun)}, colour=colour_of(stored.number))
                self._own.add(record.id)
                self._numbers = max(self._numbers, record.number)
                self._insert(record)
                return record, snapshot
        snapshot = _snapshot(project)
        record = self.new_run(snapshot.training.as_dict(), str(snapshot.data.get("source")), snapshot.graph.fingerprint())
        record.snapshot, record.data = snapshot, snapshot.data.as_dict()
        return record, snapshot

    def new_run(self, settings: dict[str, Any], data_source: str, fingerprint: str) -> RunRecord:
        """A run kept in memory only (an untitled project's)."""
        self._numbers += 1
        record = RunRecord(self._numbers, dict(settings), data_source, fingerprint, colour=colour_of(self._numbers))
        self._insert(record)
        return record

    def resumed(self, record: RunRecord) -> None:
        """``record`` trains again in this window (from its checkpoint)."""
        if record.id:
            self._own.add(record.id)
        self.run_changed.emit(record)

    def ended(self, record: RunRecord) -> None:
        """A run of this window ended: its folder is read like any other from now on."""
        self._own.discard(record.id)
        if record.folder is not None:
            self._stamps[record.id] = _stamp(record.folder)
        self.run_changed.emit(record)
        if self.store is not None and not self._watcher.directories() and self.store.folder.is_dir():
            self._watcher.addPath(str(self.store.folder))

    # ------------------------------------------------------------ changes
    def changed(self, record: RunRecord) -> None:
        self.run_changed.emit(record)

    def set_hidden(self, record: RunRecord, hidden: bool) -> None:
        if record.hidden != hidden:
            record.hidden = hidden
            self.run_changed.emit(record)

    def set_pinned(self, record: RunRecord, pinned: bool) -> None:
        if self.store is not None and record.folder is not None:
            self.store.set_pinned(record, pinned)
        else:
            record.pinned = pinned
        self.run_changed.emit(record)

    def remove(self, record: RunRecord) -> None:
        """Delete a finished run and its folder (a running one is stopped first by the panel; the caller asks first)."""
        if record in self.runs:
            if self.store is not None and record.folder is not None and record.folder.exists():
                self.store.delete(record.folder)
            self.runs.remove(record)
            self.run_removed.emit(record)

    def remove_unreadable(self, bad: UnreadableRun) -> None:
        if self.store is not None:
            self.store.delete(bad.folder)
        self.unreadable = [u for u in self.unreadable if u.folder != bad.folder]
        self.unreadable_changed.emit()

    def find(self, number: int) -> RunRecord | None:
        return next((r for r in self.runs if r.number == number), None)

    @property
    def latest(self) -> RunRecord | None:
        return self.runs[-1] if self.runs else None


def _snapshot(project: Project) -> Project:
    from designer.project import dumps, loads

    snapshot = loads(dumps(project))
    snapshot.path = project.path
    return snapshot


def _stamp(folder: Path) -> tuple[int, int]:
    """Changes when the run's process writes its run.json or appends an epoch."""
    stamps = []
    for name in (RUN_FILE, EPOCHS):
        try:
            stamps.append((folder / name).stat().st_mtime_ns)
        except OSError:
            stamps.append(0)
    return stamps[0], stamps[1]


def _absorb(record: RunRecord, read: RunRecord) -> bool:
    """Take what another process wrote since ``record`` was read; True when something changed."""
    if len(read.epochs) == len(record.epochs) and read.status == record.status and len(read.batch_x) == len(record.batch_x):
        return False
    keep = {"colour", "hidden"}
    for f in dataclasses.fields(StoredRun):
        if f.name not in keep:
            setattr(record, f.name, getattr(read, f.name))
    return True


__all__ = ["PALETTE", "RUNNING", "RunHistory", "RunRecord", "Series", "colour_of"]
