"""Unit maps that would cover another node stay hidden; whether they do is
asked again when a node moved or the maps changed size, not at every picture."""

from __future__ import annotations

import numpy as np
from paths import sample

from designer.document import Document
from designer.insight.playground import PlaneMaps, UnitMaps
from designer.ui.canvas import unit_maps
from designer.ui.canvas.scene import DesignScene


def _maps(epoch: int) -> PlaneMaps:
    values = np.random.default_rng(epoch).normal(size=(4, 64, 64)).astype(np.float32)
    output = np.full((64, 64, 2), 0.5, np.float32)
    return PlaneMaps(epoch, epoch, (-1.0, 1.0, -1.0, 1.0), True, output, {"relu1": UnitMaps("relu1", (0, 1, 2, 3), 4, values)})


def test_maps_over_a_node_hide_and_show_again_when_it_moves(qtbot, monkeypatch) -> None:
    document = Document.open(sample("spirals_mlp"))
    scene = DesignScene(document)
    asked: list[str] = []
    covers = unit_maps.PlaneMapsOverlay._covers_a_node
    monkeypatch.setattr(unit_maps.PlaneMapsOverlay, "_covers_a_node", staticmethod(lambda item: asked.append(item.node) or covers(item)))
    scene.show_plane_maps(_maps(1))
    item = scene.unit_maps.items["relu1"]
    assert item.isVisible() and len(asked) == 1  # the sample leaves room under its nodes
    scene.show_plane_maps(_maps(2))
    assert item.isVisible() and len(asked) == 1 and item.updates == 2  # a new picture, the same place: not asked again
    other = scene.nodes["dense2"]
    home = other.pos()
    other.setPos(item.sceneBoundingRect().center())  # a node moved under the maps
    scene.show_plane_maps(_maps(3))
    assert not item.isVisible() and len(asked) == 2
    other.setPos(home)
    scene.show_plane_maps(_maps(4))
    assert item.isVisible() and len(asked) == 3
    scene.clear()
