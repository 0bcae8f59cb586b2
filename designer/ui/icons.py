"""Icons of the window's actions, from the Material Design Icons font that
qtawesome ships (drawn from a font, so sharp at any size and offline).

One table names the icon of each action, so the toolbar and the menus use
the same picture for the same command.
"""

from __future__ import annotations

import os

from PySide6.QtGui import QIcon

# qtawesome reaches Qt through QtPy, which would take the first Qt binding it
# finds; this application is built on PySide6, so it must be that one.
os.environ.setdefault("QT_API", "pyside6")

import qtawesome  # noqa: E402 - after QT_API is set

COLOUR = "#3b4451"
DISABLED = "#a7adb5"

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


def icon(name: str) -> QIcon:
    """The icon for ``name`` (a key of ICONS), greyed when its action is off."""
    return qtawesome.icon(ICONS[name], color=COLOUR, color_disabled=DISABLED)
