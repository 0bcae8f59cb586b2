"""Extra callbacks on the window's run: what they publish on the training
thread arrives on the UI thread batched with the metrics, in order."""

from __future__ import annotations

from pathlib import Path

from trainingkit import tiny_project as tiny_spirals

from designer.project import load_project
from designer.train import Callback
from designer.train.callbacks import BatchStep
from designer.ui.training.worker import MetricsBuffer, Publish, TrainingRun


class EveryBatch(Callback):
    def __init__(self, publish: Publish) -> None:
        self.publish = publish

    def on_batch_end(self, step: BatchStep) -> None:
        self.publish("step", step.step)


def test_watchers_news_arrives_batched_and_in_order(qtbot, tmp_path: Path) -> None:
    project = load_project(tiny_spirals(tmp_path / "tiny.nnd", epochs=3))
    run = TrainingRun(project, watchers=[EveryBatch])
    news: list[list[tuple[str, object]]] = []
    run.observed.connect(news.append)
    with qtbot.waitSignal(run.ended, timeout=60_000):
        run.start()
    assert run.wait(10_000)
    steps = [item for batch in news for kind, item in batch if kind == "step"]
    assert steps == list(range(1, 16))  # 3 epochs of 5 batches, none lost, none twice
    assert len(news) < len(steps)  # batched, not one signal per batch


def test_news_fills_the_buffer_like_metrics() -> None:
    buffer = MetricsBuffer()
    assert buffer.add_news("a", 1) and not buffer.add_news("b", 2)
    assert buffer.drain_news() == [("a", 1), ("b", 2)] and buffer.drain_news() == []
