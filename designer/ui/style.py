"""Colours, sizes and z-values shared by the canvas and the panels."""

from __future__ import annotations

from PySide6.QtGui import QColor

CATEGORY_COLOURS = {
    "Input/Output": "#56636e",
    "Core": "#3674b5",
    "Activation": "#d0841a",
    "Convolution and pooling": "#2a9467",
    "Normalisation": "#8756b0",
    "Recurrent": "#c04a46",
    "Attention": "#b93a86",
    "Merge": "#687a2a",
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

NODE_WIDTH = 176.0
HEADER_HEIGHT = 24.0
BODY_HEIGHT = 40.0
PORT_RADIUS = 6.0
PORT_SPACING = 20.0
GRID_STEP = 20.0
# Below this zoom nodes are drawn as plain boxes (cheap with thousands of nodes).
DETAIL_ZOOM = 0.45


def category_colour(category: str) -> QColor:
    return QColor(CATEGORY_COLOURS.get(category, "#56636e"))


# Drag and drop of a layer type from the palette onto the canvas.
LAYER_MIME = "application/x-nn-designer-layer"
