"""The level of detail of a node's text: never under MIN_TEXT_PX on screen;
zooming out drops the parameters, then the type, and the output shape last."""

from __future__ import annotations

from designer.ui import style
from designer.ui.canvas import node_text
from designer.ui.canvas.node_text import PARAMS, SHAPE, TYPE, compact_shape, plan

BODY = style.BODY_HEIGHT


def test_at_actual_size_a_node_shows_type_parameters_and_shape() -> None:
    text = plan(1.0, BODY, has_params=True)
    assert text.header and text.shown == {TYPE, PARAMS, SHAPE}


def test_at_the_readable_zoom_everything_still_shows() -> None:
    from designer.ui.canvas.view import READABLE_ZOOM

    assert plan(READABLE_ZOOM, BODY, has_params=True).shown == {TYPE, PARAMS, SHAPE}


def test_zooming_out_drops_parameters_then_type_and_the_shape_last() -> None:
    zooms = [z / 100 for z in range(100, 5, -1)]
    last_seen = {}
    for zoom in zooms:
        shown = plan(zoom, BODY, has_params=True).shown
        for kind in (TYPE, PARAMS, SHAPE):
            if kind in shown:
                last_seen[kind] = zoom
    assert last_seen[PARAMS] > last_seen[TYPE] > last_seen[SHAPE] >= style.BOX_ZOOM


def test_text_is_never_smaller_than_the_minimum_on_screen() -> None:
    for zoom in [z / 100 for z in range(12, 150, 3)]:
        text = plan(zoom, BODY, has_params=True)
        sizes = [px for _, px in text.body] + ([text.header_px] if text.header else [])
        assert all(px * zoom >= style.MIN_TEXT_PX - 1e-9 for px in sizes), zoom


def test_far_out_a_node_is_a_plain_box() -> None:
    assert plan(style.BOX_ZOOM / 2, BODY, has_params=True).shown == set()


def test_a_compact_shape_leaves_the_batch_out() -> None:
    assert compact_shape("N x 16 x 8 x 8") == "16x8x8" and compact_shape("N x 10") == "10"
    assert node_text.text_px(12, 0.5) == 18.0
