"""Pause, resume and stop from another thread take effect within one batch."""

from __future__ import annotations

import threading
import time

import torch
from trainkit import classification_bundle

from designer.train import FINISHED, STOPPED, Callbacks, Trainer, TrainSettings


def settings(**values) -> TrainSettings:
    return TrainSettings.from_mapping({"epochs": 50, "batch_size": 8, "device": "cpu", **values})


def test_stop_from_another_thread_ends_within_one_batch(classifier) -> None:
    seen: list[int] = []
    first_batch = threading.Event()

    def on_batch(report) -> None:
        seen.append(report.batch)
        first_batch.set()
        time.sleep(0.002)  # a slow batch, so the stop lands mid-run

    trainer = Trainer(classifier, classification_bundle(), settings(), Callbacks(on_batch=on_batch))
    worker = threading.Thread(target=lambda: trainer.run())
    worker.start()
    assert first_batch.wait(10)
    trainer.stop()
    stopped_at = len(seen)
    worker.join(10)
    assert not worker.is_alive()
    result = trainer.result
    assert result.status == STOPPED and "stopped at epoch" in result.message
    assert len(seen) <= stopped_at + 1  # at most the batch that was running
    # A stopped run keeps loadable weights: the ones it had reached.
    fresh = classifier.new_module()
    fresh.load_state_dict(result.kept_state)
    assert all(torch.isfinite(t).all() for t in result.kept_state.values())


def test_pause_holds_before_the_next_batch_and_resume_goes_on(classifier) -> None:
    seen: list[float] = []
    trainer = Trainer(
        classifier, classification_bundle(n=200), settings(epochs=2), Callbacks(on_batch=lambda r: seen.extend([time.perf_counter()] * len(r.losses)))
    )
    trainer.pause()
    assert trainer.paused
    worker = threading.Thread(target=trainer.run)
    worker.start()
    time.sleep(0.3)
    assert seen == []  # paused before the first batch
    trainer.resume()
    worker.join(20)
    assert trainer.result.status == FINISHED and len(seen) == 2 * 19
    # Time spent paused does not count in the epoch's time or its samples/s.
    assert trainer.result.epochs[0].seconds < 0.3


def test_stop_while_paused_ends_the_run(classifier) -> None:
    trainer = Trainer(classifier, classification_bundle(), settings())
    trainer.pause()
    worker = threading.Thread(target=trainer.run)
    worker.start()
    time.sleep(0.1)
    trainer.stop()
    worker.join(10)
    assert trainer.result.status == STOPPED and trainer.result.epochs == []
    assert trainer.result.kept_state is not None  # the initial weights, still loadable


def test_a_pause_reports_every_batch_done_before_it_holds(classifier) -> None:
    reported: list[tuple[int, int]] = []
    first = threading.Event()

    def on_batch(report) -> None:
        reported.extend((report.epoch, report.batch - len(report.losses) + 1 + i) for i in range(len(report.losses)))
        first.set()

    trainer = Trainer(classifier, classification_bundle(n=40_000), settings(), Callbacks(on_batch=on_batch))  # long epochs
    worker = threading.Thread(target=trainer.run)
    worker.start()
    assert first.wait(10)
    trainer.pause()
    time.sleep(0.3)  # the batch running finishes, then the run holds
    epoch, batch = reported[-1]
    try:
        assert trainer.paused and trainer.position in ((epoch, batch + 1), (epoch + 1, 1))  # held before the next batch
    finally:
        trainer.stop()
        worker.join(10)
