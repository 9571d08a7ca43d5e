"""Rack elevations of the plan pages: each device drawn over the units it really takes.

examples/cluster/switch-per-tier.yaml racks 8-RU nodes, 2-RU spines and 1-RU panels.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest

from mpokit.plan import load_spec, make_plan
from mpokit.web.planview import elevation_svg, plan_view

ROOT = Path(__file__).resolve().parents[2]
U_PX = 14  # elevation_svg's unit height


@pytest.fixture(scope="module")
def view() -> dict:  # type: ignore[type-arg]
    return plan_view(make_plan(load_spec(ROOT / "examples" / "cluster" / "switch-per-tier.yaml")))


def _boxes(svg: str) -> dict[str, tuple[int, int, float, float]]:
    """Device -> (data-ru, data-height-ru, rect y, rect height) as drawn."""
    out = {}
    for m in re.finditer(r'<g class="device" data-device="([^"]+)" data-role="[^"]*" '
                         r'data-ru="(\d+)" data-height-ru="(\d+)"><rect x="26" '
                         r'y="([0-9.]+)" width="[0-9.]+" height="([0-9.]+)"', svg):
        out[m[1]] = (int(m[2]), int(m[3]), float(m[4]), float(m[5]))
    return out


def test_elevation_draws_each_device_over_its_height(view: dict) -> None:  # type: ignore[type-arg]
    units = view["rack_units"]
    seen_heights = set()
    for rack, devices in view["elevations"].items():
        svg = elevation_svg(rack, devices, units)
        boxes = _boxes(svg)
        assert len(boxes) == len(devices)
        spans = []
        for name, (ru, h, y, px) in boxes.items():
            assert px == h * U_PX - 1, name
            top_u = ru + h - 1
            assert y == 18 + (units - top_u) * U_PX + 0.5, name  # the top edge at its top unit
            spans.append((y, y + px, name))
            seen_heights.add((name.rstrip("0123456789"), h))
        spans.sort()
        for (_y0, y1, a), (y2, _y3, b) in pairwise(spans):
            assert y1 <= y2, (rack, a, b)  # drawn boxes never overlap
    assert {("node", 8), ("spine", 2), ("leaf", 1), ("core", 1)} <= seen_heights
    node = view["elevations"][next(r for r, ds in view["elevations"].items()
                                   if any(d["name"] == "node01" for d in ds))]
    svg = elevation_svg("x", node, units)
    assert "node01 (mpokit-node-8p-8u), U1-U8 (8 RU)" in svg
