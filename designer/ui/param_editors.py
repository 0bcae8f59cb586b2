"""Editors generated from a :class:`Param` declaration.

Each editor shows its value, and emits ``committed`` only with a value the
declaration accepts; a bad value stays in the field, marked red, with the
reason beside it, and nothing is changed. File and folder settings get a
Browse button; a choice inside ``base_dir`` (the project's folder) is kept
relative to it, so the project still works when its folder moves.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget

from designer.graph import ParamError
from designer.graph.messages import short_repr
from designer.params import BOOL, CHOICE, FILE, FLOAT, FOLDER, INT, TEXT, Param
from designer.ui import dialogs
from designer.ui.scrolling import guard_wheel

TEXT_KINDS = (TEXT, FILE, FOLDER)  # taken as typed: spaces and brackets belong to names and paths

ERROR_STYLE = "border: 1px solid #d73a49; background: #fff5f5;"
INT32 = 2**31 - 1


def show_value(value: Any) -> str:
    """A value as the user types it: 3, 3x5, 1x8x8, 0.001."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "x".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parse_text(param: Param, text: str) -> Any:
    """Turn typed text into a value for ``param.check`` (which decides)."""
    if param.kind in TEXT_KINDS:
        return text.strip()
    text = text.strip().strip("[]()").strip()
    if text == "" and param.optional:
        return None
    if param.kind == FLOAT:
        try:
            return float(text)
        except ValueError:
            return text
    if param.kind == INT:
        try:
            return int(text)
        except ValueError:
            return text
    return text.replace(" ", "")


class ParamEditor(QWidget):
    committed = Signal(str, object)  # (parameter name, accepted value)

    def __init__(self, param: Param, parent: QWidget | None = None, base_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.param = param
        self.base_dir = base_dir  # where relative file and folder paths start
        self._value: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.field = self._make_field()
        self.field.setToolTip(f"{param.help}\nAllowed: {param.describe()}" + (f"\nEmpty: {param.none_means}" if param.optional else ""))
        row.addWidget(self.field)
        if param.kind in (FILE, FOLDER):
            self.browse = QPushButton("Browse…", self)
            self.browse.setToolTip(f"Choose the {param.kind}")
            self.browse.clicked.connect(self._on_browse_clicked)
            row.addWidget(self.browse)
        layout.addLayout(row)
        self._error: QLabel | None = None  # made when there is first something to say: a page holds dozens of editors
        self._erred = False  # the field shows ERROR_STYLE

    def _make_field(self) -> QWidget:
        p = self.param
        if p.kind == BOOL:
            box = QCheckBox(self)
            box.toggled.connect(lambda checked: self._submit(checked))
            return box
        if p.kind == CHOICE:
            combo = QComboBox(self)
            combo.addItems(list(p.choices))
            combo.currentTextChanged.connect(self._submit)
            guard_wheel(combo)  # the wheel scrolls the panel unless the field has the focus
            return combo
        if p.kind == INT and not p.optional:
            spin = QSpinBox(self)
            spin.setRange(int(max(p.min if p.min is not None else -INT32, -INT32)), int(min(p.max if p.max is not None else INT32, INT32)))
            spin.setKeyboardTracking(False)  # commit on Enter or focus out, not on every digit
            spin.valueChanged.connect(self._submit)
            guard_wheel(spin)
            return spin
        line = QLineEdit(self)
        if p.optional:
            line.setPlaceholderText(p.none_means or "none")
        line.editingFinished.connect(lambda: self._submit(parse_text(p, line.text())))
        return line

    def _on_browse_clicked(self) -> None:
        current = self.field.text().strip() if isinstance(self.field, QLineEdit) else ""
        start = Path(current).expanduser() if current else None
        if start is not None and not start.is_absolute() and self.base_dir is not None:
            start = self.base_dir / start
        directory = str(start if start is not None else self.base_dir or Path.cwd())
        title = self.param.help.split(".")[0] or self.param.name
        if self.param.kind == FOLDER:
            chosen = dialogs.ask_folder(self, title, directory)
        else:
            patterns = " ".join(f"*{s}" for s in self.param.suffixes)
            chosen = dialogs.ask_open_file(
                self, title, directory, f"Data files ({patterns});;All files (*)" if patterns else "All files (*)"
            )
        if chosen:
            text = self._relative(Path(chosen))
            self.field.setText(text)
            self._submit(text)

    def _relative(self, path: Path) -> str:
        """``path`` relative to base_dir when it lies inside it, else as chosen."""
        if self.base_dir is not None and path.resolve().is_relative_to(self.base_dir.resolve()):
            return Path(os.path.relpath(path.resolve(), self.base_dir.resolve())).as_posix()
        return str(path)

    def set_value(self, value: Any) -> None:
        """Show the model's value without emitting anything. A file may hold
        any value (kept, and reported as a problem): a spin box shows the
        nearest whole number it can hold, and says what the file holds."""
        self._value = value
        unshown = ""
        self.field.blockSignals(True)
        try:
            if isinstance(self.field, QCheckBox):
                self.field.setChecked(bool(value))
            elif isinstance(self.field, QComboBox):
                self.field.setCurrentText(str(value))
            elif isinstance(self.field, QSpinBox):
                whole = isinstance(value, int) and not isinstance(value, bool)
                number = value if whole else self.param.default
                self.field.setValue(max(self.field.minimum(), min(self.field.maximum(), int(number))))
                if not whole or number != self.field.value():
                    unshown = f"the file holds {short_repr(value)}"
            else:
                self.field.setText(show_value(value))
        finally:
            self.field.blockSignals(False)
        self._clear_error()
        if unshown:
            self.show_error(unshown)

    def _submit(self, raw: Any) -> None:
        try:
            value = self.param.check(raw)
        except ParamError as exc:
            self.show_error(exc.reason)
            return
        self._clear_error()
        if value != self._value or type(value) is not type(self._value):
            self._value = value
            self.committed.emit(self.param.name, value)

    @property
    def error(self) -> QLabel:
        """The line under the field that says why a value was refused (hidden when there is none)."""
        if self._error is None:
            self._error = QLabel(self)
            self._error.setWordWrap(True)
            self._error.setStyleSheet("color: #d73a49; font-size: 11px;")
            self._error.hide()
            self.layout().addWidget(self._error)
        return self._error

    def show_error(self, reason: str) -> None:
        self.field.setStyleSheet(ERROR_STYLE)
        self._erred = True
        self.error.setText(reason)
        self.error.show()

    def _clear_error(self) -> None:
        if self._erred:  # restyling a field costs a style pass: only one that was marked
            self.field.setStyleSheet("")
            self._erred = False
        if self._error is not None:
            self._error.hide()
