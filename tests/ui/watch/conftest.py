"""Fixtures for the live training views: one torch thread (every test here trains)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _one_thread(one_torch_thread) -> None:
    """Every test here trains: one torch thread (see tests/conftest.py)."""
