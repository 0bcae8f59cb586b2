"""A CSV file's text as columns, read by pyarrow's multi-threaded CSV reader.

The reader keeps the rules of the hand parser it replaced (Python's ``csv``
module): UTF-8 with or without a byte-order mark, or UTF-16 with one; the
separator guessed from the first 8 KB; quoted values with doubled quotes and
line breaks; blank lines (and lines holding only spaces) skipped; every cell
stripped of white space; a row with another number of values than the header
refused, naming its line. pyarrow does not tell which line a row came from,
and a row's line differs from its position when values hold line breaks or
blank lines sit between rows, so :func:`record_lines` finds the lines when a
message needs them (rarely, and only up to the rows it names).
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from designer.data.deferred import deferred
from designer.data.errors import DataError
from designer.data.limits import require_memory
from designer.project.messages import one_line

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv
else:
    np = deferred("numpy")
    pa = deferred("pyarrow")
    pc = deferred("pyarrow.compute")
    pa_csv = deferred("pyarrow.csv")

DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t"}
# What Python's str.strip() removes: the reader strips cells the way the old one did.
WHITE_SPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
FIELD_LIMIT = 131072  # the longest value Python's csv module took; longer ones stay refused
SNIFF_CHARS = 8192
CHUNK = 1 << 24  # bytes checked at a time for UTF-8 and NUL characters
# pyarrow keeps each value once plus an offset: a file takes about this many
# times its size while it is read and its columns are stripped.
TEXT_EXPANSION = 4


class NoRows(DataError):
    """The file has no row of values after its header (or no header either)."""


def _no_rows(label: str) -> NoRows:
    return NoRows(f"{label}: no data rows: the file needs a header row and at least one row of values")


@dataclass
class Table:
    """The file's text cells by column, and where each row came from.

    ``raw`` holds the cells as written; :meth:`text` gives a column stripped of
    white space and :meth:`floats` its numbers, each worked out once, when
    first asked for (a column of plain numbers is never stripped: pyarrow would
    not have read it as numbers with spaces around them). ``records[i]`` is the
    position of row ``i`` among the file's data records (blank lines not
    counted), so rows left out later still find their line.
    """

    label: str
    header: list[str]
    raw: list[pa.ChunkedArray]
    records: np.ndarray
    source: TextSource
    decimal: str = "."  # the decimal mark of the file's numbers: "." or ","
    _lines: dict[int, int] = field(default_factory=dict)
    _text: dict[int, pa.ChunkedArray] = field(default_factory=dict)
    _floats: dict[int, np.ndarray | None] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.records)

    def text(self, j: int) -> pa.ChunkedArray:
        """Column ``j``'s cells stripped of white space (as Python's str.strip())."""
        if j not in self._text:
            self._text[j] = self.raw[j] if self.floats(j) is not None else pc.utf8_trim(self.raw[j], characters=WHITE_SPACE)
        return self._text[j]

    def column(self, name: str) -> pa.ChunkedArray:
        return self.text(self.header.index(name))

    def floats(self, j: int) -> np.ndarray | None:
        """Column ``j`` as float64 when pyarrow reads every cell as a number (NaN, infinity
        included), else None. Every text it reads, Python's float() reads as the same number."""
        if j not in self._floats:
            try:
                self._floats[j] = np.asarray(pc.cast(self.raw[j], pa.float64()).to_numpy(zero_copy_only=False), np.float64)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                self._floats[j] = None
        return self._floats[j]

    def cell(self, i: int, j: int) -> str:
        return str(self.text(j)[i].as_py())

    def lines(self, rows: Sequence[int]) -> list[int]:
        """The line each of these rows ends on, as a text editor counts lines."""
        wanted = [int(self.records[i]) for i in rows]
        unknown = sorted({r for r in wanted if r not in self._lines})
        if unknown:
            self._lines.update(zip(unknown, record_lines(self.source, unknown)))
        return [self._lines[r] for r in wanted]

    def line(self, i: int) -> int:
        return self.lines([i])[0]

    def take(self, rows: np.ndarray) -> Table:
        """These rows only, in this order; what is known of them so far is kept."""
        index = pa.array(rows)
        table = Table(
            self.label, self.header, [c.take(index) for c in self.raw], self.records[rows], self.source, self.decimal, self._lines
        )
        table._text = {j: c.take(index) for j, c in self._text.items()}
        table._floats = {j: None if v is None else v[rows] for j, v in self._floats.items()}
        return table


