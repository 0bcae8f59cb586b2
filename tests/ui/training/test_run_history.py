"""Runs that last, in the window: runs recorded by ``designer train`` show
with their curves, the window's own runs are written beside the project,
hostile folders are listed as unreadable, deleting asks first, a stopped run
resumes, two runs compare with the diff of their designs, and a run's
design opens on the canvas as one undo step."""

from __future__ import annotations

import gc
import json
import shutil
import time
from pathlib import Path

import pytest
from trainingkit import tiny_project

from designer.cli import main
from designer.runs import RunStore, read_run
from designer.runs.layout import RUN_FILE
from designer.train import FINISHED, STOPPED
from designer.ui import dialogs


def designer_train(*args: str) -> int:
    """``designer train`` in this process; it freezes the collector for its run, thawed here
    (frozen, the window's pyqtgraph menus would outlive the test)."""
    code = main(["train", *args])
    gc.unfreeze()
    return code


def _train(window, qtbot, timeout: int = 60_000):
    panel = window.training.panel
    with qtbot.waitSignal(panel.running_changed, timeout=timeout, check_params_cb=lambda running: not running):
        panel.start_action.trigger()
    return panel.history.latest


def _points(item) -> int:
    x, _ = item.getData()
    return 0 if x is None else len(x)


def test_a_run_recorded_by_designer_train_shows_in_the_window_with_its_curves(window, qtbot, tiny: Path, capsys) -> None:
    assert designer_train(str(tiny), "--epochs", "3") == 0
    assert "recorded Run 1 in" in capsys.readouterr().out
    window.open_file(tiny)
    panel = window.training.panel
    (record,) = panel.history.runs
    assert record.status == FINISHED and record.origin == "command line" and [m.epoch for m in record.epochs] == [1, 2, 3]
    curves = panel.plots.curves[record.number]
    assert _points(curves.smooth) == 15 and _points(curves.val) == 3
    assert "command line" in panel.runs_list.list.item(0).text()
    qtbot.waitUntil(lambda: panel.results.outcome is record.outcome)
    assert "Finished" in panel.results.summary.text()
    # a run recorded while the project is open appears too
    assert designer_train(str(tiny), "--epochs", "1") == 0
    qtbot.waitUntil(lambda: len(panel.history.runs) == 2, timeout=10_000)
    assert panel.history.latest.number == 2 and panel.runs_list.list.count() == 2


def test_the_windows_runs_are_kept_beside_the_project_and_reopened(window, qtbot, tiny: Path, settings) -> None:
    window.open_file(tiny)
    record = _train(window, qtbot)
    folder = tiny.with_name("tiny.runs") / "run-0001"
    assert record.folder == folder and json.loads((folder / RUN_FILE).read_text())["status"] == FINISHED
    again = read_run(folder)
    assert [m.epoch for m in again.epochs] == [1, 2] and len(again.batch_x) == len(record.batch_x) == 10
    assert again.origin == "window" and again.device == "CPU, 1 thread" and again.outcome.views.confusion is not None


def test_hostile_folders_are_listed_unreadable_and_deleting_asks_first(window, qtbot, tiny: Path, monkeypatch, tmp_path) -> None:
    assert designer_train(str(tiny), "--epochs", "1") == 0
    store = RunStore.of(tiny)
    broken = store.folder / "run-0002"
    shutil.copytree(store.folder / "run-0001", broken)
    (broken / RUN_FILE).write_text('{"format": "nn-designer-run", "version": 1, "id": "run-0002", "number": [1]}')
    (store.folder / "run-0003").symlink_to(tmp_path, target_is_directory=True)
    window.open_file(tiny)
    panel = window.training.panel
    assert [r.number for r in panel.history.runs] == [1]
    assert [u.id for u in panel.history.unreadable] == ["run-0002", "run-0003"]
    texts = [panel.runs_list.list.item(i).text() for i in range(panel.runs_list.list.count())]
    assert "run-0002: unreadable\nrun.json: number is missing or of the wrong type" in texts
    answers: list[str] = []
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda parent, title, question: answers.append(question) or len(answers) > 1)
    panel.runs_list.select(panel.history.runs[0])
    panel.runs_list.delete_button.click()  # the answer is no
    assert broken.exists() and len(panel.history.runs) == 1 and "cannot be undone" in answers[0]
    panel.runs_list.delete_button.click()  # yes
    assert not (store.folder / "run-0001").exists() and panel.history.runs == []
    row = next(i for i in range(panel.runs_list.list.count()) if panel.runs_list.list.item(i).text().startswith("run-0003"))
    panel.runs_list.list.setCurrentRow(row)
    panel.runs_list.delete_button.click()
    assert not (store.folder / "run-0003").exists() and tmp_path.is_dir()  # the link went, not what it pointed to


