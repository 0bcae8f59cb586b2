"""Which weights the Insight panel looks at: "initialised (seed N)", each run
of the Training panel's history that kept weights ("Run 2: 97.5%"), files
loaded, and "File…" to load one. A run that ends while the user was on the
latest choice becomes the choice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from designer.ui import dialogs
from designer.ui.insight.runner import WeightsChoice
from designer.ui.training.runs import RunRecord

FILE_ITEM = "File…"


def run_weights_label(record: RunRecord) -> str:
    """'Run 2: 97.5%' (or its MAE, or how it ended)."""
    best = record.outcome.result.best if record.outcome is not None else None
    if best is None:
        return f"{record.label}: {record.status.replace('_', ' ')}"
    value = best.val_metric if best.val_metric is not None else best.train_metric
    shown = f"{100 * value:.1f}%" if best.metric_name == "accuracy" else f"MAE {value:.3g}"
    return f"{record.label}: {shown}"


def has_kept_weights(record: RunRecord) -> bool:
    return record.kept_state is not None


def seed_choice(seed: int) -> WeightsChoice:
    return WeightsChoice(f"initialised (seed {seed})", seed, ("seed", seed))


class WeightsMenu(QComboBox):
    """The weights choices; ``chosen`` fires when the choice really changes."""

    chosen = Signal(object)  # WeightsChoice

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("Which weights to look at: a fresh initialisation, a run's kept weights, or a .safetensors file")
        self._current: WeightsChoice | None = None
        self.project: Callable[[], Path | None] = lambda: None  # the open design's file: File… starts in its folder
        self.activated.connect(self._on_activated)

    @property
    def choice(self) -> WeightsChoice:
        return self._current or seed_choice(0)

    def fill(self, seed: int, runs: list[RunRecord]) -> None:
        """The seed, the runs that kept weights, File…; the latest run chosen,
        or the seed when none kept weights (no signal): after training, the
        trained network is the one to look inside."""
        self.blockSignals(True)
        self.clear()
        first = seed_choice(seed)
        self.addItem(first.label, first)
        for record in runs:
            if has_kept_weights(record):
                self._insert_run(record)
        self.addItem(FILE_ITEM, None)
        chosen = (self._runs() or [0])[-1]
        self.setCurrentIndex(chosen)
        self.blockSignals(False)
        self._current = self.choice_at(chosen)

    def relabel_seed(self, seed: int) -> None:
        """The project's seed changed: so did the initialised weights."""
        choice = seed_choice(seed)
        self.setItemText(0, choice.label)
        self.setItemData(0, choice)
        if self._current is not None and self._current.key[0] == "seed":
            self._current = choice

    def choice_at(self, index: int) -> WeightsChoice | None:
        data = self.itemData(index)
        return data if isinstance(data, WeightsChoice) else None

    def _index_of(self, key: tuple) -> int:
        return next((i for i in range(self.count()) if (c := self.choice_at(i)) is not None and c.key == key), -1)

    def _runs(self) -> list[int]:
        return [i for i in range(self.count()) if (c := self.choice_at(i)) is not None and c.key[0] == "run"]

    def _insert_run(self, record: RunRecord) -> int:
        choice = WeightsChoice(run_weights_label(record), record.kept_state, ("run", record.number))
        runs = self._runs()
        index = runs[-1] + 1 if runs else 1
        self.insertItem(index, choice.label, choice)
        return index

    # ------------------------------------------------------------ changes
    def add_run(self, record: RunRecord) -> None:
        """A run ended with weights: offer them, and choose them if the user was on the latest choice."""
        if not has_kept_weights(record) or self._index_of(("run", record.number)) >= 0:
            return
        runs = self._runs()
        latest = self.choice_at(runs[-1]).key if runs else self.choice_at(0).key
        index = self._insert_run(record)
        if self.choice.key == latest:
            self.choose(index)

    def remove_run(self, record: RunRecord) -> None:
        index = self._index_of(("run", record.number))
        if index >= 0:
            current = self.choice.key == ("run", record.number)
            self.removeItem(index)
            if current:
                self.choose(0)

    def choose_run(self, record: RunRecord) -> bool:
        index = self._index_of(("run", record.number))
        if index >= 0:
            self.choose(index)
        return index >= 0

    def load_file(self, path: str | Path) -> None:
        path = Path(path)
        choice = WeightsChoice(f"file {path.name}", str(path), ("file", str(path)))
        index = self._index_of(choice.key)
        if index < 0:
            index = self.findText(FILE_ITEM)
            self.insertItem(index, choice.label, choice)
        self.choose(index)

    def reject(self) -> None:
        """The chosen weights do not fit: forget a file, go back to the initialised weights."""
        if self.choice.key[0] == "file":
            self.removeItem(self._index_of(self.choice.key))
        self.choose(0)

    def choose(self, index: int) -> None:
        choice = self.choice_at(index)
        if choice is None:
            return
        self.setCurrentIndex(index)
        if self._current is None or choice.key != self._current.key:
            self._current = choice
            self.chosen.emit(choice)

    def _on_activated(self, index: int) -> None:
        if self.choice_at(index) is not None:
            self.choose(index)
            return
        self.setCurrentIndex(self._index_of(self.choice.key))  # File…: the menu keeps showing the choice until a file is picked
        path = dialogs.ask_open_file(self, "Weights to look at", str(dialogs.folder_of(self.project())), "Weights (*.safetensors)")
        if path:
            self.load_file(path)
