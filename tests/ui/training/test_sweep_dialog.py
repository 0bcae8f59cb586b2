"""The Sweep dialog: what to vary is checked against the design before a
process starts, and the best trial applies to the design as one undo step."""

from __future__ import annotations

from pathlib import Path

from designer.train import EpochMetrics
from designer.ui.training.sweep_dialog import best_trial


def _trial(history, number: int, lr: float, width: int, value: float, pruned: bool = False):
    record = history.new_run({"learning_rate": lr, "optimizer": "adam", "batch_size": 32, "epochs": 2, "seed": 0}, "spirals", "f")
    record.status = "finished"
    record.sweep = {"study": "s", "trial": number, "params": {"training.learning_rate": lr, "dense1.out_features": width},
                    "value": value, "pruned": pruned, "objective": "metric"}  # fmt: skip
    record.add_epochs([EpochMetrics(1, 0.5, 0.5, value, value, "accuracy", lr, 1.0, 100.0)])
    return record


def test_the_best_trial_applies_as_one_undo_step(window, qtbot, tiny: Path) -> None:
    window.open_file(tiny)
    panel = window.training.panel
    dialog = panel.run_actions.show_sweep()
    history = panel.history
    _trial(history, 0, 0.01, 8, 0.80)
    best = _trial(history, 1, 0.03, 32, 0.90)
    _trial(history, 2, 0.05, 16, 0.95, pruned=True)  # pruned trials are never the best
    assert best_trial(history, "s") is best
    document = window.document
    node = next(n.id for n in document.graph.nodes if n.type == "Linear")
    dialog.study = "s"
    dialog.document.graph.rename_node(node, "dense1")
    steps = document.undo_stack.count()
    assert dialog.apply_best()
    assert document.project.training["learning_rate"] == 0.03 and document.graph.node("dense1").params["out_features"] == 32
    assert document.undo_stack.count() == steps + 1
    document.undo_stack.undo()
    assert document.project.training["learning_rate"] == 0.01 and document.graph.node("dense1").params["out_features"] == 16
    dialog.close()


def test_what_to_vary_is_checked_before_a_process_starts(window, qtbot, tiny: Path) -> None:
    window.open_file(tiny)
    dialog = window.training.panel.run_actions.show_sweep()
    dialog.params.setPlainText("nothere.out_features=8,16")
    assert not dialog.start() and dialog.process is None and "no node 'nothere'" in dialog.result.text()
    dialog.params.setPlainText("training.learning_rate=log:1e-3:1e-1\ntraining.epochs=2")
    dialog.study = "s2"
    args = dialog.arguments()
    assert args[:2] == ["sweep", str(tiny)] and args.count("--param") == 2 and args[-2:] == ["--study", "s2"]
    dialog.close()


def test_the_log_gets_whole_lines_whatever_pieces_the_output_comes_in() -> None:
    """Each piece of output was appended as it came: lines split in two, empty ones between trials."""
    from designer.ui.training.sweep_dialog import whole_lines

    lines, rest = whole_lines("", "trial 0: 74.5%  training.lea")
    assert lines == [] and rest == "trial 0: 74.5%  training.lea"
    lines, rest = whole_lines(rest, "rning_rate=0.004\ntrial 1: 63.0%\n")
    assert lines == ["trial 0: 74.5%  training.learning_rate=0.004", "trial 1: 63.0%"] and rest == ""
    assert whole_lines("", "") == ([], "")  # nothing came: no empty line
    assert whole_lines("", "study done\n\nbest: trial 6\n") == (["study done", "", "best: trial 6"], "")  # the sweep's own blank line stays
