"""``designer sweep``: try many settings and node parameters, each trial a
recorded run, searched by Optuna (designer.runs.sweep)."""

from __future__ import annotations

import argparse
import sys

from designer.cli import OK, UsageError


def register(commands: argparse._SubParsersAction) -> None:
    sweep = commands.add_parser(
        "sweep",
        help="search training settings and node parameters with Optuna; each trial a recorded run",
        description=(
            "Train FILE's design many times with the values each --param gives, searched by Optuna (TPE by default, random, or a grid), "
            "stopping poor trials early. Each trial is a run recorded in NAME.runs beside FILE. "
            "--param forms: NAME=8,16,32 (these values), NAME=log:1e-4:1e-1 (log-uniform), NAME=float:0:0.5, NAME=int:8:64[:STEP], "
            "NAME=VALUE (fixed for every trial); NAME is training.SETTING or NODE.PARAMETER. "
            "With --storage URL (an Optuna storage such as sqlite:///sweeps.db or postgresql://...) and the same --study, "
            "sweeps on several machines share one study. Exit 0 when a trial completed, 1 when none did, 2 on unusable input."
        ),
    )
    sweep.add_argument("file", metavar="FILE", help="project file (.nnd)")
    sweep.add_argument("--param", action="append", default=[], metavar="NAME=SPEC", help="a value to vary (repeat for several)")
    sweep.add_argument("--trials", type=int, default=20, metavar="N", help="how many trials in all (default 20)")
    sweep.add_argument("--jobs", type=int, default=1, metavar="J", help="trials at once, each in its own process (default 1)")
    sweep.add_argument("--sampler", choices=("tpe", "random", "grid"), default="tpe", help="how values are picked (default tpe)")
    sweep.add_argument("--objective", choices=("metric", "loss"), default="metric", help="the best validation metric (default) or loss")
    sweep.add_argument("--no-prune", action="store_true", help="train every trial to its end (by default poor ones stop early)")
    sweep.add_argument("--storage", metavar="URL", help="an Optuna storage URL (default: a journal file in NAME.runs)")
    sweep.add_argument("--study", metavar="NAME", help="the study's name (the same name and storage continue or share a study)")
    sweep.add_argument("--seed", type=int, default=0, help="the sampler's seed (default 0)")
    sweep.add_argument("--apply", action="store_true", help="write the best trial's values into FILE at the end")
    sweep.set_defaults(handler=_sweep)


def _sweep(args: argparse.Namespace) -> int:
    from designer.data import DataError
    from designer.project import ProjectError, save_project
    from designer.runs.formatting import metric_text
    from designer.runs.sweep import SweepSpec, TrialResult, best_values, run_sweep
    from designer.runs.sweep_params import SweepError, apply_params, parse_param
    from designer.train import DesignProblems, TrainError

    try:
        params = [parse_param(text) for text in args.param]
        spec = SweepSpec(
            args.file, params, args.trials, args.jobs, args.sampler, not args.no_prune, args.objective, args.storage, args.study or "", args.seed
        )
    except SweepError as exc:
        raise UsageError(str(exc)) from None
    shown: dict[str, str] = {}

    def on_trial(trial: TrialResult) -> None:
        if trial.state == "complete":
            value = metric_text(shown.get("metric", "accuracy"), trial.value) if args.objective == "metric" else f"loss {trial.value:.4g}"
        else:
            value = trial.state
        values = ", ".join(f"{k}={_short(v)}" for k, v in trial.params.items())
        print(f"trial {trial.number}: {value}  {values}  {trial.run}", flush=True)

    try:
        from designer.runs.sweep import prepare_sweep

        prepared = prepare_sweep(spec)
        shown["metric"] = prepared[1]
        summary = run_sweep(spec, on_trial, prepared)
    except (SweepError, ProjectError, DataError, TrainError) as exc:
        raise UsageError(str(exc)) from None
    except DesignProblems as exc:
        for problem in exc.problems:
            print(f"{args.file}: {problem.node or 'design'}: {problem.severity}: {problem.message}", file=sys.stderr)
        return 1
    best = summary.best
    counts = {state: sum(t.state == state for t in summary.trials) for state in ("complete", "pruned", "fail")}
    print(f"study {summary.study}: {counts['complete']} complete, {counts['pruned']} pruned, {counts['fail']} failed")
    if best is None:
        print("no trial completed", file=sys.stderr)
        return 1
    values = best_values(summary, spec)
    score = metric_text(summary.metric_name, best.value) if args.objective == "metric" else f"loss {best.value:.4g}"
    print(f"best: trial {best.number} ({best.run}): {score} with {', '.join(f'{k}={_short(v)}' for k, v in values.items())}")
    if args.apply:
        from designer.project import load_project

        project = load_project(args.file)
        applied = apply_params(project, values)
        save_project(applied, args.file)
        print(f"applied the best trial's values to {args.file}")
    return OK


def _short(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
