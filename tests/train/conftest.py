"""Fixtures for trainer tests; the helpers live in trainkit.py."""

from __future__ import annotations

import pytest
from trainkit import Bundle, classification_bundle, mlp

from designer.compile import CompiledDesign


@pytest.fixture(autouse=True)
def _one_thread(one_torch_thread) -> None:
    """Every test here trains: one torch thread (see tests/conftest.py)."""


@pytest.fixture
def blobs_bundle() -> Bundle:
    return classification_bundle()


@pytest.fixture
def classifier() -> CompiledDesign:
    return mlp(2, 2)
