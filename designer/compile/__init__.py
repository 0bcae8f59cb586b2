"""Graph -> readable PyTorch source -> nn.Module; ONNX and Python export (no Qt).

``to_source`` needs no torch; ``compile_design`` and ``build_module`` import it.
"""

from designer.compile.build import CompiledDesign, build_module, compile_design
from designer.compile.codegen import GeneratedSource, class_name_for, generate, to_source
from designer.compile.errors import CompileError

__all__ = ["CompileError", "CompiledDesign", "GeneratedSource", "build_module", "class_name_for", "compile_design", "generate", "to_source"]
