"""Models -> editable designs with their weights (no Qt).

    from designer.importer import from_module, from_onnx

    imported = from_module(net, torch.randn(2, 3, 32, 32))   # torch.fx trace
    imported = from_onnx("model.onnx")                        # ONNX file
    imported.graph, imported.weights, imported.max_difference
    imported.save("model.nnd")                                # + model.safetensors

Every operation is read through the layer catalog's declared PyTorch and
ONNX forms; what has no equivalent is reported node by node
(ModelImportError.unmapped), or, with ``partial=True``, replaced by
placeholders that fail validation with their reason.
"""

from designer.importer.errors import ModelImportError, Unmapped
from designer.importer.from_torch import from_module
from designer.importer.onnx_import import from_onnx
from designer.importer.python_file import import_python_file, load_module
from designer.importer.result import ImportedDesign

__all__ = ["ImportedDesign", "ModelImportError", "Unmapped", "from_module", "from_onnx", "import_python_file", "load_module"]
