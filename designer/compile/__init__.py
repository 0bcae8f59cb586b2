"""Graph -> readable PyTorch source -> nn.Module; ONNX and Python export (no Qt).

Importing this package loads no torch: ``to_source`` needs none, and the
functions that build modules or export import it when called.

    from designer.compile import compile_design, export_onnx, export_python, to_source

    module = compile_design(graph).new_module()       # fresh weights (seed torch first)
    print(to_source(graph))                           # the class that module is made from
    export_onnx(graph, "net.onnx")                    # checked by onnx.checker and onnxruntime
    export_python(graph, "net.py")                    # a standalone file; needs only torch
"""

from designer.compile.build import CompiledDesign, build_module, compile_design
from designer.compile.codegen import GeneratedSource, class_name_for, generate, to_source
from designer.compile.errors import CompileError, ExportError, VerificationError
from designer.compile.onnx_export import DEFAULT_OPSET, OnnxExport, export_onnx
from designer.compile.onnx_verify import TOLERANCE, Verification, verify_onnx
from designer.compile.python_export import PythonExport, export_python, python_file
from designer.compile.signature import Port, Signature, random_inputs, signature
from designer.compile.trained import export_module, trained_weights

__all__ = [
    "DEFAULT_OPSET",
    "TOLERANCE",
    "CompileError",
    "CompiledDesign",
    "ExportError",
    "GeneratedSource",
    "OnnxExport",
    "Port",
    "PythonExport",
    "Signature",
    "Verification",
    "VerificationError",
    "build_module",
    "class_name_for",
    "compile_design",
    "export_module",
    "export_onnx",
    "export_python",
    "generate",
    "python_file",
    "random_inputs",
    "signature",
    "to_source",
    "trained_weights",
    "verify_onnx",
]
