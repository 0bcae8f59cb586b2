"""Cold start: from launching ``designer`` to the main window shown (start
page), and from launching ``designer SAMPLE`` to the sample's shapes shown,
beside a bare PySide6 window with the same docks, menus, tool bar and status
bar (nothing in them) launched the same way. Each launch is a fresh
interpreter, timed from before the process starts; launches alternate and the
median of several is reported, with the ratio to the bare window. Also lists
which heavy modules the GUI has imported by then (torch should not be one).

"Shown" is the window's first frame painted, for every launch alike (the
moment Qt sends the window a Paint event once its widgets are painted). On
the start page the designer builds the design's side of the window (canvas,
palette, inspector, panels) right after that frame; "all of it built" is
when that is done.

Like an installed copy (pip compiles its modules once), the launches keep
their compiled bytecode, in a folder of their own made for the run and
filled by a first untimed launch; ``--compile-each-time`` makes every launch
compile the designer's modules again instead (as under
PYTHONDONTWRITEBYTECODE). ``--before DIR`` also launches the ``designer`` of
another checkout (an older commit: ``git worktree add DIR REV``), alternating
with this one, for before/after figures from one run.

``--start-page-alone`` adds a launch that imports the command's module as
``designer`` does, then shows the bare window with its docks hidden and
nothing but the start page in the middle (its menus, tool bar and status bar): what
the start costs without the design's side of the window (canvas, palette,
inspector, panels, their modules), a floor for any start that builds that
side later.

Beside each wall-clock median, the launched process's CPU time until the
window was shown (its median, and its ratio to the bare window's): on a
shared machine the wall clock also counts the time the process waited for
a core, the CPU time does not.

    python benchmarks/cold_start.py [--repeat 7] [--before DIR] [--compile-each-time] [--start-page-alone]

Goal: the window at most 2x the bare window. Writes benchmarks/results/cold_start.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
SAMPLE = ROOT / "samples" / "digits_cnn.nnd"

# Inside every launched interpreter, right after its QApplication: the moment
# the first frame of its window has been painted. Qt sends the window's QWindow
# a Paint event once the widgets in it are painted (on the window's first
# update request or its first expose). Only that QWindow is watched, from the
# event loop's first turn (before any paint): a filter on the whole
# application would put every event of the start through Python and cost
# tens of milliseconds itself.
FIRST_PAINT = r"""
class FirstPaint(QObject):
    at = None
    def eventFilter(self, watched, event):
        if self.at is None and event.type() == QEvent.Type.Paint:
            self.at = (time.time(), time.process_time())
        return False
first_paint = FirstPaint()
def watch_first_paint():
    (window,) = [w for w in app.topLevelWidgets() if w.isVisible() and w.windowTitle()]
    window.windowHandle().installEventFilter(first_paint)
QTimer.singleShot(0, watch_first_paint)
"""

# Runs inside the launched interpreter: start the real entry point and report
# once its window has been painted and everything in it is built (on the start
# page, the design's side of the window is built after its first paint). The
# entry point's module is imported first, as the ``designer`` command does (its
# modules load before Qt's).
CHILD = (
    r"""
import os, sys, time
from designer.cli import main
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
"""
    + FIRST_PAINT
    + r"""
def report():
    windows = [w for w in app.topLevelWidgets() if w.isVisible() and w.windowTitle()]
    if first_paint.at is None or not windows or not getattr(windows[0], "design_side_built", True):
        return QTimer.singleShot(2, report)
    ready = (time.time(), time.process_time())
    window = windows[0]
    shapes = bool(getattr(window, "scene", None) and window.scene and window.scene.edges and all(i.label for i in window.scene.edges.values()))
    heavy = [m for m in ("torch", "onnx", "onnxruntime", "sklearn", "pyqtgraph") if m in sys.modules]
    print("REPORT", *first_paint.at, *ready, shapes, ",".join(heavy), flush=True)
    window.document.undo_stack.setClean()
    app.quit()

