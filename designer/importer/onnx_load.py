"""Reading an ONNX file for import: checked, with one input, and run.

The model is run twice by onnxruntime with every intermediate tensor as an
output, at batch 1 and 2 with different random inputs. That gives each
tensor's shape with the batch dimension known (the sizes that change between
the runs), every value a layer reads as a constant (initializers, Constant
operators, and whatever does not change between the runs, such as reshape
targets computed from sizes), and the values at batch 2 the importer checks
layers against.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designer.graph import FLOAT, LONG
from designer.importer.errors import ModelImportError

DTYPES = {1: FLOAT, 7: LONG}  # onnx.TensorProto.FLOAT, INT64
RUN_BATCHES = (1, 2)


@dataclass
class LoadedOnnx:
    path: Path
    model: Any  # onnx.ModelProto
    input_name: str
    input_shape: tuple[int, ...]  # one sample's
    input_dtype: str
    outputs: list[str]
    constants: dict[str, Any] = field(default_factory=dict)  # name -> numpy array
    values: dict[str, Any] = field(default_factory=dict)  # name -> numpy array at batch RUN_BATCHES[-1]
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)  # name -> shape, -1 where the batch is
    file_batch: int = 0  # the batch size the file fixes (0: free), when no dimension can be seen to change

    @property
    def batch_fixed(self) -> bool:
        return self.file_batch > 0

    @property
    def batch(self) -> int:
        return RUN_BATCHES[-1]


def load_onnx(path: str | os.PathLike[str], input_shape: tuple[int, ...] | None = None) -> LoadedOnnx:
    """Read, check and run the model; ModelImportError (one line) when it cannot be used."""
    import onnx

    source = Path(path)
    if not source.is_file():
        raise ModelImportError("no such file")
    try:
        model = onnx.load(str(source))
    except Exception as exc:  # protobuf's DecodeError, a missing external data file...
        raise ModelImportError(f"not an ONNX model, or a damaged one ({_first_line(exc)})") from None
    try:
        onnx.checker.check_model(model)
    except Exception as exc:  # onnx.checker.ValidationError and the C++ checker's errors
        raise ModelImportError(f"not a valid ONNX model ({_first_line(exc)})") from None
    if not model.graph.node:
        raise ModelImportError("not an ONNX model, or a damaged one (it has no operators)")
    initializers = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    if len(inputs) != 1:
        names = ", ".join(i.name for i in inputs) or "none"
        raise ModelImportError(f"the model has {len(inputs)} inputs ({names}); the importer takes models with one input")
    value = inputs[0]
    tensor = value.type.tensor_type
    dtype = DTYPES.get(tensor.elem_type)
    if not value.type.HasField("tensor_type") or dtype is None:
        raise ModelImportError(f"input {value.name} is not a float32 or int64 tensor (the designer's inputs are one of those)")
    dims = list(tensor.shape.dim)
    if len(dims) < 2:
        raise ModelImportError(f"input {value.name} has {len(dims)} dimension(s); the importer needs a batch and at least one more")
    shape = _sample_shape(source, value.name, dims[1:], input_shape)
    loaded = LoadedOnnx(source, model, value.name, shape, dtype, [o.name for o in model.graph.output])
    loaded.file_batch = int(dims[0].dim_value) if dims[0].HasField("dim_value") and dims[0].dim_value > 0 else 0
    _run(loaded)
    return loaded


def _sample_shape(source: Path, name: str, dims: list[Any], given: tuple[int, ...] | None) -> tuple[int, ...]:
    if given is not None:
        given = tuple(given)
        if len(given) != len(dims):
            raise ModelImportError(f"--input-shape has {len(given)} sizes but input {name} has {len(dims)} besides the batch")
        for position, (dim, size) in enumerate(zip(dims, given), start=1):
            if dim.HasField("dim_value") and dim.dim_value > 0 and dim.dim_value != size:
                raise ModelImportError(f"input {name} has size {dim.dim_value} in dimension {position}, not {size}")
        return given
    shape = []
    for position, dim in enumerate(dims, start=1):
        if not (dim.HasField("dim_value") and dim.dim_value > 0):
            label = f" '{dim.dim_param}'" if dim.dim_param else ""
            raise ModelImportError(f"input {name} has a free size{label} in dimension {position}: give the sizes with --input-shape")
        shape.append(int(dim.dim_value))
    return tuple(shape)


def _run(loaded: LoadedOnnx) -> None:
    """Run the model at two batch sizes with every tensor as an output."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.ModelProto()
    model.CopyFrom(loaded.model)
    for value in model.graph.input:
        if value.name == loaded.input_name and not loaded.batch_fixed:
            dim = value.type.tensor_type.shape.dim[0]
            dim.Clear()
            dim.dim_param = "batch"
    known = {o.name for o in model.graph.output}
    for node in model.graph.node:
        for name in node.output:
            if name and name not in known:
                model.graph.output.append(onnx.ValueInfoProto(name=name))
                known.add(name)
    for initializer in loaded.model.graph.initializer:
        loaded.constants[initializer.name] = numpy_helper.to_array(initializer)
    batches = (loaded.file_batch,) * 2 if loaded.batch_fixed else RUN_BATCHES
    runs = [_values(loaded, model, batch, seed) for seed, batch in enumerate(batches)]
    first, last = runs
    loaded.values = last
    for name, value in last.items():
        other = first.get(name)
        if other is None:
            continue
        if other.shape == value.shape and np.array_equal(other, value) and name != loaded.input_name:
            loaded.constants.setdefault(name, value)
            loaded.shapes[name] = tuple(value.shape)
        elif len(other.shape) == len(value.shape):
            loaded.shapes[name] = tuple(
                -1 if a != b or (loaded.batch_fixed and i == 0) else b for i, (a, b) in enumerate(zip(other.shape, value.shape))
            )
        else:
            loaded.shapes[name] = tuple(value.shape)
    for name, value in loaded.constants.items():
        loaded.shapes.setdefault(name, tuple(value.shape))


def _values(loaded: LoadedOnnx, model: Any, batch: int, seed: int) -> dict[str, Any]:
    import numpy as np
    import onnxruntime as ort

    rng = np.random.default_rng(seed)
    shape = (batch, *loaded.input_shape)
    data = rng.integers(0, 2, shape).astype(np.int64) if loaded.input_dtype == LONG else rng.standard_normal(shape).astype(np.float32)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL  # every tensor as the file computes it
    options.log_severity_level = 3
    ort.set_default_logger_severity(4)  # its errors become the one line of the ModelImportError
    try:
        session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
        results = session.run(None, {loaded.input_name: data})
    except Exception as exc:  # onnxruntime's own errors: an operator it lacks, a shape that does not fit
        raise ModelImportError(f"onnxruntime cannot run the model ({_first_line(exc)})") from None
    values = {output.name: result for output, result in zip(session.get_outputs(), results)}
    values[loaded.input_name] = data
    return values


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return (text[:200] + "...") if len(text) > 200 else (text or type(exc).__name__)
