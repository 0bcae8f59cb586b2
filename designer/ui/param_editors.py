"""Editors generated from a :class:`Param` declaration.

Each editor shows its value, and emits ``committed`` only with a value the
declaration accepts; a bad value stays in the field, marked red, with the
reason beside it, and nothing is changed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from designer.graph import ParamError
from designer.layers.params import BOOL, CHOICE, FLOAT, INT, Param

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

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.param = param
        self._value: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.field = self._make_field()
        self.field.setToolTip(f"{param.help}\nAllowed: {param.describe()}" + (f"\nEmpty: {param.none_means}" if param.optional else ""))
        row.addWidget(self.field)
        layout.addLayout(row)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d73a49; font-size: 11px;")
        self.error.hide()
        layout.addWidget(self.error)

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
            return combo
        if p.kind == INT and not p.optional:
            spin = QSpinBox(self)
            spin.setRange(int(max(p.min if p.min is not None else -INT32, -INT32)), int(min(p.max if p.max is not None else INT32, INT32)))
            spin.setKeyboardTracking(False)  # commit on Enter or focus out, not on every digit
            spin.valueChanged.connect(self._submit)
            return spin
        line = QLineEdit(self)
        if p.optional:
            line.setPlaceholderText(p.none_means or "none")
        line.editingFinished.connect(lambda: self._submit(parse_text(p, line.text())))
        return line

    def set_value(self, value: Any) -> None:
        """Show the model's value without emitting anything."""
        self._value = value
        self.field.blockSignals(True)
        try:
            if isinstance(self.field, QCheckBox):
                self.field.setChecked(bool(value))
            elif isinstance(self.field, QComboBox):
                self.field.setCurrentText(str(value))
            elif isinstance(self.field, QSpinBox):
                self.field.setValue(int(value))
            else:
                self.field.setText(show_value(value))
        finally:
            self.field.blockSignals(False)
        self._clear_error()

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

    def show_error(self, reason: str) -> None:
        self.field.setStyleSheet(ERROR_STYLE)
        self.error.setText(reason)
        self.error.show()

    def _clear_error(self) -> None:
        self.field.setStyleSheet("")
        self.error.hide()
