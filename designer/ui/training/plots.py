"""Live training curves (pyqtgraph): loss, accuracy or MAE, and learning rate,
stacked on one shared epoch axis, for every run of the project.

Each run gets its curve items once (RunCurves); new points only ever call
``setData`` on them with views of the run's growing buffers, with peak
downsampling and clipping to the visible range, so a long run costs the
same to redraw as a short one. Earlier runs stay, dimmed; the latest run is
drawn strong, with its raw per-batch losses faint behind the smoothed line.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QGraphicsItem, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from designer.ui import dialogs
from designer.ui.paint_clock import times_its_paints
from designer.ui.training.plotting import AXIS, BACKGROUND, Caption, EmptyNote, extent, style_plot
from designer.ui.training.runs import RunHistory, RunRecord

DIM_ALPHA = 90  # earlier runs
PLOT_MIN_HEIGHT = 110  # the loss plot; the accuracy plot a little less: their ticks never crowd
LR_HEIGHT = 80  # the learning-rate plot, shown while a schedule changes the rate
RAW_ALPHA = 55  # the current run's per-batch losses behind the smoothed line
EARLIER_POINTS = 400  # an earlier run's smoothed loss is drawn from at most this many points, and its last (see RunCurves)
SPARE_AFTER_MS = 400  # after a design opens or a run ends, the next run's curve items are made (once idle)


def _pen(colour: str, alpha: int = 255, width: float = 1.6, dash: bool = False) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return pg.mkPen(c, width=width, style=Qt.PenStyle.DashLine if dash else Qt.PenStyle.SolidLine)


class RunCurves:
    """The plot items of one run, created once and updated with setData.

    Made without a record they are a spare set, hidden until ``assign`` gives
    them a run: the panel makes one while the window is idle so a run's start
    does not pay for six new plot items (about 8 ms of the UI thread).

    The latest run draws every batch (downsampled to the view by pyqtgraph,
    again whenever the axes move). An earlier run, dimmed, draws its smoothed
    loss from at most ``EARLIER_POINTS`` points, decimated once: with every
    batch of every earlier run redrawn and downsampled again whenever a new
    run moved the axes, the window's repaint at a run's start grew by about
    4 ms with each run kept (52 ms after eight runs of the deep Sigmoid
    sample)."""

    def __init__(self, plots: TrainingPlots, record: RunRecord | None = None) -> None:
        self.raw = plots.loss.plot()
        self.smooth = plots.loss.plot()
        self.val = plots.loss.plot(symbol="o", symbolSize=6)
        self.train_metric = plots.metric_plot.plot()
        self.val_metric = plots.metric_plot.plot(symbol="o", symbolSize=6)
        self.lr = plots.lr.plot()
        self.items = [self.raw, self.smooth, self.val, self.train_metric, self.val_metric, self.lr]
        self.current = True
        self._epochs_drawn = -1
        self._extent_key: tuple | None = None  # what loss_extent last measured
        self._extent: tuple[float, float] | None = None
        if record is None:
            for item in self.items:
                item.setVisible(False)
        else:
            self.assign(record)

    def assign(self, record: RunRecord) -> None:
        """Draw ``record`` (once, for a spare set)."""
        self.record = record
        self.restyle(True)
        self.update()

    def update(self) -> None:
        """setData with the new points; the per-epoch items only when an epoch was added."""
        r = self.record
        if self.current:
            self.raw.setData(r.batch_x.view(), r.batch_loss.view())
            self.smooth.setData(r.batch_x.view(), r.batch_smooth.view())
        else:
            x, y = r.batch_x.view(), r.batch_smooth.view()
            keep = np.unique(np.r_[np.arange(0, len(x), max(1, -(-len(x) // EARLIER_POINTS))), len(x) - 1]) if len(x) else []
            self.smooth.setData(x[keep], y[keep])
        if len(r.epochs) == self._epochs_drawn:
            return
        self._epochs_drawn = len(r.epochs)
        self.val.setData(*r.epoch_array("val_loss"))
        scale = 100.0 if r.metric_name == "accuracy" else 1.0
        x, y = r.epoch_array("train_metric")
        self.train_metric.setData(x, y * scale)
        x, y = r.epoch_array("val_metric")
        self.val_metric.setData(x, y * scale)
        self.lr.setData(*r.epoch_array("lr"))

    def loss_extent(self, log: bool) -> tuple[float, float] | None:
        """The lowest and highest loss this run draws (log10 on a log axis), None
        without any. Measured again only when the run changed: an earlier run's
        is kept, so fitting the axis costs the latest run's points, not every run's."""
        r = self.record
        key = (log, self.current, len(r.batch_loss.view()), len(r.epochs))
        if key != self._extent_key:
            arrays = [a for a in ((r.batch_loss.view() if self.current else r.batch_smooth.view()), r.epoch_array("val_loss")[1]) if len(a)]
            self._extent = extent(np.concatenate(arrays), log) if arrays else None
            self._extent_key = key
        return self._extent

    def restyle(self, current: bool) -> None:
        """Strong for the latest run; dimmed, without raw losses, for earlier ones."""
        self.current = current
        colour = self.record.colour
        alpha = 255 if current else DIM_ALPHA
        self.raw.setPen(_pen(colour, RAW_ALPHA, 1.0))
        self.smooth.setPen(_pen(colour, alpha, 2.0 if current else 1.4))
        self.val.setPen(_pen(colour, alpha, 1.4, dash=True))
        self.train_metric.setPen(_pen(colour, alpha, 1.4, dash=True))
        self.val_metric.setPen(_pen(colour, alpha, 2.0 if current else 1.4))
        for item in (self.val, self.val_metric):  # an earlier run's validation is its line, without a dot per epoch
            item.setSymbol("o" if current else None)
            item.setSymbolBrush(pg.mkBrush(_with_alpha(colour, alpha)))
            item.setSymbolPen(pg.mkPen(BACKGROUND))
        self.lr.setPen(_pen(colour, alpha, 1.4))
        for item in (self.raw, self.smooth):  # the latest run's follow the view; an earlier run's are decimated once (update)
            item.setDownsampling(auto=current, method="peak")
            item.setClipToView(current)
        if not current:
            self.raw.setData([], [])  # hidden: nothing for a moved axis to work on
        # An earlier run's curves do not change: Qt keeps them as pixmaps, redrawn only when the axes move.
        mode = QGraphicsItem.CacheMode.NoCache if current else QGraphicsItem.CacheMode.DeviceCoordinateCache
        for item in self.items:
            item.curve.setCacheMode(mode)
            item.scatter.setCacheMode(mode)
        self._epochs_drawn = -1  # redraw the epoch items with the new style
        self.set_visible(not self.record.hidden)

    def set_visible(self, visible: bool) -> None:
        for item in self.items:
            item.setVisible(visible)
        self.raw.setVisible(visible and self.current)

    def remove(self, plots: TrainingPlots) -> None:
        for plot, item in zip((plots.loss, plots.loss, plots.loss, plots.metric_plot, plots.metric_plot, plots.lr), self.items):
            plot.removeItem(item)


def _with_alpha(colour: str, alpha: int) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return c


@times_its_paints  # the run paces its updates by what they cost to draw
class _Canvas(pg.GraphicsLayoutWidget):
    """The stacked curves' drawing surface."""


