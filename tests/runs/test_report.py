"""A recorded run as a self-contained HTML report and as TensorBoard event
files: every section there, pictures inline, the event file's records and
checksums well formed."""

from __future__ import annotations

import struct
from pathlib import Path

from runkit import project, record_run

from designer.cli import main
from designer.runs.tensorboard import _masked, crc32c


def test_designer_report_writes_a_self_contained_page_and_event_files(tmp_path: Path, capsys) -> None:
    recorder = record_run(project(tmp_path, epochs=2))
    out = tmp_path / "report.html"
    assert main(["report", str(tmp_path / "tiny.nnd"), "--out", str(out), "--tensorboard", str(tmp_path / "tb")]) == 0
    html = out.read_text()
    for heading in ("Design", "Training settings", "Curves", "Results on the validation split", "Data"):
        assert f"<h2>{heading}" in html
    confusion = recorder.views.confusion
    assert "Confusion matrix" in html and f">{int(confusion[0, 0])}</td>" in html
    assert html.count("<svg") == 4 and "data:image/png;base64," in html  # design, three charts; the boundary
    assert "src='http" not in html and "<script" not in html  # nothing to fetch, nothing to run
    (events,) = (tmp_path / "tb" / "run-0001").iterdir()
    tags = _read_tags(events.read_bytes())
    assert tags.count("batch/loss") == 10 and tags.count("epoch/val_accuracy") == 2 and "epoch/lr" in tags


def test_report_mistakes_are_one_line(tmp_path: Path, capsys) -> None:
    tiny = project(tmp_path, epochs=1)
    assert main(["report", str(tiny.path)]) == 2
    assert "no runs recorded yet" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nothing")]) == 2
    assert "neither a run's folder" in capsys.readouterr().err


def test_crc32c_matches_the_standard_check_value() -> None:
    assert crc32c(b"123456789") == 0xE3069283


def _read_tags(data: bytes) -> list[str]:
    """The scalar tags of an event file, each record's checksums checked."""
    tags, at = [], 0
    while at < len(data):
        (length,) = struct.unpack_from("<Q", data, at)
        assert struct.unpack_from("<I", data, at + 8)[0] == _masked(data[at : at + 8])
        payload = data[at + 12 : at + 12 + length]
        assert struct.unpack_from("<I", data, at + 12 + length)[0] == _masked(payload)
        for summary in _fields(payload).get(5, []):
            for value in _fields(summary).get(1, []):
                tags.append(_fields(value)[1][0].decode())
        at += 12 + length + 4
    return tags


def _fields(buffer: bytes) -> dict[int, list]:
    """A protocol-buffer message's fields by number (varints, fixed and length-delimited)."""
    found: dict[int, list] = {}
    at = 0
    while at < len(buffer):
        key, at = _varint(buffer, at)
        number, kind = key >> 3, key & 7
        if kind == 0:
            value, at = _varint(buffer, at)
        elif kind == 1:
            value, at = buffer[at : at + 8], at + 8
        elif kind == 5:
            value, at = buffer[at : at + 4], at + 4
        else:
            size, at = _varint(buffer, at)
            value, at = buffer[at : at + size], at + size
        found.setdefault(number, []).append(value)
    return found


def _varint(buffer: bytes, at: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = buffer[at]
        value |= (byte & 0x7F) << shift
        at += 1
        if not byte & 0x80:
            return value, at
        shift += 7
