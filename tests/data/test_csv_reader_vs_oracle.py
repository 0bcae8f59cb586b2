"""The columnar CSV reader against the old one (Python's csv module, kept as
``csv_oracle``): the same tensors, names and notes, or the same one-line
message (file, line, column), on crafted hostile files and generated ones."""

from __future__ import annotations

import tempfile
from pathlib import Path

import csv_oracle
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.data import DataError, csv_file
from designer.data.load import SOURCES


def _outcome(load, root: Path, options: dict) -> tuple:
    req = SOURCES["csv"].request({"path": "table.csv", **options}, 0, root)
    try:
        got = load(req)
    except DataError as exc:
        return ("error", str(exc))
    return ("data", got.x.tobytes(), got.x.shape, got.y.tobytes(), got.y.dtype, got.class_names, np.asarray(got.standardize).tolist(),
            got.standardize_target, got.spec, got.info, got.notes, got.feature_names)  # fmt: skip


def _shown(preview, root: Path, options: dict) -> tuple:
    req = SOURCES["csv"].request({"path": "table.csv", **options}, 0, root)
    try:
        got = preview(req, 5)
    except DataError as exc:
        return ("error", str(exc))
    return ("table", got.columns, got.rows, got.total)


def _same(root: Path, options: dict) -> tuple:
    new, old = _outcome(csv_file.load_csv, root, options), _outcome(csv_oracle.load_csv, root, options)
    assert new == old
    assert _shown(csv_file.preview_csv, root, options) == _shown(csv_oracle.preview_csv, root, options)
    return new


def _file(root: Path, data: bytes | str) -> None:
    (root / "table.csv").write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


CRAFTED = {
    "semicolons, decimal commas": "a;b;label\n1,5;60,5;a\n2,5;70,5;b\n1,5;60,5;a\n2,5;61,5;b\n",
    "tabs, thousands points": "a\tb\ty\n1,5\t1.234,5\t0,25\n2\t2,5\t-,5\n3,0\t3\t1e3\n",
    "both decimal marks": "a;b;y\n1,5;2.5;0\n1;2;1\n",
    "byte-order mark": "\ufeffa,b,label\n1,2,x\n3,4,y\n5,6,x\n",
    "quoted commas": 'name,size,label\n"Smith, J",1,a\n"Doe, A",2,b\n"Roe, B",3,a\n',
    "quoted decimal commas": 'a,b,y\n"1,5",2,0\n"2,5",3,1\n',
    "quoted line break": 'a,y\n1,0\n"x\ny",1\n2,0\n3,1\n',
    "text in a numeric column": "a,b,y\n1,2,0\n3,oops,1\n5,6,0\n7,8,1\n",
    "ragged row": "a,b,y\n1,2,0\n3,4\n5,6,0\n",
    "ragged after a blank line": "a,b,y\n\n1,2,0\n\n3,4,1,9\n",
    "empty file": "",
    "header only": "a,b,y\n",
    "blank lines and spaces": "\n  \na,b,y\n1,2,0\n   \n\n3,4,1\r\n5,6,0\r7,8,1\n",
    "missing values": "a,b,y\n1,,0\n2,NA,1\n3,4,?\n5,6,1\n7,8,0\n",
    "beyond float32": "a,b,y\n1,2,0\n1e39,3,1\n2,4,0\n",
    "one class": "a,y\n1,x\n2,x\n",
    "spaces around cells": "a , b ,y\n 1 , 2 , x \n3,4 ,y\n",
    "many classes numeric": "a,y\n" + "".join(f"{i},{i % 25}\n" for i in range(60)),
    "regression": "a,y\n" + "".join(f"{i},{i * 0.37:.3f}\n" for i in range(40)),
    "class writings": "a,y\n1,1\n2,1.0\n3,2\n4,02\n",
    "huge field": "a,y\n1,0\n" + "x" * 140_000 + ",1\n2,0\n",
    "unicode digits": "a,y\n\u0661\u0662,0\n3,1\n4,0\n",
    "one column": "y\n1\n  \n2\n",
    "quoted blank first line": '""\n"",""\n"",""',
    "only a quoted blank line": '""',
    "tabs only": "\t\t\n\t\t",
    "line break in the first name": '"\n","a","a"\n"0","0","0"\n',
    "duplicate header": "a,a,y\n1,2,3\n",
    "mixed text and numbers": "a,y\n1,0\nx,1\ny,0\nz,1\n",
}
BINARY = {
    "wrong encoding": b"age,label\n1,\xff\xfe\n",
    "latin-1": "a,b,y\n1,caf\u00e9,0\n2,th\u00e9,1\n".encode("latin-1"),
    "utf-16": "a;b;y\n1,5;2;x\n2,5;3;y\n".encode("utf-16"),
    "binary": b"\x89PNG\r\n\x1a\n\0\0\0",
    "late NUL": b"a,y\n" + b"1,0\n" * 2000 + b"2\0,1\n",
    "one line, no line end": b"a,a",
    "byte-order mark, then not UTF-8": b"\xef\xbb\xbfa\n\xed\xa0\x80",
}


