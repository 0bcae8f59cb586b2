"""The user's block library: one block definition per plain JSON file.

``save_block`` writes atomically; ``load_block`` reads within the project
file's limits (size, nesting, numbers, text) and checks every field before
building anything (designer.graph.block_records), so a wrong or hostile file
is one ProjectError naming the file and the place, and nothing in it runs.
A block that holds other blocks carries them in its file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from designer.graph.block_records import block_document, definitions_from_block_document
from designer.graph.blocks import BlockDefinition
from designer.graph.errors import EditError
from designer.layers import CATALOG
from designer.project.atomic import write_text_atomic
from designer.project.errors import ProjectError
from designer.project.jsonfmt import dumps as format_json
from designer.project.parse import parse, read_text

BLOCK_SUFFIX = ".block.json"


def save_block(path: str | os.PathLike[str], definition: BlockDefinition, blocks: Mapping[str, BlockDefinition] | None = None) -> Path:
    """Write ``definition`` (with the blocks it holds, looked up in ``blocks``,
    usually ``graph.blocks``) to ``path`` atomically."""
    target = Path(path)
    write_text_atomic(target, format_json(block_document(definition, blocks)) + "\n")
    return target


def load_blocks(path: str | os.PathLike[str]) -> dict[str, BlockDefinition]:
    """Every definition in a block file, in the order to add them to a design:
    the blocks it holds first, the file's own block last."""
    source = Path(path)
    try:
        return definitions_from_block_document(parse(read_text(source)), CATALOG)
    except ProjectError as exc:
        text = str(exc)
        raise ProjectError(text if text.startswith(str(source)) else f"{source}: {text}") from None
    except EditError as exc:
        raise ProjectError(f"{source}: {exc}") from None


def load_block(path: str | os.PathLike[str]) -> BlockDefinition:
    """The block a block file defines (see :func:`read_block_file` for the ones it holds)."""
    return read_block_file(path)[0]


def read_block_file(path: str | os.PathLike[str]) -> tuple[BlockDefinition, dict[str, BlockDefinition]]:
    """A block file's own block (written last) and the blocks it holds, by name
    (loading it runs nothing); raises ProjectError or OSError."""
    *held, own = load_blocks(path).values()
    return own, {d.name: d for d in held}


def block_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The block files in a library folder, by name."""
    base = Path(folder)
    return sorted(p for p in base.glob(f"*{BLOCK_SUFFIX}") if p.is_file()) if base.is_dir() else []
