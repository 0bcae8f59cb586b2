"""``run.json``: what a run is, as plain JSON, checked field by field on reading."""

from __future__ import annotations

import math
import os
import socket
import sys
from typing import Any

from designer.runs.files import RunFileError
from designer.runs.layout import RUN_FORMAT, RUN_VERSION
from designer.runs.record import CRASHED, RUNNING, RunRecord

STATUSES = (RUNNING, "finished", "early_stopped", "stopped", "failed", CRASHED)
METRICS = ("accuracy", "mae")
ORIGINS = ("window", "command line", "sweep")

# key -> (accepted types, may be None)
FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "id": ((str,), False),
    "number": ((int,), False),
    "created": ((int, float), False),
    "ended": ((int, float), True),
    "origin": ((str,), False),
    "status": ((str,), False),
    "message": ((str,), False),
    "best_epoch": ((int,), True),
    "best_metric": ((int, float), True),
    "epochs_done": ((int,), False),
    "metric_name": ((str,), False),
    "device": ((str,), False),
    "fingerprint": ((str,), False),
    "project": ((str,), False),
    "settings": ((dict,), False),
    "data": ((dict,), False),
    "pinned": ((bool,), False),
    "host": ((str,), False),
    "pid": ((int,), False),
    "sweep": ((dict,), True),
    "notes": ((list,), False),
}


def to_meta(record: RunRecord, project_name: str) -> dict[str, Any]:
    """The record's ``run.json``."""
    return {
        "format": RUN_FORMAT,
        "version": RUN_VERSION,
        "id": record.id,
        "number": record.number,
        "created": record.created,
        "ended": record.ended,
        "origin": record.origin,
        "status": record.status,
        "message": record.message,
        "best_epoch": record.best_epoch,
        "best_metric": _finite(record.best_metric),
        "epochs_done": len(record.epochs),
        "metric_name": record.metric_name,
        "device": record.device,
        "fingerprint": record.fingerprint,
        "project": project_name,
        "settings": dict(record.settings),
        "data": dict(record.data),
        "pinned": record.pinned,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "sweep": record.sweep,
        "notes": list(record.notes),
    }


def check_meta(meta: dict[str, Any], folder_name: str) -> dict[str, Any]:
    """The same mapping when every field is what it should be; RunFileError naming the first that is not."""
    if meta.get("format") != RUN_FORMAT:
        raise RunFileError(f"run.json is not a run record (format {meta.get('format')!r})")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RunFileError("run.json has no valid version")
    if version > RUN_VERSION:
        raise RunFileError(f"run.json is version {version}, newer than this designer reads ({RUN_VERSION}): update the designer")
    for key, (kinds, optional) in FIELDS.items():
        value = meta.get(key)
        if value is None and optional:
            continue
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            raise RunFileError(f"run.json: {key} is missing or of the wrong type")
    if meta["id"] != folder_name:
        raise RunFileError(f"run.json names run {meta['id']!r}, but its folder is {folder_name!r}")
    if meta["status"] not in STATUSES:
        raise RunFileError(f"run.json: unknown status {meta['status']!r}")
    if meta["metric_name"] not in METRICS:
        raise RunFileError(f"run.json: unknown metric {meta['metric_name']!r}")
    if not all(isinstance(note, str) for note in meta["notes"]):
        raise RunFileError("run.json: notes must be text")
    return meta


def apply_meta(record: RunRecord, meta: dict[str, Any]) -> None:
    """Copy a checked ``run.json`` into ``record``; a run its process left behind becomes crashed."""
    record.created, record.ended = float(meta["created"]), meta["ended"]
    record.origin, record.status, record.message = meta["origin"], meta["status"], meta["message"]
    record.best_epoch, record.metric_name, record.device = meta["best_epoch"], meta["metric_name"], meta["device"]
    record.data, record.pinned, record.sweep, record.notes = dict(meta["data"]), meta["pinned"], meta["sweep"], list(meta["notes"])
    if record.status == RUNNING and not process_alive(meta["host"], meta["pid"]):
        record.status = CRASHED
        record.message = "its process ended before the run did (killed, crashed or the machine stopped)"


def process_alive(host: str, pid: int) -> bool:
    """Whether the process that wrote a running run still runs. A run written on
    another machine, or on Windows (no harmless probe), counts as running."""
    if host != socket.gethostname() or sys.platform == "win32":
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
