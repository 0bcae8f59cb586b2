"""Peak memory of the desktop designer with the digits CNN open and trained:
a fresh interpreter opens the sample in the real window (offscreen), trains
it from the Train action, and reports its resident memory at each stage and
the peak (``ru_maxrss``). Several launches; the median is reported.

    python benchmarks/gui_memory.py [--repeat 3]

Writes benchmarks/results/gui_memory.json. Linux and macOS (resource module).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"

CHILD = r"""
import os, resource, sys, tempfile
from pathlib import Path
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QEventLoop, QSettings
from PySide6.QtWidgets import QApplication

def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

def peak_mib():
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024

app = QApplication(sys.argv[:1])
from designer.ui.main_window import MainWindow
settings = QSettings(str(Path(tempfile.mkdtemp()) / "m.ini"), QSettings.Format.IniFormat)
window = MainWindow(settings)
window.resize(1500, 900)
window.show()
window.open_file(sys.argv[1])
for _ in range(5):
    app.processEvents()
opened = rss_mib()
panel = window.training.panel
loop = QEventLoop()
panel.running_changed.connect(lambda running: None if running else loop.quit())
panel.start_action.trigger()
loop.exec()
while panel.results.outcome is None:
    app.processEvents()
for _ in range(5):
    app.processEvents()
print("REPORT", opened, rss_mib(), peak_mib(), flush=True)
window.document.undo_stack.setClean()
"""


def launch(sample: Path) -> tuple[float, float, float]:
    env = {**os.environ, "HOME": tempfile.mkdtemp(), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", CHILD, str(sample)], capture_output=True, text=True, env=env, timeout=600)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("REPORT")), None)
    if line is None:
        raise RuntimeError(f"the launch did not report:\n{result.stdout}\n{result.stderr}")
    opened, trained, peak = map(float, line.split()[1:])
    return opened, trained, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", default=str(ROOT / "samples" / "digits_cnn.nnd"))
    args = parser.parse_args()
    runs = [launch(Path(args.sample)) for _ in range(args.repeat)]
    opened, trained, peak = (statistics.median(column) for column in zip(*runs))
    print(f"{'stage':<34}{'median MiB':>12}")
    print(f"{'sample open (resident)':<34}{opened:>12.0f}")
    print(f"{'after training (resident)':<34}{trained:>12.0f}")
    print(f"{'peak resident over the session':<34}{peak:>12.0f}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "gui_memory.json"
    out.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "python": platform.python_version(),
                "sample": Path(args.sample).name,
                "opened_mib": opened,
                "trained_mib": trained,
                "peak_mib": peak,
                "runs": runs,
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
