"""File > Import Model: an ONNX file becomes a design with its weights, read
on a worker thread, saved beside the model (NAME.nnd and NAME.safetensors)
and opened. Operators with no equivalent are listed, and the user may import
the rest with placeholders that fail the check until replaced. (A PyTorch
class is imported with ``designer import model.py``: it runs that file.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QWidget

from designer.project import SUFFIX
from designer.ui import dialogs
from designer.ui.background import run_in_background
from designer.ui.files import FileActions

if TYPE_CHECKING:
    from designer.importer import ImportedDesign

ONNX_FILTER = "ONNX models (*.onnx)"
MAX_LISTED = 12  # unmapped operators listed in the dialog; the rest are counted
_FREE_SIZE = re.compile(r"has a free size")


class ImportWindow(Protocol):
    """What importing needs of the main window, so this module does not import it."""

    files: FileActions

    def show_message(self, text: str) -> None: ...

    def window(self) -> QWidget: ...


class ImportActions:
    def __init__(self, window: ImportWindow) -> None:
        self.window = window

    @property
    def _parent(self) -> QWidget:
        return self.window.window()

    def import_model(self, path: str | None = None, target: str | None = None) -> None:
        """Ask for the model, read it off the UI thread, then ask where to save the design
        (a file that is no model is said so before any question about saving it)."""
        if not self.window.files.maybe_save():
            return
        path = path or dialogs.ask_open_file(
            self._parent, "Import a model", str(dialogs.folder_of(self.window.document.path)), ONNX_FILTER
        )
        if not path:
            return
        self._run(path, target, None, partial=False)

    def _run(self, path: str, target: str | None, shape: tuple[int, ...] | None, partial: bool) -> None:
        from designer.importer import from_onnx  # onnx and torch.fx helpers: only once asked to import

        def work() -> ImportedDesign:
            return from_onnx(path, input_shape=shape, partial=partial)

        def failed(exc: BaseException) -> None:
            self._failed(path, target, shape, exc)

        run_in_background(self._parent, f"Importing {Path(path).name}…", work, lambda imported: self._save(path, target, imported), failed)

    def _save(self, path: str, target: str | None, imported: ImportedDesign) -> None:
        """Save the design read from ``path`` (where the user says) with its weights, then open it."""
        name = Path(path).name
        target = target or dialogs.ask_save_path(self._parent, "Save the imported design as", str(Path(path).with_suffix(SUFFIX)))
        if not target:
            self.window.show_message(f"{name} was read; nothing was saved")
            return
        if not target.endswith(SUFFIX):
            target += SUFFIX

        def work() -> ImportedDesign:
            imported.save(target)
            return imported

        def done(imported: ImportedDesign) -> None:
            if not self.window.files.open_path(target, ask=False):
                return
            checked = f"; its outputs match onnxruntime within {imported.max_difference:.1g}" if imported.max_difference is not None else ""
            if imported.partial:
                checked = f"; {len(imported.unmapped)} placeholder(s) to replace before training (see Problems)"
            self.window.show_message(f"Imported {name}: {len(imported.graph)} nodes{checked}")

        def failed(exc: BaseException) -> None:
            dialogs.show_error(self._parent, "Cannot save the imported design", f"{Path(target).name}: {exc}")

        run_in_background(self._parent, f"Saving {Path(target).name}…", work, done, failed)

    def _failed(self, path: str, target: str | None, shape: tuple[int, ...] | None, exc: BaseException) -> None:
        from designer.importer import ModelImportError

        name = Path(path).name
        if not isinstance(exc, ModelImportError):
            dialogs.show_error(self._parent, "Cannot import the model", f"{name}: {type(exc).__name__}: {exc}")
            return
        if exc.unmapped:
            lines = [f"• {u.line()}" for u in exc.unmapped[:MAX_LISTED]]
            if len(exc.unmapped) > MAX_LISTED:
                lines.append(f"… and {len(exc.unmapped) - MAX_LISTED} more")
            question = (
                f"{name}: {exc}:\n\n" + "\n".join(lines) + "\n\nImport the rest, with a marked placeholder for each of these? "
                "The design will not train or export until they are replaced."
            )
            if dialogs.ask_yes_no(self._parent, "Parts of the model have no equivalent", question):
                self._run(path, target, shape, partial=True)
            return
        if shape is None and _FREE_SIZE.search(str(exc)):
            text = dialogs.ask_text(self._parent, "Input size", f"{exc}.\nSizes of one sample, without the batch (e.g. 32,1):", "")
            sizes = _sizes(text)
            if sizes is not None:
                self._run(path, target, sizes, partial=False)
            return
        dialogs.show_error(self._parent, "Cannot import the model", f"{name}: {exc}")


def _sizes(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    try:
        sizes = tuple(int(v) for v in re.split(r"\s*[x,]\s*", text.strip()))
    except ValueError:
        return None
    return sizes if sizes and min(sizes) > 0 else None
