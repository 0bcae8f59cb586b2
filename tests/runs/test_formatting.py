"""How a run's figures read in the window, the compare view, the table and reports."""

from __future__ import annotations

from designer.runs.formatting import duration_text


def test_a_runs_time_reads_in_units_that_fit_it() -> None:
    """A two-epoch run of the spirals took 0.018 s and read '0.0 s'."""
    assert [duration_text(s) for s in (0.0184, 0.5, 3.42, 125, 3725)] == ["0.018 s", "0.5 s", "3.4 s", "2 min 05 s", "1 h 02 min"]
