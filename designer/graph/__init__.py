"""The pure design model: graph, validation, shape inference, summary.

Needs only the standard library and networkx; no Qt, no torch.
"""

from designer.graph.analysis import ERROR, WARNING, Analysis, DataSpec, NodeInfo, Problem
from designer.graph.blocks import BlockDefinition, BlockError, ExposedParam
from designer.graph.errors import (
    CycleError,
    DuplicateIdError,
    EditError,
    GraphError,
    InvalidIdError,
    ParamError,
    PortError,
    ShapeError,
    UnknownLayerError,
    UnknownNodeError,
)
from designer.graph.model import Edge, Graph, Node, set_default_catalog
from designer.graph.spec import Inference
from designer.graph.summary import Summary, SummaryRow, format_summary, summarize
from designer.graph.tensor import DTYPES, FLOAT, LONG, TensorSpec

__all__ = [
    "ERROR",
    "WARNING",
    "Analysis",
    "BlockDefinition",
    "BlockError",
    "CycleError",
    "DTYPES",
    "DataSpec",
    "DuplicateIdError",
    "Edge",
    "EditError",
    "ExposedParam",
    "FLOAT",
    "Graph",
    "GraphError",
    "Inference",
    "InvalidIdError",
    "LONG",
    "Node",
    "NodeInfo",
    "ParamError",
    "PortError",
    "Problem",
    "ShapeError",
    "Summary",
    "SummaryRow",
    "TensorSpec",
    "UnknownLayerError",
    "UnknownNodeError",
    "format_summary",
    "set_default_catalog",
    "summarize",
]
