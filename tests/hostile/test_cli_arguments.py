"""Generated command lines: every subcommand with its own options drawn at random
(read from the parser, so a new option is fuzzed too), values from hostile
pools (NaN, 1e309, negative counts, Unicode digits, paths that are folders,
files under files, names with line breaks, surrogates, 300 characters).
Each ends in exit 0, 1 or 2 with no traceback and no hang."""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from data_outcome import no_hang
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from paths import sample

from designer.cli import build_parser, main

COMMANDS = ("check", "summary", "train", "evaluate", "export", "explain", "lr-find")
# A tenth of the profile's examples, and at least 12: each may train or export.
EXAMPLES = max(12, settings().max_examples // 10) if settings().max_examples < 1000 else settings().max_examples
INTS = ["-1", "0", "1", "2", "99999999999999999999", "1e3", "x", "", "0x10", "\u0663", "1_0", "3.5", " 2", "-0"]
FLOATS = ["nan", "inf", "-inf", "0", "-0.1", "1e-400", "1e309", "1e-3", "0.1", "10", "x", "", "1,5", "\u0661.5"]
TEXTS = ["", " ", "-", "--", "a\nb", "\udcff", "é", "x" * 300, "dense1", "conv1", "0", "1", "-1", "setosa", "\u2028"]


def _project(folder: Path) -> Path:
    """A tiny design that trains in a moment, with a test split."""
    document = json.loads(sample("xor_mlp").read_text())
    document["data"] = {"source": "xor", "options": {"samples": 60}, "validation_split": 0.25, "test_split": 0.25, "seed": 0}
    document["training"].update(epochs=1, device="cpu")
    path = folder / "tiny.nnd"
    path.write_text(json.dumps(document))
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, one_torch_thread_module: None) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("command-lines")
    tiny = _project(root)
    assert main(["train", str(tiny), "--device", "cpu"]) == 0
    broken = json.loads(tiny.read_text())
    broken["edges"] = broken["edges"][1:]
    (root / "broken.nnd").write_text(json.dumps(broken))
    (root / "garbage.nnd").write_bytes(bytes(range(256)))
    (root / "a folder").mkdir()
    (root / "a file.txt").write_text("text")
    np.savez(root / "arrays.npz", x=np.ones((4, 2)), y=np.arange(4) % 2)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def one_torch_thread_module() -> Iterator[None]:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _files(root: Path) -> list[str]:
    names = [
        "tiny.nnd",
        "broken.nnd",
        "garbage.nnd",
        "a folder",
        "a file.txt",
        "missing.nnd",
        "a file.txt/sub.nnd",
        "tiny.safetensors",
        "arrays.npz",
    ]
    return [str(root / n) for n in names] + ["", "-", "\udcff.nnd", "x" * 300 + ".nnd", "/proc/x.nnd"]


def _outputs(root: Path) -> list[str]:
    names = [
        "out",
        "out.py",
        "out.onnx",
        "out.png",
        "a folder",
        "a file.txt",
        "a file.txt/out.png",
        "new/deeper/out.onnx",
        "line\nbreak.png",
        "x" * 300,
    ]
    return [str(root / "outputs" / n) if "a f" not in n else str(root / n) for n in names] + ["/proc/out.onnx", "/proc/run"]


def _value(action: argparse.Action, root: Path) -> st.SearchStrategy[str]:
    """Values for one option, by what it takes."""
    dest = action.dest
    if action.choices is not None:
        return st.one_of(st.sampled_from([str(c) for c in action.choices]), st.sampled_from(TEXTS))
    if dest in ("out", "python", "onnx"):
        return st.sampled_from(_outputs(root))
    if dest in ("weights", "file", "files"):  # the good project half the time, so options are reached
        good = str(root / ("tiny.safetensors" if dest == "weights" else "tiny.nnd"))
        return st.one_of(st.just(good), st.sampled_from(_files(root)))
    if dest == "epochs":
        return st.sampled_from([v for v in INTS if v not in ("1_0", "1e3")])  # a valid count stays small: no long runs
    if action.type is int or dest in ("nproc", "sample", "steps", "opset"):
        return st.sampled_from(INTS)
    if action.type is float or dest in ("min", "max"):
        return st.sampled_from(FLOATS)
    return st.sampled_from(TEXTS)


@st.composite
def command_lines(draw: st.DrawFn, root: Path) -> list[str]:
    """A subcommand, some of its options (flags and values), its file(s), and now and then a stray token."""
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    name = draw(st.sampled_from(COMMANDS))
    sub = commands[name]
    argv = [name]
    optional = [a for a in sub._actions if a.option_strings and not isinstance(a, argparse._HelpAction)]
    for action in draw(st.lists(st.sampled_from(optional), max_size=5, unique_by=lambda a: a.dest)) if optional else []:
        argv.append(draw(st.sampled_from(action.option_strings)))
        if action.nargs != 0:
            argv.append(draw(_value(action, root)))
    for action in (a for a in sub._actions if not a.option_strings):
        count = draw(st.integers(0, 2)) if action.nargs == "+" else 1
        argv += [draw(_value(action, root)) for _ in range(count if draw(st.integers(0, 9)) else 0)]
    if draw(st.integers(0, 9)) == 0:
        argv.insert(draw(st.integers(1, len(argv))), draw(st.sampled_from(["--", "-x", "--bogus", *TEXTS])))
    return argv


def run_command(argv: list[str]) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: --help, or a mistake in the arguments
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_command_lines(folder: Path, data: st.DataObject, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / "cache"))
    argv = data.draw(command_lines(folder), label="argv")
    with no_hang():
        code, out, err = run_command(argv)
    event(f"{argv[0]} exit {code}")
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err and "internal error" not in err, (argv, err)
    if code == 2:
        assert err.strip() and all(line.isprintable() for line in err.splitlines()), (argv, err)  # said why, in lines of text
    shutil.rmtree(folder / "outputs", ignore_errors=True)
