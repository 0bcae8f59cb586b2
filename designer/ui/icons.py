"""Icons of the window's actions, from the Material Design Icons font that
qtawesome ships (drawn from a font, so sharp at any size and offline).

One table names the icon of each action, so the toolbar and the menus use
the same picture for the same command.

The glyphs are drawn here from qtawesome's font file rather than through
qtawesome itself: importing qtawesome imports QtPy, which star-imports the
whole of QtCore, QtGui and QtWidgets (about 0.1 s of a cold start, for the
fourteen icons a window shows at once).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QIconEngine, QPainter, QPixmap

COLOUR = "#3b4451"
DISABLED = "#a7adb5"
FONT_PREFIX = "materialdesignicons6-webfont"  # qtawesome's "mdi6" icons
GLYPH_SHARE = 0.875  # of the icon's height, as qtawesome draws it

ICONS = {
    "new": "mdi6.file-outline",
    "open": "mdi6.folder-open-outline",
    "save": "mdi6.content-save-outline",
    "undo": "mdi6.undo",
    "redo": "mdi6.redo",
    "fit": "mdi6.fit-to-screen-outline",
    "layout": "mdi6.sitemap-outline",
    "connect": "mdi6.transit-connection-variant",
    "add": "mdi6.plus-box-outline",
    "train": "mdi6.play",
    "pause": "mdi6.pause",
    "stop": "mdi6.stop",
    "fix": "mdi6.auto-fix",
    "start": "mdi6.home-outline",
}


class GlyphFont:
    """The icon font, loaded into the application once, with its name -> character map."""

    def __init__(self, font_file: Path, charmap_file: Path) -> None:
        font_id = QFontDatabase.addApplicationFont(str(font_file))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if not families:
            raise RuntimeError(f"the icon font {font_file.name} could not be loaded")
        self.family = families[0]
        self.codes: dict[str, str] = json.loads(charmap_file.read_text())  # name -> hexadecimal code point

    def char(self, name: str) -> str:
        return chr(int(self.codes[name], 16))


@cache
def glyph_font() -> GlyphFont:
    """Material Design Icons 6 from qtawesome's fonts folder (found without importing qtawesome)."""
    spec = find_spec("qtawesome")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("qtawesome, which ships the icon font, is not installed")
    fonts = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    font_file = max(fonts.glob(f"{FONT_PREFIX}-*.ttf"))
    charmap = max(fonts.glob(f"{FONT_PREFIX}-charmap-*.json"))
    return GlyphFont(font_file, charmap)


class GlyphEngine(QIconEngine):
    """Draws one glyph of the icon font at whatever size is asked, greyed when off."""

    def __init__(self, char: str) -> None:
        super().__init__()
        self.char = char

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        font = QFont(glyph_font().family)
        font.setPixelSize(max(1, round(GLYPH_SHARE * rect.height())))
        painter.save()
        painter.setFont(font)
        painter.setPen(QColor(DISABLED if mode == QIcon.Mode.Disabled else COLOUR))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), self.char)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> GlyphEngine:
        return GlyphEngine(self.char)


def icon(name: str) -> QIcon:
    """The icon for ``name`` (a key of ICONS), greyed when its action is off."""
    glyph = ICONS[name].split(".", 1)[1]
    return QIcon(GlyphEngine(glyph_font().char(glyph)))
