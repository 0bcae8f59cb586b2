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

    losses, totals = BatchLosses(3, torch.device("cpu"), False), SplitTotals(torch.device("cpu"), False, correct)
    losses._host = totals._host = False  # as on a GPU
    full = [losses.add(torch.tensor(v), stop=False) for v in (1.0, 2.0, 3.0)]
    assert full == [False, False, True] and losses.flush() == ([1.0, 2.0, 3.0], False)
    losses.add(torch.tensor(4.0), stop=True)
    assert losses.flush() == ([4.0], True)
    totals.add(torch.tensor(0.5), *batch([1, 1, 1, 0]), 4)  # three right
    totals.add(torch.tensor(1.0), *batch([0, 1, 0, 0]), 4)
    assert totals.finish() == totals.peek() and (totals.peek().loss, totals.peek().metric, totals.peek().count) == (0.75, 0.5, 8)


def correct(output: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (output.argmax(dim=1) == y).sum()


def batch(right: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Outputs for two classes and targets, the outputs right where ``right`` says so."""
    y = torch.arange(len(right)) % 2
    predicted = torch.where(torch.tensor(right, dtype=torch.bool), y, 1 - y)
    return torch.nn.functional.one_hot(predicted, 2).float(), y


def test_on_the_cpu_losses_are_reported_by_time_and_the_metric_read_in_bulk(monkeypatch) -> None:
    from designer.train import reporting

    now = [0.0]
    monkeypatch.setattr(reporting.time, "perf_counter", lambda: now[0])
    losses = reporting.BatchLosses(0, torch.device("cpu"), False)
    assert [losses.add(torch.tensor(v), stop=False) for v in (1.0, 2.0)] == [False, False]
    now[0] += reporting.REPORT_S
    assert losses.add(torch.tensor(3.0), stop=False)
    assert losses.flush() == ([1.0, 2.0, 3.0], False)
    assert not losses.add(torch.tensor(4.0), stop=False)  # the time counts from the last report

    calls = []
    totals = reporting.SplitTotals(torch.device("cpu"), False, lambda o, y: (calls.append(len(y)), correct(o, y))[1])
    for right in ([1, 1, 1, 0], [0, 1, 0, 0], [1, 1, 1, 1]):
        totals.add(torch.tensor(0.5), *batch(right), 4)
    assert calls == []  # nothing read yet
    assert totals.peek().metric == 8 / 12 and calls == [12]  # one call for the three batches
    totals.add(torch.tensor(0.5), *batch([0, 0, 0, 0]), 4)
    assert totals.finish().metric == 8 / 16 and calls == [12, 4]
    monkeypatch.setattr(reporting, "PENDING_BYTES", 64)  # outputs kept up to a bound: then read
    bounded = reporting.SplitTotals(torch.device("cpu"), False, lambda o, y: (calls.append(len(y)), correct(o, y))[1])
    for right in ([1, 1, 1, 0], [0, 1, 0, 0], [1, 1, 1, 1]):
        bounded.add(torch.tensor(0.5), *batch(right), 4)
    assert calls[2:] == [8] and bounded.finish().metric == 8 / 12 and calls[2:] == [8, 4]


def test_a_last_batch_of_one_joins_the_one_before() -> None:
    batches = index_batches(9, 4, torch.Generator().manual_seed(0))
    assert [len(b) for b in batches] == [4, 5]
    assert [len(b) for b in index_batches(9, 4, None, pad=False)] == [4, 4, 1]  # evaluation keeps it


def test_a_stop_or_pause_makes_a_lone_processs_losses_due_at_once_but_not_one_of_several() -> None:
    from designer.train.reporting import BatchLosses

    alone = BatchLosses(20, torch.device("cpu"), False)
    alone._host = False  # the device buffer, as on a GPU
    assert not alone.add(torch.tensor(1.0), stop=False)
    assert alone.add(torch.tensor(2.0), stop=False, hold=True) and alone.flush() == ([1.0, 2.0], False)
    assert alone.add(torch.tensor(3.0), stop=True) and alone.flush() == ([3.0], True)
    several = BatchLosses(20, torch.device("cpu"), True)  # each reads in an all-reduce: only at the same batch
    assert not several.add(torch.tensor(1.0), stop=True, hold=True)
