"""Paths the tests share (a plain module: conftest names clash between folders)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.nnd"))


def sample(stem: str) -> Path:
    return ROOT / "samples" / f"{stem}.nnd"