@pytest.mark.parametrize("name", [*CRAFTED, *BINARY])
@pytest.mark.parametrize("options", [{}, {"missing": "drop"}])
def test_crafted_files_read_as_before(tmp_path: Path, name: str, options: dict) -> None:
    _file(tmp_path, CRAFTED[name] if name in CRAFTED else BINARY[name])
    _same(tmp_path, options)


def test_line_numbers_count_line_breaks_inside_values(tmp_path: Path) -> None:
    _file(tmp_path, 'note,a,y\n"one\ntwo",1,0\n\n"three",oops,1\nx,2,0\n')
    assert _same(tmp_path, {}) == ("error", "table.csv: line 5, column 'a': 'oops' is not a number")


def test_chosen_columns_and_tasks(tmp_path: Path) -> None:
    _file(tmp_path, "age,colour,height,label\n30,red,1.80,tall\n25,blue,1.60,short\n40,red,1.75,tall\n35,green,NA,short\n")
    for options in ({"target": "height", "missing": "drop"}, {"target": "age", "task": "classification", "features": "height"},
                    {"target": "colour", "task": "regression"}, {"features": "age, colour"}, {"delimiter": "semicolon"}):  # fmt: skip
        _same(tmp_path, options)


plain_cells = st.one_of(
    st.integers(-5, 5).map(str),
    st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: f"{v:.3g}"),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(["a", "b", "c", "", " ", "NA", "?", "1,5", "-,5", "1.234,5", "x y", " 7 ", "é", "1e39", "nan", "inf", "1_0"]),
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[bytes, dict]:
    """Tables a user might write, with the usual trouble: separators, quoting, line ends,
    blank lines, missing values, decimal commas, stray texts, a ragged row, an encoding."""
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(1, 4))
    header = [f"c{k}" for k in range(width - 1)] + ["label"]
    column_cells = [draw(st.sampled_from([plain_cells, st.integers(0, 3).map(str), st.sampled_from(["x", "y", "z"])])) for _ in header]
    rows = draw(st.lists(st.tuples(*column_cells).map(list), min_size=1, max_size=30))
    if rows and draw(st.integers(0, 5)) == 0:
        rows[draw(st.integers(0, len(rows) - 1))].append("extra")
    quote = draw(st.sampled_from(["never", "needed", "always"]))

    def line(row: list[str]) -> str:
        def one(c: str) -> str:
            needs = sep in c or '"' in c or "\n" in c or quote == "always"
            return f'"{c.replace(chr(34), chr(34) * 2)}"' if needs and quote != "never" or needs and sep in c else c

        return sep.join(one(c) for c in row)

    lines = [line(r) for r in [header, *rows]]
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from(["", "  "])))
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines) + draw(st.sampled_from(["", "\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16"]))
    options = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "task": st.sampled_from(["auto", "classification", "regression"]),
                "missing": st.sampled_from(["error", "drop"]),
                "target": st.sampled_from(header),
            },
        )
    )
    return text.encode(encoding), options


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tables())
def test_generated_tables_read_as_before(case: tuple[bytes, dict]) -> None:
    data, options = case
    with tempfile.TemporaryDirectory(prefix="csv-oracle-") as name:
        root = Path(name)
        _file(root, data)
        _same(root, options)
