"""Small, careful file operations for run folders.

Writes while a run trains replace a file in one rename (a killed process
leaves the old file or the new one, never half of one) but skip the flush to
disk that ``designer.project.atomic`` makes: that costs milliseconds per
file, a share of a small model's epoch. The run's last writes (its final
``run.json``, its weights) go through ``designer.project.atomic``.

Reads refuse what a hostile or broken folder might hold: links, anything
that is not a plain file, files larger than a limit, text that is not UTF-8.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from designer.runs.layout import MAX_JSON_BYTES, MAX_TEXT_BYTES


class RunFileError(Exception):
    """A run's file cannot be read: the message says which and why."""


def replace_quickly(path: Path, write: Callable[[Path], None]) -> None:
    """``write(tmp)`` beside ``path``, then rename it over ``path`` (no fsync)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def replace_text(path: Path, text: str) -> None:
    replace_quickly(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def dump_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def plain_file(path: Path) -> os.stat_result:
    """The file's status; RunFileError when it is missing, a link or not a plain file."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise RunFileError(f"{path.name} is missing") from None
    except OSError as exc:
        raise RunFileError(f"{path.name} cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISLNK(info.st_mode):
        raise RunFileError(f"{path.name} is a link (run folders hold plain files only)")
    if not stat.S_ISREG(info.st_mode):
        raise RunFileError(f"{path.name} is not a plain file")
    return info


def read_text(path: Path, limit: int = MAX_TEXT_BYTES) -> str:
    info = plain_file(path)
    if info.st_size > limit:
        raise RunFileError(f"{path.name} is too large ({info.st_size:,} bytes; at most {limit:,})")
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise RunFileError(f"{path.name} cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise RunFileError(f"{path.name} is too large (more than {limit:,} bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise RunFileError(f"{path.name} is not UTF-8 text") from None


def read_json(path: Path, limit: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """A JSON object; RunFileError for anything else."""
    text = read_text(path, limit)
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise RunFileError(f"{path.name} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise RunFileError(f"{path.name} does not hold a JSON object")
    return value


def read_json_with_infinity(path: Path, limit: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """Like read_json, but Infinity and NaN are numbers (optimizer and schedule states hold them)."""
    text = read_text(path, limit)
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise RunFileError(f"{path.name} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise RunFileError(f"{path.name} does not hold a JSON object")
    return value


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")
