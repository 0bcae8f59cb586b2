"""The command line: exit codes 0/1/2 and one clear line for a user's mistake."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from paths import SAMPLES

from designer.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_clean_samples(capsys) -> None:
    code, out, _ = run(capsys, "check", *map(str, SAMPLES))
    assert code == 0
    assert out.count(": ok") == len(SAMPLES)


def _broken(tmp_path: Path) -> Path:
    document = json.loads(SAMPLES[0].read_text())
    document["edges"] = document["edges"][1:]
    path = tmp_path / "broken.nnd"
    path.write_text(json.dumps(document))
    return path


def test_check_reports_problems_one_per_line(tmp_path: Path, capsys) -> None:
    path = _broken(tmp_path)
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    lines = out.strip().splitlines()
    assert lines and all(line.startswith(f"{path}: ") for line in lines)
    assert any(": error: " in line for line in lines)


def test_check_unreadable_file_exits_2(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.nnd"
    bad.write_text("{")
    code, out, err = run(capsys, "check", str(bad), str(SAMPLES[0]))
    assert code == 2
    assert err.count("\n") == 1 and "JSON error" in err and "Traceback" not in err


def test_summary_prints_table_and_totals(capsys) -> None:
    sample = next(p for p in SAMPLES if p.stem == "digits_cnn")
    code, out, _ = run(capsys, "summary", str(sample))
    assert code == 0
    assert "conv1" in out and "N x 16 x 8 x 8" in out and out.strip().splitlines()[-1].startswith("total")


def test_summary_lists_the_layers_inside_blocks_when_asked(capsys) -> None:
    sample = next(p for p in SAMPLES if p.stem == "residual_blocks")
    _, folded, _ = run(capsys, "summary", str(sample))
    code, out, _ = run(capsys, "summary", str(sample), "--blocks")
    assert code == 0
    assert "block1.conv1" in out and "block1.conv1" not in folded
    assert out.split()[-4:] == folded.split()[-4:]  # the totals count each block once


def test_summary_of_missing_file_is_one_line(capsys) -> None:
    code, out, err = run(capsys, "summary", "no/such/file.nnd")
    assert code == 2 and err.startswith("designer: error: ") and err.count("\n") == 1


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["summary", "--help"]])
def test_help(args: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "designer", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "usage: designer" in result.stdout


def test_unknown_option_is_a_usage_error() -> None:
    result = subprocess.run([sys.executable, "-m", "designer", "check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
