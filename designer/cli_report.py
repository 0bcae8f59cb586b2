"""``designer report``: a recorded run as one self-contained HTML file, and
optionally as TensorBoard event files."""

from __future__ import annotations

import argparse
from pathlib import Path

from designer.cli import OK, UsageError


def register(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser(
        "report",
        help="a recorded run as a self-contained HTML report (and TensorBoard event files)",
        description=(
            "Write a recorded run as one HTML file: the design's picture, settings, curves, confusion matrix or predicted-against-true "
            "plot, per-layer statistics when recorded, and the data. RUN is a run's folder (NAME.runs/run-0003), or a project file "
            "for its latest run (--run picks another). --tensorboard DIR also writes the run's curves as TensorBoard event files "
            "in DIR/<run id> (no TensorBoard needed to write them)."
        ),
    )
    report.add_argument("run", metavar="RUN", help="a run's folder, or a project file (.nnd)")
    report.add_argument("--run", dest="number", metavar="N", help="with a project file: the run's number or id (default: the latest)")
    report.add_argument("--out", metavar="FILE", help="the HTML file (default: report.html in the run's folder)")
    report.add_argument("--tensorboard", metavar="DIR", help="also write TensorBoard event files under DIR")
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    from designer.runs import RunStore, read_run
    from designer.runs.files import RunFileError
    from designer.runs.layout import RUN_FILE

    target = Path(args.run)
    try:
        if target.is_dir() and (target / RUN_FILE).exists():
            folder = target
        elif target.suffix == ".nnd" and target.is_file():
            store = RunStore.of(target)
            if args.number:
                folder = store.find(args.number)
            else:
                folders = store.run_folders()
                if not folders:
                    raise UsageError(f"{target}: no runs recorded yet (in {store.folder})")
                folder = folders[-1]
        else:
            raise UsageError(f"{args.run}: neither a run's folder (with run.json) nor a project file")
        record = read_run(folder, with_weights=False)
    except RunFileError as exc:
        raise UsageError(f"{args.run}: {exc}") from None
    out = Path(args.out) if args.out else folder / "report.html"
    if out.is_dir():
        raise UsageError(f"--out {out} is a folder: give a file name")
    try:
        from designer.runs.report import write_report

        print(f"wrote {write_report(record, out)}")
        if args.tensorboard:
            from designer.runs.tensorboard import write_events

            print(f"wrote {write_events(record, args.tensorboard)}")
    except OSError as exc:
        raise UsageError(f"cannot write the report: {exc.strerror or exc}") from None
    return OK
