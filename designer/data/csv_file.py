"""A user's CSV file: a target column and feature columns, with a header row.

Numeric feature columns are standardised on the training part; text columns
are one-hot encoded. Rows with missing values are refused (or, with option
``missing`` = ``drop``, left out and reported) with their line numbers, never
silently dropped. Every message names the file, and the line and column.

The dialect is recognised: the separator (comma, semicolon, tab or bar) and
the decimal mark. A file separated by semicolons or tabs may write its
numbers with decimal commas (``1,5;60,5;a``); those are read as numbers. A
file that mixes decimal commas and decimal points, or puts numbers with a
comma into a comma-separated file, is refused with the place named, since
either reading could be wrong. A number beyond float32's range (1e39) is
refused with its line and column rather than becoming infinity.

The file is read by pyarrow's columnar reader (:mod:`designer.data.csv_read`)
and each rule is applied to whole columns (:mod:`designer.data.csv_cells`);
the messages, line numbers and results are those of the hand parser it
replaced (tests/data/csv_oracle.py keeps that parser to compare against).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from designer.data import csv_cells as cells
from designer.data.csv_cells import COMMA_NUMBER, POINT_NUMBER
from designer.data.csv_read import CHUNK, DELIMITERS, NoRows, Table, read_table
from designer.data.deferred import deferred
from designer.data.errors import DataError
from designer.data.limits import FLOAT32_MAX, LOAD_COPIES, require_memory
from designer.data.preview import TABLE, Preview
from designer.data.source import CLASSIFICATION, FILE, REGRESSION, Loaded, Request, Source, classification_spec, regression_spec
from designer.graph import DataSpec
from designer.params import CHOICE, TEXT, Param
from designer.params import FILE as FILE_PARAM
from designer.project.messages import shown

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa
else:
    np = deferred("numpy")
    pa = deferred("pyarrow")

MAX_CATEGORIES = 50  # more distinct texts than this is an id or free text, not a category
AUTO_CLASSES = 20  # task auto: whole-number targets with at most this many values are classes
SAMPLE_BYTES = 1 << 20  # previews and descriptions of a bigger file read this much of its start


def _decimal_mark(table: Table) -> str:
    """The file's decimal mark: "," when it writes its numbers with decimal commas, else ".".
    Decimal commas are recognised only where a comma cannot be the separator;
    a file with both marks is refused, naming a cell of each (the first of each, row by row)."""
    if table.source.sep == ",":
        return "."  # a comma-separated file with quoted "1,5" cells is refused where the column is read (_numeric)
    comma = point = None
    for j in range(len(table.header)):
        column = table.text(j)
        for pattern in (COMMA_NUMBER, POINT_NUMBER):
            found = cells.matches(column, pattern)
            if found.any():
                place = (int(np.argmax(found)), j)
                if pattern is COMMA_NUMBER:
                    comma = place if comma is None else min(comma, place)
                else:
                    point = place if point is None else min(point, place)
    if comma is None:
        return "."
    if point is not None:
        raise DataError(
            f"{table.label}: {_place(table, *comma)} has a decimal comma but {_place(table, *point)} has a decimal point: "
            "write every number with the same decimal mark"
        )
    return ","


def _place(table: Table, i: int, j: int) -> str:
    return f"line {table.line(i)}, column '{table.header[j]}' ({shown(table.cell(i, j))})"


def _numbers(table: Table, column: str) -> tuple[np.ndarray, np.ndarray]:
    """The column as numbers and which cells are numbers; DataError for a number beyond float32's range."""
    values = table.floats(table.header.index(column))
    if values is None:
        values, valid = cells.numbers(table.column(column), table.decimal)
    else:
        valid = np.isfinite(values)
    too_big = valid & (np.abs(values) > FLOAT32_MAX)
    if too_big.any():
        i = int(np.argmax(too_big))
        raise DataError(
            f"{table.label}: line {table.line(i)}, column '{column}': {shown(_text(table, i, column))} is too large for a 32-bit float "
            f"(largest {FLOAT32_MAX:.3g}): rescale the column"
        )
    return values, valid