class TrainingPlots(QWidget):
    """Three stacked plots with a log-scale toggle, a crosshair readout and PNG/CSV export."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history: RunHistory | None = None
        self.curves: dict[int, RunCurves] = {}  # by run number
        self._spare: RunCurves | None = None  # the next run's items, made ahead (see RunCurves)
        self._spare_timer = QTimer(self)
        self._spare_timer.setSingleShot(True)
        self._spare_timer.setInterval(SPARE_AFTER_MS)
        self._spare_timer.timeout.connect(self._on_spare_due)
        self._restyle_timer = QTimer(self)  # a new run's click: the others are restyled in the next pass
        self._restyle_timer.setSingleShot(True)
        self._restyle_timer.setInterval(0)
        self._restyle_timer.timeout.connect(self._restyle)
        self.project_path: Path | None = None  # the curves' files are offered beside it, named after it
        self._lr_top = 0.0
        self._lr_decided = False
        self._metric_label = "accuracy %"
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        bar = QHBoxLayout()
        self.log_scale = QCheckBox("Log loss", self)
        self.log_scale.setToolTip("Show the loss on a logarithmic scale")
        self.log_scale.toggled.connect(self._on_log_toggled)
        self.readout = QLabel(self)
        self.readout.setStyleSheet("color: #57606a;")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.png_button = QPushButton("PNG…", self)
        self.png_button.setToolTip("Export the plots as a PNG image")
        self.png_button.clicked.connect(lambda: self.export_png())
        self.csv_button = QPushButton("CSV…", self)
        self.csv_button.setToolTip("Export every run's losses, metrics and learning rates as CSV")
        self.csv_button.clicked.connect(lambda: self.export_csv())
        bar.addWidget(self.log_scale)
        bar.addWidget(self.readout, 1)
        bar.addWidget(self.png_button)
        bar.addWidget(self.csv_button)
        column.addLayout(bar)
        self.canvas = _Canvas(self)
        self.canvas.setBackground(BACKGROUND)
        self.caption = Caption(
            "<span style='color:#57606a;font-size:9pt'>faint: each batch · line: smoothed · dots: validation, per epoch</span>"
        )
        self.canvas.addItem(self.caption, row=0, col=0)
        self.loss = style_plot(self.canvas.addPlot(row=1, col=0), "loss")
        self.metric_plot = style_plot(self.canvas.addPlot(row=2, col=0), "accuracy %")
        self.lr = style_plot(self.canvas.addPlot(row=3, col=0), "lr", "epoch")
        self.lr.setMaximumHeight(LR_HEIGHT)
        layout = self.canvas.ci.layout
        for row, stretch in enumerate((0, 5, 3, 1)):
            layout.setRowStretchFactor(row, stretch)
        for plot in (self.loss, self.metric_plot, self.lr):
            plot.getAxis("left").setWidth(58)
            plot.getAxis("left").setStyle(hideOverlappingLabels=True)
            plot.enableAutoRange(x=False)  # the epoch axis spans the runs' epochs from the start (see _fit_epochs)
            if plot is not self.loss:
                plot.setXLink(self.loss)
        self.loss.setMinimumHeight(PLOT_MIN_HEIGHT)
        self.metric_plot.setMinimumHeight(PLOT_MIN_HEIGHT * 0.8)
        # The plots' least height: squeezed further, the panel scrolls (ticks never overlap). It keeps
        # the learning-rate strip's room, shown or not: the strip carries the epoch axis, and a panel
        # given its least height as a run starts (before a schedule shows the strip) cut it off.
        self.canvas.setMinimumHeight(int(PLOT_MIN_HEIGHT * 1.8 + LR_HEIGHT * 0.6) + 60)
        self.lr.enableAutoRange(y=False)
        self.loss.enableAutoRange(y=False)  # with slack, see _fit_loss
        self.loss.setYRange(0, 1, padding=0)
        self.metric_plot.enableAutoRange(y=False)  # accuracy spans 0-100 from the start; MAE follows its values (see _fit_metric)
        self.metric_plot.setYRange(0, 100, padding=0)
        self._show_lr(False)  # a learning rate that never changes is said in the readout, not drawn
        self.crosshair = [pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#8c959f", style=Qt.PenStyle.DashLine)) for _ in range(3)]
        for plot, line in zip((self.loss, self.metric_plot, self.lr), self.crosshair):
            plot.addItem(line, ignoreBounds=True)
            line.hide()
        self._mouse = pg.SignalProxy(self.canvas.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse_moved)
        column.addWidget(self.canvas, 1)
        self.empty = EmptyNote(self.canvas, "No runs yet: Train (F5) draws the loss and the accuracy here, epoch by epoch")

    # ---------------------------------------------------------- runs
    def set_history(self, history: RunHistory) -> None:
        if self.history is not None:
            self.history.run_added.disconnect(self._on_run_added)
            self.history.run_changed.disconnect(self._on_run_changed)
            self.history.run_removed.disconnect(self._on_run_removed)
        for curves in self.curves.values():
            curves.remove(self)
        self.curves = {}
        self.history = history
        history.run_added.connect(self._on_run_added)
        history.run_changed.connect(self._on_run_changed)
        history.run_removed.connect(self._on_run_removed)
        for record in history.runs:
            if not record.hidden:  # a hidden run gets its items when it is shown (a project may have many runs)
                self.curves[record.number] = RunCurves(self, record)
        self._restyle()
        self._spare_timer.start()

    def update_run(self, record: RunRecord) -> None:
        """New points for ``record``: setData on its existing items."""
        curves = self.curves.get(record.number)
        if curves is not None:
            curves.update()
            self._label_metric(record)
            self._fit_loss()
            if record.epochs:
                self._fit_lr()
                self._fit_metric()

    def _on_run_added(self, record: RunRecord) -> None:
        if not record.hidden:
            spare, self._spare = self._spare, None
            if spare is not None:
                spare.assign(record)
            self.curves[record.number] = spare or RunCurves(self, record)
            self.empty.hide()
            if record.running:  # the click that started it has more to do: the earlier runs' new look can wait a pass
                self._restyle_timer.start()
            else:
                self._restyle()

    def make_spare(self) -> None:
        """Make the next run's curve items now, while nothing else needs the UI thread."""
        if self._spare is None:
            self._spare = RunCurves(self)

    def _on_spare_due(self) -> None:
        if not any(c.record.running for c in self.curves.values()):  # never in the middle of a run: at its end
            self.make_spare()

    def _on_run_changed(self, record: RunRecord) -> None:
        if not record.running and self._spare is None:  # a run ended: the next one's items, once idle
            self._spare_timer.start()
        curves = self.curves.get(record.number)
        if curves is None and not record.hidden:  # shown for the first time
            self._on_run_added(record)
        elif curves is not None:
            curves.update()
            curves.set_visible(not record.hidden)
            self._fit_epochs()
            self._fit_loss(force=True)
            self._fit_metric()

    def _on_run_removed(self, record: RunRecord) -> None:
        curves = self.curves.pop(record.number, None)
        if curves is not None:
            curves.remove(self)
        self._restyle()

    def _restyle(self) -> None:
        self.empty.setVisible(not self.curves)  # the runs shown changed (a started run hides it at once, before this pass)
        latest = max(self.curves, default=None)
        for number, curves in self.curves.items():
            if curves.current != (number == latest):  # only the run that stops being the latest changes
                curves.restyle(number == latest)
                curves.update()
        if latest is not None:
            self._label_metric(self.curves[latest].record)
        self._fit_epochs()
        self._fit_loss(force=True)

    def _fit_epochs(self) -> None:
        """The epoch axis: from 0 to the longest run's planned epochs, so a run's progress shows from its start."""
        epochs = [int(c.record.settings.get("epochs") or 1) for c in self.curves.values() if not c.record.hidden]
        self.loss.setXRange(0, max(epochs, default=1), padding=0.02)
        self._fit_lr()

    def _fit_loss(self, force: bool = False) -> None:
        """The loss axis, with some slack: changed when the curves leave it or fill
        less than half of it, not with every batch (an axis redraw costs more than a curve's)."""
        log = self.log_scale.isChecked()
        extents = [e for c in self.curves.values() if not c.record.hidden and (e := c.loss_extent(log)) is not None]
        if not extents:
            return
        lo, hi = min(e[0] for e in extents), max(e[1] for e in extents)
        if not log:
            lo = min(lo, 0.0)  # a loss plot starts at zero
        (shown_lo, shown_hi) = self.loss.vb.viewRange()[1]
        span = max(hi - lo, 1e-9)
        outside = lo < shown_lo or hi > shown_hi
        loose = (shown_hi - shown_lo) > 2.0 * span
        if force or outside or loose:
            self.loss.setYRange(lo, hi + 0.08 * span, padding=0)

    def _fit_lr(self) -> None:
        """From 0 to the highest rate shown: a constant rate is a flat line near the top, not noise around it.
        The plot shows only while some run's rate changes (a schedule); a constant one takes no room."""
        runs = [c.record for c in self.curves.values() if not c.record.hidden]
        rates = [m.lr for r in runs for m in r.epochs]
        self._show_lr(any(len({round(m.lr, 12) for m in r.epochs}) > 1 for r in runs))
        top = max(rates) * 1.15 if rates else 0.0
        if rates and top != self._lr_top:  # an unchanged range is not set again: the axis would repaint
            self._lr_top = top
            self.lr.setYRange(0, top or 1.0, padding=0)

    def _show_lr(self, shown: bool) -> None:
        """The learning-rate plot, or not; the lowest plot shown carries the epoch axis."""
        if shown == self.lr.isVisible() and self._lr_decided:
            return
        self._lr_decided = True
        self.lr.setVisible(shown)
        self.lr.setMaximumHeight(LR_HEIGHT if shown else 0)
        self.lr.setMinimumHeight(LR_HEIGHT * 0.6 if shown else 0)
        self.metric_plot.getAxis("bottom").setStyle(showValues=not shown)
        self.metric_plot.setLabel("bottom", "" if shown else "epoch", color=AXIS)
        self.loss.getAxis("bottom").setStyle(showValues=False)

    def _fit_metric(self) -> None:
        """Accuracy keeps its 0-100 axis; MAE spans 0 to its largest value shown."""
        if self._metric_label != "MAE":
            return
        values = [v for c in self.curves.values() if not c.record.hidden for k in ("train_metric", "val_metric") for v in c.record.epoch_array(k)[1]]
        finite = [v for v in values if np.isfinite(v)]
        if finite:
            self.metric_plot.setYRange(0, max(finite) * 1.1 or 1.0, padding=0)

    def _label_metric(self, record: RunRecord) -> None:
        label = "accuracy %" if record.metric_name == "accuracy" else "MAE"
        if label != self._metric_label:
            self._metric_label = label
            self.metric_plot.setLabel("left", label)
            if label == "accuracy %":
                self.metric_plot.setYRange(0, 100, padding=0)

    def _on_log_toggled(self, on: bool) -> None:
        self.loss.setLogMode(y=on)
        self._fit_loss(force=True)

    # ----------------------------------------------------- crosshair
    def _focus(self) -> RunRecord | None:
        visible = [c.record for c in self.curves.values() if not c.record.hidden]
        return visible[-1] if visible else None

    def _on_mouse_moved(self, event: tuple[QPointF]) -> None:
        pos = event[0]
        inside = any(p.sceneBoundingRect().contains(pos) for p in (self.loss, self.metric_plot, self.lr))
        record = self._focus()
        if not inside or record is None:
            for line in self.crosshair:
                line.hide()
            return
        x = self.loss.vb.mapSceneToView(pos).x()  # the plots share the epoch axis; the loss plot always shows
        for line in self.crosshair:
            line.setPos(x)
            line.show()
        self.readout.setText(readout_text(record, x))

    # -------------------------------------------------------- export
    def export_png(self, path: str | None = None) -> Path | None:
        path = path or dialogs.ask_save_path(self, "Export the curves as PNG", dialogs.beside(self.project_path, "-curves.png", "training"), "PNG images (*.png)")
        if not path:
            return None
        exporter = ImageExporter(self.canvas.ci)
        exporter.parameters()["width"] = max(800, 2 * self.canvas.width())
        exporter.export(path)
        return Path(path)

    def export_csv(self, path: str | None = None) -> Path | None:
        path = path or dialogs.ask_save_path(self, "Export the curves as CSV", dialogs.beside(self.project_path, "-curves.csv", "training"), "CSV files (*.csv)")
        if not path:
            return None
        runs = self.history.runs if self.history else []
        with open(path, "w", newline="", encoding="utf-8") as handle:
            write_csv(handle, runs)
        return Path(path)


