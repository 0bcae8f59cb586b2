"""Batches: shuffled, sharded across processes, equal counts per process; CSV output."""

from __future__ import annotations

import torch
from trainkit import classification_bundle, mlp

from designer.train import Trainer, TrainSettings, write_metrics_csv
from designer.train.batches import index_batches


def test_shards_cover_every_sample_with_equal_batch_counts() -> None:
    shards = [index_batches(10, 2, torch.Generator().manual_seed(0), rank, 3) for rank in range(3)]
    assert len({len(s) for s in shards}) == 1
    seen = torch.cat([torch.cat(s) for s in shards])
    assert len(seen) == 12 and set(seen.tolist()) == set(range(10))  # padded by repeating two samples


def test_validation_shards_are_not_padded() -> None:
    shards = [torch.cat(index_batches(10, 4, None, rank, 3, pad=False)) for rank in range(3)]
    assert sorted(torch.cat(shards).tolist()) == list(range(10))


def test_metrics_csv_has_one_row_per_epoch(tmp_path) -> None:
    s = TrainSettings.from_mapping({"epochs": 2, "device": "cpu"})
    result = Trainer(mlp(2, 2), classification_bundle(n=100), s).run()
    path = write_metrics_csv(tmp_path / "metrics.csv", result.epochs)
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,train_loss,val_loss,train_accuracy,val_accuracy,lr,seconds"
    assert [line.split(",")[0] for line in lines[1:]] == ["1", "2"]
    empty = write_metrics_csv(tmp_path / "empty.csv", [], "mae")
    assert empty.read_text() == "epoch,train_loss,val_loss,train_mae,val_mae,lr,seconds\n"


def test_device_side_reporting_reads_losses_in_bulk() -> None:
    """The GPU path (losses kept in a device buffer), exercised on the CPU."""
    from designer.train.reporting import BatchLosses, SplitTotals

    losses, totals = BatchLosses(3, torch.device("cpu"), False), SplitTotals(torch.device("cpu"), False)
    losses._host = totals._host = False  # as on a GPU
    full = [losses.add(torch.tensor(v), stop=False) for v in (1.0, 2.0, 3.0)]
    assert full == [False, False, True] and losses.flush() == ([1.0, 2.0, 3.0], False)
    losses.add(torch.tensor(4.0), stop=True)
    assert losses.flush() == ([4.0], True)
    totals.add(torch.tensor(0.5), torch.tensor(3), 4)
    totals.add(torch.tensor(1.0), torch.tensor(1), 4)
    assert totals.finish() == totals.peek() and (totals.peek().loss, totals.peek().metric, totals.peek().count) == (0.75, 0.5, 8)


def test_a_last_batch_of_one_joins_the_one_before() -> None:
    batches = index_batches(9, 4, torch.Generator().manual_seed(0))
    assert [len(b) for b in batches] == [4, 5]
    assert [len(b) for b in index_batches(9, 4, None, pad=False)] == [4, 4, 1]  # evaluation keeps it
