"""Dataset sources: generated, bundled with scikit-learn, and the user's own CSV,
image folders and NumPy files; splits, normalisation and previews (no Qt, no torch).

>>> bundle = load_data({"source": "spirals", "options": {"noise": 0.1}})
>>> bundle.spec.input.shape, bundle.spec.num_classes, len(bundle.train)
((2,), 2, 800)
"""

from designer.data.dataset import ArrayDataset, DataBundle, normalize_inputs, restore_targets
from designer.data.errors import DataError
from designer.data.load import SOURCES, check_project_data, data_spec_for, describe, describe_data, load_data, preview
from designer.data.preview import Preview
from designer.data.source import Source

__all__ = [
    "SOURCES",
    "ArrayDataset",
    "DataBundle",
    "DataError",
    "Preview",
    "Source",
    "check_project_data",
    "data_spec_for",
    "describe",
    "describe_data",
    "load_data",
    "normalize_inputs",
    "preview",
    "restore_targets",
]
