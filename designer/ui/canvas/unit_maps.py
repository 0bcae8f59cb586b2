"""Heat maps of a hidden node's units over the input plane, drawn under its
box on the canvas (TensorFlow Playground's small pictures in the neurons).

A ``UnitMapsItem`` is a child of the NodeItem, so it moves with the node and
the node's own cached drawing is never invalidated by it. Each update turns
the node's maps into one pixmap (a grid of tiles on the one diverging scale,
one symmetric limit per node so its units compare) and schedules one repaint
of this item; painting only draws that cached pixmap. Zoomed out, where a
tile would be a few pixels, nothing is drawn.

``PlaneMapsOverlay`` keeps one item per node of the scene that has maps,
adding, updating and removing them as new :class:`PlaneMaps` arrive. Maps
that would cover another node are kept hidden (a design laid out tightly, a
deep stack of small layers): the design stays readable, and the live
boundary in the Training panel still shows what the network does.
"""

from __future__ import annotations

import math
from functools import cache
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from designer.data.deferred import deferred
from designer.insight.colors import diverging_rgb, symmetric_limit
from designer.ui import style
from designer.ui.canvas.node_item import NodeItem

if TYPE_CHECKING:
    import numpy as np

    from designer.insight.playground import PlaneMaps, UnitMaps  # the compiler: not at start
else:
    np = deferred("numpy")  # imported when the first maps are drawn, not at start

READABLE_ZOOM = 0.6  # below this a tile is too small to read: the maps are not drawn
GAP = 2  # pixels between tiles in the pixmap
BORDER = QColor(208, 215, 222)
TOP = 8  # scene units between the node's box and the maps
CAPTION = 14  # height of the line under the tiles
STEPS = 255  # colour steps on each side of zero


@cache
def scale() -> np.ndarray:
    """The one scale as a lookup table (made on first use: numpy is not imported at start)."""
    return diverging_rgb(np.linspace(-1.0, 1.0, 2 * STEPS + 1), 1.0)


def tile_grid(maps: np.ndarray) -> tuple[np.ndarray, int, int]:
    """(k, H, W) maps as one RGB image of tiles, row 0 of each map at the bottom
    (the plane's second axis points up, as on the boundary plot): (image, rows, columns)."""
    count, height, width = maps.shape
    columns = min(count, 4) if count > 2 else count
    rows = math.ceil(count / columns)
    image = np.empty((rows * (height + GAP) - GAP, columns * (width + GAP) - GAP, 3), np.uint8)
    image[:] = BORDER.getRgb()[:3]
    limit = symmetric_limit(maps)
    tiles = scale()[np.clip(np.rint((maps / limit + 1.0) * STEPS), 0, 2 * STEPS).astype(np.intp)]  # a lookup: 10x faster
    for k in range(count):
        r, c = divmod(k, columns)
        image[r * (height + GAP) : r * (height + GAP) + height, c * (width + GAP) : c * (width + GAP) + width] = tiles[k, ::-1]
    return image, rows, columns


def to_pixmap(rgb: np.ndarray) -> QPixmap:
    data = np.ascontiguousarray(rgb)
    height, width = data.shape[:2]
    image = QImage(data.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy())  # copy: the QImage borrows the numpy buffer


