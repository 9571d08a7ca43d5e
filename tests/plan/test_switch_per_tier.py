"""A spine switch model of its own (2 tiers): its radix sets the spine count, its cages the
spine-side modules; the leaf keeps its own."""

from __future__ import annotations

import pytest

from mpokit.errors import DesignError
from mpokit.plan import build_fabric, make_plan

from .helpers import spec


def _spine(ports: int, cages: int | None, speed: int = 400) -> dict:
    return {"ports": ports, "port_speed_gbps": speed, "cages": cages, "model": "BIG"}


def test_a_bigger_spine_needs_fewer_spines() -> None:
    same = build_fabric(spec(127))
    big = build_fabric(spec(127, fabric__spine_switch=_spine(128, 64)))
    assert same.counts()["spine"] == 16
    # 32 leaves x 32 uplinks = 1024 over 128-port spines: 8, and 32 uplinks spread evenly
    assert big.counts() == {"leaf": 32, "spine": 8, "core": 0}
    assert big.links["leaf_spine"].size == same.links["leaf_spine"].size == 1024
    assert int(big.links["leaf_spine"].b_port.max()) <= 128


@pytest.mark.parametrize(("cages", "spine_modules"), [(64, {"800G-2xSR4": 8 * 64}),
                                                      (128, {"400GBASE-SR4": 1024})])
def test_spine_side_modules_follow_the_spine_cages(cages: int, spine_modules: dict) -> None:
    p = make_plan(spec(127, fabric__spine_switch=_spine(128, cages)))
    assert p.ok
    tx = p.summary["transceivers"]
    leaf_twins = 32 * 32  # leaf: 64 ports in 32 cages, all used (32 down + 32 up)
    for model, n in spine_modules.items():
        expected = n + (leaf_twins if model == "800G-2xSR4" else 0)
        if model == "400GBASE-SR4":
            expected += 127 * 8 + 4  # node and UFM links
        assert tx[model] == expected
    # each structured leaf-spine design names the right module at each end
    for d in p.cabling.designs:
        if d.cls == "leaf_spine":
            assert d.a_model == "800G-2xSR4" and d.a_port in (1, 2)
            assert (d.b_model, d.b_port > 0) == (
                ("800G-2xSR4", True) if cages == 64 else ("400GBASE-SR4", False))


def test_spine_of_another_speed_or_radix_at_3_tiers_is_refused() -> None:
    with pytest.raises(DesignError, match="one speed"):
        build_fabric(spec(127, fabric__spine_switch=_spine(64, 32, speed=800)))
    with pytest.raises(DesignError, match="keep one"):
        build_fabric(spec(127, fabric__spine_switch=_spine(128, 64), fabric__ocs={}))
    with pytest.raises(DesignError, match="2 tiers only"):
        build_fabric(spec(127, fabric__tiers=3, fabric__spine_switch=_spine(128, 64)))
