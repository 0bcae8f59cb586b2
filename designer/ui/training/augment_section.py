"""The Data panel's "Augmentation (training only)" group: an editor per
augmentation option (declared in ``designer.project.settings.AUGMENT``) and a
grid of a few images beside augmented copies of them, so the user sees what
the network will see.

Every change writes the data settings' ``augment`` object through the
document (one undo step each); the group redraws from the document. The grid
is made off the UI thread (a ``LatestRequest``), since it may read the user's
images, and a newer request supersedes an older one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from designer.data.augment import is_image, unusable
from designer.data.augment_preview import AugmentPreview, augment_preview
from designer.document import Document
from designer.document.workers import LatestRequest
from designer.graph import EditError
from designer.project.settings import AUGMENT
from designer.ui.param_editors import ParamEditor
from designer.ui.training.image_grid import ImageGrid

MUTED = "color: #57606a;"
ERROR = "color: #d73a49;"
PAIRS_PER_ROW = 2  # label and editor pairs side by side: thirteen options in seven rows
PREVIEW_IMAGES, PREVIEW_VARIANTS = 4, 6
MIN_TILE, MAX_TILE, TILE_FRAME = 20, 48, 8  # pixels: a tile's picture, and its border plus the grid's spacing


class AugmentSection(QGroupBox):
    """Editors for ``data.augment`` and, with ``preview``, the augmented images."""

    refused = Signal(str)  # an edit the settings refused, with the reason

    def __init__(self, document: Document, parent: QWidget | None = None, preview: bool = True) -> None:
        super().__init__("Augmentation (training only)", parent)
        self.document = document
        column = QVBoxLayout(self)
        self.note = QLabel(
            "Each training batch is changed at random on the training device, seeded by the run's seed; "
            "validation and test data never are. 0 turns an option off.",
            self,
        )
        self.note.setWordWrap(True)
        self.note.setStyleSheet(MUTED)
        column.addWidget(self.note)
        self.fields = QWidget(self)
        grid = QGridLayout(self.fields)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        self.editors: dict[str, ParamEditor] = {}
        self.labels: dict[str, QLabel] = {}
        for i, param in enumerate(AUGMENT):
            label = QLabel(param.name.replace("_", " "), self.fields)
            label.setToolTip(param.help)
            editor = ParamEditor(param, self.fields)
            editor.committed.connect(self._on_option_committed)
            row, pair = divmod(i, PAIRS_PER_ROW)
            grid.addWidget(label, row, 2 * pair)
            grid.addWidget(editor, row, 2 * pair + 1)
            self.editors[param.name], self.labels[param.name] = editor, label
        for pair in range(PAIRS_PER_ROW):
            grid.setColumnStretch(2 * pair + 1, 1)
        column.addWidget(self.fields)
        buttons = QHBoxLayout()
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet(MUTED)
        buttons.addWidget(self.reason, 1)
        self.clear = QPushButton("Turn all off", self)
        self.clear.setToolTip("Remove every augmentation option (one undo step)")
        self.clear.clicked.connect(self._on_clear_clicked)
        buttons.addWidget(self.clear, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(buttons)
        self.grid: ImageGrid | None = None
        self.message: QLabel | None = None
        self.loader: LatestRequest | None = None
        if preview:
            self.grid = ImageGrid(self, tile=MIN_TILE, columns=PREVIEW_VARIANTS + 1)
            self.grid.setToolTip("Each row: an image from the data, then augmented copies of it as training would see them")
            column.addWidget(self.grid)
            self.message = QLabel(self)
            self.message.setWordWrap(True)
            self.message.setStyleSheet(MUTED)
            column.addWidget(self.message)
            self.loader = LatestRequest(augment_preview, "preview-augment", self)
            self.loader.succeeded.connect(self._on_preview_made)
            self.loader.failed.connect(self._on_preview_failed)
        document.settings_changed.connect(self._on_settings_changed)
        document.data_spec_changed.connect(self._on_data_spec_changed)
        self.refresh()

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.document.project.data.get("augment") or {})

    # ----------------------------------------------------------- edits
    def _on_option_committed(self, name: str, value: Any) -> None:
        options = self.options
        if value:
            options[name] = value
        else:
            options.pop(name, None)  # 0 is off: the file keeps only what is on
        self._write(options, f"Set augmentation {name.replace('_', ' ')}")

    def _on_clear_clicked(self) -> None:
        self._write({}, "Turn augmentation off")

    def _write(self, options: dict[str, Any], text: str) -> None:
        try:
            self.document.set_settings("data", {"augment": options}, text)
        except EditError as exc:  # said where the user looks; the editors go back to the kept values
            self.refresh()
            self.refused.emit(str(exc))

    # --------------------------------------------------------- redraw
    def _on_settings_changed(self, section: str) -> None:
        if section == "data":
            self.refresh()

    def _on_data_spec_changed(self) -> None:
        self._show_availability()

    def refresh(self) -> None:
        options = self.options
        for name, editor in self.editors.items():
            editor.set_value(options.get(name, editor.param.default))
        self.clear.setEnabled(bool(options))
        self._show_availability()
        self._request_preview()

    def _show_availability(self) -> None:
        """Greys what cannot apply to the data (all of it for data that is not images), saying why."""
        spec, options = self.document.data_spec, self.options
        not_for_this_data = spec is not None and not is_image(spec)
        why = unusable(spec) if spec is not None else {}
        for name, editor in self.editors.items():
            usable = name not in why or name in options  # a value set anyway stays editable, to turn it off
            editor.setEnabled(usable)
            self.labels[name].setEnabled(usable)
            tip = self.editors[name].param.help + (f"\nNot used: {why[name]}" if name in why else "")
            self.labels[name].setToolTip(tip)
        if not_for_this_data:
            shape = "x".join(map(str, spec.input.shape))
            self.reason.setText(f"This data gives inputs of shape {shape} ({spec.input.dtype}): augmentation applies to images (float32).")
        else:
            self.reason.setText("")
        # Thirteen greyed fields would only push the panel down: shown again when the data is images or an option is set.
        for part in (self.note, self.fields, self.clear, self.grid, self.message):
            if part is not None:
                part.setVisible(not not_for_this_data or bool(options))

    def _request_preview(self) -> None:
        if self.loader is None or self.message is None or self.grid is None:
            return
        if not self.options:
            self.loader.cancel()
            self.grid.set_images([], [])
            self.message.setText("Set an option to see a few images as training will see them.")
            self.message.setStyleSheet(MUTED)
            return
        self.message.setText("Augmenting a few images…")
        self.message.setStyleSheet(MUTED)
        base_dir: Path | None = self.document.path.parent if self.document.path else None
        self.loader.request(dict(self.document.project.data), base_dir, PREVIEW_IMAGES, PREVIEW_VARIANTS)

    def _on_preview_made(self, preview: AugmentPreview) -> None:
        if self.grid is None or self.message is None:
            return
        self.grid.columns = preview.columns
        # Tiles as big as the panel's width allows (the grid must not widen the narrow Data tab).
        room = self.contentsRect().width() - 12
        self.grid.tile = max(MIN_TILE, min(MAX_TILE, room // max(1, preview.columns) - TILE_FRAME))
        self.grid.set_images(preview.images, preview.captions)
        self.message.setText("Each row: an image, then augmented copies of it.")

    def _on_preview_failed(self, error: BaseException) -> None:
        if self.grid is None or self.message is None:
            return
        self.grid.set_images([], [])
        self.message.setText(str(error))
        self.message.setStyleSheet(ERROR)