class UnitMapsItem(QGraphicsItem):
    """The tiles of one node's unit maps, under the node's box."""

    def __init__(self, node: NodeItem) -> None:
        super().__init__(node)
        self.node = node
        self.pixmap: QPixmap | None = None
        self.caption = ""
        self.updates = 0  # how many maps this item has shown (tests, benchmarks)
        self._size = (0.0, 0.0)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent, False)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(-0.5)
        # Kept as a pixmap: a repaint of a neighbour (a wire, a gradient bar) only copies it.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_maps(self, maps: UnitMaps, image: np.ndarray | None = None) -> None:
        """Show new maps (``image``: their tile_grid, if made already off the UI
        thread): one pixmap built, one repaint scheduled."""
        image = tile_grid(maps.values)[0] if image is None else image
        self.pixmap = to_pixmap(image)
        width = style.NODE_WIDTH
        height = width * image.shape[0] / image.shape[1]
        shown = f"{len(maps.units)} of {maps.total} units (most varied)" if len(maps.units) < maps.total else f"{maps.total} units"
        self.caption = shown
        tip = "Each unit's output over the input plane (blue negative, white zero, red positive)"
        self.setToolTip(f"{tip}; units {', '.join(map(str, maps.units))}" if len(maps.units) < maps.total else tip)
        if (width, height) != self._size:
            self.prepareGeometryChange()
            self._size = (width, height)
        self.setPos(0.0, self.node.height + TOP)
        self.updates += 1
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        width, height = self._size
        return QRectF(-1, -1, width + 2, height + CAPTION + 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if self.pixmap is None or option.levelOfDetailFromTransform(painter.worldTransform()) < READABLE_ZOOM:
            return
        width, height = self._size
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawPixmap(QRectF(0, 0, width, height), self.pixmap, QRectF(self.pixmap.rect()))
        painter.setPen(BORDER)
        painter.drawRect(QRectF(0, 0, width, height))
        font = QFont(painter.font())
        font.setPointSizeF(7.5)
        painter.setFont(font)
        painter.setPen(style.TEXT_MUTED)
        painter.drawText(QRectF(0, height, width, CAPTION), Qt.AlignmentFlag.AlignCenter, self.caption)


class PlaneMapsOverlay:
    """One UnitMapsItem per node that has maps, following the newest PlaneMaps."""

    def __init__(self) -> None:
        self.items: dict[str, UnitMapsItem] = {}
        self.fingerprint: str | None = None  # of the design the maps were made for
        self._nodes: dict[str, NodeItem] = {}
        self._placed: dict[str, tuple] = {}  # where each item was when it was last checked for covering a node

    def show(
        self, nodes: dict[str, NodeItem], maps: PlaneMaps, fingerprint: str | None = None, tiles: dict[str, np.ndarray] | None = None
    ) -> None:
        """Update the items in place; nodes without maps (or gone) lose theirs.
        ``tiles``: each node's tile_grid image, made off the UI thread."""
        self.fingerprint = fingerprint
        for nid in list(self.items):
            if nid not in maps.units or nodes.get(nid) is not self._nodes.get(nid):
                self._drop(nid)
        layout = tuple((node.pos().x(), node.pos().y()) for node in nodes.values())
        for nid, unit_maps in maps.units.items():
            node = nodes.get(nid)
            if node is None:
                continue
            item = self.items.get(nid)
            if item is None:
                item = self.items[nid] = UnitMapsItem(node)
                self._nodes[nid] = node
            item.set_maps(unit_maps, (tiles or {}).get(nid))
            # Asked again only when a node moved or the maps' size changed, not with every picture.
            rect = item.sceneBoundingRect()
            place = (layout, rect.x(), rect.y(), rect.width(), rect.height())
            if place != self._placed.get(nid):
                self._placed[nid] = place
                item.setVisible(not self._covers_a_node(item))

    @staticmethod
    def _covers_a_node(item: UnitMapsItem) -> bool:
        scene = item.scene()
        if scene is None:
            return False
        area = item.sceneBoundingRect()
        return any(isinstance(other, NodeItem) and other is not item.node for other in scene.items(area))

    def clear(self) -> None:
        self.fingerprint = None
        for nid in list(self.items):
            self._drop(nid)

    def _drop(self, nid: str) -> None:
        item = self.items.pop(nid)
        self._nodes.pop(nid, None)
        self._placed.pop(nid, None)
        if not shiboken6.isValid(item):
            return
        scene = item.scene()
        if scene is not None:
            scene.removeItem(item)
        elif item.parentItem() is not None:
            # Its node left the scene (removed from the design): part from it, so that
            # each is deleted once (the node with the child still in it crashed).
            item.setParentItem(None)
