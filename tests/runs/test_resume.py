"""Resuming a recorded run: a stopped run goes on from its checkpoint and
ends with exactly the weights of a run that never stopped (CPU, same seed),
its files holding each epoch once."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from runkit import StopAfter, project, record_run

from designer.runs import load_resume, read_run
from designer.train import FINISHED


def test_a_stopped_run_resumed_ends_with_the_weights_of_an_uninterrupted_one(tmp_path: Path) -> None:
    tiny = project(tmp_path, epochs=5, schedule="step", step_size=2)
    straight = record_run(tiny).trainer.result.last_state
    stopped = record_run(tiny, before=[StopAfter(2)])
    state = load_resume(stopped.folder)
    assert state[0].threads == stopped.trainer.result.threads == 1  # the count it trained with, kept for the rest
    resumed = record_run(tiny, resume=state, folder=stopped.folder)
    assert resumed.folder == stopped.folder and resumed.trainer.result.status == FINISHED
    weights = resumed.trainer.result.last_state
    assert all(torch.equal(straight[name], weights[name]) for name in straight)
    run = read_run(stopped.folder)
    assert run.status == FINISHED and [m.epoch for m in run.epochs] == [1, 2, 3, 4, 5]
    x = run.batch_x.view()
    assert len(x) == 25 and (x[1:] > x[:-1]).all()  # each batch once, in order
    assert not run.resumable  # finished: its checkpoint is gone


def test_a_checkpoint_whose_thread_count_is_not_a_count_still_resumes(tmp_path: Path) -> None:
    from safetensors import safe_open
    from safetensors.torch import save_file

    from designer.runs.checkpoint import INFO_KEY
    from designer.runs.layout import CHECKPOINT

    stopped = record_run(project(tmp_path, epochs=3), before=[StopAfter(1)])
    path = stopped.folder / CHECKPOINT
    with safe_open(str(path), framework="pt") as handle:
        header, tensors = handle.metadata(), {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
    for junk in ("two", -3, 10**9, True):
        info = json.loads(header[INFO_KEY])
        info["threads"] = junk
        save_file(tensors, str(path), metadata={INFO_KEY: json.dumps(info)})
        state, _ = load_resume(stopped.folder)
        assert state.threads == 0 and state.epoch == 1  # chosen again; nothing else lost
