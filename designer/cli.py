"""The ``designer`` command line.

``designer [FILE]`` opens the desktop designer; the subcommands work without
a screen. Exit codes: 0 success, 1 the design has problems, 2 unusable input,
3 an internal error (a bug: one line says where the full trace was written).
A user's mistake prints one line, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from designer.data import check_project_data
from designer.graph import ERROR, format_summary
from designer.project import ProjectError, load_project
from designer.project.messages import one_line

OK, PROBLEMS, UNUSABLE, INTERNAL = 0, 1, 2, 3
APP_FOLDER = "nn-designer"


class UsageError(Exception):
    """A user's mistake on the command line or in a file: one line, exit 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse whose mistakes are one line (the usage is one --help away), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(UNUSABLE, one_line(f"{self.prog}: error: {message} (see '{self.prog} --help')") + "\n")


def _check(args: argparse.Namespace) -> int:
    status = OK
    for path in args.files:
        try:
            project = load_project(path)
        except ProjectError as exc:
            print(one_line(f"{exc}"), file=sys.stderr)
            status = UNUSABLE
            continue
        data_spec, data_problems = check_project_data(project)  # an unusable data file is one problem line
        problems = data_problems + project.graph.validate(data_spec)
        for problem in problems:
            where = problem.node or "design"
            print(one_line(f"{path}: {where}: {problem.severity}: {problem.message}"))
        failing = [p for p in problems if p.severity == ERROR or args.strict]
        if failing and status == OK:
            status = PROBLEMS
        if not problems and not args.quiet:
            print(one_line(f"{path}: ok ({len(project.graph)} nodes)"))
    return status


def _summary(args: argparse.Namespace) -> int:
    project = _load(args.file)
    print(one_line(f"{project.name}: {len(project.graph)} nodes"))
    print(format_summary(project.graph, expand_blocks=args.blocks))
    errors = [p for p in project.graph.validate() if p.severity == ERROR]
    for problem in errors:
        print(f"{args.file}: {problem}", file=sys.stderr)
    return PROBLEMS if errors else OK


def _load(path: str):
    try:
        return load_project(path)
    except ProjectError as exc:
        raise UsageError(str(exc)) from None


def _gui(args: argparse.Namespace) -> int:
    from designer.app import run

    return run(args.file, train=getattr(args, "train", False))


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="designer",
        description="Design, check, train and export neural networks. With no command, opens the desktop designer (on FILE if given).",
        epilog=(
            "Run 'designer COMMAND --help' for a command's options. Exit codes: 0 done, 1 the design has problems, "
            "2 unusable input (one line says why), 3 an internal error (a bug; one line says where its trace was written)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="validate designs; one line per problem",
        description="Validate designs and print one line per problem: FILE: node: error|warning: message. Exit 0 when clean, 1 when a design has errors, 2 when a file cannot be read.",
    )
    check.add_argument("files", nargs="+", metavar="FILE", help="project files (.nnd)")
    check.add_argument("--strict", action="store_true", help="treat warnings as problems (exit 1)")
    check.add_argument("-q", "--quiet", action="store_true", help="print nothing for clean designs")
    check.set_defaults(handler=_check)

    summary = commands.add_parser(
        "summary",
        help="per-node table: type, output shape, parameters, MACs, memory",
        description="Print each node's type, output shape, parameter count, multiply-accumulates and activation memory for one sample, with totals.",
    )
    summary.add_argument("file", metavar="FILE")
    summary.add_argument("--blocks", action="store_true", help="also list the layers inside each block, one row each")
    summary.set_defaults(handler=_summary)

    for register in _extra_commands():
        register(commands)
    return parser


def _extra_commands() -> list[Callable[[argparse._SubParsersAction], None]]:
    """Commands that live in their own modules (train, export...)."""
    registers = []
    for module_name in (
        "designer.cli_train",
        "designer.cli_export",
        "designer.cli_import",
        "designer.cli_explain",
        "designer.cli_lr_find",
        "designer.cli_runs",
        "designer.cli_sweep",
        "designer.cli_report",
    ):
        try:
            module = __import__(module_name, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        registers.append(module.register)
    return registers


def _gui_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="designer", add_help=False)
    parser.add_argument("file", nargs="?")
    parser.add_argument("--train", action="store_true", help="start training as soon as the project is open")
    return parser


def _version() -> str:
    from designer import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Opening the window (no arguments, or a project file) needs no command's module: they import the compiler.
    opens_window = not argv or (argv[0].endswith(".nnd") and not argv[0].startswith("-"))
    parser = None if opens_window else build_parser()
    commands = set(parser._subparsers._group_actions[0].choices) if parser is not None and parser._subparsers else set()  # type: ignore[union-attr]
    try:
        if parser is not None and argv and (argv[0] in commands or argv[0].startswith("-") and argv[0] != "--train"):
            args = parser.parse_args(argv)
            if args.command is None:
                return _gui(argparse.Namespace(file=None))
        else:
            args = _gui_parser().parse_args(argv)
            args.handler = _gui
        return int(args.handler(args))
    except UsageError as exc:
        print(one_line(f"designer: error: {exc}"), file=sys.stderr)
        return UNUSABLE
    except KeyboardInterrupt:
        print("designer: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("designer: error: out of memory: the data or the design is too large for this machine's free memory", file=sys.stderr)
        return UNUSABLE
    except Exception as exc:  # a bug: its own exit code, and its trace in a file rather than on the screen
        return report_internal_error(exc, argv)


def report_internal_error(exc: BaseException, argv: Sequence[str]) -> int:
    """Write the trace of an unexpected exception to a file and say, in one line,
    that it is a bug and where the file is. Returns INTERNAL."""
    first = (str(exc).strip().splitlines() or [""])[0]
    what = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    try:
        where = f"the full trace is in {write_crash_report(exc, argv)}"
    except OSError as write_error:
        where = f"the trace could not be written ({write_error.strerror or write_error})"
    print(
        one_line(f"designer: internal error: {what}: this is a bug in the designer, please report it; {where}"),
        file=sys.stderr,
    )
    return INTERNAL


def write_crash_report(exc: BaseException, argv: Sequence[str]) -> Path:
    """The trace, the command and the versions, in a new file under the user's
    cache folder (the system's temporary folder when that cannot be written)."""
    lines = [
        f"designer {_version()} on Python {platform.python_version()}, {platform.platform()}",
        f"command: designer {' '.join(argv)}",
        time.strftime("time: %Y-%m-%d %H:%M:%S %z"),
        "",
        *traceback.format_exception(type(exc), exc, exc.__traceback__),
    ]
    text = "\n".join(line.rstrip("\n") for line in lines) + "\n"
    name = time.strftime(f"crash-%Y%m%d-%H%M%S-{os.getpid()}.txt")
    failure: OSError = OSError("no folder to write in")
    for folder in (_cache_folder, lambda: Path(tempfile.gettempdir()) / APP_FOLDER):
        try:
            path = folder() / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", errors="backslashreplace")
            return path
        except OSError as error:
            failure = error
        except RuntimeError:  # no home folder to find the cache folder in
            continue
    raise failure


def _cache_folder() -> Path:
    """Where this user's crash reports go: under XDG_CACHE_HOME, ~/Library/Caches, LOCALAPPDATA or ~/.cache."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / APP_FOLDER / "crashes"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP_FOLDER / "crashes"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / APP_FOLDER / "crashes"


if __name__ == "__main__":
    sys.exit(main())
