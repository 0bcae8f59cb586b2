"""Neural network designer: design, check, train and export networks.

The Python API needs no Qt::

    import designer
    g = designer.Graph("tiny")
    x = g.add("Input", shape=[2])
    ...
"""

from designer import layers as _layers  # registers the layer catalog
from designer.graph import DataSpec, Edge, Graph, Node, Problem, TensorSpec, format_summary, summarize

CATALOG = _layers.CATALOG
__version__ = "0.1.0"

__all__ = ["CATALOG", "DataSpec", "Edge", "Graph", "Node", "Problem", "TensorSpec", "format_summary", "summarize"]
