"""``--nproc N`` really starts N processes: the launcher gives each its rank
and they talk to one another; the command hands the run to the launcher
instead of training in its own process."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import sample

import designer.train
from designer.cli import main
from designer.train import DistContext, TrainError, launch


def _rank_and_sum() -> tuple[int, int, float]:
    """In each process: its rank, the world size and the sum of every rank's rank + 1."""
    import torch
    import torch.distributed as dist

    from designer.train.distributed import close_process_group, init_process_group

    ctx = DistContext.from_env()
    assert ctx is not None
    init_process_group(ctx, "cpu")
    try:
        value = torch.tensor([ctx.rank + 1.0])
        dist.all_reduce(value)
        return ctx.rank, ctx.world, float(value)
    finally:
        close_process_group()


def test_launch_starts_one_process_per_rank_in_one_group(one_torch_thread) -> None:
    assert launch(2, _rank_and_sum) == {0: (0, 2, 3.0), 1: (1, 2, 3.0)}


def test_launch_refuses_fewer_than_one_process() -> None:
    with pytest.raises(TrainError, match="--nproc must be at least 1, not 0"):
        launch(0, _rank_and_sum)


def test_one_process_is_not_distributed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORLD_SIZE", "1")
    assert DistContext.from_env() is None
    monkeypatch.setenv("WORLD_SIZE", "3")
    monkeypatch.setenv("RANK", "2")
    monkeypatch.setenv("LOCAL_RANK", "0")
    assert DistContext.from_env() == DistContext(2, 3, 0) and not DistContext(2, 3, 0).is_main


def test_train_with_nproc_hands_the_run_to_the_launcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, list[str]]] = []

    def fake_launch(nproc: int, fn, argv: list[str]) -> dict[int, int]:
        calls.append((nproc, argv))
        return dict.fromkeys(range(nproc), 0)

    monkeypatch.setattr(designer.train, "launch", fake_launch)
    path = str(sample("spirals_mlp"))
    assert main(["train", path, "--epochs", "3", "--nproc", "2", "--out", str(tmp_path)]) == 0
    assert calls == [(2, ["train", path, "--epochs", "3", "--out", str(tmp_path)])]
    assert list(tmp_path.iterdir()) == []  # this process trained nothing itself
