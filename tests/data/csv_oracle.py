"""The CSV reader as it was before the columnar one (Python's csv module), kept
only as the oracle the new reader is compared with, and for the benchmark's
"before" figure. Not used by the product.

A user's CSV file: a target column and feature columns, with a header row.

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
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from designer.data.errors import DataError
from designer.data.limits import FLOAT32_MAX, LOAD_COPIES, require_memory
from designer.data.preview import TABLE, Preview
from designer.data.source import CLASSIFICATION, REGRESSION, Loaded, Request, classification_spec, regression_spec
from designer.project.messages import one_line, shown

MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}
DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t"}
MAX_CATEGORIES = 50  # more distinct texts than this is an id or free text, not a category
# Reading keeps the text, each cell as a Python string and the rows' lists:
# a file takes about this many times its size in memory while it is read.
TEXT_EXPANSION = 24
COMMA_NUMBER = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+,\d*|\d+,\d*|,\d+)([eE][+-]?\d+)?")  # 1,5  -,5  1.234,5
POINT_NUMBER = re.compile(r"[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?")  # 1.5  .5  1.5e3
AUTO_CLASSES = 20  # task auto: whole-number targets with at most this many values are classes


@dataclass
class Table:
    """The file's text: header and rows, each row with the line it ends on."""

    label: str  # the file as the user named it, for messages
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    decimal: str = "."  # the decimal mark of the file's numbers: "." or ","


def read_table(path: Path, label: str, delimiter: str = "auto") -> Table:
    """Parse the file into text cells; DataError for unreadable files and ragged rows."""
    try:
        require_memory(path.stat().st_size * TEXT_EXPANSION, label, "reading this file")
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    text = _decode(raw, label)
    sep = DELIMITERS.get(delimiter) or _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)  # lines end in \n, \r\n or \r
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for row in reader:
            if not row or all(not cell.strip() for cell in row) and len(row) == 1:
                continue  # a blank line
            if header is None:
                header = _header(row, label)
                continue
            if len(row) != len(header):
                raise DataError(f"{label}: line {reader.line_num}: {len(row)} values but the header has {len(header)} columns")
            rows.append([cell.strip() for cell in row])
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise DataError(f"{label}: line {reader.line_num}: {exc}") from None
    if header is None or not rows:
        raise DataError(f"{label}: no data rows: the file needs a header row and at least one row of values")
    table = Table(label, header, rows, lines)
    table.decimal = _decimal_mark(table, sep)
    return table


def _decimal_mark(table: Table, sep: str) -> str:
    """The file's decimal mark: "," when it writes its numbers with decimal commas, else ".".
    Decimal commas are recognised only where a comma cannot be the separator;
    a file with both marks is refused, naming a cell of each."""
    comma = point = None
    for i, row in enumerate(table.rows):
        for j, cell in enumerate(row):
            if comma is None and COMMA_NUMBER.fullmatch(cell):
                comma = (i, j)
            elif point is None and POINT_NUMBER.fullmatch(cell):
                point = (i, j)
        if comma is not None and point is not None:
            break
    if comma is None or sep == ",":
        return "."  # a comma-separated file with quoted "1,5" cells is refused where the column is read (_numeric)
    if point is not None:
        raise DataError(
            f"{table.label}: {_place(table, *comma)} has a decimal comma but {_place(table, *point)} has a decimal point: "
            "write every number with the same decimal mark"
        )
    return ","


def _place(table: Table, i: int, j: int) -> str:
    return f"line {table.lines[i]}, column '{table.header[j]}' ({shown(table.rows[i][j])})"