def _text(table: Table, i: int, column: str) -> str:
    return table.cell(i, table.header.index(column))


def _lines_text(lines: list[int], count: int) -> str:
    listed = ", ".join(map(str, lines))
    return listed + (f" and {count - len(lines)} more" if count > len(lines) else "")


def _columns(table: Table, req: Request) -> tuple[str, list[str]]:
    target = req.options["target"].strip() or table.header[-1]
    known = ", ".join(table.header)
    if target not in table.header:
        raise DataError(f"{table.label}: option 'target': no column '{target}' (columns: {known})")
    wanted = req.options["features"].strip()
    features = [c.strip() for c in wanted.split(",") if c.strip()] if wanted else [c for c in table.header if c != target]
    for name in features:
        if name not in table.header:
            raise DataError(f"{table.label}: option 'features': no column '{name}' (columns: {known})")
    if target in features:
        raise DataError(f"{table.label}: option 'features': '{target}' is the target column; leave it out of the features")
    if not features:
        raise DataError(f"{table.label}: no feature columns: the file needs at least one column besides the target '{target}'")
    return target, features


def _drop_missing(table: Table, req: Request, used: list[str]) -> tuple[Table, list[str]]:
    index = sorted({table.header.index(c) for c in used})
    gaps = {j: _missing(table, j) for j in index}
    bad_mask = np.logical_or.reduce(list(gaps.values()))
    if not bad_mask.any():
        return table, []
    bad = np.flatnonzero(bad_mask)
    lines = table.lines(bad[:8].tolist())
    columns = [table.header[j] for j in index if gaps[j][bad].any()]
    where = f"line{'s' if len(bad) > 1 else ''} {_lines_text(lines, len(bad))} (column{'s' if len(columns) > 1 else ''} {', '.join(map(repr, columns))})"
    if req.options["missing"] == "error":
        raise DataError(f"{table.label}: missing values on {where}: fill them in, or set option 'missing' to 'drop'")
    if len(bad) == len(table):
        raise DataError(f"{table.label}: every row has a missing value ({where})")
    return table.take(np.flatnonzero(~bad_mask)), [f"{table.label}: left out {len(bad)} rows with missing values, on {where}"]


def _missing(table: Table, j: int) -> np.ndarray:
    """Which cells of column ``j`` are missing; of a column of numbers, only a NaN can be."""
    values = table.floats(j)
    if values is None:
        return cells.missing(table.text(j))
    gaps = np.isnan(values)
    nan = np.flatnonzero(gaps)
    if len(nan):
        gaps[nan] = cells.missing(table.raw[j].take(pa.array(nan)))  # NaN, nan: missing; +nan: not a number
    return gaps


def _numeric(table: Table, column: str) -> np.ndarray | None:
    """The column as numbers, or None if it is a text column; DataError for a stray text in a numeric one."""
    values, valid = _numbers(table, column)
    if int(valid.sum()) * 2 <= len(valid):
        _refuse_comma_numbers(table, column)
        return None
    if not valid.all():
        i = int(np.argmin(valid))
        raise DataError(f"{table.label}: line {table.line(i)}, column '{column}': {shown(_text(table, i, column))} is not a number")
    return values


def _refuse_comma_numbers(table: Table, column: str) -> None:
    """A text column whose values are numbers with a comma in a comma-separated
    file: a decimal comma or a thousands comma, nobody can tell; refused."""
    if table.decimal != ".":
        return
    comma = cells.matches(table.column(column), COMMA_NUMBER)
    if int(comma.sum()) * 2 > len(comma):
        i = int(np.argmax(comma))
        raise DataError(
            f"{table.label}: line {table.line(i)}, column '{column}': {shown(_text(table, i, column))} is a number with a decimal comma "
            "(or a thousands comma) in a comma-separated file: separate the values with ';' or write decimal points"
        )


def _categories(table: Table, column: str) -> list[str]:
    cats = cells.distinct(table.column(column))
    if len(cats) > MAX_CATEGORIES:
        raise DataError(
            f"{table.label}: column '{column}' has {len(cats)} different texts, too many to one-hot encode: leave it out of option 'features'"
        )
    return cats


