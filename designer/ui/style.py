"""Colours, sizes and z-values shared by the canvas and the panels."""

from __future__ import annotations

from PySide6.QtGui import QColor

from designer.graph import layout

CATEGORY_COLOURS = {
    "Input/Output": "#56636e",
    "Core": "#3674b5",
    "Activation": "#d0841a",
    "Convolution and pooling": "#2a9467",
    "Normalisation": "#8756b0",
    "Recurrent": "#c04a46",
    "Attention": "#b93a86",
    "Merge": "#687a2a",
    "Blocks": "#0e7c86",
}
CANVAS_BACKGROUND = QColor("#f3f4f6")
GRID_MINOR = QColor("#e6e8eb")
GRID_MAJOR = QColor("#d7dade")
NODE_BODY = QColor("#ffffff")
NODE_BORDER = QColor("#b8bec6")
SELECTION = QColor("#2f80ed")
TEXT = QColor("#1f2328")
TEXT_MUTED = QColor("#6a737d")
EDGE = QColor("#7b8591")
EDGE_CONFLICT = QColor("#d73a49")
ERROR = QColor("#d73a49")
WARNING = QColor("#e3a008")
LABEL_BACKGROUND = QColor(255, 255, 255, 225)

# z-values: edges under nodes, the link being drawn above everything
Z_EDGE = -1.0
Z_NODE = 1.0
Z_NODE_SELECTED = 2.0
Z_DRAFT = 10.0

# A node's footprint is the layout's (designer.graph.layout), so placement and drawing agree.
NODE_WIDTH = layout.NODE_WIDTH
HEADER_HEIGHT = layout.HEADER_HEIGHT
BODY_HEIGHT = layout.BODY_HEIGHT
PORT_SPACING = layout.PORT_SPACING
PORT_RADIUS = 6.5
PORT_REACH = 14.0  # a press this near a port (in pixels on screen, or scene units when zoomed in) starts a wire
GRID_STEP = 20.0
# Text on the canvas is drawn no smaller than this many pixels on screen; what
# no longer fits at that size is left out, least important first (see node_text).
MIN_TEXT_PX = 9.0
# Below this zoom nodes are plain boxes without text (cheap with thousands of nodes).
BOX_ZOOM = 0.12
# Below this zoom the wires carry no shape labels (the nodes show their output shapes).
LABEL_ZOOM = 0.7
# Below this zoom the nodes are drawn without antialiasing and ports.
DETAIL_ZOOM = 0.45


def category_colour(category: str) -> QColor:
    return QColor(CATEGORY_COLOURS.get(category, "#56636e"))


# Drag and drop of a layer type from the palette onto the canvas.
LAYER_MIME = "application/x-nn-designer-layer"
BLOCK_MIME = "application/x-nn-designer-block"  # a block from the palette: its key there
