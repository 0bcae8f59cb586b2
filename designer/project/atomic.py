"""Atomic file writes: write a temporary file beside the target, flush it to
disk, then rename over the target. An interrupted save leaves the old file.

The temporary file is named ``NAME.PID-XXXX.designer-saving`` so a user who
sees one knows what it is. A save killed outright (kill -9, a power cut)
cannot remove its own; the next save of the same file removes the ones whose
process is gone, so they do not pile up beside the target.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from designer.project.messages import one_line, shown

TEMP_SUFFIX = ".designer-saving"
STALE_SECONDS = 24 * 3600  # where a process cannot be asked whether it lives: temporaries older than a day are stale
# mkstemp makes files only the owner can read; a saved file gets the mode a
# plain open() would give it. Read once, at import (setting umask is process-wide).
_UMASK = os.umask(0)
os.umask(_UMASK)
_in_flight: set[Path] = set()  # this process's temporaries being written now
_in_flight_lock = threading.Lock()


def write_atomic(path: str | os.PathLike[str], write: Callable[[Path], None]) -> None:
    """Call ``write(tmp_path)`` then move the result onto ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    with _in_flight_lock:  # made and marked as one step: another thread's clean-up never sees it unmarked
        fd, tmp_name = tempfile.mkstemp(prefix=f"{target.name}.{os.getpid()}-", suffix=TEMP_SUFFIX, dir=target.parent)
        tmp = Path(tmp_name)
        _in_flight.add(tmp)
    os.close(fd)
    try:
        os.chmod(tmp, target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_UMASK)
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        with _in_flight_lock:
            _in_flight.discard(tmp)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove the temporaries an interrupted save of ``target`` left (their
    process is gone); a save still running elsewhere keeps its own. Returns those removed."""
    removed = []
    try:
        candidates = list(target.parent.glob(f"{_glob_escape(target.name)}.*{TEMP_SUFFIX}"))
    except OSError:
        return removed
    for tmp in candidates:
        if _is_stale(tmp, target.name):
            try:
                tmp.unlink()
            except OSError:
                continue  # gone already, or not ours to remove
            removed.append(tmp)
    return removed


def unwritable(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` could not be written (one line), or None when it can be:
    checked before long work whose result goes there."""
    target = Path(path)
    if os.path.isdir(target):  # os.path's checks never raise, for a name too long as for a missing one
        return one_line(f"{target} is a folder: give a file name")
    folder, names = target.parent, [target.name]
    while not os.path.exists(folder) and folder != folder.parent:
        names.append(folder.name)  # the folders in between would be made
        folder = folder.parent
    if not os.path.isdir(folder):
        return one_line(f"cannot write {target}: {folder} is a file, not a folder")
    longest = _longest_name(folder)
    for name in names:
        if len(os.fsencode(name)) > longest:
            return one_line(
                f"cannot write {target}: the name {shown(name)} is longer than {longest} bytes, the most this file system takes"
            )
    try:
        fd, probe = tempfile.mkstemp(prefix=".designer-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return one_line(f"cannot write in {folder}: {exc.strerror or exc}")
    return None


def _longest_name(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows), or the system will not say
        return 255


def _is_stale(tmp: Path, name: str) -> bool:
    with _in_flight_lock:
        if tmp in _in_flight:
            return False
    pid_text = tmp.name[len(name) + 1 :].split("-", 1)[0]
    if not pid_text.isdigit():
        return False  # not a name this module makes
    pid = int(pid_text)
    if pid == os.getpid():
        return True  # ours, and not being written: left by an earlier failure
    alive = _process_alive(pid)
    if alive is None:
        try:
            return time.time() - tmp.stat().st_mtime > STALE_SECONDS
        except OSError:
            return False
    return not alive


def _process_alive(pid: int) -> bool | None:
    """Whether process ``pid`` runs (None where that cannot be asked safely)."""
    if sys.platform == "win32":
        return None  # os.kill(pid, 0) would end the process there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return None
    return True


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)
