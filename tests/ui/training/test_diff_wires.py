"""The compare view's design diff draws its wires as the canvas does: a wire
from the end of one band to the start of the next runs through the gap
between the bands, and one along a row bridges the boxes it skips; no wire
passes behind a box that is not one of its ends."""

from __future__ import annotations

from designer.runs.diff import diff_records
from designer.ui.training.diff_view import DiffScene


def _node(node_id: str, type_name: str, x: float, y: float) -> dict:
    return {"id": node_id, "type": type_name, "params": {}, "position": [x, y]}


def _record(nodes: list[dict], wires: list[tuple[str, str]]) -> dict:
    return {"nodes": nodes, "edges": [{"source": s, "target": t, "port": 0} for s, t in wires]}


def _crossed_boxes(scene: DiffScene) -> list[str]:
    """The boxes some wire passes through, other than its own ends (points along each curve)."""
    crossed = []
    for wire in scene.wires:
        path = wire.path()
        ends = {node for node, box in scene.boxes.items() if box.sceneBoundingRect().adjusted(-1, -1, 1, 1).contains(path.pointAtPercent(0))}
        ends |= {node for node, box in scene.boxes.items() if box.sceneBoundingRect().adjusted(-1, -1, 1, 1).contains(path.pointAtPercent(1))}
        for node, box in scene.boxes.items():
            inside = box.sceneBoundingRect().adjusted(2, 2, -2, -2)
            if node not in ends and any(inside.contains(path.pointAtPercent(i / 200)) for i in range(201)):
                crossed.append(node)
    return crossed


def test_wires_between_bands_and_skips_along_a_row_pass_no_box(qapp) -> None:
    row1 = [_node(f"n{i}", "Linear", 240.0 * i, 0.0) for i in range(4)]
    row2 = [_node(f"m{i}", "Linear", 240.0 * i, 200.0) for i in range(4)]
    before = _record([*row1, *row2], [("n0", "n1"), ("n1", "n2"), ("n2", "n3"), ("n3", "m0"), ("m0", "m1"), ("m1", "m2"), ("m2", "m3")])
    # Run 2: the band's last node wired back to the next band's first, and a skip over two boxes of the second row.
    after = _record(
        [*row1, *row2],
        [("n0", "n1"), ("n1", "n2"), ("n2", "n3"), ("n3", "m0"), ("m0", "m1"), ("m1", "m2"), ("m2", "m3"), ("m0", "m3")],
    )
    scene = DiffScene(before, after, diff_records(before, after))
    assert len(scene.wires) == 8
    assert _crossed_boxes(scene) == []
    back = scene.wires[3].path().boundingRect()  # n3 -> m0: through the gap, not a loop far right of the band
    assert back.right() < 240 * 3 + 180 + 40 and back.top() > 0 and back.bottom() < 200 + 56


def test_each_box_says_how_its_node_differs(qapp) -> None:
    from paths import sample

    from designer.graph import Edge
    from designer.project import load_project

    a, b = load_project(sample("digits_cnn")).graph, load_project(sample("digits_cnn")).graph
    b.set_param("conv1", "out_channels", 8)
    b.rename_node("relu1", "act1")
    b.disconnect(Edge("relu3", "dense2", 0))
    b.add("Dropout", id="drop1", p=0.2)
    b.connect("relu3", "drop1")
    b.connect("drop1", "dense2")
    scene = DiffScene(a.records(), b.records(), diff_records(a.records(), b.records()))
    tips = {node: box.toolTip() for node, box in scene.boxes.items()}
    assert tips["conv1"] == "conv1 (Conv2d): out_channels 16 → 8" and tips["act1"] == "act1 (ReLU): was relu1"
    assert tips["drop1"] == "drop1 (Dropout): added" and tips["dense2"] == "dense2 (Linear): inputs rewired"
    assert tips["pool1"] == "pool1 (MaxPool2d)"
