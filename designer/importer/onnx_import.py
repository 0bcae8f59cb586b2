"""ONNX file -> design, through the catalog's declared ONNX forms.

Operators are read in file order. A few patterns are read as the one
operator they amount to: MatMul with a stored weight (and the Add of a stored
bias after it) as a Gemm; a Reshape that merges the positions and the
ReduceMean over them as one ReduceMean; a pooling to 1x1 and the Flatten
after it as a ReduceMean without kept dimensions. Layers the exporter writes
as many operators are found first (designer.importer.onnx_regions).
Conv, BatchNormalization and Relu stay three nodes. Node ids come from the
module paths and source lines torch's exporter records, else from the ONNX
node names.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from designer.graph import GraphError, TensorSpec
from designer.importer.builder import DesignBuilder
from designer.importer.errors import ModelImportError, Unmapped
from designer.importer.onnx_graph import OnnxGraph, View, module_path, source_line
from designer.importer.onnx_load import load_onnx
from designer.importer.onnx_regions import Region, find_regions
from designer.importer.onnx_weights import empty_module, layer_weights
from designer.importer.result import ImportedDesign
from designer.importer.source_lines import SourceLine
from designer.importer.verify import compare_outputs
from designer.layers import CATALOG, LayerType
from designer.layers.mapping import CONSTANT_AFFINE, MERGE_SUM, Unmappable

PASS_THROUGH = frozenset({"Identity"})
CATALOG_MODULES = frozenset(name for layer in CATALOG if layer.torch for name in layer.torch.modules)
_NUMBER_SUFFIX = re.compile(r"_\d+$")


def from_onnx(
    path: str | os.PathLike[str], *, input_shape: tuple[int, ...] | None = None, partial: bool = False, name: str | None = None
) -> ImportedDesign:
    """Read an ONNX file as a design with its weights, checked against
    onnxruntime. ``input_shape`` gives one sample's sizes where the file
    leaves them free. Raises ModelImportError (one line, and each unmapped
    operator in ``.unmapped``) unless ``partial``."""
    import torch

    loaded = load_onnx(path, input_shape)
    graph = OnnxGraph(loaded)
    reader = OnnxReader(graph, name or Path(path).stem, partial)
    if loaded.batch_fixed:
        reader.notes.append(f"the file fixes the batch size at {loaded.file_batch}; the design takes batches of any size")
    builder = reader.read()
    design, weights = builder.finish()
    result = ImportedDesign(design, weights, Path(path).name, tuple(builder.unmapped), notes=tuple(reader.notes))
    if not result.partial:
        inputs = (torch.from_numpy(loaded.values[loaded.input_name]),)
        expected = [torch.from_numpy(loaded.values[output]) for output in loaded.outputs]
        result.max_difference = compare_outputs(design, weights, inputs, expected)
    result.lay_out()
    return result


class OnnxReader:
    def __init__(self, graph: OnnxGraph, name: str, partial: bool) -> None:
        import torch

        self.graph = graph
        self.builder = DesignBuilder(name)
        self.partial = partial
        self.tensors: dict[str, str | None] = {}  # ONNX tensor -> design node (None: after an unmapped operator)
        self.done: set[int] = set()
        self.origins: dict[str, list[Any]] = {}  # design node -> the ONNX operators it stands for
        self.notes: list[str] = []
        self.skip_dirs = (os.path.dirname(os.path.abspath(torch.__file__)),)
        self.by_op: dict[str, list[tuple[LayerType, Any]]] = {}
        for layer in CATALOG:
            for form in layer.onnx:
                if not form.region:
                    self.by_op.setdefault(form.op, []).append((layer, form))

    def read(self) -> DesignBuilder:
        loaded = self.graph.loaded
        node_id = self.builder.add("Input", {"shape": list(loaded.input_shape), "dtype": loaded.input_dtype}, [], wanted=loaded.input_name)
        self.tensors[loaded.input_name] = node_id
        regions = {id(region.members[-1]): region for region in find_regions(self.graph)}
        for region in regions.values():
            self.done.update(id(m) for m in region.members[:-1])
        for node in self.graph.data_nodes:
            if id(node) in self.done:
                continue
            if id(node) in regions:
                self._emit_region(regions[id(node)])
            else:
                self._on_node(node)
        for number, output in enumerate(loaded.outputs, start=1):
            source = self.tensors.get(output)
            if source is not None:
                self.builder.add("Output", {}, [source], wanted=output if output != loaded.input_name else f"output{number}")
        self._choose_names()
        if self.builder.unmapped and not self.partial:
            count = len(self.builder.unmapped)
            raise ModelImportError(
                f"{count} operator{'s' if count != 1 else ''} of the model {'have' if count != 1 else 'has'} no equivalent in the designer",
                tuple(self.builder.unmapped),
            )
        return self.builder

    # ------------------------------------------------------------ reading
    def _on_node(self, node: Any) -> None:
        inputs = self.graph.data_inputs(node)
        if any(self.tensors.get(name, "") is None for name in inputs):
            self._mark(node, None)  # after an unmapped operator: only the first is reported
            return
        if node.op_type in PASS_THROUGH or (node.op_type == "Cast" and self._same_dtype(node)):
            self._mark(node, self.tensors.get(inputs[0]) if inputs else None)
            return
        reasons: list[str] = []
        for view in self._views(node):
            for layer, form in self.by_op.get(view.op_type, []):
                try:
                    self._emit(layer, form, view)
                except Unmappable as exc:
                    reasons.append(f"not a {layer.name}: {exc}")
                    continue
                self.done.update(id(m) for m in view.members)
                return
        if not self.by_op.get(node.op_type) and not reasons:
            reasons.append("no layer of the designer computes this operator")
        self._unmapped(node, "; ".join(dict.fromkeys(reasons)))

    def _views(self, node: Any) -> list[View]:
        """The operator as one layer with what follows it (when that is its only
        use), then alone."""
        graph, views = self.graph, []
        plain = View.of(graph, node)
        reader = graph.single_reader(node.output[0]) if node.output else None
        if node.op_type == "MatMul" and plain.const(1) is not None and plain.const(1).ndim == 2 and plain.const(0) is None:
            gemm = View(graph, "Gemm", [node.input[0], node.input[1], ""], node.output[0], {"transB": 0}, [node])
            if reader is not None and reader.op_type == "Add":
                other = [name for name in reader.input if name != node.output[0]]
                if other and graph.loaded.constants.get(other[0]) is not None and graph.loaded.constants[other[0]].ndim == 1:
                    views.append(
                        View(graph, "Gemm", [node.input[0], node.input[1], other[0]], reader.output[0], {"transB": 0}, [node, reader])
                    )
            views.append(gemm)
            return views
        if node.op_type in ("Reshape", "Flatten") and reader is not None and reader.op_type in ("ReduceMean", "ReduceMax"):
            merged = self._merged_reduction(node, reader)
            if merged is not None:
                views.append(merged)
        if node.op_type in ("GlobalAveragePool", "ReduceMean") and reader is not None and reader.op_type in ("Flatten", "Reshape"):
            flat = graph.shape(reader.output[0])
            if len(flat) == 2 and len(graph.shape(node.input[0])) in (3, 4):
                rank = len(graph.shape(node.input[0]))
                views.append(
                    View(
                        graph,
                        "ReduceMean",
                        [node.input[0]],
                        reader.output[0],
                        {"axes": list(range(2, rank)), "keepdims": 0},
                        [node, reader],
                    )
                )
        mean = self._mean_of_sum(node)
        if mean is not None:
            views.append(mean)
        views.append(plain)
        return views

    def _merged_reduction(self, reshape: Any, reduce: Any) -> View | None:
        """Reshape (N, C, H, W) -> (N, C, H*W), then a reduction over the last
        dim: one reduction over H and W. A Reshape that keeps the shape (a
        flatten of (N, C, L) from its third dimension, which the TorchScript
        exporter writes) is the reduction alone."""
        graph = self.graph
        source, merged = graph.shape(reshape.input[0]), graph.shape(reshape.output[0])
        view = View.of(graph, reduce)
        try:
            axes = [a % len(merged) for a in (view.attr("axes") or view.const(1).reshape(-1).tolist())]
        except AttributeError:
            return None
        start = len(merged) - 1
        if len(merged) < 2 or axes != [start] or tuple(source[:start]) != tuple(merged[:start]):
            return None
        if len(source) < len(merged) or len(source) == len(merged) and tuple(source) != tuple(merged):
            return None
        attributes = {**view.attributes, "axes": list(range(start, len(source)))}
        return View(graph, reduce.op_type, [reshape.input[0]], reduce.output[0], attributes, [reshape, reduce])

    def _mean_of_sum(self, node: Any) -> View | None:
        """(a + b) / 2 on one line of the exported code: a Mean of a and b."""
        if node.op_type not in ("Div", "Mul"):
            return None
        inputs = self.graph.data_inputs(node)
        sum_node = self.tensors.get(inputs[0]) if len(inputs) == 1 else None
        if sum_node is None or self.builder.graph.node(sum_node).type not in CATALOG.with_capability(MERGE_SUM):
            return None
        if not self._same_line(sum_node, node) or self.graph.single_reader(inputs[0]) is not node:
            return None
        terms = [edge.source for edge in self.builder.graph.inputs_of(sum_node)]
        number = View.of(self.graph, node).const(1)
        if number is None or number.size != 1:
            return None
        n = float(number.reshape(-1)[0])
        if (node.op_type == "Div" and n != len(terms)) or (node.op_type == "Mul" and abs(n * len(terms) - 1) > 1e-6):
            return None
        return View(self.graph, "Mean", [], node.output[0], {}, [node], absorbs=sum_node)

    # ------------------------------------------------------------ building
    def _emit(self, layer: LayerType, form: Any, view: View) -> str:
        params = form.read(view)
        params = params[0] if isinstance(params, list) else params
        absorbed = view.absorbs
        if absorbed is not None:
            sources = [edge.source for edge in self.builder.graph.inputs_of(absorbed)]
        else:
            sources = [self.tensors[name] for name in view.inputs if self.graph.is_data(name)]
        sources, params, folded = self._fold(layer, params, sources, view)
        shape = self.graph.shape(view.output)
        if shape[:1] != (-1,) and not self.graph.loaded.batch_fixed:
            raise Unmappable("its output does not keep the batch first")
        module, checked = self._module(layer, params, sources)
        weights = layer_weights(form, checked, view, module) if module is not None else {}
        node_id = self.builder.add(layer.name, params, sources, wanted="", expected=TensorSpec(shape[1:]), weights=weights)
        for gone in [absorbed, *folded]:
            if gone is not None:
                self.origins[node_id] = self.origins.pop(gone, []) + self.origins.get(node_id, [])
                self.builder.remove(gone)
        self.origins.setdefault(node_id, []).extend(view.members)
        self.tensors[view.output] = node_id
        return node_id

    def _fold(self, layer: LayerType, params: dict, sources: list[str], view: View) -> tuple[list[str], dict, list[str]]:
        """a + b + c on one line is one Add; x * 2 + 1 one Scale."""
        folded: list[str] = []
        node = view.members[0]
        if layer.can(MERGE_SUM):
            expanded = []
            for source in sources:
                if self._foldable(source, layer, node):
                    expanded += [edge.source for edge in self.builder.graph.inputs_of(source)]
                    folded.append(source)
                else:
                    expanded.append(source)
            return expanded, params, folded
        if layer.can(CONSTANT_AFFINE) and len(sources) == 1 and self._foldable(sources[0], layer, node, needs_line=False):
            first = self.builder.graph.node(sources[0]).params
            factor = first["factor"] * params.get("factor", 1.0)
            offset = first["offset"] * params.get("factor", 1.0) + params.get("offset", 0.0)
            inner = [edge.source for edge in self.builder.graph.inputs_of(sources[0])]
            return inner, {"factor": factor, "offset": offset}, [sources[0]]
        return sources, params, folded

    def _foldable(self, source: str, layer: LayerType, node: Any, needs_line: bool = True) -> bool:
        if self.builder.graph.node(source).type != layer.name or len(self.builder.graph.outputs_of(source)) != 0:
            return False
        members = self.origins.get(source, [])
        if not members or self.graph.single_reader(members[-1].output[0]) is not node:
            return False
        return self._same_line(source, node) if needs_line else True

    def _same_line(self, design_node: str, node: Any) -> bool:
        lines = {source_line(m, self.skip_dirs) for m in self.origins.get(design_node, [])}
        here = source_line(node, self.skip_dirs)
        return here is not None and here in lines

    def _module(self, layer: LayerType, params: dict, sources: list[str]) -> tuple[Any, dict]:
        """The layer's torch module (None for a layer without one) and its checked parameters."""
        try:
            checked = self.builder.graph.check_params(layer.name, params)
        except GraphError as exc:
            raise Unmappable(str(exc)) from None
        if layer.constructor is None:
            return None, checked
        specs = [self.builder.specs.get(s) for s in sources]
        if any(spec is None for spec in specs):
            raise Unmappable("its input's shape is not known")
        try:
            inferred = dict(layer.infer(specs, checked).inferred)  # type: ignore[arg-type]
        except GraphError as exc:
            raise Unmappable(str(exc)) from None
        return empty_module(layer, checked, inferred), checked

    def _emit_region(self, region: Region) -> None:
        source = self.tensors.get(region.entry)
        if source is None:
            for member in region.members:
                self._mark(member, None)
            return
        shape = self.graph.shape(region.exit)
        try:
            node_id = self.builder.add(
                region.layer.name, region.params, [source], wanted="", expected=TensorSpec(shape[1:]), weights=region.weights
            )
        except Unmappable as exc:
            self._unmapped(region.members[-1], str(exc))
            return
        self.origins[node_id] = [m for m in region.members if m is not region.anchor] + [region.anchor]  # named after the anchor
        self.tensors[region.exit] = node_id

    def _same_dtype(self, node: Any) -> bool:
        source, result = self.graph.loaded.values.get(node.input[0]), self.graph.loaded.values.get(node.output[0])
        return source is not None and result is not None and source.dtype == result.dtype

    def _mark(self, node: Any, design_node: str | None) -> None:
        for name in node.output:
            if name:
                self.tensors[name] = design_node

    def _unmapped(self, node: Any, why: str) -> None:
        unmapped = Unmapped(node.op_type, node.name or node.output[0], why)
        self.builder.unmapped.append(unmapped)
        if self.partial:
            sources = [self.tensors[n] for n in self.graph.data_inputs(node) if self.tensors.get(n)]
            node_id = self.builder.placeholder(unmapped, sources, wanted="")
            self.origins[node_id] = [node]
            self._mark(node, node_id)
        else:
            self._mark(node, None)

    # -------------------------------------------------------------- names
    def _choose_names(self) -> None:
        """A node is named after the torch module it came from (``layer1.0.conv1``),
        else the variable its line of code assigns (the last node of a line),
        else its ONNX node name."""
        last_of_line: dict[tuple[SourceLine, str | None], str] = {}  # (line, block): a block's line runs once per block
        for node_id, members in self.origins.items():
            for member in members:
                line = source_line(member, self.skip_dirs)
                if line is not None:
                    last_of_line[line, _module_of(member)[0]] = node_id
        for node_id, members in self.origins.items():
            built = self.builder.built[node_id]
            layer = CATALOG.get(self.builder.graph.node(node_id).type)
            built.wanted = self._name(node_id, layer, members, last_of_line)

    def _name(self, node_id: str, layer: LayerType, members: list[Any], last_of_line: dict[tuple[SourceLine, str | None], str]) -> str:
        own_modules = set(layer.torch.modules) if layer.torch else set()
        for member in members:
            path, cls = _module_of(member)
            if path and cls in own_modules:
                return path
        for member in members:
            path, cls = _module_of(member)
            if path and cls in CATALOG_MODULES:  # another layer's module the exporter folded into this one (a BatchNorm into its Conv)
                block = path.rpartition(".")[0]
                return f"{block}_{layer.id_prefix}" if block else layer.id_prefix
        for member in reversed(members):
            line = source_line(member, self.skip_dirs)
            scope, cls = _module_of(member)
            if line is not None and last_of_line.get((line, scope)) == node_id and line.variable:
                inside_block = scope is not None and cls not in CATALOG_MODULES  # a line of the user's block, run once per block
                return f"{scope}_{line.variable}" if inside_block else line.variable
        name = members[-1].name if members else ""
        name = name[5:] if name.startswith("node_") else name
        return _NUMBER_SUFFIX.sub("", name) or layer.id_prefix


def _module_of(node: Any) -> tuple[str | None, str]:
    """The innermost torch module an operator came from, and its class name."""
    import ast

    from designer.importer.onnx_graph import metadata

    data = metadata(node)
    try:
        scopes = ast.literal_eval(data.get("pkg.torch.onnx.name_scopes", "[]"))
        classes = ast.literal_eval(data.get("pkg.torch.onnx.class_hierarchy", "[]"))
    except (ValueError, SyntaxError):
        return None, ""
    pairs = [(s, c) for s, c in zip(scopes[1:-1], classes[1:-1]) if s]
    if not pairs:
        return module_path(node), ""
    path, cls = pairs[-1]
    return path, str(cls).rsplit(".", 1)[-1]
