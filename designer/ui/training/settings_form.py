"""A form of project settings generated from their ``Param`` declarations,
writing through ``document.set_setting``: the training settings (in the
inspector and in the Training panel, the same class) and the data split.

Settings that do not apply to the current choices (momentum for adam, the
step size without a step schedule) stay visible but greyed, with the reason
in their tooltip. The device list says what this machine really has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QWidget

from designer.document import Document
from designer.params import Param
from designer.project.settings import DEVICES
from designer.ui.param_editors import ParamEditor
from designer.ui.training.devices import DeviceProbe, Devices

# When a training setting applies, given all of them, and why it is greyed otherwise.
RELEVANT: dict[str, tuple[Callable[[Mapping[str, Any]], bool], str]] = {
    "momentum": (lambda s: s.get("optimizer") in ("sgd", "rmsprop"), "used by sgd and rmsprop only"),
    "step_size": (lambda s: s.get("schedule") == "step", "used by the step schedule only"),
    "gamma": (lambda s: s.get("schedule") in ("step", "plateau"), "used by the step and plateau schedules only"),
    "patience": (
        lambda s: bool(s.get("early_stopping")) or s.get("schedule") == "plateau",
        "used by early stopping and the plateau schedule",
    ),
}


class DeviceEditor(QWidget):
    """The device choice, labelled with what is really there (the GPU's name)."""

    committed = Signal(str, object)

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.param = param
        self.field = QComboBox(self)
        self.field.setToolTip(param.help)
        for name in DEVICES:
            self.field.addItem(name, name)
        self.field.currentIndexChanged.connect(self._on_index_changed)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.field)
        self._value: Any = None
        probe = DeviceProbe.shared()
        probe.found.connect(self._on_devices_found)
        if probe.devices is not None:
            self._on_devices_found(probe.devices)

    def set_value(self, value: Any) -> None:
        self._value = value
        index = self.field.findData(value)
        self.field.blockSignals(True)
        self.field.setCurrentIndex(max(index, 0))
        self.field.blockSignals(False)

    def _on_index_changed(self, index: int) -> None:
        value = self.field.itemData(index)
        if value != self._value:
            self._value = value
            self.committed.emit(self.param.name, value)

    def _on_devices_found(self, devices: Devices) -> None:
        for i in range(self.field.count()):
            self.field.setItemText(i, devices.label(self.field.itemData(i)))


class SettingsForm(QWidget):
    """One editor per declaration of ``params``, for ``document.project.<section>``."""

    def __init__(self, document: Document, section: str, params: tuple[Param, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document, self.section = document, section
        self.editors: dict[str, ParamEditor | DeviceEditor] = {}
        self.labels: dict[str, QLabel] = {}
        self._tips: dict[str, str] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for param in params:
            editor: ParamEditor | DeviceEditor = DeviceEditor(param, self) if param.name == "device" else ParamEditor(param, self)
            editor.committed.connect(self._on_committed)
            label = QLabel(param.name.replace("_", " "), self)
            label.setToolTip(param.help)
            form.addRow(label, editor)
            self.editors[param.name] = editor
            self.labels[param.name] = label
            self._tips[param.name] = editor.field.toolTip()
        document.settings_changed.connect(self._on_settings_changed)
        DeviceProbe.shared().found.connect(self._on_devices_found)
        self.refresh()

    def detach(self) -> None:
        self.document.settings_changed.disconnect(self._on_settings_changed)

    def _on_committed(self, name: str, value: Any) -> None:
        self.document.set_setting(self.section, name, value)

    def _on_settings_changed(self, section: str) -> None:
        if section == self.section:
            self.refresh()

    def _on_devices_found(self, devices: Devices) -> None:
        self.refresh()

    def _applies(self, name: str, values: Mapping[str, Any]) -> tuple[bool, str]:
        if self.section != "training":
            return True, ""
        if name == "bf16":
            devices = DeviceProbe.shared().devices
            cuda = devices is None or (devices.cuda is not None and values.get("device") in ("auto", "cuda"))
            return cuda, "bfloat16 applies to CUDA GPUs only"
        rule = RELEVANT.get(name)
        return (True, "") if rule is None else (rule[0](values), rule[1])

    def refresh(self) -> None:
        values = getattr(self.document.project, self.section)
        for name, editor in self.editors.items():
            editor.set_value(values.get(name, editor.param.default))
            applies, why = self._applies(name, values)
            self.labels[name].setEnabled(applies)
            editor.field.setEnabled(applies)
            editor.field.setToolTip(self._tips[name] + ("" if applies else f"\n(Not used now: {why}.)"))
