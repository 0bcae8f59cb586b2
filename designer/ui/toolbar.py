"""The main toolbar: buttons of one fixed size with icons, so nothing moves
when an action's text changes (Undo names the edit it undoes, Pause becomes
Resume); the text, with the shortcut, is the button's tooltip."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QToolBar, QToolButton

from designer.ui import icons

ICON_SIZE = 20
BUTTON_SIZE = 32


class MainToolBar(QToolBar):
    def __init__(self, parent: QMainWindow) -> None:
        super().__init__("Main", parent)
        self.setObjectName("main_toolbar")
        self.setMovable(False)
        self.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.buttons: dict[str, QToolButton] = {}

    def add(self, action: QAction, icon: str) -> QToolButton:
        """A fixed-size button for ``action`` with the named icon (designer.ui.icons)."""
        action.setIcon(icons.icon(icon))
        self.addAction(action)
        button = self.widgetForAction(action)
        assert isinstance(button, QToolButton)
        button.setFixedSize(BUTTON_SIZE, BUTTON_SIZE)
        self.buttons[icon] = button
        _follow_tooltip(action)
        return button


def _follow_tooltip(action: QAction) -> None:
    """The tooltip is the action's current text and its first shortcut ("Undo Add relu1 (Ctrl+Z)")."""

    def update() -> None:
        text = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        tip = f"{text} ({keys})" if keys else text
        if action.toolTip() != tip:
            action.setToolTip(tip)

    action.changed.connect(update)
    update()