QTimer.singleShot(0, report)
main(sys.argv[1:])
"""
)


# The same frame with nothing in it: what any PySide6 application of this shape pays.
BARE = (
    r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow, QTabWidget, QWidget
app = QApplication(sys.argv[:1])
"""
    + FIRST_PAINT
    + r"""
window = QMainWindow()
window.setWindowTitle("bare")
for title, area in (("Layers", Qt.DockWidgetArea.LeftDockWidgetArea), ("Inspector", Qt.DockWidgetArea.RightDockWidgetArea)):
    dock = QDockWidget(title, window)
    dock.setWidget(QWidget())
    window.addDockWidget(area, dock)
bottom = []
for title in ("Problems and summary", "Training", "Insight"):
    dock = QDockWidget(title, window)
    dock.setWidget(QTabWidget() if not bottom else QWidget())
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    if bottom:
        window.tabifyDockWidget(bottom[0], dock)
    bottom.append(dock)
for name in ("&File", "&Edit", "&View", "&Train", "&Help"):
    menu = window.menuBar().addMenu(name)
    menu.addAction("Item")
window.addToolBar("Main").addAction("Action")
window.statusBar().addWidget(QLabel("Ready"), 1)
window.setCentralWidget(QWidget())
window.resize(1400, 860)

def report():
    if first_paint.at is None:
        return QTimer.singleShot(2, report)
    print("REPORT", *first_paint.at, *first_paint.at, False, "", flush=True)
    app.quit()

window.show()
QTimer.singleShot(0, report)
app.exec()
"""
)


# The bare window's frame, its docks hidden (as the designer's start page hides
# its panels) and the start page in the middle, after the command's own imports.
START_PAGE_ALONE = "from designer.cli import main\n" + BARE.replace(
    "window.setCentralWidget(QWidget())",
    "from designer.ui.start_page import StartPage\n"
    "for dock in window.findChildren(QDockWidget):\n"
    "    dock.hide()\n"
    "window.setCentralWidget(StartPage([], window))",
)
assert "StartPage" in START_PAGE_ALONE


