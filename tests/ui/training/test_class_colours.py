"""One colour per class in every view of a classifier on 2-D data: the data's
preview, the live boundary and the run's results draw class 1 in the same
colour (the live boundary had blue/red while the results beside it had
blue/orange)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from designer.insight.playground import PlaneMaps
from designer.runs.outcome import Boundary
from designer.ui.training.live_boundary import LiveBoundary
from designer.ui.training.plotting import PALE, class_colour, class_plane_rgb
from designer.ui.training.results import ResultsView

WHITE = (255, 255, 255)


def _pale(k: int) -> tuple[int, ...]:
    rgb = np.array(class_colour(k).getRgb()[:3], dtype=np.float32)
    return tuple((255 - (255 - rgb) * PALE).astype(np.uint8).tolist())


def test_two_classes_are_white_where_they_tie_and_in_their_colours_where_sure() -> None:
    classes = np.array([[0, 1, 1]])
    confidence = np.array([[1.0, 1.0, 0.5]])
    rgb = class_plane_rgb(classes, confidence, 2)
    assert tuple(rgb[0, 0]) == _pale(0) and tuple(rgb[0, 1]) == _pale(1) and tuple(rgb[0, 2]) == WHITE


def test_many_classes_keep_a_hue_where_no_class_is_sure() -> None:
    rgb = class_plane_rgb(np.array([[3]]), np.array([[0.3]]), 10)
    assert tuple(rgb[0, 0]) != WHITE and np.argmin(rgb[0, 0]) == np.argmin(class_colour(3).getRgb()[:3])


def _brushes(plot: pg.PlotItem) -> set[tuple[int, ...]]:
    return {item.opts["brush"].color().getRgb()[:3] for item in plot.items if isinstance(item, pg.ScatterPlotItem)}


def _image(plot: pg.PlotItem) -> np.ndarray:
    """The picture as drawn (after pyqtgraph's levels, which can change its colours)."""
    item = next(item for item in plot.items if isinstance(item, pg.ImageItem) and item.image is not None)
    item.render()
    return pg.imageToArray(item.qimage, copy=True)[..., :3]


def test_the_live_boundary_and_the_results_draw_one_run_alike(qtbot) -> None:
    rng = np.random.default_rng(0)
    p1 = rng.random((32, 32)).astype(np.float32)
    output = np.stack([1 - p1, p1], axis=-1)
    points, labels = rng.normal(size=(40, 2)).astype(np.float32), np.repeat([0, 1], 20)
    extent = (-1.0, 1.0, -1.0, 1.0)
    live = LiveBoundary()
    qtbot.addWidget(live)
    live.show_maps(PlaneMaps(1, 1, extent, True, output, {}, points, labels))
    results = ResultsView()
    qtbot.addWidget(results)
    results._draw_boundary(Boundary(extent, output.argmax(-1), output.max(-1), points, labels), ["0", "1"])
    live_plot, results_plot = live.plot_widget.getPlotItem(), results.boundary.getPlotItem()
    drawn = _image(live_plot)
    assert np.array_equal(drawn, _image(results_plot))
    assert drawn.min() >= min(_pale(0) + _pale(1))  # pale as made: no levels stretch it to the full colours
    class_rgb = {class_colour(k).getRgb()[:3] for k in (0, 1)}
    assert _brushes(live_plot) == _brushes(results_plot) == class_rgb