def readout_text(record: RunRecord, x: float) -> str:
    """The values of ``record`` under the crosshair at epoch position ``x``."""
    parts = [f"<b>{record.label}</b> epoch {max(x, 0):.2f}"]
    xs = record.batch_x.view()
    if len(xs):
        i = int(np.clip(np.searchsorted(xs, x), 0, len(xs) - 1))
        parts.append(f"loss {record.batch_smooth.view()[i]:.4g} (smoothed)")
    epoch = next((m for m in record.epochs if m.epoch == max(1, round(x))), None)
    if epoch is not None:
        if epoch.val_loss is not None:
            parts.append(f"val loss {epoch.val_loss:.4g}")
        metric = epoch.val_metric if epoch.val_metric is not None else epoch.train_metric
        parts.append(
            f"{'val ' if epoch.val_metric is not None else ''}"
            + (f"accuracy {100 * metric:.1f}%" if epoch.metric_name == "accuracy" else f"MAE {metric:.4g}")
        )
        parts.append(f"lr {epoch.lr:.3g}")
    return " · ".join(parts)


def write_csv(handle, runs: list[RunRecord]) -> None:
    """One row per batch loss and one per epoch, for every run."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["run", "settings", "kind", "epoch", "loss", "smoothed_loss", "val_loss", "train_metric", "val_metric", "metric", "lr"])
    for r in runs:
        for x, loss, smooth in zip(r.batch_x.view(), r.batch_loss.view(), r.batch_smooth.view()):
            writer.writerow([r.number, r.settings_text(), "batch", f"{x:.6g}", f"{loss:.6g}", f"{smooth:.6g}", "", "", "", "", ""])
        for m in r.epochs:
            cells = [m.train_loss, None, m.val_loss, m.train_metric, m.val_metric]
            writer.writerow(
                [
                    r.number,
                    r.settings_text(),
                    "epoch",
                    m.epoch,
                    *("" if v is None else f"{v:.6g}" for v in cells),
                    m.metric_name,
                    f"{m.lr:.6g}",
                ]
            )
