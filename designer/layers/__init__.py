"""The layer catalog: one declaration per layer type.

Adding a layer type means adding one :class:`LayerType` to a module here and
listing it below. Importing this package registers the catalog as the
default for :class:`designer.graph.Graph`.
"""

from designer.graph.model import set_default_catalog
from designer.layers import activations, attention, conv, core, merge, norm, recurrent, reduce
from designer.layers.base import CATEGORIES, Catalog, LayerType, build_module, torch_call
from designer.layers.builtin_blocks import builtin_blocks
from designer.layers.placeholder import PLACEHOLDER
from designer.params import Param

CATALOG = Catalog(
    [*core.LAYERS, *activations.LAYERS, *conv.LAYERS, *reduce.LAYERS, *norm.LAYERS, *recurrent.LAYERS, *attention.LAYERS, *merge.LAYERS],
    hidden=[PLACEHOLDER],
)
set_default_catalog(CATALOG)

__all__ = ["CATALOG", "CATEGORIES", "Catalog", "LayerType", "Param", "build_module", "builtin_blocks", "torch_call"]
