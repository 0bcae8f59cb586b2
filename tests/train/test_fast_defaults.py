"""The defaults that make training faster than a hand-written loop: the
thread count a run trains with (one for a small design, where more only slow
it down; torch's default for a large one; the user's number when set; the
process's own setting given back after the run) and fused optimizer steps."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from trainingkit import tiny_project

from designer.project import load_project
from designer.project.settings import TRAINING_FLAGS, training_param
from designer.train import Callback, Trainer, TrainSettings, load_bundle, prepare
from designer.train.threads import MANY_THREADS_MACS, choose_threads


def test_auto_picks_one_thread_for_a_small_step_and_torchs_default_for_a_large_one() -> None:
    assert choose_threads(0, macs_per_sample=4_352, batch_size=32, default=8) == 1
    assert choose_threads(0, macs_per_sample=MANY_THREADS_MACS // 32, batch_size=32, default=8) == 8
    assert choose_threads(3, macs_per_sample=10, batch_size=1, default=8) == 3  # the user's number wins


class ThreadsSeen(Callback):
    def __init__(self) -> None:
        self.seen: set[int] = set()

    def on_batch_end(self, step) -> None:
        self.seen.add(torch.get_num_threads())


@pytest.mark.parametrize(("threads", "expected"), [(0, 1), (2, 2)])
def test_a_run_trains_with_its_threads_and_gives_the_setting_back(tmp_path: Path, threads: int, expected: int) -> None:
    project = load_project(tiny_project(tmp_path / "tiny.nnd", threads=threads))
    bundle = load_bundle(project)
    compiled = prepare(project, bundle)
    assert compiled.macs_per_sample == 2 * 16 + 16 * 2  # the summary's count reaches the trainer
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        seen = ThreadsSeen()
        Trainer(compiled, bundle, TrainSettings.from_mapping(project.training), [seen]).run()
        assert seen.seen == {expected}
        assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(before)


def test_the_command_line_flag_and_the_setting_are_one_declaration() -> None:
    assert TRAINING_FLAGS["--threads"] == "threads"
    param = training_param("threads")
    assert param.default == 0 and param.min == 0
    with pytest.raises(Exception, match="threads"):
        TrainSettings.from_mapping({"threads": -1})


@pytest.mark.parametrize(("name", "fused"), [("adam", True), ("adamw", True), ("sgd", True), ("rmsprop", False)])
def test_optimizers_take_one_fused_step_where_torch_has_one(name: str, fused: bool) -> None:
    from designer.train.optim import make_optimizer

    module = torch.nn.Linear(3, 2)
    optimizer = make_optimizer(module.parameters(), TrainSettings.from_mapping({"optimizer": name}))
    assert bool(optimizer.defaults.get("fused")) is fused
    assert optimizer.defaults.get("foreach") is (None if fused else True)  # never torch's per-tensor loop
