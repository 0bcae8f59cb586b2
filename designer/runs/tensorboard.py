"""A run's curves as TensorBoard event files, for users who live there,
without TensorBoard or TensorFlow installed: the event file format is a
record file (length, checksums) of small protocol-buffer messages, and
scalars need only four fields of them, written here by hand.

``write_events(record, folder)`` writes ``folder/<run id>/events.out.tfevents...``
so that ``tensorboard --logdir folder`` shows each run under its own name:
per-batch loss (raw and smoothed, step = batch number) and per-epoch
losses, metrics and learning rate (step = epoch).
"""

from __future__ import annotations

import os
import socket
import struct
import time
from pathlib import Path

from designer.runs.record import RunRecord

_CASTAGNOLI = 0x82F63B78
_TABLE: list[int] = []
for _byte in range(256):
    _crc = _byte
    for _ in range(8):
        _crc = (_crc >> 1) ^ _CASTAGNOLI if _crc & 1 else _crc >> 1
    _TABLE.append(_crc)


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _masked(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record_bytes(payload: bytes) -> bytes:
    """One record of a TFRecord file: length, its checksum, the payload, its checksum."""
    length = struct.pack("<Q", len(payload))
    return length + struct.pack("<I", _masked(length)) + payload + struct.pack("<I", _masked(payload))


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def _field(number: int, kind: int) -> bytes:
    return _varint(number << 3 | kind)


def _bytes_field(number: int, data: bytes) -> bytes:
    return _field(number, 2) + _varint(len(data)) + data


def event(wall_time: float, step: int = 0, tag: str | None = None, value: float | None = None, file_version: str | None = None) -> bytes:
    """An Event message: a scalar summary (tag, value) or the file's version line."""
    out = _field(1, 1) + struct.pack("<d", wall_time) + _field(2, 0) + _varint(step)
    if file_version is not None:
        out += _bytes_field(3, file_version.encode())
    if tag is not None and value is not None:
        summary_value = _bytes_field(1, tag.encode()) + _field(2, 5) + struct.pack("<f", value)
        out += _bytes_field(5, _bytes_field(1, summary_value))
    return out


def write_events(record: RunRecord, folder: str | os.PathLike[str]) -> Path:
    """The run's scalars as an event file in ``folder/<run id>``; returns the file."""
    target = Path(folder) / (record.id or record.label.replace(" ", "-").lower())
    target.mkdir(parents=True, exist_ok=True)
    now = record.created or time.time()
    path = target / f"events.out.tfevents.{int(now)}.{socket.gethostname()}"
    chunks = [record_bytes(event(now, file_version="brain.Event:2"))]
    for i, (loss, smooth) in enumerate(zip(record.batch_loss.view(), record.batch_smooth.view()), 1):
        chunks.append(record_bytes(event(now, i, "batch/loss", float(loss))))
        chunks.append(record_bytes(event(now, i, "batch/loss_smoothed", float(smooth))))
    elapsed = now
    metric = record.metric_name
    for m in record.epochs:
        elapsed += m.seconds
        values = {
            "epoch/train_loss": m.train_loss,
            "epoch/val_loss": m.val_loss,
            f"epoch/train_{metric}": m.train_metric,
            f"epoch/val_{metric}": m.val_metric,
            "epoch/lr": m.lr,
        }
        chunks += [record_bytes(event(elapsed, m.epoch, tag, float(v))) for tag, v in values.items() if v is not None]
    path.write_bytes(b"".join(chunks))
    return path
