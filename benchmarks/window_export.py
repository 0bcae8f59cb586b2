"""File > Export > ONNX in the window, per sample: seconds from the action to
the status bar's "Exported ..." (export on the worker thread, verification
included; the weights dialog answered at once), once the start-up warm-up is over, as a user who exports a minute
after opening the window finds it. Each sample is opened from a copy (no
recorded runs, so fresh weights), exported twice; both times are reported.

    python benchmarks/window_export.py [--samples digits_cnn ...]

Goal: under 1 s for every sample. Writes benchmarks/results/window_export.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402 - after the platform is chosen
from PySide6.QtWidgets import QApplication  # noqa: E402

from designer.ui import dialogs  # noqa: E402
from designer.ui.main_window import MainWindow  # noqa: E402
from designer.ui.training.devices import DeviceProbe  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(p.stem for p in (ROOT / "samples").glob("*.nnd"))


def wait(until, timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not until():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not get there")
        QCoreApplication.processEvents()
        time.sleep(0.001)


def export_once(window: MainWindow, target: Path) -> float:
    messages: list[str] = []
    show = window.show_message
    window.show_message = lambda text: (messages.append(text), show(text))  # type: ignore[method-assign]
    started = time.perf_counter()
    window.exports.export_onnx(str(target))
    wait(lambda: any(m.startswith(("Exported", "Could not", "ONNX")) for m in messages))
    seconds = time.perf_counter() - started
    window.show_message = show  # type: ignore[method-assign]
    if not any(m.startswith("Exported") for m in messages):
        raise RuntimeError(f"the export failed: {messages}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", nargs="+", default=SAMPLES, metavar="STEM")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    dialogs.ask_choice = lambda parent, title, text, options, default=0: default  # the weights: OK on the default, fresh ones
    with tempfile.TemporaryDirectory() as folder:
        window = MainWindow(QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat))
        window.show()
        started = time.perf_counter()
        wait(lambda: DeviceProbe.warmed.is_set())
        warm_up = time.perf_counter() - started
        rows = []
        for stem in args.samples:
            copy = Path(shutil.copy(ROOT / "samples" / f"{stem}.nnd", Path(folder) / f"{stem}.nnd"))
            assert window.open_file(copy), stem
            first, second = (export_once(window, Path(folder) / f"{stem}_{i}.onnx") for i in range(2))
            rows.append({"sample": stem, "first_s": first, "second_s": second})
            window.document.undo_stack.setClean()
        window.close()
        app.processEvents()
    print(f"start-up warm-up (in the background, after the window is shown): {warm_up:.2f} s")
    print(f"{'sample':22}{'first':>8}{'second':>8}   (s, File > Export > ONNX to the status bar's message)")
    for row in rows:
        print(f"{row['sample']:22}{row['first_s']:>8.3f}{row['second_s']:>8.3f}")
    out = ROOT / "benchmarks" / "results" / "window_export.json"
    out.parent.mkdir(exist_ok=True)
    result = {"machine": platform.platform(), "python": platform.python_version(), "warm_up_s": warm_up, "samples": rows}
    out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
