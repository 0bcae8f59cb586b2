"""The few modal questions the window asks, in one place so tests can answer
them without a person."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

PROJECT_FILTER = "Neural network designs (*.nnd);;All files (*)"


def ask_open_path(parent: QWidget, directory: str = "") -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open design", directory, PROJECT_FILTER)
    return path or None


def ask_open_file(parent: QWidget, title: str, directory: str = "", file_filter: str = "All files (*)") -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, directory, file_filter)
    return path or None


def ask_folder(parent: QWidget, title: str, directory: str = "") -> str | None:
    return QFileDialog.getExistingDirectory(parent, title, directory) or None


def ask_save_path(parent: QWidget, title: str, suggested: str, file_filter: str = PROJECT_FILTER) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None


def beside(project: Path | None, ending: str, untitled: str) -> str:
    """The file a save dialog offers: beside the project and named after it,
    ``ending`` after its name (".onnx", "-curves.png"); ``untitled`` + ``ending``
    in the home folder for a design not saved yet."""
    return str(project.with_suffix("")) + ending if project is not None else str(folder_of(None) / untitled) + ending


def folder_of(project: Path | None) -> Path:
    """Where a file dialog starts: the project's folder; the home folder for a design
    not saved yet (not the folder the program happened to be started from)."""
    return project.parent if project is not None else Path.home()


def ask_save_changes(parent: QWidget, name: str) -> str:
    """'save', 'discard' or 'cancel'."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes", f"Save the changes to “{name}”?", parent=parent)
    box.setInformativeText("Your changes are lost if you don't save them.")
    box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
        QMessageBox.StandardButton(answer), "cancel"
    )


def show_error(parent: QWidget, title: str, message: str) -> None:
    QMessageBox.critical(parent, title, message)


def show_info(parent: QWidget, title: str, message: str) -> None:
    QMessageBox.information(parent, title, message)


def ask_yes_no(parent: QWidget, title: str, question: str) -> bool:
    answer = QMessageBox.question(parent, title, question, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def ask_text(parent: QWidget, title: str, label: str, text: str) -> str | None:
    value, ok = QInputDialog.getText(parent, title, label, text=text)
    return value if ok else None


def show_text(parent: QWidget, title: str, html: str) -> None:
    """A scrollable page of help text."""
    from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    dialog.resize(620, 560)
    layout = QVBoxLayout(dialog)
    browser = QTextBrowser(dialog)
    browser.setHtml(html)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(browser)
    layout.addWidget(buttons)
    dialog.exec()


def ask_choice(parent: QWidget, title: str, text: str, options: list[str], default: int = 0) -> int | None:
    """One of ``options`` (radio buttons under ``text``): its index, or None when cancelled."""
    from PySide6.QtWidgets import QButtonGroup, QDialog, QDialogButtonBox, QLabel, QRadioButton, QVBoxLayout

    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    layout = QVBoxLayout(dialog)
    label = QLabel(text, dialog)
    label.setWordWrap(True)
    layout.addWidget(label)
    group = QButtonGroup(dialog)
    for index, option in enumerate(options):
        button = QRadioButton(option, dialog)
        button.setChecked(index == default)
        group.addButton(button, index)
        layout.addWidget(button)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    chosen = group.checkedId() if dialog.exec() == QDialog.DialogCode.Accepted else None
    dialog.deleteLater()
    return chosen
