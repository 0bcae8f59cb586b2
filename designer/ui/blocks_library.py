"""The user's block library: a folder of block files (plain JSON, loading
one runs nothing), chosen in the window's settings, and the blocks that come
with the designer. A file that cannot be read is listed with the one-line
reason, never raised."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from designer.graph.blocks import BlockDefinition
from designer.project.block_files import BLOCK_SUFFIX, block_files, read_block_file, save_block

LIBRARY_KEY = "blocks/library"  # the window's settings: the library folder
MAX_LIBRARY_FILES = 500  # a folder of thousands of files is not read whole at start


@dataclass(frozen=True)
class LibraryEntry:
    """One file of the library: its block, or why it cannot be used."""

    path: Path
    definition: BlockDefinition | None
    problem: str = ""
    held: dict[str, BlockDefinition] = field(default_factory=dict)  # the blocks it holds, carried in its file

    @property
    def name(self) -> str:
        return self.definition.name if self.definition is not None else self.path.name.removesuffix(BLOCK_SUFFIX)


def default_folder() -> Path:
    """A folder under the user's application data (it may not exist yet)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation) or str(Path.home() / ".nn-designer")
    return Path(base) / "blocks"


def library_folder(settings: QSettings) -> Path:
    value = settings.value(LIBRARY_KEY, "")
    return Path(value) if isinstance(value, str) and value else default_folder()


def set_library_folder(settings: QSettings, folder: str | Path) -> None:
    settings.setValue(LIBRARY_KEY, str(folder))


def scan(folder: Path) -> list[LibraryEntry]:
    """Every block file in ``folder`` by name; a missing folder is an empty library."""
    try:
        paths = block_files(folder)[:MAX_LIBRARY_FILES]
    except OSError:
        return []
    entries = []
    for path in paths:
        try:
            own, held = read_block_file(path)
            entries.append(LibraryEntry(path, own, held=held))
        except Exception as exc:  # noqa: BLE001 - any file: its reason is shown on its row, the palette goes on
            entries.append(LibraryEntry(path, None, _one_line(exc).removeprefix(f"{path}: ")))
    return entries


def builtin_blocks() -> Mapping[str, BlockDefinition]:
    """The blocks that come with the designer, by name (none when the catalog offers none)."""
    try:
        from designer.layers import builtin_blocks as blocks
    except ImportError:
        return {}
    return blocks()


def builtin_block_names() -> tuple[str, ...]:
    """The names of the blocks that come with the designer, in palette order, without reading them."""
    try:
        from designer.layers.builtin_blocks import ORDER
    except ImportError:
        return ()
    return ORDER


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def save_to_library(folder: Path, definition: BlockDefinition, blocks: Mapping[str, BlockDefinition]) -> Path:
    """Write the block (with the ``blocks`` it holds) to ``folder``/NAME.block.json,
    atomically; raises OSError or ProjectError."""
    folder.mkdir(parents=True, exist_ok=True)
    return save_block(folder / f"{definition.name}{BLOCK_SUFFIX}", definition, blocks)
