"""Data larger than memory: peak memory and time of one training epoch when the
data is loaded into memory first (the only way before; the data option
``"loading": "memory"``) and when it is read from disk batch by batch
(``"stream"``: image files decoded by DataLoader workers, an uncompressed
``.npz`` memory-mapped).

Two data sets are generated once in ``--workdir`` (kept for the next run):

- an image folder: ``--images`` PNGs of 16x16 pixels in 10 classes, read at
  ``--size`` (64: 3x64x64 float32, 20,000 images = 983 MB decoded, about
  20 MB on disk);
- an ``.npz`` saved with ``numpy.savez`` (uncompressed): ``--rows`` samples
  of 1,024 float32 values (250,000 rows = 1.0 GB).

Each (data, loading) pair runs in a fresh process, one after the other:
compile, one warm-up step on zeros (torch's own first-use memory belongs to
the baseline), then load the data and train ``--epochs`` epochs. Reported:
seconds to load (until the bundle is ready), seconds per epoch (the trainer's
figure, validation included), the peak resident memory of the process above
its baseline (VmHWM against VmRSS of /proc: Linux only; it counts the pages of
a memory-mapped file the epoch read), the peak of its anonymous memory
(sampled every 0.1 s: what it allocated itself) and the peak of any worker
process (which counts the pages it shares with the training process). ``stream-0`` forces no worker
processes, to show what the workers buy on this machine.

    python benchmarks/data_scale.py [--images 20000] [--size 64] [--rows 250000] [--epochs 1] [--rounds 1] [--modes memory,stream,stream-0] [--data images,npz] [--workdir DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FEATURES = 1024
CLASSES = 10


def make_folder(root: Path, count: int) -> Path:
    folder = root / f"images_{count}"
    if (folder / "done").exists():
        return folder
    from PIL import Image

    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (CLASSES, 16, 16, 3)).astype(np.int16)
    for i in range(count):
        k = i % CLASSES
        pixels = np.clip(base[k] + rng.integers(-40, 40, (16, 16, 3)), 0, 255).astype(np.uint8)
        (folder / f"class{k}").mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(folder / f"class{k}" / f"{i:06d}.png")
    (folder / "done").write_text("")
    return folder


def make_npz(root: Path, rows: int) -> Path:
    path = root / f"arrays_{rows}.npz"
    if path.exists():
        return path
    rng = np.random.default_rng(0)
    y = np.arange(rows) % CLASSES
    x = np.lib.format.open_memmap(root / "x.npy", "w+", np.float32, (rows, FEATURES))
    for start in range(0, rows, 10_000):  # written in chunks: the generator never holds the whole array
        stop = min(rows, start + 10_000)
        x[start:stop] = rng.normal(size=(stop - start, FEATURES)).astype(np.float32) + y[start:stop, None] * 0.05
    x.flush()
    np.savez(path.with_suffix(".tmp.npz"), x=x, y=y)
    del x
    (root / "x.npy").unlink()
    path.with_suffix(".tmp.npz").rename(path)
    return path


def _status(key: str, pid: str = "self") -> int:
    """A memory figure of /proc/PID/status in bytes (VmRSS: now, VmHWM: peak of this
    process image; getrusage's ru_maxrss would include the peak of the process that
    started this one, which it keeps across exec)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return 0


