"""Fixtures for the Training panel: a tiny project on disk and one torch
thread. A run or export left running fails the test (tests/ui/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from trainingkit import tiny_project


@pytest.fixture(autouse=True)
def _one_thread(one_torch_thread) -> None:
    """Every test here trains: one torch thread (see tests/conftest.py)."""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return tiny_project(tmp_path / "tiny.nnd")
