"""Floor layout and routed lengths, hand-computed for a small floor.

Floor (row pitch 1.2 + 1.2 = 2.4 m, rack pitch 0.6 m)::

    row A:  [spine]
    row B:  [compute 1B01] [leaf 1B02] [compute 1B03]
"""

from __future__ import annotations

import numpy as np
import pytest

from mpokit.plan.cabling import build_cabling
from mpokit.plan.fabric import build_fabric
from mpokit.plan.layout import build_layout, rack_name

from .helpers import spec


@pytest.fixture
def small():
    s = spec(3, rails=1, su=4, ports=8, cages=None,
             layout={"nodes_per_rack": 2, "node_ru": 1, "slack_per_end_m": 0,
                     "slack_percent": 0})
    f = build_fabric(s)
    return s, f, build_layout(s, f)


def test_rack_names():
    assert rack_name(0, 0, 0) == "1A01"
    assert rack_name(0, 25, 9) == "1Z10"
    assert rack_name(2, 26, 0) == "3AA01"


def test_small_floor_positions(small):
    _, f, lay = small
    assert f.counts() == {"leaf": 1, "spine": 1, "core": 0}
    assert lay.rack_names().tolist() == ["1A01", "1B01", "1B02", "1B03"]
    assert lay.rack_kind.tolist() == [2, 0, 1, 0]
    assert lay.rack_x.tolist() == pytest.approx([0.3, 0.3, 0.9, 1.5])
    assert lay.rack_y.tolist() == pytest.approx([0.0, 2.4, 2.4, 2.4])
    leaf = f.offset["leaf"]
    assert lay.dev_rack[0] == 1 and lay.dev_ru[0] == 1
    assert lay.dev_rack[leaf] == 2
    # 39 switches fit per rack; 7 panel RU + 2 reserve at the top -> leaf at RU 39
    assert lay.dev_ru[leaf] == 39
    assert lay.dev_z[0] == pytest.approx(0.1 + 0.5 * 0.04445)
    assert lay.dev_z[leaf] == pytest.approx(0.1 + 38.5 * 0.04445)


def test_small_floor_cord_length(small):
    s, f, lay = small
    cab = build_cabling(s, f, lay)
    # node0001 (1B01, z 0.122) -> leaf (1B02, z 1.811): up 2.478 + down 0.789 + 0.6 along
    route = (2.6 - 0.122225) + (2.6 - 1.811325) + 0.6
    assert route == pytest.approx(3.86645)
    cols = cab.cables.cols
    first = np.nonzero((cols["a_dev"] == 0) & (cols["cls"] == 0))[0][0]
    assert cols["length_m"][first] == 5.0  # rounded up to the next standard cord length
