"""Callback objects: hooks in order, several combined, the plain-function adapter."""

from __future__ import annotations

import pytest
import torch
from trainkit import classification_bundle, mlp

from designer.train import Callback, Callbacks, Trainer, TrainSettings


def settings(**values) -> TrainSettings:
    return TrainSettings.from_mapping({"epochs": 2, "batch_size": 100, "device": "cpu", **values})


class Recorder(Callback):
    def __init__(self) -> None:
        self.events: list[str] = []
        self.grads_at_end: list[bool] = []
        self.changed: list[bool] = []
        self._before: torch.Tensor | None = None

    def on_run_start(self, run) -> None:
        self.run = run
        self.events.append("start")

    def on_batch_start(self, epoch, batch) -> None:
        self._before = next(self.run.module.parameters()).detach().clone()
        self.events.append(f"batch {epoch}.{batch}")

    def on_batch_end(self, step) -> None:
        first = next(self.run.module.parameters())
        self.grads_at_end.append(first.grad is not None and bool(first.grad.abs().sum() > 0))
        self.changed.append(not torch.equal(first.detach(), self._before))
        self.events.append(f"end {step.epoch}.{step.batch} step {step.step}")

    def on_epoch_end(self, metrics) -> None:
        self.events.append(f"epoch {metrics.epoch}")

    def on_run_end(self, result) -> None:
        self.events.append(f"run {result.status}")


class OnlyEpochs(Callback):
    def __init__(self) -> None:
        self.epochs: list[int] = []

    def on_epoch_end(self, metrics) -> None:
        self.epochs.append(metrics.epoch)


def test_hooks_run_in_loop_order_with_this_steps_gradients() -> None:
    recorder = Recorder()
    result = Trainer(mlp(2, 2), classification_bundle(n=400), settings(), recorder).run()
    assert result.ok
    assert recorder.events == [
        "start",
        "batch 1.1", "end 1.1 step 1", "batch 1.2", "end 1.2 step 2", "batch 1.3", "end 1.3 step 3", "epoch 1",
        "batch 2.1", "end 2.1 step 4", "batch 2.2", "end 2.2 step 5", "batch 2.3", "end 2.3 step 6", "epoch 2",
        "run finished",
    ]  # fmt: skip
    assert all(recorder.grads_at_end) and all(recorder.changed)
    assert recorder.run.batches_per_epoch == 3 and recorder.run.is_main


def test_a_list_combines_objects_and_the_function_adapter() -> None:
    reports, ends = [], []
    only = OnlyEpochs()
    adapter = Callbacks(on_batch=reports.append, on_end=ends.append)
    result = Trainer(mlp(2, 2), classification_bundle(), settings(), [only, adapter]).run()
    assert only.epochs == [1, 2] and ends == [result]
    assert reports and reports[-1].batch == reports[-1].batches


def test_callbacks_can_be_replaced_before_the_run_and_wrong_objects_are_refused() -> None:
    trainer = Trainer(mlp(2, 2), classification_bundle(), settings(epochs=1))
    only = OnlyEpochs()
    trainer.callbacks = only
    trainer.run()
    assert only.epochs == [1]
    with pytest.raises(TypeError, match="designer.train.Callback"):
        Trainer(mlp(2, 2), classification_bundle(), settings(), [print])


def test_batch_every_calls_the_batch_hooks_on_every_nth_batch_of_each_epoch() -> None:
    class Sparse(Recorder):
        batch_every = 2

    every, sparse = Recorder(), Sparse()
    result = Trainer(mlp(2, 2), classification_bundle(n=400), settings(batch_size=80), [sparse, every]).run()
    assert result.ok
    batches = [e for e in every.events if e.startswith(("batch", "end"))]
    assert len(batches) == 2 * 2 * 4  # four batches an epoch (320 training samples), each hook on every one
    assert [e for e in sparse.events if e.startswith(("batch", "end"))] == [
        "batch 1.1", "end 1.1 step 1", "batch 1.3", "end 1.3 step 3",
        "batch 2.1", "end 2.1 step 5", "batch 2.3", "end 2.3 step 7",
    ]  # fmt: skip
    assert all(sparse.changed) and all(sparse.grads_at_end)  # the same before/after as on every batch


def test_batch_hooks_of_callbacks_with_different_intervals_keep_the_lists_order() -> None:
    calls: list[str] = []

    class Named(Callback):
        def __init__(self, name: str, every: int) -> None:
            self.name, self.batch_every = name, every

        def on_batch_start(self, epoch, batch) -> None:
            calls.append(f"{self.name} start {epoch}.{batch}")

        def on_batch_end(self, step) -> None:
            calls.append(f"{self.name} end {step.epoch}.{step.batch}")

    Trainer(mlp(2, 2), classification_bundle(n=400), settings(batch_size=80, epochs=1), [Named("a", 1), Named("b", 3), Named("c", 1)]).run()
    assert calls[:8] == ["a start 1.1", "b start 1.1", "c start 1.1", "a end 1.1", "b end 1.1", "c end 1.1", "a start 1.2", "c start 1.2"]


@pytest.mark.parametrize("every", [0, -2, 1.5, True, "3"])
def test_a_batch_interval_that_is_no_whole_number_from_1_is_refused_when_the_trainer_is_made(every) -> None:
    class Odd(Recorder):
        batch_every = every

    with pytest.raises(ValueError, match="Odd.batch_every must be a whole number from 1"):
        Trainer(mlp(2, 2), classification_bundle(), settings(), [Odd()])
