"""Fixtures for the Training panel: a tiny project on disk, one torch thread,
and a guard that fails a test which leaves a training thread running."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThread
from trainingkit import tiny_project

from designer.ui.training.worker import TrainingRun


@pytest.fixture(autouse=True)
def _one_thread(one_torch_thread) -> None:
    """Every test here trains: one torch thread (see tests/conftest.py)."""


@pytest.fixture(autouse=True)
def no_thread_left_running(qapp) -> Iterator[None]:
    """A test must end its runs (and exports); a thread left running is stopped, then reported."""
    yield
    leaked = [run for run in TrainingRun.live if run.running]
    for run in list(TrainingRun.live):
        run.stop()
        run.resume()
        run.wait(30_000)
    qapp.processEvents()
    jobs = [t for w in qapp.topLevelWidgets() for t in w.findChildren(QThread) if t.isRunning()]
    for job in jobs:
        job.wait(60_000)
    assert not leaked, f"{len(leaked)} training run(s) still running at the end of the test"
    assert not jobs, f"{len(jobs)} background job(s) still running at the end of the test"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return tiny_project(tmp_path / "tiny.nnd")