@dataclass(frozen=True)
class TextSource:
    """How to read the file again as text: for line numbers in messages."""

    path: Path
    encoding: str
    sep: str


def read_table(
    path: Path, label: str, delimiter: str = "auto", *, sample: int | None = None, only: tuple[list[str], list[str]] | None = None
) -> Table:
    """The file's cells; DataError for unreadable files and ragged rows.
    ``sample``: read about that many bytes from the start (whole lines), not the whole file.
    ``only``: the header (known from a sample) and the columns to read; the others stay empty."""
    try:
        size = path.stat().st_size
        whole = sample is None or size <= sample
        if sample is None:
            require_memory(size * TEXT_EXPANSION, label, "reading this file")
        with path.open("rb") as file:
            head = file.read(SNIFF_CHARS * 4 if sample is None else sample)
    except OSError as exc:
        raise DataError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\0" in head[:4096]:
        raise DataError(f"{label}: is a binary file, not CSV text")
    body: bytes | None = None  # None: pyarrow reads the file itself
    quoted = True  # whether a value may be quoted (and so may hold a line break)
    if utf16:
        text = _decode(_read(path, label) if whole else head, "utf-16", label, final=whole)
        body = text.encode("utf-8")
    elif sample is None:  # only some columns: pyarrow checks theirs are UTF-8; a mistake is named below
        quoted = _check_utf8(path, label) if only is None else _has_quote(path, label)
        text = _decode(head, "utf-8-sig", label, final=len(head) == size)
    else:
        text = _decode(head, "utf-8-sig", label, final=whole)
        body = head
    if not whole:
        body = text[: max(text.rfind("\n"), text.rfind("\r")) + 1].encode("utf-8")  # whole lines only
    sep = DELIMITERS.get(delimiter) or _sniff(text[:SNIFF_CHARS])
    source = TextSource(path, "utf-16" if utf16 else "utf-8-sig", sep)
    quoted = quoted if body is None else b'"' in body
    return _parse(path if body is None else body, source, label, text, quoted, partial=not whole, only=only)


def _has_quote(path: Path, label: str) -> bool:
    try:
        with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as view:
            return view.find(b'"') >= 0
    except (OSError, ValueError):  # an empty file cannot be mapped
        return True


