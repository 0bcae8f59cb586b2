"""The columnar CSV reader against the old one on the hostile file generator
(tests/hostile/test_data_files.py: binary noise, stray quotes, NULs, odd line
ends and encodings, ragged rows, surrogates): the same data or the same message
for every file. Found, before they were fixed: a one-line file without a line
end, a quoted empty first line, a first line of separators only, a quote left
open on the first line, a bad byte after a byte-order mark."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import csv_oracle
from hypothesis import HealthCheck, given, settings
from paths import ROOT
from test_csv_reader_vs_oracle import _outcome

from designer.data import DataError, csv_file
from designer.data.load import SOURCES

sys.path.insert(0, str(ROOT / "tests" / "hostile"))  # the generator lives beside the other hostile tests
from test_data_files import csv_files  # noqa: E402


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(csv_files())
def test_hostile_csv_files_read_as_before(case: tuple[bytes, dict]) -> None:
    data, options = case
    with tempfile.TemporaryDirectory(prefix="csv-hostile-") as name:
        root = Path(name)
        (root / "table.csv").write_bytes(data)
        try:
            SOURCES["csv"].request({"path": "table.csv", **options}, 0, root)
        except DataError:
            return  # options the source refuses before any reader runs
        assert _outcome(csv_file.load_csv, root, options) == _outcome(csv_oracle.load_csv, root, options)
