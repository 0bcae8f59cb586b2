"""Design -> a standalone ``.py`` file that needs only PyTorch: the generated
source, unchanged (what trains is what is exported), and a ``__main__`` block
that runs it on random inputs, loading the trained weights beside it when they
were exported too."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from designer.compile import names
from designer.compile.build import compile_design
from designer.compile.codegen import GeneratedSource, generate
from designer.compile.signature import SEQUENCE, Signature, signature
from designer.compile.trained import Weights, export_module
from designer.graph import LONG, Graph
from designer.project.atomic import write_text_atomic
from designer.project.weights import save_weights

EXAMPLE_BATCH = 2


@dataclass(frozen=True)
class PythonExport:
    path: Path
    class_name: str
    weights_path: Path | None  # the trained weights written beside it, if any


def python_file(graph: Graph, weights_file: str | None = None) -> str:
    """The text of the exported file; ``weights_file`` is the name of the
    weights written beside it, which the ``__main__`` block then loads."""
    generated = generate(graph)
    return generated.source + _main_block(generated, signature(graph, generated), weights_file)


def export_python(graph: Graph, path: str | os.PathLike[str], *, weights: Weights | None = None) -> PythonExport:
    """Write the design as a standalone PyTorch file; with ``weights``, also
    write them as safetensors beside it (``OUT.safetensors``), tagged with the
    design's fingerprint. Raises CompileError for a design with problems."""
    target = Path(path)
    weights_path = None
    if weights is not None:
        module = export_module(compile_design(graph), weights)  # refuses weights that do not fit, before writing anything
        weights_path = target.with_suffix(".safetensors")
        save_weights(weights_path, module.state_dict(), graph.fingerprint(), {"design": names.plain_text(graph.name)})
    generated = generate(graph)
    text = generated.source + _main_block(generated, signature(graph, generated), weights_path.name if weights_path else None)
    write_text_atomic(target, text)
    return PythonExport(target, generated.class_name, weights_path)


def _main_block(generated: GeneratedSource, sig: Signature, weights_file: str | None) -> str:
    lines = [
        "",
        "",
        'if __name__ == "__main__":',
        f"    # Running this file makes a forward pass on random inputs (a batch of {EXAMPLE_BATCH}).",
        f"    model = {generated.class_name}()",
    ]
    if weights_file:
        lines += [
            "    # The trained weights, exported beside this file; reading safetensors needs: pip install safetensors",
            "    from pathlib import Path",
            "",
            "    from safetensors.torch import load_file",
            "",
            f"    model.load_state_dict(load_file(Path(__file__).with_name({names.literal(weights_file)})))",
        ]
    lines.append("    model.eval()")
    for argument, port in zip(sig.arguments, sig.inputs):
        dims = ", ".join(str(sig.sequence if d == SEQUENCE else d) for d in port.dims[1:])
        if port.dtype == LONG:
            lines.append(f"    {argument} = torch.randint(0, {port.high}, ({EXAMPLE_BATCH}, {dims}))  # token ids")
        else:
            lines.append(f"    {argument} = torch.randn({EXAMPLE_BATCH}, {dims})")
    lines += ["    with torch.no_grad():", f"        outputs = model({', '.join(sig.arguments)})"]
    if len(sig.outputs) == 1:
        lines.append("    print(tuple(outputs.shape))")
    else:
        lines.append("    print([tuple(output.shape) for output in outputs])")
    return "\n".join(lines) + "\n"