class Sampler(threading.Thread):
    """Every 0.1 s: this process's anonymous memory (RssAnon: what it allocated;
    the pages of a memory-mapped file are left out, the kernel drops them when
    memory runs short) and the peak (VmHWM) of any worker process, which counts
    the pages a forked worker still shares with the training process."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.anon = self.workers = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            self.anon = max(self.anon, _status("RssAnon"))
            for child in multiprocessing.active_children():
                with contextlib.suppress(OSError):  # ended meanwhile
                    self.workers = max(self.workers, _status("VmHWM", str(child.pid)))


def child(kind: str, path: str, loading: str, size: int, epochs: int) -> dict:
    """One measurement, in this fresh process."""
    import torch

    import designer
    from designer.compile import compile_design
    from designer.data import load_data
    from designer.train import Trainer, TrainSettings, batches

    if loading == "stream-0":
        batches.stream_workers = lambda x, cores=None: 0
    g = designer.Graph("bench")
    if kind == "images":
        settings = {"source": "image_folder", "options": {"path": path, "size": [size, size], "loading": loading[:6]}}
        shape = [3, size, size]
        layers = [
            ("Conv2d", {"out_channels": 16, "kernel_size": 3, "stride": 2, "padding": 1}),
            "ReLU",
            ("Conv2d", {"out_channels": 32, "kernel_size": 3, "stride": 2, "padding": 1}),
            "ReLU",
            ("AdaptiveAvgPool2d", {"output_size": [1, 1]}),
            "Flatten",
            ("Linear", {"out_features": CLASSES}),
        ]
    else:
        settings = {"source": "npz", "options": {"path": path, "loading": loading[:6]}}
        shape = [FEATURES]
        layers = [("Linear", {"out_features": 64}), "ReLU", ("Linear", {"out_features": CLASSES})]
    g.sequential(*layers, "Output", after=g.add("Input", shape=shape))
    compiled = compile_design(g)
    warm = compiled.new_module()
    warm(torch.zeros(64, *shape)).sum().backward()
    torch.optim.Adam(warm.parameters()).step()
    before, anon_before = _status("VmRSS"), _status("RssAnon")
    sampler = Sampler()
    sampler.start()
    started = time.perf_counter()
    bundle = load_data(settings)
    loaded = time.perf_counter() - started
    train = TrainSettings.from_mapping({"epochs": epochs, "batch_size": 64, "device": "cpu"})
    result = Trainer(compiled, bundle, train).run()
    sampler.done.set()
    sampler.join()
    assert result.status == "finished", result.message
    decoded = bundle.train.x.nbytes + bundle.validation.x.nbytes
    return {
        "data": kind,
        "loading": loading,
        "streamed": bundle.train.streamed,
        "workers": batches.stream_workers(bundle.train.x) if bundle.train.streamed else 0,
        "samples": len(bundle.train) + len(bundle.validation),
        "decoded_mb": decoded / 1e6,
        "load_s": round(loaded, 2),
        "epoch_s": [round(e.seconds, 2) for e in result.epochs],
        "peak_growth_mb": round((_status("VmHWM") - before) / 1e6, 1),
        "anon_growth_mb": round((sampler.anon - anon_before) / 1e6, 1),
        "worker_peak_mb": round(sampler.workers / 1e6, 1),
        "baseline_mb": round(before / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20_000)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "designer-data-scale")
    parser.add_argument("--modes", default="memory,stream,stream-0")
    parser.add_argument("--data", default="images,npz")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "data_scale.json")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path, loading, size, epochs = args.child
        print(json.dumps(child(kind, path, loading, int(size), int(epochs))))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    folder = make_folder(args.workdir, args.images)
    arrays = make_npz(args.workdir, args.rows)
    print(f"data ready in {time.perf_counter() - started:.1f} s: {folder}, {arrays}", flush=True)
    rows = []
    for kind, path in (("images", folder), ("npz", arrays)):
        if kind not in args.data.split(","):
            continue
        for _ in range(args.rounds):  # modes interleaved: a machine that slows down affects each alike
            for loading in args.modes.split(","):
                if kind == "npz" and loading == "stream-0":
                    continue  # a mapped array never has workers
                command = [sys.executable, __file__, "--child", kind, str(path), loading, str(args.size), str(args.epochs)]
                out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
                if out.returncode:
                    print(out.stderr[-2000:], file=sys.stderr)
                    continue
                row = json.loads(out.stdout.strip().splitlines()[-1])
                rows.append(row)
                print(json.dumps(row), flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    report = {
        "machine": platform.platform(),
        "cores": os.cpu_count(),
        "load_average": load,
        "args": vars(args) | {"workdir": "", "json": ""},
        "runs": rows,
    }
    args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