def _read(path: Path, label: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(f"{label}: cannot be read ({exc.strerror or exc})") from None


def _decode(data: bytes, encoding: str, label: str, final: bool) -> str:
    """The text of these bytes; without ``final``, a character cut at the end is left out."""
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(data, final=final)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        name = "UTF-16" if encoding == "utf-16" else "UTF-8"
        raise DataError(f"{label}: line {line}: not {name} text (byte {exc.start}): save the file as UTF-8 CSV") from None
    if "\0" in text:
        raise DataError(f"{label}: line {text[: text.index(chr(0))].count(chr(10)) + 1}: holds a NUL character: it is not CSV text")
    return text


def _check_utf8(path: Path, label: str) -> bool:
    """DataError naming the line of the first byte that is not UTF-8, else of the first
    NUL character. Reads the file in chunks, so a big file takes little memory.
    Returns whether the file has a quote (without one, no value holds a line break)."""
    carry, offset, lines, quoted = b"", 0, 0, False
    nul: int | None = None
    try:
        with path.open("rb") as file:
            while chunk := file.read(CHUNK):
                data, carry = carry + chunk, b""
                try:
                    data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    if exc.reason != "unexpected end of data" or exc.end != len(data):
                        raise _not_utf8(path, label, offset + exc.start) from None
                    data, carry = data[: exc.start], data[exc.start :]  # a character split between two chunks
                at = data.find(b"\0")
                if nul is None and at >= 0:
                    nul = lines + data[:at].count(b"\n") + 1
                offset += len(data)
                lines += data.count(b"\n")
                quoted = quoted or b'"' in data
    except OSError as exc:
        raise DataError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    if carry:
        raise _not_utf8(path, label, offset)
    if nul is not None:
        raise DataError(f"{label}: line {nul}: holds a NUL character: it is not CSV text")
    return quoted


def _not_utf8(path: Path, label: str, at: int) -> DataError:
    """The message the old reader gave for a byte that is not UTF-8: after a byte-order
    mark, it counted bytes (and lines) from the end of the mark."""
    with path.open("rb") as file:
        start = file.read(3)
        at -= 3 if start == codecs.BOM_UTF8 else 0
        file.seek(0)
        line = file.read(at).count(b"\n") + 1
    return DataError(f"{label}: line {line}: not UTF-8 text (byte {at}): save the file as UTF-8 CSV")


def _sniff(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","  # one column, or too irregular to guess: the usual comma


class _Rows:
    """pyarrow's handler of rows that do not have the header's number of values:
    a line of white space is skipped (like a blank line), the first other kept for the message."""

    def __init__(self) -> None:
        self.ragged: int | None = None

    def __call__(self, row: pa_csv.InvalidRow) -> str:
        if row.actual_columns == 1 and not _unquoted(row.text).strip():
            return "skip"
        if self.ragged is None:
            self.ragged = row.actual_columns
        return "skip"


def _unquoted(text: str) -> str:
    return text[1:-1].replace('""', '"') if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _blank_start(text: str, sep: str) -> int:
    """How many lines of white space open the file (pyarrow would take the first for the header)."""
    count = 0
    for line in io.StringIO(text, newline=None):
        row = next(csv.reader([line], delimiter=sep), [])
        if row and (len(row) > 1 or row[0].strip()) or line.count('"') % 2:  # a quote left open runs on
            break
        count += 1
    return count


def _width(start: str, sep: str) -> int:
    """The number of values in the header (the first line that is not blank)."""
    reader = csv.reader(io.StringIO(start, newline=""), delimiter=sep)
    try:
        for row in reader:
            if row and (len(row) > 1 or row[0].strip()):
                return len(row) if reader.line_num < start.count("\n") + start.count("\r") else start.count(sep) + 1
    except csv.Error:
        pass
    return start.count(sep) + 1


def _parse(
    data: Path | bytes,
    source: TextSource,
    label: str,
    start: str,
    quoted: bool,
    partial: bool,
    only: tuple[list[str], list[str]] | None,
) -> Table:
    rows = _Rows()
    most = _width(start, source.sep)  # the header's columns: all read as text
    include = [f"f{only[0].index(name)}" for name in only[1]] if only is not None else []
    try:
        raw = pa_csv.read_csv(
            pa.BufferReader(data) if isinstance(data, bytes) else str(data),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True, skip_rows=_blank_start(start, source.sep)),
            parse_options=pa_csv.ParseOptions(delimiter=source.sep, newlines_in_values=quoted, invalid_row_handler=rows),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{k}": pa.string() for k in range(most)},
                check_utf8=only is not None,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
                include_columns=include,
            ),
        )
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) and isinstance(data, Path):
            _check_utf8(data, label)  # names the line
        if "Could not skip initial" in str(exc):  # nothing after the blank lines
            raise _no_rows(label) from None
        if "Empty CSV file" in str(exc):
            content = _read(data, label) if isinstance(data, Path) else data
            if content.strip() and not content.endswith((b"\n", b"\r")):  # one line with no line end: pyarrow wants one
                return _parse(content + b"\n", source, label, start, quoted, partial, only)
            raise _no_rows(label) from None
        raise DataError(f"{label}: cannot be read as CSV ({one_line(str(exc))[:200]})") from None
    columns = [raw.column(k) for k in range(raw.num_columns)]
    del raw
    if only is not None:
        return _some_columns(only, columns, source, label, rows.ragged)
    if len(columns) == 1:  # one column: a line of white space is a blank line
        filled = pc.not_equal(pc.utf8_trim(columns[0], characters=WHITE_SPACE), "")
        keep = np.flatnonzero(np.asarray(filled.to_numpy(zero_copy_only=False), bool))
    else:
        keep = np.arange(len(columns[0]) if columns else 0)
    if len(keep) == 0:
        raise _no_rows(label)
    header = _header([str(c[int(keep[0])].as_py()).strip() for c in columns], label)
    if len(keep) == len(columns[0]):
        columns = [c.slice(1) for c in columns]
    else:
        index = pa.array(keep[1:])
        columns = [c.take(index) for c in columns]
    table = Table(label, header, columns, np.arange(len(keep) - 1), source)
    _refuse_structure(table, None if partial else rows.ragged)
    if len(table) == 0:
        raise _no_rows(label)
    return table


