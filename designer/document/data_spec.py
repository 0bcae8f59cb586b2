"""Keeps a document's ``data_spec`` current: what the project's data yields
(input shape and dtype, task, classes), so the canvas and the problems list
can show an Input or Output that does not fit the data.

Generated and built-in data describe themselves at once. The user's own files
(CSV, image folders, NumPy) must be read to be described, so that happens on a
background thread (a ``LatestRequest``); an answer for settings that have
since changed is dropped.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from designer.document.workers import LatestRequest
from designer.graph import ERROR, DataSpec, Problem


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
    from designer.data.source import FILE

    source = SOURCES.get(settings.get("source")) if isinstance(settings, Mapping) else None
    return source is not None and (source.describer is None or source.kind == FILE)  # a user's file: even a quick look reads it


class DataDescriber(QObject):
    """Describes data settings and calls ``deliver(spec, problems)`` on the owner's thread."""

    def __init__(self, deliver: Callable[[DataSpec | None, list[Problem]], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._deliver = deliver
        self._requests = LatestRequest(describe_settings, "describe-data", self)
        self._requests.succeeded.connect(self._on_described)

    @property
    def busy(self) -> bool:
        """True while a file is being read for the newest settings."""
        return self._requests.busy

    def describe(self, settings: Mapping[str, Any], base_dir: Path | None) -> None:
        """Describe now when cheap, else in the background; a newer call supersedes an older one."""
        settings = copy.deepcopy(dict(settings))
        if not needs_reading(settings):
            self._requests.cancel()  # an answer still coming for older settings is dropped
            self._deliver(*describe_settings(settings, base_dir))
            return
        self._deliver(None, [])  # the old answer no longer holds; unknown until the file is read
        self._requests.request(settings, base_dir)

    def _on_described(self, answer: tuple[DataSpec | None, list[Problem]]) -> None:
        self._deliver(*answer)
