"""Naming a run (--resume, designer runs --pin ...) with anything a command
line can hold is a RunFileError, never an OSError or a ValueError."""

from __future__ import annotations

from pathlib import Path

import pytest

from designer.runs import RunStore
from designer.runs.files import RunFileError


@pytest.mark.parametrize("ref", ["x" * 300, "²", "٣", "3", "run-0007", "a\x00b", "/", "../.."])
def test_a_run_that_is_not_there_is_named_in_one_error(tmp_path: Path, ref: str) -> None:
    store = RunStore.of(tmp_path / "design.nnd")
    with pytest.raises(RunFileError, match="no run"):
        store.find(ref)
