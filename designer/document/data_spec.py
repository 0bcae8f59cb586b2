"""Keeps a document's ``data_spec`` current: what the project's data yields
(input shape and dtype, task, classes), so the canvas and the problems list
can show an Input or Output that does not fit the data.

Generated and built-in data describe themselves at once. The user's own files
(CSV, image folders, NumPy) must be read to be described, so that happens on a
background thread and the answer arrives as a queued signal; an answer for
settings that have since changed is dropped.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from designer.graph import ERROR, DataSpec, Problem

_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="describe-data")


def describe_settings(settings: Mapping[str, Any], base_dir: Path | None) -> tuple[DataSpec | None, list[Problem]]:
    """(spec, []) or (None, [one problem saying why the data cannot be used]); never raises."""
    from designer.data import describe_data

    try:
        return describe_data(settings, base_dir), []
    except Exception as exc:  # DataError, or a broken file the data package did not anticipate: one problem, not a crash
        return None, [Problem(ERROR, f"the data cannot be used: {exc}", code="data")]


def needs_reading(settings: Mapping[str, Any]) -> bool:
    """True when describing the data means reading the user's file (do it off the UI thread)."""
    from designer.data import SOURCES

    source = SOURCES.get(settings.get("source")) if isinstance(settings, Mapping) else None
    return source is not None and source.describer is None


class DataDescriber(QObject):
    """Describes data settings and calls ``deliver(spec, problems)`` on the owner's thread."""

    _described = Signal(int, object, object)  # token, spec, problems (from the pool thread, queued)

    def __init__(self, deliver: Callable[[DataSpec | None, list[Problem]], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._deliver = deliver
        self._token = 0
        self.busy = False
        self._described.connect(self._on_described)

    def describe(self, settings: Mapping[str, Any], base_dir: Path | None) -> None:
        """Describe now when cheap, else in the background; a newer call supersedes an older one."""
        self._token += 1
        settings = copy.deepcopy(dict(settings))
        if not needs_reading(settings):
            self.busy = False
            self._deliver(*describe_settings(settings, base_dir))
            return
        self.busy = True
        self._deliver(None, [])  # the old answer no longer holds; unknown until the file is read
        _POOL.submit(self._describe_in_background, self._token, settings, base_dir)

    def _describe_in_background(self, token: int, settings: dict[str, Any], base_dir: Path | None) -> None:
        spec, problems = describe_settings(settings, base_dir)
        with contextlib.suppress(RuntimeError):  # the document was deleted meanwhile
            self._described.emit(token, spec, problems)

    def _on_described(self, token: int, spec: DataSpec | None, problems: list[Problem]) -> None:
        if token == self._token:
            self.busy = False
            self._deliver(spec, problems)
