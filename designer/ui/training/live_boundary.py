"""The decision boundary while the network trains (TensorFlow Playground's
main picture), for designs on 2-D data.

The plot items are made once and kept from run to run: an ImageItem for the
boundary and one scatter item per class for the validation points over it
(made again only when a run shows other points). Each new
:class:`~designer.insight.playground.PlaneMaps` (computed on the training
thread) only replaces the image's pixels in place. Making the items at every
run's start cost the UI thread 10-20 ms, which the training thread waited for.

Classes are drawn in their class colours (class 0 blue, class 1 orange,
as in the data's preview and the run's results), toward white where the
network is unsure: two classes are white where they tie, as in the
Playground. A regression's output is drawn on the diverging scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsItem, QLabel, QSizePolicy, QVBoxLayout, QWidget

from designer.insight.colors import diverging_rgb, symmetric_limit
from designer.insight.playground import PlaneMaps
from designer.ui.canvas.unit_maps import tile_grid
from designer.ui.training.plotting import PALE, POINT_OUTLINE, EmptyNote, class_plane_rgb, class_scatter, plot_widget

MIN_WIDTH = 150  # the column's own width, whatever its title says
WAITING = "The decision boundary is drawn here while a run trains"
NOT_MAPPED = "This run does not map the plane"


def boundary_rgb(maps: PlaneMaps) -> np.ndarray:
    """(GRID, GRID, 3) uint8 picture of the output over the plane, row 0 at y0."""
    if maps.classification:
        return class_plane_rgb(maps.predicted, maps.confidence, int(maps.output.shape[-1]))
    rgb = diverging_rgb(maps.predicted, symmetric_limit(maps.predicted)).astype(np.float32)
    return (255 - (255 - rgb) * PALE).astype(np.uint8)


@dataclass(frozen=True)
class PlanePictures:
    """PlaneMaps with their pictures already coloured (on the training thread,
    where numpy does not hold up the UI): the boundary and each node's tiles."""

    maps: PlaneMaps
    boundary: np.ndarray
    tiles: dict[str, np.ndarray]


def plane_pictures(maps: PlaneMaps) -> PlanePictures:
    return PlanePictures(maps, boundary_rgb(maps), {nid: tile_grid(unit.values)[0] for nid, unit in maps.units.items()})


class LiveBoundary(QWidget):
    """The boundary plot, redrawn in place from each new PlaneMaps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("Live boundary", self)  # short: a long title would widen the column and squeeze the curves
        self.title.setToolTip("The decision boundary, drawn while the design trains")
        # Its text changes with every picture: it must never lay the panel out again (that cost 50-60 ms).
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(MIN_WIDTH)
        column.addWidget(self.title)
        self.plot_widget = plot_widget(self, "x2", "x1")
        self.plot_widget.setMouseEnabled(False, False)
        self.plot_widget.setToolTip(
            "What the network predicts over the input plane as it trains: each class in its colour "
            "(class 0 blue, class 1 orange), white where the network is undecided; dots are validation samples"
        )
        column.addWidget(self.plot_widget, 1)
        self.empty = EmptyNote(self.plot_widget, WAITING)
        self.image: pg.ImageItem | None = None
        self.updates = 0  # pictures shown this run (tests wait on it)
        self._extent: tuple[float, float, float, float] | None = None
        self._points_of: PlaneMaps | None = None  # the maps whose points the scatter items show
        self._scatters: list[pg.ScatterPlotItem] = []

    def reset(self, mapped: bool = True) -> None:
        """A new run: the picture goes until its first maps arrive (the items stay, for its maps);
        ``mapped`` False: this run does not map the plane."""
        if self.image is not None:
            self.image.setVisible(False)
        # The note says what comes, over the last run's points too (a run that does not map the
        # plane left them under a title saying "off", as if they were its own).
        self.empty.setText(WAITING if mapped else NOT_MAPPED)
        self.empty.show()
        self.updates = 0
        self.title.setText("Live boundary: waiting…" if mapped else "Live boundary: off for this run")
        self.title.setToolTip(
            "The decision boundary, redrawn while the run trains"
            if mapped
            else "This run does not map the input plane: no boundary is drawn"
        )

    def show_maps(self, maps: PlaneMaps, rgb: np.ndarray | None = None) -> None:
        """Show new maps (``rgb``: their boundary_rgb, if made already)."""
        plot = self.plot_widget.getPlotItem()
        rgb = boundary_rgb(maps) if rgb is None else rgb
        if self.image is None:
            self.image = pg.ImageItem(axisOrder="row-major")
            self.image.setAutoDownsample(False)
            self.image.setZValue(-10)
            plot.addItem(self.image)
        self.image.setImage(rgb, autoLevels=False)  # no levels: 8-bit RGB goes to the QImage without a rescale
        self.image.setVisible(True)
        self.empty.hide()
        if maps.extent != self._extent:
            x0, x1, y0, y1 = maps.extent
            self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
            self._extent = maps.extent
            plot.setAspectLocked(True)
            plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        if maps.points is not None and not _same_points(maps, self._points_of):
            self._draw_points(plot, maps)
            self._points_of = maps
        self.updates += 1
        what = "probabilities" if maps.classification else "output"
        self.title.setText(f"Live boundary, epoch {maps.epoch}")
        self.title.setToolTip(f"The decision boundary at epoch {maps.epoch}, step {maps.step}: the {what} over the input plane")

    def _draw_points(self, plot: pg.PlotItem, maps: PlaneMaps) -> None:
        """One scatter item per class (a uniform brush draws far faster than one per point)."""
        assert maps.points is not None and maps.labels is not None
        for item in self._scatters:
            plot.removeItem(item)
        if not maps.classification:
            pen = pg.mkPen(POINT_OUTLINE, width=0.6)
            self._scatters = [pg.ScatterPlotItem(maps.points[:, 0], maps.points[:, 1], size=5, pen=pen, brush=pg.mkBrush("#ffffff"))]
            plot.addItem(self._scatters[0])
        else:
            labels = np.asarray(maps.labels).astype(np.int64)
            self._scatters = class_scatter(plot, maps.points, labels, size=6, outline=POINT_OUTLINE)
        for item in self._scatters:
            # The points stay while the boundary under them changes: Qt keeps them as a
            # pixmap instead of pyqtgraph drawing 600 points again in Python at every picture.
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def _same_points(maps: PlaneMaps, drawn: PlaneMaps | None) -> bool:
    """Whether ``drawn``'s points look the same as ``maps``' (a new run of the same data)."""
    if drawn is None or drawn.points is None or maps.points is None:
        return False
    if maps.points is drawn.points:
        return True
    return (
        maps.classification == drawn.classification
        and maps.output.shape[-1] == drawn.output.shape[-1]
        and np.array_equal(maps.points, drawn.points)
        and np.array_equal(maps.labels, drawn.labels)
    )
