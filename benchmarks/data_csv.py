"""A CSV file at real scale: the old reader (Python's csv module, kept in
tests/data/csv_oracle.py) against the columnar one (pyarrow), side by side.

Generates a CSV of about ``--mb`` MB (16 numeric columns, one text category
column, a class target) in a temporary folder (never kept), then measures,
each in a fresh process so peak memory (RSS) is its own:

- ``designer check`` of a small MLP project on it (the whole command);
- loading it whole (``load_data``): time and peak RSS;
- the raw read of the same file by pyarrow and, when installed, polars
  (every column as text, then the numeric ones as numbers): why pyarrow;
- one training epoch of the project's MLP with the Trainer against a
  hand-written loop over the same tensors (new reader only; interleaved).

    python benchmarks/data_csv.py [--mb 200] [--rounds 2] [--threads 1] [--json FILE]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NUMERIC = 16
COLOURS = ["red", "green", "blue", "amber"]


def generate(path: Path, megabytes: float) -> int:
    """Rows of 16 numbers, a colour and a class that depends on both; returns the row count."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    rng = np.random.default_rng(0)
    rows, chunk = 0, 100_000
    with pa_csv.CSVWriter(str(path), _schema(pa)) as writer:
        while path.stat().st_size < megabytes * 1e6:
            x = np.round(rng.normal(size=(chunk, NUMERIC)), 6)
            colour = rng.integers(0, len(COLOURS), chunk)
            label = (x[:, 0] + x[:, 1] > 0).astype(np.int64) + 2 * (colour % 2)
            columns = [pa.array(x[:, k]) for k in range(NUMERIC)] + [pa.array(np.asarray(COLOURS)[colour]), pa.array(label)]
            writer.write_table(pa.Table.from_arrays(columns, schema=_schema(pa)))
            rows += chunk
    return rows


def _schema(pa):  # noqa: ANN001, ANN202 - pyarrow imported lazily
    return pa.schema(
        [*(pa.field(f"f{k}", pa.float64()) for k in range(NUMERIC)), pa.field("colour", pa.string()), pa.field("label", pa.int64())]
    )


def write_project(folder: Path, csv_name: str) -> Path:
    """A small MLP (20 inputs: 16 numbers and 4 colours one-hot; 4 classes) on the file."""
    nodes = [
        ("input1", "Input", {"shape": [NUMERIC + len(COLOURS)], "dtype": "float32"}),
        ("dense1", "Linear", {"out_features": 64, "bias": True}),
        ("relu1", "ReLU", {}),
        ("dense2", "Linear", {"out_features": 4, "bias": True}),
        ("output1", "Output", {}),
    ]
    project = {
        "format": "nn-designer",
        "version": 1,
        "name": "CSV at scale",
        "nodes": [{"id": i, "type": t, "params": p, "position": [k * 200.0, 0.0]} for k, (i, t, p) in enumerate(nodes)],
        "edges": [{"source": nodes[k][0], "target": nodes[k + 1][0], "port": 0} for k in range(len(nodes) - 1)],
        "data": {"source": "csv", "options": {"path": csv_name}, "validation_split": 0.2, "test_split": 0.0, "seed": 0},
        "training": {"loss": "cross_entropy", "optimizer": "adam", "learning_rate": 0.001, "epochs": 1, "batch_size": 256, "seed": 0},
    }
    path = folder / "csv_scale.nnd"
    path.write_text(json.dumps(project, indent=2))
    return path


# ----------------------------------------------------------------- child side


def _use_reader(reader: str) -> None:
    """Put the old reader in the csv source's place (the product uses the new one)."""
    if reader == "new":
        return
    import dataclasses

    from designer.data import load

    spec = importlib.util.spec_from_file_location("csv_oracle", ROOT / "tests" / "data" / "csv_oracle.py")
    assert spec is not None and spec.loader is not None
    oracle = importlib.util.module_from_spec(spec)
    sys.modules["csv_oracle"] = oracle  # dataclasses look their module up while it loads
    spec.loader.exec_module(oracle)
    load.SOURCES["csv"] = dataclasses.replace(load.SOURCES["csv"], loader=oracle.load_csv, describer=None, previewer=oracle.preview_csv)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(task: str, reader: str, project: Path, threads: int) -> dict:
    if task == "raw":
        return _raw(reader, project.parent / "data.csv")
    _use_reader(reader)
    if task == "check":
        from designer import cli

        code = cli.main(["check", str(project)])
        return {"exit": code, "peak_rss_mb": _peak_mb()}
    if task == "load":
        from designer.data import load_data
        from designer.project import load_project

        settings = load_project(project).data
        started = time.perf_counter()
        bundle = load_data(settings, project.parent)
        return {"seconds": time.perf_counter() - started, "peak_rss_mb": _peak_mb(), "train_samples": len(bundle.train)}
    return _epochs(project, threads)


def _raw(reader: str, path: Path) -> dict:
    started = time.perf_counter()
    if reader == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pa_csv

        types = {f"f{k}": pa.large_string() for k in range(NUMERIC + 2)}
        table = pa_csv.read_csv(
            str(path),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
            convert_options=pa_csv.ConvertOptions(column_types=types),
        )
        numbers = [pc.cast(table.column(k).slice(1), pa.float64()) for k in range(NUMERIC)]
    else:
        import polars as pl

        frame = pl.read_csv(path, infer_schema=False)
        numbers = [frame[f"f{k}"].cast(pl.Float64) for k in range(NUMERIC)]
    assert len(numbers) == NUMERIC
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": _peak_mb()}


