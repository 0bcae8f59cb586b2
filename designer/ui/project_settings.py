"""The project's settings, shown in the inspector when nothing is selected:
name and description, the data and the training settings. The data and
training forms are the same widgets as in the Training panel (generated from
the declarations in designer.data and designer.project.settings); both
follow the document, so the two places always agree."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from designer.document import Document
from designer.project.settings import TRAINING
from designer.ui.training.data_section import DataSourceEditor
from designer.ui.training.settings_form import SettingsForm


class ProjectSettingsPanel(QWidget):
    """The project's name, description, data and training settings (nothing selected on the canvas)."""

    refused = Signal(str)  # a setting the project refused, with the reason

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 8, 8, 8)
        project_box = QGroupBox("Project", self)
        form = QFormLayout(project_box)
        self.name_field = QLineEdit(project_box)
        self.name_field.editingFinished.connect(lambda: document.set_name(self.name_field.text().strip()))
        self.description = QPlainTextEdit(project_box)
        self.description.setMaximumHeight(90)
        self.description.setPlaceholderText("What this design is for")
        self.description.focusOutEvent = self._description_focus_out  # type: ignore[method-assign]
        form.addRow("name", self.name_field)
        form.addRow("description", self.description)
        column.addWidget(project_box)
        self.data_box = QGroupBox("Data", self)
        self.data_editor = DataSourceEditor(document, self.data_box, preview=False)
        QVBoxLayout(self.data_box).addWidget(self.data_editor)
        column.addWidget(self.data_box)
        self.training_box = QGroupBox("Training", self)
        self.training_form = SettingsForm(document, "training", TRAINING, self.training_box)
        self.data_editor.refused.connect(self.refused)
        self.training_form.refused.connect(self.refused)
        QVBoxLayout(self.training_box).addWidget(self.training_form)
        column.addWidget(self.training_box)
        hint = QLabel("Select a node to edit its layer; nothing selected shows the project.", self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #57606a;")
        column.addWidget(hint)
        column.addStretch(1)
        document.settings_changed.connect(self._on_settings_changed)
        self.refresh()

    def _description_focus_out(self, event) -> None:
        self.document.set_description(self.description.toPlainText())
        QPlainTextEdit.focusOutEvent(self.description, event)

    def _on_settings_changed(self, section: str) -> None:
        self.refresh()

    def refresh(self) -> None:
        project = self.document.project
        if self.name_field.text() != project.name:
            self.name_field.setText(project.name)
            if not self.name_field.hasFocus():
                self.name_field.setCursorPosition(0)  # a long name shows its start ("igits 5-9 from one image each")
        if self.description.toPlainText() != project.description:
            self.description.setPlainText(project.description)
