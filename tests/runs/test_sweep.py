"""Sweeps: a 6-trial sweep of the spirals MLP runs in two processes, each
trial a recorded run, and its best trial applies to the design; mistakes in
what to vary are one line before anything trains."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from paths import sample

from designer.cli import main
from designer.project import load_project
from designer.runs import RunStore


def test_a_six_trial_sweep_of_the_spirals_mlp_runs_in_two_processes_and_its_best_applies(tmp_path: Path, capsys) -> None:
    project = Path(shutil.copy(sample("spirals_mlp"), tmp_path / "spirals_mlp.nnd"))
    code = main([
        "sweep", str(project), "--param", "training.learning_rate=log:1e-3:1e-1", "--param", "dense1.out_features=8,16,32",
        "--param", "training.epochs=4", "--trials", "6", "--jobs", "2", "--study", "s1", "--apply",
    ])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    runs, unreadable = RunStore.of(project).read_all(with_weights=False)
    assert unreadable == [] and len(runs) == 6 and {r.origin for r in runs} == {"sweep"}
    assert sorted(r.sweep["trial"] for r in runs) == list(range(6)) and {r.sweep["study"] for r in runs} == {"s1"}
    assert len({(r.sweep["params"]["training.learning_rate"], r.sweep["params"]["dense1.out_features"]) for r in runs}) == 6
    done = [r for r in runs if not r.sweep["pruned"]]
    best = max(done, key=lambda r: r.sweep["value"])
    assert best.sweep["value"] == best.best_metric and f"best: trial {best.sweep['trial']} ({best.id})" in out
    applied = load_project(project)
    assert applied.training["learning_rate"] == best.settings["learning_rate"] and applied.training["epochs"] == 4
    assert applied.graph.node("dense1").params["out_features"] == best.sweep["params"]["dense1.out_features"]
    assert all(r.settings["epochs"] == 4 for r in runs) and all(len(r.epochs) <= 4 for r in runs)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (["dense9.out_features=8,16"], "the design has no node 'dense9'"),
        (["dense1.out_features=0,8"], "out_features"),
        (["training.learning_rate=log:0:1"], "a log range must stay above 0"),
        (["training.epochs=3"], "nothing to search"),
        (["learning_rate"], "write NAME=VALUES"),
    ],
)
def test_mistakes_in_what_to_vary_are_one_line(params: list[str], message: str, tmp_path: Path, capsys) -> None:
    project = shutil.copy(sample("spirals_mlp"), tmp_path / "spirals_mlp.nnd")
    code = main(["sweep", str(project), *[item for p in params for item in ("--param", p)], "--trials", "2"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("designer: error: ") and err.count("\n") == 1 and message in err, err
    assert not RunStore.of(project).run_folders()
