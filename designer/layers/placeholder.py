"""The placeholder a partial import puts where the model does something no
catalog layer computes. It is never offered in the palette, and it always
fails validation with its reason, so a partial design cannot train or export
until the placeholder is replaced."""

from __future__ import annotations

from designer.graph.errors import ShapeError
from designer.graph.spec import Inference
from designer.graph.tensor import DTYPES
from designer.layers.base import LayerType
from designer.params import TEXT, Param

NAME = "Unmapped"


def _rule(inputs, p) -> Inference:
    raise ShapeError(
        f"{p['op']} '{p['source']}' of the imported model has no equivalent in the designer ({p['reason']}): "
        "replace this placeholder with layers that compute it",
        code="unmapped",
    )


PLACEHOLDER = LayerType(
    NAME,
    "Core",
    "Stands for a part of an imported model that no layer of the designer computes; replace it before training.",
    _rule,
    params=(
        Param("op", TEXT, "", "The operation in the imported model."),
        Param("source", TEXT, "", "Its name in the imported model."),
        Param("reason", TEXT, "", "Why it has no equivalent."),
    ),
    min_inputs=0,
    max_inputs=None,
    id_prefix="unmapped",
    dtypes=DTYPES,
    label=lambda p: p["op"],
)