def _epochs(project_path: Path, threads: int) -> dict:
    """One epoch per run, Trainer and hand loop interleaved (trainer, loop, loop, trainer)."""
    import torch

    from designer.project import load_project
    from designer.train import Trainer, TrainSettings, load_bundle, prepare

    torch.set_num_threads(threads)
    project = load_project(project_path)
    bundle = load_bundle(project)
    compiled = prepare(project, bundle)
    settings = TrainSettings.from_mapping(project.training, epochs=1, schedule="none", device="cpu", threads=threads)
    times: dict[str, list[float]] = {"trainer": [], "loop": []}
    for order in (("trainer", "loop"), ("loop", "trainer")):
        for name in order:
            started = time.perf_counter()
            if name == "trainer":
                result = Trainer(compiled, bundle, settings).run()
                assert result.status == "finished", result.message
            else:
                _hand_loop(compiled, bundle, settings)
            times[name].append(time.perf_counter() - started)
    return {"trainer_s": times["trainer"], "loop_s": times["loop"], "train_samples": len(bundle.train), "batch_size": settings.batch_size}


def _hand_loop(compiled, bundle, settings) -> None:  # noqa: ANN001 - the objects train_throughput.py uses
    import torch

    torch.manual_seed(settings.seed)
    model = compiled.new_module()
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = torch.from_numpy(bundle.train.x), torch.from_numpy(bundle.train.y)
    model.train()
    for idx in torch.randperm(len(x), generator=torch.Generator().manual_seed(settings.seed)).split(settings.batch_size):
        loss = loss_fn(model(x[idx]), y[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    float(loss.detach())


# ---------------------------------------------------------------- parent side


def run_child(task: str, reader: str, project: Path, threads: int) -> dict:
    command = [sys.executable, __file__, "--child", task, "--reader", reader, "--project", str(project), "--threads", str(threads)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    if done.returncode not in (0, 1) or not lines:
        raise SystemExit(f"{task} with the {reader} reader failed:\n{done.stdout}\n{done.stderr}")
    result = json.loads(lines[-1])
    result["wall_s"] = wall
    if task == "check":  # what it said, without the temporary folder's name
        result["output"] = lines[0].replace(str(project.parent) + os.sep, "") if len(lines) > 1 else ""
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200, help="size of the generated CSV in MB")
    parser.add_argument("--rounds", type=int, default=1, help="repeats of check and load (old, new, new, old, ...)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for the training epochs")
    parser.add_argument("--skip-old-load", action="store_true", help="leave out the old reader's full load (minutes)")
    parser.add_argument("--json", default=None, help="default: benchmarks/results/data_csv.json")
    parser.add_argument("--child", choices=("check", "load", "raw", "epochs"), help=argparse.SUPPRESS)
    parser.add_argument("--reader", default="new", help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.reader, args.project, args.threads)))
        return
    results: dict = {
        "benchmark": "data_csv",
        "command": "python benchmarks/data_csv.py " + " ".join(sys.argv[1:]),
        "cpu_count": os.cpu_count(),
    }
    results["load_average_before"] = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="data-csv-") as folder:
        csv_path = Path(folder) / "data.csv"
        started = time.perf_counter()
        results["rows"] = generate(csv_path, args.mb)
        results["file_mb"] = csv_path.stat().st_size / 1e6
        print(f"generated {results['rows']:,} rows, {results['file_mb']:.0f} MB in {time.perf_counter() - started:.0f} s")
        project = write_project(Path(folder), csv_path.name)
        for task in ("check", "load"):
            for round_ in range(args.rounds):
                for reader in ("old", "new") if round_ % 2 == 0 else ("new", "old"):
                    if task == "load" and reader == "old" and args.skip_old_load:
                        continue
                    got = run_child(task, reader, project, args.threads)
                    results.setdefault(f"{task}_{reader}", []).append(got)
                    print(
                        f"{task:6} {reader:4} {got['wall_s']:7.1f} s wall  peak RSS {got['peak_rss_mb']:7.0f} MB  {got.get('output', '')}"
                    )
        for reader in ("pyarrow", "polars"):
            if reader == "polars" and importlib.util.find_spec("polars") is None:
                continue
            got = run_child("raw", reader, project, args.threads)
            results[f"raw_{reader}"] = got
            print(f"raw read {reader:8} {got['seconds']:6.1f} s  peak RSS {got['peak_rss_mb']:7.0f} MB")
        got = run_child("epochs", "new", project, args.threads)
        results["epochs"] = got
        trainer, loop = min(got["trainer_s"]), min(got["loop_s"])
        results["epoch_ratio_trainer_to_loop"] = trainer / loop
        print(f"one epoch ({got['train_samples']:,} samples): Trainer {trainer:.1f} s, hand loop {loop:.1f} s, ratio {trainer / loop:.2f}")
    results["load_average_after"] = os.getloadavg()[0]
    target = Path(args.json or ROOT / "benchmarks" / "results" / "data_csv.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
