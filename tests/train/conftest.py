"""Fixtures for trainer tests; the helpers live in trainkit.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from trainkit import Bundle, classification_bundle, mlp

from designer.compile import CompiledDesign


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Tiny models gain nothing from threads, and under pytest-xdist the
    workers' thread pools fight over the cores (runs get several times slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def blobs_bundle() -> Bundle:
    return classification_bundle()


@pytest.fixture
def classifier() -> CompiledDesign:
    return mlp(2, 2)
