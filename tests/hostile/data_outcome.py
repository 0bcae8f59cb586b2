"""What every hostile data file must end in, for the data generators: loaded
data that can be trained on, or one DataError line naming the file (a plain
module: conftest names clash between folders)."""

from __future__ import annotations

import signal
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import event

from designer.data import DataBundle, DataError, describe, load_data, preview

HANG_SECONDS = 120  # far beyond any honest read of these small files: only a hang gets here


class Hang(BaseException):
    """A read ran past HANG_SECONDS (a BaseException, so no handler under test takes it for its own error)."""


@contextmanager
def no_hang(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Raise Hang in the main thread when the block runs past ``seconds`` (POSIX; elsewhere no guard)."""
    if sys.platform == "win32":
        yield
        return

    def ring(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def fresh_folder() -> Iterator[Path]:
    """A new folder per example (describe() caches by path, size and time)."""
    with tempfile.TemporaryDirectory(prefix="hostile-data-") as name:
        yield Path(name)


def check_one_line(message: str, names: str) -> None:
    assert message and "\n" not in message and "\r" not in message and message.isprintable(), repr(message)
    assert names in message, f"{names!r} not named in {message!r}"


def outcome(settings: dict[str, Any], base_dir: Path, names: str) -> str:
    """Describe, preview and load ``settings``: each succeeds with usable data or
    raises one DataError line that names ``names``. Returns what happened."""
    results = []
    for step, call in (("describe", describe), ("preview", preview), ("load", load_data)):
        with no_hang():
            result = _attempt(call, settings, base_dir, names)
        if step == "load" and isinstance(result, DataBundle):
            check_usable(result)
        results.append(f"{step} {'ok' if not isinstance(result, str) else result}")
    summary = "; ".join(results)
    event(summary if len(summary) < 200 else summary[:200])
    return summary


def _attempt(call: Callable[..., Any], settings: dict[str, Any], base_dir: Path, names: str) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a warning printed is a second line
            return call(settings, base_dir=base_dir)
    except DataError as exc:
        check_one_line(str(exc), names)
        return "refused"


def check_usable(bundle: DataBundle) -> None:
    """What the trainer needs: finite float32 inputs (or int64 tokens), targets of the declared kind."""
    for part in (bundle.train, bundle.validation, bundle.test):
        if part is None:
            continue
        assert part.x.dtype in (np.float32, np.int64), part.x.dtype
        assert part.x.shape[1:] == bundle.spec.input.shape
        if part.x.dtype == np.float32:
            assert np.isfinite(part.x).all()
        if bundle.spec.task == "classification":
            assert part.y.dtype == np.int64 and (part.y >= 0).all() and (part.y < bundle.spec.num_classes).all()
        else:
            assert part.y.dtype == np.float32 and np.isfinite(part.y).all()
