"""The design model at scale: load, validate + infer shapes (from scratch),
summarise, and open in the canvas (with fit to view), for chains and
branching designs of 100, 1,000 and 10,000 nodes; then edits and their
undos in the open window at 2,000 and 10,000 nodes, each timed from the
model edit to the canvas repainted. Prints tables, the growth exponent, and
writes benchmarks/results/model_scale.json.

    python benchmarks/model_scale.py [--repeat 5] [--edit-repeat 5]

Goals: 1,000 nodes validated and inferred in under 100 ms; 10,000 nodes open
in the canvas in under 2 s; an edit or undo round trip under 30 ms at 2,000
nodes and under 100 ms at 10,000; growth close to linear.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import designer  # noqa: E402
from designer.graph.layout import auto_layout  # noqa: E402
from designer.project import Project, load_project, save_project  # noqa: E402

SIZES = (100, 1000, 10000)
EDIT_SIZES = (2000, 10000)
RESULTS = Path(__file__).resolve().parent / "results"


def chain(n: int) -> designer.Graph:
    """Input, then Linear/ReLU pairs, then Output: n nodes in one line."""
    g = designer.Graph(f"chain {n}")
    with g.batch():
        previous = g.add("Input", shape=[32])
        for i in range(n - 2):
            node = g.add("Linear", out_features=32) if i % 2 == 0 else g.add("ReLU")
            g.connect(previous, node)
            previous = node
        g.connect(previous, g.add("Output"))
    return g


def branching(n: int) -> designer.Graph:
    """Residual blocks: each block forks into two Linear+ReLU branches that an Add joins (6 nodes a block)."""
    g = designer.Graph(f"branching {n}")
    with g.batch():
        previous = g.add("Input", shape=[32])
        while len(g) + 7 <= n:
            left = g.sequential(("Linear", {"out_features": 32}), "ReLU", after=previous)
            right = g.sequential(("Linear", {"out_features": 32}), "ReLU", after=previous)
            add = g.add("Add")
            g.connect(left[-1], add)
            g.connect(right[-1], add)
            g.connect(previous, add)
            previous = add
        while len(g) < n - 1:
            previous = g.sequential("Identity", after=previous)[-1]
        g.connect(previous, g.add("Output"))
    return g


def timed(function, repeat: int) -> float:
    """Median seconds of ``repeat`` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def measure(kind: str, n: int, repeat: int, app) -> dict:
    graph = chain(n) if kind == "chain" else branching(n)
    graph.move_nodes(auto_layout(graph))
    folder = Path(tempfile.mkdtemp())
    path = save_project(Project(graph), folder / f"{kind}{n}.nnd")
    row = {"kind": kind, "nodes": len(graph)}
    row["load_s"] = timed(lambda: load_project(path), repeat)

    def analyse() -> None:
        from designer.graph.analysis import analyze

        assert analyze(graph).ok  # from scratch: no state kept from an earlier analysis

    row["validate_infer_s"] = timed(analyse, repeat)
    row["summary_s"] = timed(lambda: designer.summarize(graph), repeat)
    row["canvas_open_s"] = timed_open(path, app, max(1, repeat // 2))
    return row


_window = None


def timed_open(path: Path, app, repeat: int) -> float:
    """Median seconds to open the file in the shown main window, as File >
    Open does: scene built, every item refreshed, fit to view, one repaint.
    Each try starts from an empty design, the previous scene already torn
    down (untimed); starting the window is measured by cold_start.py."""
    from PySide6.QtCore import QEvent, QSettings

    from designer.document import Document
    from designer.ui.main_window import MainWindow

    global _window
    if _window is None:
        from designer.ui.collector import keep_full_collections_short

        keep_full_collections_short()  # as designer.app does before its window
        settings = QSettings(str(path.with_suffix(".ini")), QSettings.Format.IniFormat)
        _window = MainWindow(settings)
        _window.resize(1400, 860)
        _window.show()
        from live_stalls import settle  # beside this script

        settle(app, 0.0)  # the device probe's warm-up over: it holds the interpreter for seconds
    samples = []
    for _ in range(repeat):
        _window.document.undo_stack.setClean()
        _window.set_document(Document())
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
        start = time.perf_counter()
        _window.open_file(path)
        app.processEvents()
        _window.view.viewport().repaint()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def timed_edits(kind: str, n: int, repeat: int, app) -> dict:
    """Median milliseconds of each edit and of its undo in the shown window,
    from the document call to the canvas repainted: the events it posts
    processed, Qt's repaint of the region that changed among them, as in
    use. Beside them, "full repaint": one repaint of the whole fitted view
    with nothing changed, the most an edit's repaint can cost. The edits touch a layer in the middle: a
    parameter that changes no shape, a node added and wired from it, and the
    layer deleted (which cuts everything after it off the Input, so every
    shape downstream changes, and its undo brings them back)."""
    graph = chain(n) if kind == "chain" else branching(n)
    graph.move_nodes(auto_layout(graph))
    path = save_project(Project(graph), Path(tempfile.mkdtemp()) / f"{kind}{n}.nnd")
    timed_open(path, app, 1)
    document, view = _window.document, _window.view
    graph = document.graph
    middle = [nid for nid in graph.node_ids() if graph.node(nid).type == "Linear"][len(graph) // 4]
    samples: dict[str, list[float]] = {}

    def step(name: str, action) -> object:
        start = time.perf_counter()
        result = action()
        app.processEvents()
        app.processEvents()  # the scene's update, queued by the first pass, paints in the second at the latest
        samples.setdefault(name, []).append((time.perf_counter() - start) * 1000)
        return result

    undo = document.undo_stack.undo
    for _ in range(repeat):
        step("set_param", lambda: document.set_param(middle, "bias", not graph.node(middle).params["bias"]))
        step("set_param undo", undo)
        x, y = graph.node(middle).position
        added = step("add", lambda: document.add_node("ReLU", (x, y + 200)))  # noqa: B023 - called at once
        step("connect", lambda: document.connect(middle, added))  # noqa: B023
        step("connect undo", undo)
        step("add undo", undo)
        step("delete", lambda: document.remove_nodes([middle]))
        step("delete undo", undo)
        step("full repaint", view.viewport().repaint)
    # The same parameter edit and the delete with the Summary tab in front: its table of
    # every node follows each edit (apart from the goal's figures: the tab is the user's choice).
    tabs = _window.bottom_tabs
    tabs.setCurrentWidget(_window.summary)
    app.processEvents()
    for _ in range(repeat):
        step(SUMMARY_SHOWN, lambda: document.set_param(middle, "bias", not graph.node(middle).params["bias"]))
        step(SUMMARY_SHOWN + " undo", undo)
        step(SUMMARY_SHOWN + ", delete", lambda: document.remove_nodes([middle]))  # a row less, every row after it changed
        step(SUMMARY_SHOWN + ", delete undo", undo)
    tabs.setCurrentIndex(0)
    app.processEvents()
    row = {"kind": kind, "nodes": len(graph)} | {name: round(statistics.median(values), 1) for name, values in samples.items()}
    row["worst_ms"] = max(v for k, v in row.items() if k not in ("kind", "nodes") and not k.startswith(SUMMARY_SHOWN))
    return row


SUMMARY_SHOWN = "summary shown"


def exponent(rows: list[dict], key: str) -> float:
    """Slope of log(time) against log(nodes) from the smallest to the largest size."""
    first, last = rows[0], rows[-1]
    return math.log(last[key] / first[key]) / math.log(last["nodes"] / first["nodes"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--edit-repeat", type=int, default=5)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    rows = [measure(kind, n, args.repeat, app) for kind in ("chain", "branching") for n in SIZES]
    keys = ("load_s", "validate_infer_s", "summary_s", "canvas_open_s")
    print(f"{'design':<12}{'nodes':>7}" + "".join(f"{k[:-2]:>18}" for k in keys))
    for row in rows:
        print(f"{row['kind']:<12}{row['nodes']:>7}" + "".join(f"{row[k] * 1000:>15.1f} ms" for k in keys))
    growth = {kind: {k: round(exponent([r for r in rows if r["kind"] == kind], k), 2) for k in keys} for kind in ("chain", "branching")}
    for kind, values in growth.items():
        print(f"growth exponent ({kind}): " + ", ".join(f"{k[:-2]} {v}" for k, v in values.items()))
    edits = [timed_edits(kind, n, args.edit_repeat, app) for kind in ("chain", "branching") for n in EDIT_SIZES]
    names = [k for k in edits[0] if k not in ("kind", "nodes")]
    widths = [max(15, len(k) + 2) for k in names]
    print(f"\nedit -> canvas repainted, median ms\n{'design':<12}{'nodes':>7}" + "".join(f"{k:>{w}}" for k, w in zip(names, widths)))
    for row in edits:
        print(f"{row['kind']:<12}{row['nodes']:>7}" + "".join(f"{row[k]:>{w}.1f}" for k, w in zip(names, widths)))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "model_scale.json"
    report = {"machine": platform.platform(), "python": platform.python_version(), "rows": rows, "growth": growth, "edits": edits}
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