def _decode(raw: bytes, label: str) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark) or, with its
    byte-order mark, UTF-16 (what spreadsheets save as "Unicode text")."""
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\0" in raw[:4096]:
        raise DataError(f"{label}: is a binary file, not CSV text")
    try:
        text = raw.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{label}: line {line}: not {'UTF-16' if utf16 else 'UTF-8'} text (byte {exc.start}): save the file as UTF-8 CSV"
        ) from None
    if "\0" in text:
        raise DataError(f"{label}: line {text[: text.index(chr(0))].count(chr(10)) + 1}: holds a NUL character: it is not CSV text")
    return text


def _sniff(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","  # one column, or too irregular to guess: the usual comma


def _header(row: list[str], label: str) -> list[str]:
    names = [one_line(cell.strip()) or f"column {i + 1}" for i, cell in enumerate(row)]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DataError(f"{label}: line 1: column '{name}' appears twice in the header: rename one")
        seen.add(name)
    return names


def _number(cell: str, decimal: str = ".") -> float | None:
    if decimal == "," and COMMA_NUMBER.fullmatch(cell):
        cell = cell.replace(".", "").replace(",", ".")
    elif not cell or "_" in cell:  # float() takes 1_000; a data file does not mean it
        return None
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _numbers(table: Table, column: str, texts: list[str]) -> list[float | None]:
    """The column's texts as numbers (None where not one); DataError for a number beyond float32's range."""
    values = [_number(t, table.decimal) for t in texts]
    for i, v in enumerate(values):
        if v is not None and abs(v) > FLOAT32_MAX:
            raise DataError(
                f"{table.label}: line {table.lines[i]}, column '{column}': {shown(texts[i])} is too large for a 32-bit float "
                f"(largest {FLOAT32_MAX:.3g}): rescale the column"
            )
    return values


def _lines_text(lines: list[int], most: int = 8) -> str:
    shown = ", ".join(map(str, lines[:most]))
    return shown + (f" and {len(lines) - most} more" if len(lines) > most else "")


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
    index = [table.header.index(c) for c in used]
    bad = [i for i, row in enumerate(table.rows) if any(row[j].lower() in MISSING for j in index)]
    if not bad:
        return table, []
    lines = [table.lines[i] for i in bad]
    columns = sorted({table.header[j] for i in bad for j in index if table.rows[i][j].lower() in MISSING}, key=table.header.index)
    where = f"line{'s' if len(lines) > 1 else ''} {_lines_text(lines)} (column{'s' if len(columns) > 1 else ''} {', '.join(map(repr, columns))})"
    if req.options["missing"] == "error":
        raise DataError(f"{table.label}: missing values on {where}: fill them in, or set option 'missing' to 'drop'")
    keep = sorted(set(range(len(table.rows))) - set(bad))
    if not keep:
        raise DataError(f"{table.label}: every row has a missing value ({where})")
    kept = Table(table.label, table.header, [table.rows[i] for i in keep], [table.lines[i] for i in keep])
    return kept, [f"{table.label}: left out {len(bad)} rows with missing values, on {where}"]


def _numeric(table: Table, column: str) -> np.ndarray | None:
    """The column as numbers, or None if it is a text column; DataError for a stray text in a numeric one."""
    j = table.header.index(column)
    texts = [row[j] for row in table.rows]
    values = _numbers(table, column, texts)
    numbers = sum(v is not None for v in values)
    if numbers * 2 <= len(values):
        _refuse_comma_numbers(table, column, texts)
        return None
    for i, v in enumerate(values):
        if v is None:
            raise DataError(f"{table.label}: line {table.lines[i]}, column '{column}': {shown(texts[i])} is not a number")
    return np.asarray(values, np.float64)


def _refuse_comma_numbers(table: Table, column: str, texts: list[str]) -> None:
    """A text column whose values are numbers with a comma in a comma-separated
    file: a decimal comma or a thousands comma, nobody can tell; refused."""
    if table.decimal == "." and sum(bool(COMMA_NUMBER.fullmatch(t)) for t in texts) * 2 > len(texts):
        i = next(k for k, t in enumerate(texts) if COMMA_NUMBER.fullmatch(t))
        raise DataError(
            f"{table.label}: line {table.lines[i]}, column '{column}': {shown(texts[i])} is a number with a decimal comma "
            "(or a thousands comma) in a comma-separated file: separate the values with ';' or write decimal points"
        )


def _encode_features(table: Table, features: list[str]) -> tuple[np.ndarray, np.ndarray, list[str], dict[str, list[str]]]:
    """Numeric columns as they are, text columns one-hot; returns x, the standardise mask, names and categories.
    The width one-hot encoding gives is known before x is made, so its memory is checked first."""
    parsed: list[tuple[str, np.ndarray | list[str], list[str] | None]] = []
    for column in features:
        values = _numeric(table, column)
        if values is not None:
            parsed.append((column, values, None))
            continue
        j = table.header.index(column)
        texts = [row[j] for row in table.rows]
        cats = sorted(set(texts))
        if len(cats) > MAX_CATEGORIES:
            raise DataError(
                f"{table.label}: column '{column}' has {len(cats)} different texts, too many to one-hot encode: leave it out of option 'features'"
            )
        parsed.append((column, texts, cats))
    rows, width = len(table.rows), sum(1 if cats is None else len(cats) for _, _, cats in parsed)
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
        position = {c: k for k, c in enumerate(cats)}
        x[np.arange(rows), [at + position[t] for t in values]] = 1.0
        mask.extend([False] * len(cats))  # 0/1 indicators keep their meaning unscaled
        names.extend(f"{column}={c}" for c in cats)
        categories[column] = cats
    return x, np.asarray(mask), names, categories


def _target(table: Table, column: str, task: str) -> tuple[np.ndarray, list[str], str]:
    j = table.header.index(column)
    texts = [row[j] for row in table.rows]
    numbers = _numbers(table, column, texts)
    numeric = all(v is not None for v in numbers)
    if task == "auto":
        whole = numeric and all(float(v).is_integer() for v in numbers)  # type: ignore[arg-type]
        task = CLASSIFICATION if not numeric or whole and len(set(numbers)) <= AUTO_CLASSES else REGRESSION
    if task == REGRESSION:
        for i, v in enumerate(numbers):
            if v is None:
                raise DataError(
                    f"{table.label}: line {table.lines[i]}, column '{column}': {shown(texts[i])} is not a number (the target of a regression)"
                )
        return np.asarray(numbers, np.float32)[:, None], [], task
    if numeric:  # class names in numeric order, as written in the file
        first = {v: t for v, t in zip(numbers, texts)}
        names = [first[v] for v in sorted(first)]  # type: ignore[type-var]
        position = {v: k for k, v in enumerate(sorted(first))}  # type: ignore[type-var]
        ids = [position[v] for v in numbers]
    else:
        names = sorted(set(texts))
        position = {t: k for k, t in enumerate(names)}
        ids = [position[t] for t in texts]
    if len(names) < 2:
        raise DataError(f"{table.label}: column '{column}' has only one class ('{names[0]}'): a classifier needs at least two")
    return np.asarray(ids, np.int64), names, task


def load_csv(req: Request) -> Loaded:
    path = req.path("path")
    table = read_table(path, req.options["path"], req.options["delimiter"])
    target, features = _columns(table, req)
    table, notes = _drop_missing(table, req, [*features, target])
    x, mask, names, categories = _encode_features(table, features)
    y, class_names, task = _target(table, target, req.options["task"])
    data_name = f"the data in {path.name}"
    if task == REGRESSION:
        spec = regression_spec((x.shape[1],), (1,), data_name)
    else:
        spec = classification_spec((x.shape[1],), len(class_names), data_name)
    info = {"categories": categories, "target": target} if categories else {"target": target}
    return Loaded(x, y, spec, class_names, mask, task == REGRESSION, info=info, notes=notes, feature_names=names)


def preview_csv(req: Request, limit: int | None) -> Preview:
    """The first rows as they are in the file, all columns: no types needed, so it helps pick the target."""
    table = read_table(req.path("path"), req.options["path"], req.options["delimiter"])
    rows = table.rows[: limit if limit is not None else 20]
    return Preview(TABLE, None, [], len(table.rows), columns=list(table.header), rows=[list(r) for r in rows])