def _some_columns(
    only: tuple[list[str], list[str]], read: list[pa.ChunkedArray], source: TextSource, label: str, ragged: int | None
) -> Table:
    header, names = only
    rows = len(read[0]) - 1
    empty = pa.chunked_array([pa.array([""] * 0, pa.string())])
    columns = [empty] * len(header)
    for name, column in zip(names, read):
        columns[header.index(name)] = column.slice(1)
    table = Table(label, header, columns, np.arange(rows), source)
    _refuse_structure(table, ragged)
    return table


def _refuse_structure(table: Table, ragged: int | None) -> None:
    """The first in the file of: a row with another number of values than the header,
    a value longer than the old reader took."""
    problems: list[tuple[int, str]] = []
    for column in table.raw:
        if len(column) == 0 or (pc.max(pc.binary_length(column)).as_py() or 0) <= FIELD_LIMIT:
            continue  # no more bytes than the limit's characters: cheaper to know
        long = pc.greater(pc.utf8_length(column), FIELD_LIMIT)
        if pc.any(long).as_py():
            problems.append((int(pc.index(long, True).as_py()), f"field larger than field limit ({FIELD_LIMIT})"))
    if ragged is not None:
        where = _ragged_record(table.source, len(table.header))
        problems.append((where[0], f"{where[1]} values but the header has {len(table.header)} columns"))
    if problems:
        record, what = min(problems)
        raise DataError(f"{table.label}: line {record_lines(table.source, [record])[0]}: {what}")


def _ragged_record(source: TextSource, width: int) -> tuple[int, int]:
    """Where the first ragged row is, and its number of values: pyarrow says only that there is one."""
    index = -1
    for index, (row, _) in enumerate(_records(source)):
        if row is None or len(row) != width:
            return index, width if row is None else len(row)
    return max(index, 0), width


def _records(source: TextSource) -> Iterator[tuple[list[str] | None, int]]:
    """The file's data records (blank lines skipped, header left out) and the line each
    ends on, read again as the old reader read them; a value it could not take ends it
    with ``(None, line)``."""
    with source.path.open(encoding=source.encoding, newline="") as file:
        reader = csv.reader(file, delimiter=source.sep)
        header = False
        try:
            for row in reader:
                if not row or len(row) == 1 and not row[0].strip():
                    continue
                if header:
                    yield row, reader.line_num
                header = True
        except csv.Error:
            yield None, reader.line_num


def record_lines(source: TextSource, records: Sequence[int]) -> list[int]:
    """The line each data record (counted from 0 after the header) ends on, as the
    old reader counted: read again up to the last record asked for, only for messages."""
    wanted = set(records)
    found: dict[int, int] = {}
    if wanted:
        last = max(wanted)
        for index, (_, line) in enumerate(_records(source)):
            if index in wanted:
                found[index] = line
            if index >= last:
                break
    return [found.get(r, 0) for r in records]


def _header(row: list[str], label: str) -> list[str]:
    names = [one_line(cell) or f"column {i + 1}" for i, cell in enumerate(row)]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DataError(f"{label}: line 1: column '{name}' appears twice in the header: rename one")
        seen.add(name)
    return names
