"""A form of project settings generated from their ``Param`` declarations,
writing through ``document.set_setting``: the training settings (in the
inspector and in the Training panel, the same class) and the data split.

Settings that do not apply to the current choices (momentum for adam, the
step size without a step schedule) stay visible but greyed, with the reason
in their tooltip; the settings declare when each applies, the form shows it.
The device list says what this machine really has.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QWidget

from designer.document import Document
from designer.graph import EditError
from designer.params import Param
from designer.project.settings import DEVICES
from designer.ui.param_editors import ParamEditor
from designer.ui.scrolling import guard_wheel
from designer.ui.training.devices import DeviceProbe, Devices

MIN_DEVICE_CHARACTERS = 12  # "auto: CPU, 2" shows whole; longer labels are cut in the field, whole in its list
LIST_MARGIN = 32  # pixels around a label in the open list: the item's padding and a scroll bar


class DeviceEditor(QWidget):
    """The device choice, labelled with what is really there (the GPU's name)."""

    committed = Signal(str, object)

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.param = param
        self.field = QComboBox(self)
        self.field.setToolTip(param.help)
        # A found GPU's name makes a long label ("cuda: NVIDIA ... 80GB"): the field shows
        # what fits and its list the whole, so a narrow inspector needs no sideways scrolling.
        self.field.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.field.setMinimumContentsLength(MIN_DEVICE_CHARACTERS)
        for name in DEVICES:
            self.field.addItem(name, name)
        self.field.currentIndexChanged.connect(self._on_index_changed)
        guard_wheel(self.field)  # the wheel scrolls the panel unless the field has the focus
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
            label = devices.label(self.field.itemData(i))
            self.field.setItemText(i, label)
            self.field.setItemData(i, label, Qt.ItemDataRole.ToolTipRole)
        metrics = self.field.fontMetrics()
        widest = max(metrics.horizontalAdvance(self.field.itemText(i)) for i in range(self.field.count()))
        self.field.view().setMinimumWidth(widest + LIST_MARGIN)


class SettingsForm(QWidget):
    """One editor per declaration of ``params``, for ``document.project.<section>``."""

    refused = Signal(str)  # a value the settings refused, with the reason

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

    def _on_committed(self, name: str, value: Any) -> None:
        try:
            self.document.set_setting(self.section, name, value)
        except EditError as exc:  # refused (a bad value, or the design is locked): show why, keep the old value
            self.refresh()
            self.refused.emit(str(exc))

    def _on_settings_changed(self, section: str) -> None:
        if section == self.section:
            self.refresh()

    def _on_devices_found(self, devices: Devices) -> None:
        self.refresh()

    def _unused_reason(self, name: str) -> str:
        """Why a setting has no effect now: the settings' own rule, and for bf16 also this machine."""
        reason = self.document.settings(self.section).unused_reason(name)
        devices = DeviceProbe.shared().devices
        if not reason and name == "bf16" and devices is not None and devices.cuda is None:
            reason = "bfloat16 applies to CUDA GPUs only, and this machine has none"
        return reason

    def refresh(self) -> None:
        values = self.document.settings(self.section)
        for name, editor in self.editors.items():
            editor.set_value(values[name])
            why = self._unused_reason(name)
            self.labels[name].setEnabled(not why)
            editor.field.setEnabled(not why)
            editor.field.setToolTip(self._tips[name] + (f"\n(Not used now: {why}.)" if why else ""))
