"""What the user reads from the model, word for word: the summary table,
shapes with their dtype, sizes in units, and the reason an edit is refused."""

from __future__ import annotations

import pytest

from designer.graph import LONG, Edge, Graph, PortError, TensorSpec, format_summary
from designer.graph.summary import human_bytes, human_count

TABLE = """\
node      type     output             params   MACs    memory
-------------------------------------------------------------
input1    Input    N x 3 x 32 x 32         0      0   12.0 KB
conv1     Conv2d   N x 64 x 32 x 32    1,792  1.77M  256.0 KB
relu1     ReLU     N x 64 x 32 x 32        0      0  256.0 KB
flatten1  Flatten  N x 65536               0      0  256.0 KB
dense1    Linear   N x 10            655,370   655k      40 B
output1   Output   N x 10                  0      0      40 B
-------------------------------------------------------------
total                                657,162  2.42M  780.1 KB"""


def test_the_summary_table_is_aligned_and_totalled() -> None:
    g = Graph("summary")
    x = g.add("Input", shape=[3, 32, 32])
    g.sequential(
        ("Conv2d", {"out_channels": 64, "kernel_size": 3, "padding": 1}),
        "ReLU",
        "Flatten",
        ("Linear", {"out_features": 10}),
        "Output",
        after=x,
    )
    assert format_summary(g) == TABLE


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KB"), (1536, "1.5 KB"), (5 << 20, "5.0 MB"), (3 << 30, "3.0 GB")],
)
def test_bytes_in_units(value: int, text: str) -> None:
    assert human_bytes(value) == text


@pytest.mark.parametrize(("value", "text"), [(999, "999"), (1000, "1k"), (1234567, "1.23M"), (2_500_000_000, "2.5G")])
def test_counts_in_units(value: int, text: str) -> None:
    assert human_count(value) == text


def test_a_shape_shows_its_dtype_unless_float() -> None:
    assert str(TensorSpec((3, 4))) == "N x 3 x 4"
    assert str(TensorSpec((7,), LONG)) == "N x 7 (int64)"


def test_disconnecting_an_edge_that_is_not_there_says_which() -> None:
    g = Graph()
    a, b = g.add("Identity"), g.add("Identity")
    with pytest.raises(PortError, match=r"^there is no edge identity1 -> identity2 \(port 0\)$"):
        g.disconnect(Edge(a, b, 0))