def test_a_stopped_run_resumes_from_its_checkpoint(window, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from designer.train.trainer import Trainer

    epoch = Trainer._train_epoch

    def slow_epoch(self, *args, **kwargs):  # a tiny design trains 80 epochs before the window's first update otherwise
        time.sleep(0.03)
        return epoch(self, *args, **kwargs)

    monkeypatch.setattr(Trainer, "_train_epoch", slow_epoch)
    window.open_file(tiny_project(tmp_path / "slow.nnd", epochs=80))
    panel = window.training.panel

    def stop_after_two(batches, epochs) -> None:
        if panel.record is not None and len(panel.record.epochs) >= 2:
            panel.stop()

    panel.start_action.trigger()
    panel.run.updated.connect(stop_after_two)
    qtbot.waitUntil(lambda: not panel.running, timeout=30_000)
    record = panel.history.latest
    assert record.status == STOPPED and record.resumable and panel.runs_list.resume_button.isEnabled()
    stopped_at = len(record.epochs)
    with qtbot.waitSignal(panel.running_changed, timeout=30_000, check_params_cb=lambda running: not running):
        panel.runs_list.resume_button.click()
    assert record.status == FINISHED and [m.epoch for m in record.epochs] == list(range(1, 81)) and 2 <= stopped_at < 80
    assert [m.epoch for m in read_run(record.folder).epochs] == list(range(1, 81)) and not record.resumable
    assert panel.history.runs == [record]


def test_two_runs_compare_with_the_diff_of_their_designs_and_one_opens(window, qtbot, tiny: Path) -> None:
    window.open_file(tiny)
    first = _train(window, qtbot)
    document = window.document
    node = next(n.id for n in document.graph.nodes if n.type == "Linear")
    document.set_param(node, "out_features", 24)
    document.set_setting("training", "learning_rate", 0.05)
    second = _train(window, qtbot)
    panel = window.training.panel
    panel.runs_list.select_two(first, second)
    assert panel.runs_list.compare_button.isEnabled()
    panel.runs_list.compare_button.click()
    (dialog,) = panel.run_actions.dialogs
    assert [dialog.changes.item(i).text() for i in range(dialog.changes.count())] == [f"changed {node}: out_features 16 → 24"]
    differing = {f"{r.section}.{r.name}" for r in dialog.comparison.differences}
    assert differing == {"training.learning_rate"}
    box = dialog.diff_view.diff_scene.boxes[node]
    assert box.pen().width() > 2 and dialog.diff_view.diff_scene.boxes["input1"].pen().width() < 2
    steps = document.undo_stack.count()
    dialog.open_design_requested.emit(first)
    assert document.graph.node(node).params["out_features"] == 16 and document.project.training["learning_rate"] == 0.01
    assert document.graph.fingerprint() == first.fingerprint and document.undo_stack.count() == steps + 1
    document.undo_stack.undo()
    assert document.graph.fingerprint() == second.fingerprint and document.project.training["learning_rate"] == 0.05
    dialog.close()
    table = panel.run_actions.show_table()
    assert table.table.rowCount() == 2 and table.axis.findText("learning_rate") >= 0
    table.close()
