"""Which texts a node shows at a zoom, and how large: the level of detail.

Text is never drawn smaller than ``style.MIN_TEXT_PX`` pixels on screen. As
the canvas zooms out the texts grow in scene units to stay readable, and
what no longer fits the node is left out, least important first: the id,
then the key parameters, then the type; the output shape goes last. The
tooltip always has everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from designer.ui import style

# Sizes in scene pixels at zoom 1 (a node is NODE_WIDTH wide).
TYPE_PX = 13.0
ID_PX = 11.0
PARAMS_PX = 12.5
SHAPE_PX = 11.5
LINE = 1.2  # a line's height over its font size
HEADER_PAD = 4.0
BODY_PAD = 6.0

TYPE, PARAMS, SHAPE = "type", "params", "shape"


def text_px(base: float, zoom: float) -> float:
    """A font size in scene pixels that is ``base`` at zoom 1 and never under MIN_TEXT_PX on screen."""
    return max(base, style.MIN_TEXT_PX / max(zoom, 1e-6))


@dataclass(frozen=True)
class NodeText:
    """What to draw: the type (and maybe the id) in the header, and the body's
    lines top to bottom, each with its size in scene pixels."""

    header: bool = False  # the type is drawn in the header
    header_px: float = TYPE_PX
    id_px: float = ID_PX
    body: list[tuple[str, float]] = field(default_factory=list)  # (TYPE, PARAMS or SHAPE, size)

    @property
    def shown(self) -> set[str]:
        return ({TYPE} if self.header else set()) | {kind for kind, _ in self.body}


def plan(zoom: float, body_height: float, has_params: bool) -> NodeText:
    """The texts a node with a body ``body_height`` high shows at ``zoom``."""
    if zoom < style.BOX_ZOOM:
        return NodeText()
    type_px = text_px(TYPE_PX, zoom)
    room = body_height - BODY_PAD
    if type_px + HEADER_PAD <= style.HEADER_HEIGHT:
        wanted = [(PARAMS, text_px(PARAMS_PX, zoom))] if has_params else []
        wanted.append((SHAPE, text_px(SHAPE_PX, zoom)))
        return NodeText(True, type_px, text_px(ID_PX, zoom), _fit(wanted, room))
    # The header is too small for the type: the whole node, in its category's colour, holds the lines.
    size = text_px(TYPE_PX, zoom)
    return NodeText(body=_fit([(TYPE, size), (SHAPE, size)], room + style.HEADER_HEIGHT))


def _fit(wanted: list[tuple[str, float]], room: float) -> list[tuple[str, float]]:
    """The lines of ``wanted`` that fit in ``room``, dropping from the first
    (the least important) until they do; kept in their order."""
    lines = list(wanted)
    while lines and sum(px * LINE for _, px in lines) > room:
        lines.pop(0)
    return lines


def compact_shape(text: str) -> str:
    """A shape without its batch dimension ("N x 16 x 8 x 8" -> "16x8x8"), for small zooms."""
    parts = [p.strip() for p in text.split(" x ")]
    if len(parts) > 1 and parts[0] == "N":
        parts = parts[1:]
    return "x".join(parts)