def _encode_features(table: Table, features: list[str]) -> tuple[np.ndarray, np.ndarray, list[str], dict[str, list[str]]]:
    """Numeric columns as they are, text columns one-hot; returns x, the standardise mask, names and categories.
    The width one-hot encoding gives is known before x is made, so its memory is checked first."""
    parsed: list[tuple[str, np.ndarray | None, list[str] | None]] = []
    for column in features:
        values = _numeric(table, column)
        parsed.append((column, values, None) if values is not None else (column, None, _categories(table, column)))
    rows, width = len(table), sum(1 if cats is None else len(cats) for _, _, cats in parsed)
    require_memory(rows * width * 4 * LOAD_COPIES, table.label, f"{rows:,} rows of {width:,} values")
    x = np.zeros((rows, width), np.float32)
    mask: list[bool] = []
    names: list[str] = []
    categories: dict[str, list[str]] = {}
    for column, values, cats in parsed:
        at = len(names)
        if cats is None:
            x[:, at] = values
            mask.append(True)
            names.append(column)
            continue
        x[np.arange(rows), at + cells.positions(table.column(column), cats)] = 1.0
        mask.extend([False] * len(cats))  # 0/1 indicators keep their meaning unscaled
        names.extend(f"{column}={c}" for c in cats)
        categories[column] = cats
    return x, np.asarray(mask), names, categories


def _target(table: Table, column: str, task: str) -> tuple[np.ndarray, list[str], str]:
    numbers, valid = _numbers(table, column)
    numeric = bool(valid.all())
    if task == "auto":
        whole = numeric and bool(np.all(numbers == np.floor(numbers)))
        task = CLASSIFICATION if not numeric or whole and len(np.unique(numbers)) <= AUTO_CLASSES else REGRESSION
    if task == REGRESSION:
        if not numeric:
            i = int(np.argmin(valid))
            raise DataError(
                f"{table.label}: line {table.line(i)}, column '{column}': {shown(_text(table, i, column))} is not a number (the target of a regression)"
            )
        return numbers.astype(np.float32)[:, None], [], task
    if numeric:  # class names in numeric order, as written in the file (the last writing of each value)
        distinct, last, ids = np.unique(numbers[::-1], return_index=True, return_inverse=True)
        ids = ids.reshape(-1)[::-1]
        rows = len(numbers) - 1 - last
        texts = table.column(column).take(pa.array(rows)).to_pylist()
        names = [str(t) for t in texts]
    else:
        names = cells.distinct(table.column(column))
        ids = cells.positions(table.column(column), names)
    if len(names) < 2:
        raise DataError(f"{table.label}: column '{column}' has only one class ('{names[0]}'): a classifier needs at least two")
    return np.asarray(ids, np.int64), names, task


def load_csv(req: Request) -> Loaded:
    path = req.path("path")
    table = read_table(path, req.options["path"], req.options["delimiter"])
    table.decimal = _decimal_mark(table)
    target, features = _columns(table, req)
    table, notes = _drop_missing(table, req, [*features, target])
    x, mask, names, categories = _encode_features(table, features)
    y, class_names, task = _target(table, target, req.options["task"])
    spec = _spec(path.name, task, x.shape[1], class_names)
    del table
    pa.default_memory_pool().release_unused()  # the text is done with: give its memory back for the split's copies
    info = {"categories": categories, "target": target} if categories else {"target": target}
    return Loaded(x, y, spec, class_names, mask, task == REGRESSION, info=info, notes=notes, feature_names=names)


def _spec(file_name: str, task: str, width: int, class_names: list[str]) -> DataSpec:
    data_name = f"the data in {file_name}"
    if task == REGRESSION:
        return regression_spec((width,), (1,), data_name)
    return classification_spec((width,), len(class_names), data_name)


_described: OrderedDict[tuple[Any, ...], tuple[DataSpec, list[str]]] = OrderedDict()
_described_lock = threading.Lock()


