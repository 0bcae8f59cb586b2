"""Every test here trains small runs: one torch thread (see tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _one_thread(one_torch_thread) -> None:
    """Tiny models gain nothing from threads."""
