"""``designer train --layer-stats``: one row per node per epoch beside metrics.csv;
warnings for problems on stderr."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from paths import sample

from designer.cli import main
from designer.insight.layer_stats import COLUMNS


def read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_layers_csv_has_one_row_per_node_per_epoch(tmp_path: Path, capsys) -> None:
    code = main(["train", str(sample("digits_cnn")), "--device", "cpu", "--epochs", "2", "--out", str(tmp_path), "--layer-stats"])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = read(tmp_path / "layers.csv")
    assert tuple(rows[0]) == COLUMNS
    nodes = ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten1", "dense1", "relu3", "dense2"]
    assert [(r["epoch"], r["node"]) for r in rows] == [(str(e), n) for e in (1, 2) for n in nodes]
    by_node = {r["node"]: r for r in rows if r["epoch"] == "2"}
    assert float(by_node["conv1"]["grad_norm"]) > 0 and 0 < float(by_node["conv1"]["update_ratio"]) < 1
    assert by_node["relu1"]["grad_norm"] == "" and float(by_node["relu1"]["output_grad_norm"]) > 0  # a call, no parameters
    assert 0 <= float(by_node["relu1"]["dead_share"]) <= 1 and by_node["conv1"]["dead_share"] == ""
    assert float(by_node["dense2"]["output_std"]) > 0
    assert f"wrote {tmp_path / 'layers.csv'}" in out and "warning" not in err


def test_beside_the_project_it_is_name_layers_csv_and_only_when_asked(tmp_path: Path, capsys) -> None:
    project = tmp_path / "spirals.nnd"
    shutil.copy(sample("spirals_mlp"), project)
    assert main(["train", str(project), "--device", "cpu", "--epochs", "1"]) == 0
    assert not (tmp_path / "spirals.layers.csv").exists()
    assert main(["train", str(project), "--device", "cpu", "--epochs", "1", "--layer-stats"]) == 0
    assert len(read(tmp_path / "spirals.layers.csv")) == 5  # dense1, relu1, dense2, relu2, dense3


def test_a_diverging_run_prints_one_warning_line(tmp_path: Path, capsys) -> None:
    project = tmp_path / "fast.nnd"
    document = json.loads(sample("spirals_mlp").read_text())
    document["training"].update(learning_rate=10.0, epochs=2)
    project.write_text(json.dumps(document))
    assert main(["train", str(project), "--device", "cpu", "--out", str(tmp_path / "out")]) == 0
    _, err = capsys.readouterr()
    warnings = [line for line in err.splitlines() if ": warning: " in line]
    assert sum("the loss is diverging" in line for line in warnings) == 1
    assert all(line.startswith(f"{project}: warning: ") for line in warnings)
    assert len(warnings) == len(set(warnings))
