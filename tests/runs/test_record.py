"""Run records in their folder beside the project: written as the run goes,
read back whole, thinned and pruned to stay small, and hostile or broken
folders reported with a reason, never loaded half."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import torch
from runkit import StopAfter, project, record_run

from designer.runs import CRASHED, RunStore, load_resume, read_run
from designer.runs.layout import BATCHES, CHECKPOINT, EPOCHS, RUN_FILE, WEIGHTS
from designer.runs.recorder import Thinning
from designer.train import FINISHED, STOPPED


def test_a_recorded_run_reads_back_with_its_curves_design_results_and_weights(tmp_path: Path) -> None:
    tiny = project(tmp_path, epochs=3)
    recorder = record_run(tiny)
    folder = recorder.folder
    assert folder == tmp_path / "tiny.runs" / "run-0001"
    runs, unreadable = RunStore.of(tiny.path).read_all()
    assert unreadable == [] and len(runs) == 1
    run = runs[0]
    assert (run.id, run.number, run.status, run.origin, run.device) == ("run-0001", 1, FINISHED, "command line", "CPU, 1 thread")
    assert [m.epoch for m in run.epochs] == [1, 2, 3] and len(run.batch_x) == 3 * 5
    assert run.batch_x.view()[-1] == pytest.approx(3.0) and run.settings["epochs"] == 3
    assert run.snapshot.graph.fingerprint() == tiny.graph.fingerprint() == run.fingerprint
    assert run.outcome.views.confusion.sum() == 40 and run.outcome.views.boundary is not None
    kept = run.outcome.result.kept_state  # the only run is the best one: its weights are kept
    assert kept is not None and all(torch.equal(kept[k], recorder.trainer.module.state_dict()[k]) for k in kept)
    assert not (folder / CHECKPOINT).exists()  # a finished run needs no checkpoint
    assert run.result_text().startswith("finished, ") and "at epoch" in run.result_text()


def test_only_the_best_and_the_pinned_runs_keep_their_weights(tmp_path: Path) -> None:
    tiny = project(tmp_path, epochs=2)
    store = RunStore.of(tiny.path)
    first = record_run(tiny, {"learning_rate": 1e-5}).record  # learns nothing, but is the best so far
    assert (first.folder / WEIGHTS).exists()
    store.set_pinned(read_run(first.folder), True)
    second = record_run(tiny, {"learning_rate": 0.05, "epochs": 10}).record  # the best now
    third = record_run(tiny, {"learning_rate": 1e-5}).record
    assert second.best_metric > first.best_metric
    assert (first.folder / WEIGHTS).exists() and (second.folder / WEIGHTS).exists() and not (third.folder / WEIGHTS).exists()
    store.set_pinned(read_run(first.folder), False)
    assert not (first.folder / WEIGHTS).exists() and (second.folder / WEIGHTS).exists()
    store.delete(third.folder)
    assert [r.number for r in store.read_all()[0]] == [1, 2]


def test_batch_rows_are_thinned_past_the_limit_and_still_span_the_run() -> None:
    thinning = Thinning(limit=10)
    for start in range(0, 100, 7):
        xs = [i / 10 for i in range(start, min(start + 7, 100))]
        thinning.add(xs, [1.0] * len(xs), [0.5] * len(xs))
    thinning.finish()
    assert len(thinning.kept) <= 10 + 1 and thinning.stride == 16
    assert thinning.kept[0][0] < 1.0 and thinning.kept[-1][0] > 9.0  # first and last batches still on the axis


def test_a_stopped_run_keeps_a_checkpoint_and_its_epochs(tmp_path: Path) -> None:
    tiny = project(tmp_path, epochs=5)
    recorder = record_run(tiny, before=[StopAfter(2)])
    run = read_run(recorder.folder)
    assert run.status == STOPPED and [m.epoch for m in run.epochs] == [1, 2] and run.resumable
    state, extra = load_resume(recorder.folder)
    # checkpoints are written within 0.5% of the run's time: the first epoch's always, later ones as that allows
    assert state.epoch in (1, 2) and extra["stride"] == 1


def test_a_half_written_last_line_is_left_out(tmp_path: Path) -> None:
    recorder = record_run(project(tmp_path, epochs=2))
    with open(recorder.folder / EPOCHS, "a") as handle:
        handle.write("3,0.5,0.4")  # a process killed in the middle of a line
    with open(recorder.folder / BATCHES, "a") as handle:
        handle.write("2.2,0.")
    run = read_run(recorder.folder)
    assert len(run.epochs) == 2 and len(run.batch_x) == 10


def test_a_run_whose_process_died_reads_as_crashed(tmp_path: Path) -> None:
    recorder = record_run(project(tmp_path, epochs=1))
    meta = json.loads((recorder.folder / RUN_FILE).read_text())
    meta.update(status="running", pid=_dead_pid())
    (recorder.folder / RUN_FILE).write_text(json.dumps(meta))
    run = read_run(recorder.folder)
    assert run.status == CRASHED and "process ended" in run.message


def _dead_pid() -> int:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _break(folder: Path, how: str) -> None:
    meta_path = folder / RUN_FILE
    meta = json.loads(meta_path.read_text())
    if how == "not json":
        meta_path.write_text("{not json")
    elif how == "a list":
        meta_path.write_text("[1, 2]")
    elif how == "wrong type":
        meta["number"] = "seven"
        meta_path.write_text(json.dumps(meta))
    elif how == "newer version":
        meta["version"] = 99
        meta_path.write_text(json.dumps(meta))
    elif how == "other id":
        meta["id"] = "run-0009"
        meta_path.write_text(json.dumps(meta))
    elif how == "huge":
        meta_path.write_text(" " * (2 * 1024 * 1024) + "{}")
    elif how == "design":
        (folder / "design.nnd").write_text('{"format": "nn-designer", "version": 1, "nodes": [{"id": "x", "type": "Nope"}]}')
    elif how == "epochs":
        (folder / EPOCHS).write_text("epoch,train_loss,val_loss,train_metric,val_metric,lr,seconds,samples_per_second\n1,a,b\n")
    elif how == "link inside":
        (folder / EPOCHS).unlink()
        (folder / EPOCHS).symlink_to("/etc/passwd")
    elif how == "binary":
        meta_path.write_bytes(b"\xff\xfe\x00garbage")
    elif how == "missing":
        meta_path.unlink()


HOW = ["not json", "a list", "wrong type", "newer version", "other id", "huge", "design", "epochs", "link inside", "binary", "missing"]
REASONS = ["not valid JSON", "JSON object", "number", "newer than", "its folder is", "too large", "design cannot be read", "line 2", "a link", "UTF-8", "missing"]


def test_hostile_or_broken_folders_are_unreadable_with_a_reason(tmp_path: Path) -> None:
    tiny = project(tmp_path, epochs=1)
    good = record_run(tiny).folder
    store = RunStore.of(tiny.path)
    for how in HOW:  # a copy of the good run, renumbered, then broken
        target, number, folder = store.claim()
        os.rmdir(folder)
        shutil.copytree(good, folder)
        meta = json.loads((folder / RUN_FILE).read_text())
        meta["id"], meta["number"] = target, number
        (folder / RUN_FILE).write_text(json.dumps(meta))
        _break(folder, how)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (store.folder / "run-0099").symlink_to(outside, target_is_directory=True)
    (store.folder / "notes.txt").write_text("not a run")  # other names are not runs
    runs, unreadable = store.read_all()
    assert [r.id for r in runs] == ["run-0001"]
    reasons = {u.id: u.reason for u in unreadable}
    assert len(reasons) == len(HOW) + 1 and "is a link" in reasons.pop("run-0099")
    for (run, reason), expected in zip(sorted(reasons.items()), REASONS):
        assert expected in reason, (run, reason)
    store.delete(store.folder / "run-0099")  # a link is removed, never followed
    assert outside.is_dir() and not (store.folder / "run-0099").exists()
