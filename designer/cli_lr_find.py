"""``designer lr-find``: sweep the learning rate and suggest one (designer.train.lr_find).

Nothing of the project changes: the sweep trains a fresh module in memory and
writes only the picture asked for with --out.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from designer.cli import OK, UsageError
from designer.project.settings import DEVICES

if TYPE_CHECKING:
    from designer.train.lr_find import LrFindResult

TABLE_ROWS = 12
MIN_STEPS, MAX_STEPS = 8, 100_000  # a sweep longer than a long training run is a typo
PLOT_SIZE = (640, 400)
MARGIN = 56


def register(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "lr-find",
        help="sweep the learning rate over a few hundred batches and suggest one",
        description=(
            "Train a fresh copy of the design for a few hundred batches while the learning rate grows exponentially from --min to --max, "
            "and suggest the rate where the smoothed loss falls fastest. The project and its weights are not changed. "
            "Exit 0 on success, 1 when the design has problems, 2 on unusable input."
        ),
    )
    command.add_argument("file", metavar="FILE", help="project file (.nnd)")
    command.add_argument("--min", type=float, default=1e-7, metavar="LR", help="first learning rate (default 1e-7)")
    command.add_argument("--max", type=float, default=10.0, metavar="LR", help="last learning rate (default 10)")
    command.add_argument("--steps", type=int, metavar="N", help="batches in the sweep (default: 200, fewer for small data, at least 50)")
    command.add_argument("--device", choices=DEVICES, help="default: the project's training device")
    command.add_argument("--out", metavar="PNG", help="also draw the loss against the learning rate into this PNG file")
    command.add_argument("--json", action="store_true", help="print the sweep and the suggestion as JSON instead of a table")
    command.set_defaults(handler=_lr_find)


def _lr_find(args: argparse.Namespace) -> int:
    from designer.cli import _load
    from designer.cli_train import _data, _print_problems
    from designer.train import DesignProblems, TrainError, TrainSettings, pick_device, prepare
    from designer.train.lr_find import find_lr
    from designer.train.memory import check_design_memory

    if not 0 < args.min < args.max:
        raise UsageError(f"the learning rates must satisfy 0 < --min < --max, not {args.min:g} and {args.max:g}")
    if args.steps is not None and not MIN_STEPS <= args.steps <= MAX_STEPS:
        raise UsageError(f"--steps must be at least {MIN_STEPS} and at most {MAX_STEPS:,}, not {args.steps}")
    if args.out and Path(args.out).suffix.lower() != ".png":
        raise UsageError(f"--out must name a .png file, not {args.out}")
    project = _load(args.file)
    try:
        settings = TrainSettings.from_mapping(project.training, **({"device": args.device} if args.device else {}))
        bundle = _data(project, args.file)
        compiled = prepare(project, bundle)
        check_design_memory(project.graph, pick_device(settings.device), settings.batch_size, training=True)
        result = find_lr(compiled, bundle, settings, min_lr=args.min, max_lr=args.max, steps=args.steps)
    except DesignProblems as exc:
        return _print_problems(args.file, exc)
    except TrainError as exc:
        raise UsageError(str(exc)) from None
    if args.out:
        try:
            _plot(result, Path(args.out))
        except OSError as exc:
            raise UsageError(f"{args.out}: cannot write the picture: {exc.strerror or exc}") from None
    if args.json:
        print(json.dumps(result.as_dict()))
        return OK
    print(
        f"suggested learning rate: {result.suggestion:.2g} (steepest fall of the smoothed loss; "
        f"lowest loss at {result.lowest_lr:.2g}, a tenth of that {result.lowest_over_10:.2g})"
    )
    print(_table(result))
    if args.out:
        print(f"wrote {args.out}")
    return OK


def _table(result: LrFindResult) -> str:
    """Some rows of the sweep, evenly spaced, with the suggestion marked."""
    n = len(result.lrs)
    rows = sorted({round(i * (n - 1) / (TABLE_ROWS - 1)) for i in range(TABLE_ROWS)} | {int(abs(result.lrs - result.suggestion).argmin())})
    lines = ["learning rate   smoothed loss"]
    for i in rows:
        mark = "  <- suggested" if result.lrs[i] == result.suggestion else ""
        lines.append(f"{result.lrs[i]:>13.3g}   {result.smoothed[i]:>13.4g}{mark}")
    if result.diverged:
        lines.append(f"(stopped at {result.lrs[-1]:.3g}: the loss diverged)")
    return "\n".join(lines)


def _plot(result: LrFindResult, path: Path) -> None:
    """Smoothed loss against log learning rate, the suggestion as a vertical line (Pillow)."""
    from PIL import Image, ImageDraw

    width, height = PLOT_SIZE
    image = Image.new("RGB", PLOT_SIZE, "white")
    draw = ImageDraw.Draw(image)
    x_lo, x_hi = math.log10(result.lrs[0]), math.log10(result.lrs[-1])
    y_lo, y_hi = float(result.smoothed.min()), float(result.smoothed.max())
    y_hi = y_hi if y_hi > y_lo else y_lo + 1.0

    def at(lr: float, loss: float) -> tuple[float, float]:
        x = MARGIN + (math.log10(lr) - x_lo) / max(x_hi - x_lo, 1e-12) * (width - 2 * MARGIN)
        y = height - MARGIN - (loss - y_lo) / (y_hi - y_lo) * (height - 2 * MARGIN)
        return x, y

    draw.rectangle([MARGIN, MARGIN, width - MARGIN, height - MARGIN], outline="black")
    for decade in range(math.ceil(x_lo), math.floor(x_hi) + 1):
        x, _ = at(10.0**decade, y_lo)
        draw.line([x, height - MARGIN, x, height - MARGIN + 5], fill="black")
        draw.text((x - 12, height - MARGIN + 8), f"1e{decade}", fill="black")
    draw.text((MARGIN, MARGIN - 20), f"loss {y_lo:.3g} .. {y_hi:.3g}", fill="black")
    draw.text((width // 2 - 40, height - 22), "learning rate", fill="black")
    sx, _ = at(result.suggestion, y_lo)
    draw.line([sx, MARGIN, sx, height - MARGIN], fill=(214, 39, 40), width=1)
    draw.text((sx + 4, MARGIN + 4), f"{result.suggestion:.2g}", fill=(214, 39, 40))
    draw.line([at(lr, loss) for lr, loss in zip(result.lrs, result.smoothed, strict=True)], fill=(31, 119, 180), width=2)
    image.save(path, "PNG")