def child_env(bytecode: Path | None, checkout: Path = ROOT) -> dict[str, str]:
    """The launched interpreter's environment: offscreen, the designer of
    ``checkout`` first on the path, and compiled bytecode kept in ``bytecode``
    (None: compiled at every launch, nothing written). Each launch gets a home
    of its own (``launch``)."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    env["PYTHONPATH"] = os.pathsep.join([str(checkout), *filter(None, [os.environ.get("PYTHONPATH")])])
    env.pop("PYTHONPYCACHEPREFIX", None)
    if bytecode is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return env


class Launch(NamedTuple):
    seconds: float  # wall clock, from before the process started to the window's first frame painted
    cpu: float  # the launched process's CPU time by then (steadier than the wall clock on a busy machine)
    ready: float  # wall clock to everything in the window built (later than the paint on the start page)
    ready_cpu: float
    shapes: bool
    heavy: str


def launch(args: list[str], child: str = CHILD, env: dict[str, str] | None = None, checkout: Path = ROOT) -> Launch:
    # A fresh home: every launch is a true first start, with no settings of an earlier one.
    env = {**(env or child_env(None, checkout)), "HOME": tempfile.mkdtemp()}
    env.pop("XDG_CONFIG_HOME", None)
    start = time.time()
    result = subprocess.run([sys.executable, "-c", child, *args], capture_output=True, text=True, env=env, cwd=checkout, timeout=120)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("REPORT")), None)
    if line is None:
        raise RuntimeError(f"the launch did not report:\n{result.stdout}\n{result.stderr}")
    _, painted, cpu, ready, ready_cpu, shapes, heavy = (line.split(" ") + [""])[:7]
    return Launch(float(painted) - start, float(cpu), float(ready) - start, float(ready_cpu), shapes == "True", heavy)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--before", type=Path, help="another checkout whose designer is launched alternately (before/after)")
    parser.add_argument("--compile-each-time", action="store_true", help="launch without kept bytecode: every launch compiles")
    parser.add_argument("--start-page-alone", action="store_true", help="also launch a window holding only the start page (a floor)")
    args = parser.parse_args()
    bytecode = None if args.compile_each_time else Path(tempfile.mkdtemp(prefix="cold-start-bytecode-"))
    # A copy, without the runs a checkout may have recorded beside the sample (opening those reads their weights).
    sample = Path(shutil.copy(SAMPLE, Path(tempfile.mkdtemp()) / SAMPLE.name))
    checkouts = {"": ROOT, **({"before: ": args.before.resolve()} if args.before else {})}
    envs = {name: child_env(bytecode, checkout) for name, checkout in checkouts.items()}
    for name, checkout in checkouts.items():  # fill the file cache (and the bytecode) once, as a second start would find them
        launch([], env=envs[name], checkout=checkout)
        launch([str(sample)], env=envs[name], checkout=checkout)
    launch([], BARE, envs[""])
    if args.start_page_alone:
        launch([], START_PAGE_ALONE, envs[""])
    bare: list[Launch] = []
    alone: list[Launch] = []
    window: dict[str, list[Launch]] = {name: [] for name in checkouts}
    shapes: dict[str, list[Launch]] = {name: [] for name in checkouts}
    heavy: set[str] = set()
    for _ in range(args.repeat):
        bare.append(launch([], BARE, envs[""]))
        if args.start_page_alone:
            alone.append(launch([], START_PAGE_ALONE, envs[""]))
        for name, checkout in checkouts.items():
            window[name].append(launch([], env=envs[name], checkout=checkout))
            shapes[name].append(launch([str(sample)], env=envs[name], checkout=checkout))
            assert shapes[name][-1].shapes, "the sample's shapes were not shown"
            heavy.update(filter(None, (window[name][-1].heavy + "," + shapes[name][-1].heavy).split(",")) if not name else ())
    cpu = {"bare": _median(bare, "cpu"), "alone": _median(alone, "cpu") if alone else None}
    bare, alone = [run.seconds for run in bare], [run.seconds for run in alone]
    cpu |= {f"{name}window": _median(runs, "cpu") for name, runs in window.items()}
    cpu |= {f"{name}shapes": _median(runs, "cpu") for name, runs in shapes.items()}
    cpu |= {f"{name}ready": _median(runs, "ready_cpu") for name, runs in window.items()}
    ready = {name: [run.ready for run in runs] for name, runs in window.items()}
    window = {name: [run.seconds for run in runs] for name, runs in window.items()}
    shapes = {name: [run.seconds for run in runs] for name, runs in shapes.items()}
    base = statistics.median(bare)
    rows = {
        "bytecode_kept": bytecode is not None,
        "bare_window_shown_s": base,
        "window_shown_s": statistics.median(window[""]),
        "sample_shapes_shown_s": statistics.median(shapes[""]),
        "window_ratio_to_bare": statistics.median(window[""]) / base,
        "window_built_s": statistics.median(ready[""]),
        "window_built_ratio_to_bare": statistics.median(ready[""]) / base,
        "sample_ratio_to_bare": statistics.median(shapes[""]) / base,
        "cpu_s": cpu,
        "window_cpu_ratio_to_bare": cpu["window"] / cpu["bare"],
        "sample_cpu_ratio_to_bare": cpu["shapes"] / cpu["bare"],
    }
    if alone:
        rows.update(
            {"start_page_alone_shown_s": statistics.median(alone), "start_page_alone_ratio_to_bare": statistics.median(alone) / base}
        )
    if args.before:
        rows.update(
            {
                "before_window_shown_s": statistics.median(window["before: "]),
                "before_sample_shapes_shown_s": statistics.median(shapes["before: "]),
                "before_window_ratio_to_bare": statistics.median(window["before: "]) / base,
                "before_sample_ratio_to_bare": statistics.median(shapes["before: "]) / base,
            }
        )
    print(f"{'launch':<48}{'median':>10}{'min':>10}{'max':>10}{'x bare':>9}{'CPU':>10}{'x bare':>9}")
    launches = [("bare PySide6 window -> shown", bare, cpu["bare"])] + ([("start page alone -> shown", alone, cpu["alone"])] if alone else [])
    for name in checkouts:
        launches += [
            (f"{name}designer -> window shown", window[name], cpu[f"{name}window"]),
            (f"{name}designer -> all of it built", ready[name], cpu[f"{name}ready"]),
            (f"{name}designer SAMPLE -> shapes shown", shapes[name], cpu[f"{name}shapes"]),
        ]
    for name, samples, seconds in launches:
        median = statistics.median(samples)
        print(
            f"{name:<48}{median:>9.2f}s{min(samples):>9.2f}s{max(samples):>9.2f}s{median / base:>9.2f}"
            f"{seconds:>9.2f}s{seconds / cpu['bare']:>9.2f}"
        )
    print(f"heavy modules imported at start: {', '.join(sorted(heavy)) or 'none'}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "cold_start.json"
    out.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "python": platform.python_version(),
                **rows,
                "runs": {
                    "bare": bare,
                    "window": window[""],
                    "window_built": ready[""],
                    "shapes": shapes[""],
                    **({"start_page_alone": alone} if alone else {}),
                },
                "heavy_modules": sorted(heavy),
            },
            indent=2,
        )
        + "\n"
    )
    if bytecode is not None:
        shutil.rmtree(bytecode, ignore_errors=True)
    return 0


def _median(runs: list[Launch], field: str) -> float:
    return statistics.median(getattr(run, field) for run in runs)


if __name__ == "__main__":
    sys.exit(main())
