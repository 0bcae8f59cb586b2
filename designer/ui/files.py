"""New, Open, Open Recent, Save, Save As, Revert, and the unsaved-changes
prompt. A file that cannot be opened gives a dialog with the reason and
leaves the current design untouched."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu, QWidget

from designer.project import SUFFIX, ProjectError
from designer.ui import dialogs
from designer.ui.collector import no_collections

if TYPE_CHECKING:
    from designer.document import Document  # the undo stack and its commands: not before the window is up

MAX_RECENT = 10


class DocumentWindow(Protocol):
    """What the file actions need of the window that shows the document (the
    main window), so this module does not import it."""

    document: Document | None
    settings: QSettings

    def set_document(self, document: Document) -> None: ...

    def show_message(self, text: str) -> None: ...

    def window(self) -> QWidget: ...  # QWidget.window(): the parent of the dialogs


class FileActions:
    def __init__(self, window: DocumentWindow) -> None:
        self.window = window

    @property
    def document(self) -> Document:
        return self.window.document  # type: ignore[return-value]

    @property
    def _parent(self) -> QWidget:
        return self.window.window()

    # -------------------------------------------------------------- new
    def new(self) -> None:
        from designer.document import Document

        if self.maybe_save():
            self.window.set_document(Document())
            self.window.show_message("New design: drag layers from the palette, or press Tab on the canvas")

    # ------------------------------------------------------------- open
    def open(self) -> None:
        if not self.maybe_save():
            return
        path = dialogs.ask_open_path(self._parent, str(dialogs.folder_of(self.document.path if self.document is not None else None)))
        if path:
            self.open_path(path, ask=False)

    def open_path(self, path: str, ask: bool = True) -> bool:
        from designer.document import Document

        if ask and not self.maybe_save():
            return False
        try:
            # Opening a big design makes tens of thousands of objects at once, none of them
            # garbage: the collector would walk them several times on the way (a second at 10,000 nodes).
            with no_collections():
                document = Document.open(path)
                self.window.set_document(document)
        except ProjectError as exc:
            dialogs.show_error(self._parent, "Cannot open the design", str(exc))
            return False
        self.opened(document, path)
        return True

    def opened(self, document: Document, path: str) -> None:
        """``document``, read from ``path``, is shown: remember it and say so."""
        self.remember(document.path)
        self.window.show_message(f"Opened {Path(path).name}")

    def recent_files(self) -> list[str]:
        value = self.window.settings.value("files/recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [p for p in items if isinstance(p, str)]

    def remember(self, path: Path | None) -> None:
        if path is None:
            return
        resolved = str(Path(path).resolve())
        recent = [resolved] + [p for p in self.recent_files() if p != resolved]
        self.window.settings.setValue("files/recent", recent[:MAX_RECENT])

    def fill_recent_menu(self, menu: QMenu) -> None:
        menu.clear()
        recent = [p for p in self.recent_files() if Path(p).exists()]
        for path in recent:
            menu.addAction(Path(path).name, lambda p=path: self.open_path(p)).setStatusTip(path)
        if not recent:
            menu.addAction("No recent designs").setEnabled(False)

    # ------------------------------------------------------------- save
    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._write(self.document.path)

    def save_as(self) -> bool:
        suggested = str(self.document.path or Path.cwd() / f"{_file_stem(self.document.title)}{SUFFIX}")
        path = dialogs.ask_save_path(self._parent, "Save design as", suggested)
        if not path:
            return False
        if not path.endswith(SUFFIX):
            path += SUFFIX
        return self._write(Path(path))

    def _write(self, path: Path) -> bool:
        try:
            self.document.save(path)
        except OSError as exc:
            dialogs.show_error(self._parent, "Cannot save the design", f"{path}: {exc.strerror or exc}. The file on disk is unchanged.")
            return False
        self.remember(path)
        self.window.show_message(f"Saved {path.name}")
        return True

    def revert(self) -> None:
        if self.document.path is None or not self.document.modified:
            return
        answer = dialogs.ask_save_changes(self._parent, self.document.title)
        if answer == "discard":
            self.open_path(str(self.document.path), ask=False)
        elif answer == "save":
            self.save()

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current design."""
        if self.document is None or not self.document.modified:
            return True
        answer = dialogs.ask_save_changes(self._parent, self.document.title)
        if answer == "save":
            return self.save()
        return answer == "discard"


def _file_stem(title: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in title.strip().lower()) or "design"
