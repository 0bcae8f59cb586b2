"""The built-in blocks: block definitions shipped as JSON files beside this
module (``blocks/NAME.block.json``, the block library's format), read with
the same checks as a user's block file. Each is a starting point a user
opens and changes; adding one to a design copies its definition into
``graph.blocks``."""

from __future__ import annotations

import functools
import json
from importlib import resources

from designer.graph.block_records import definitions_from_block_document
from designer.graph.blocks import BlockDefinition

ORDER = (
    "ResidualBlock",
    "ResidualProjection",
    "Bottleneck",
    "InvertedResidual",
    "SqueezeExcitation",
    "TransformerEncoderBlock",
    "LSTMStack",
)


@functools.cache
def _loaded() -> dict[str, BlockDefinition]:
    from designer.layers import CATALOG

    folder = resources.files("designer.layers").joinpath("blocks")
    found: dict[str, BlockDefinition] = {}
    for name in ORDER:
        document = json.loads(folder.joinpath(f"{name}.block.json").read_text(encoding="utf-8"))
        found.update(definitions_from_block_document(document, CATALOG))
    return found


def builtin_blocks() -> dict[str, BlockDefinition]:
    """name -> definition of every built-in block, in palette order."""
    return dict(_loaded())