def describe_csv(req: Request) -> tuple[DataSpec, list[str]]:
    """The spec and class names without loading the file: a small file is loaded (and
    checked) whole; of a big one, the types of the feature columns come from its first
    rows and only the target and the text columns are read through (their classes and
    categories must all be known). Remembered until the file changes."""
    path = req.path("path")
    try:
        info = path.stat()
    except OSError as exc:
        raise DataError(f"{req.options['path']}: cannot be read ({exc.strerror or exc})") from None
    key = (str(path.resolve()), info.st_mtime_ns, info.st_size, tuple(sorted(req.options.items())))
    with _described_lock:
        known = _described.get(key)
    if known is None:
        if info.st_size <= SAMPLE_BYTES:
            loaded = load_csv(req)
            known = (loaded.spec, list(loaded.class_names))
        else:
            known = _describe_big(req)
        with _described_lock:
            _described[key] = known
            while len(_described) > 8:
                _described.popitem(last=False)
    return known[0], list(known[1])


def _describe_big(req: Request) -> tuple[DataSpec, list[str]]:
    path, label = req.path("path"), req.options["path"]
    try:
        sample = read_table(path, label, req.options["delimiter"], sample=SAMPLE_BYTES)
    except NoRows:
        loaded = load_csv(req)  # rows longer than the sample: no way around reading it all
        return loaded.spec, list(loaded.class_names)
    sample.decimal = _decimal_mark(sample)
    target, features = _columns(sample, req)
    sample, _ = _drop_missing(sample, req, [*features, target])
    texts = [c for c in features if _numeric(sample, c) is None]
    table = read_table(path, label, req.options["delimiter"], only=(sample.header, [*texts, target]))
    table.decimal = sample.decimal
    table, _ = _drop_missing(table, req, [*texts, target])
    width = len(features) - len(texts) + sum(len(_categories(table, c)) for c in texts)
    _, class_names, task = _target(table, target, req.options["task"])
    return _spec(path.name, task, width, class_names), class_names


def preview_csv(req: Request, limit: int | None) -> Preview:
    """The first rows as they are in the file, all columns: no types needed, so it helps pick the target.
    Reads the file's start only; the count of rows in a big file is its count of line ends."""
    path = req.path("path")
    table = read_table(path, req.options["path"], req.options["delimiter"], sample=SAMPLE_BYTES)
    _decimal_mark(table)  # a file with both decimal marks is refused here too
    count = min(len(table), limit if limit is not None else 20)
    rows = [[table.cell(i, j) for j in range(len(table.header))] for i in range(count)]
    return Preview(TABLE, None, [], _row_count(path, table), columns=list(table.header), rows=rows)


def _row_count(path: Path, table: Table) -> int:
    if path.stat().st_size <= SAMPLE_BYTES:
        return len(table)
    ends = 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            ends += chunk.count(b"\n")
    return max(ends - 1, len(table))


SOURCE = Source(
    "csv",
    "CSV file",
    "Your own table: one row per sample, a header row, a target column and feature columns.",
    FILE,
    (
        Param("path", FILE_PARAM, "", "The CSV file (relative paths start at the project's folder).", suffixes=(".csv", ".tsv", ".txt")),
        Param("target", TEXT, "", "Column to predict (empty: the last column)."),
        Param("features", TEXT, "", "Columns to learn from, separated by commas (empty: every other column)."),
        Param(
            "task",
            CHOICE,
            "auto",
            "auto: text targets, or whole numbers with at most 20 values, are classes; other numbers are regression.",
            choices=("auto", CLASSIFICATION, REGRESSION),
        ),
        Param(
            "missing",
            CHOICE,
            "error",
            "Rows with missing values: report them (error) or leave them out and say so (drop).",
            choices=("error", "drop"),
        ),
        Param("delimiter", CHOICE, "auto", "What separates the values; auto guesses from the first lines.", choices=("auto", *DELIMITERS)),
    ),
    load_csv,
    describer=describe_csv,
    previewer=preview_csv,
)
