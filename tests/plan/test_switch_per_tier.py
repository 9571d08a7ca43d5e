"""A switch model per tier: leaf, spine and core may each be another model (same port
speed). The spine's radix sets the spine count (and at 3 tiers the pod size), the core's the
core count; each tier's cages choose its own modules; the BOM orders each model."""

from __future__ import annotations

import numpy as np
import pytest

from mpokit.errors import DesignError
from mpokit.plan import build_fabric, make_plan
from mpokit.plan.bom import bom_rows
from mpokit.plan.fabric import ROLES, Fabric

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


def _sw(ports: int, cages: int | None, model: str, ru: int = 1) -> dict:
    return {"ports": ports, "port_speed_gbps": 400, "cages": cages, "model": model, "ru": ru}


def assert_ports_fit(fab: Fabric) -> None:
    """Every switch port is used at most once and lies within its own tier's radix."""
    radix = {"leaf": fab.radix, "spine": fab.spine_radix or fab.radix,
             "core": fab.core_radix or fab.radix}
    dev = np.concatenate([ls.b_dev for ls in fab.links.values()]
                         + [ls.a_dev for c, ls in fab.links.items() if c != "node_leaf"])
    port = np.concatenate([ls.b_port for ls in fab.links.values()]
                          + [ls.a_port for c, ls in fab.links.items() if c != "node_leaf"])
    leg = np.concatenate([ls.b_leg for ls in fab.links.values()]
                         + [np.zeros(ls.size, np.int64) for c, ls in fab.links.items()
                            if c != "node_leaf"])
    role = fab.role_of(dev)
    for r, k in radix.items():
        m = role == ROLES.index(r)
        assert port[m].min(initial=1) >= 1 and port[m].max(initial=1) <= k, r
    key = (dev * 10_000 + port) * 8 + leg
    assert np.unique(key).size == key.size


def test_three_tiers_with_a_bigger_spine_and_core() -> None:
    # 64 SU of 32 DGX (2048 nodes), 64-port leaves (32 up): B200's 64-SU row has
    # 512 leaf / 512 spine / 256 core with one switch model
    same = build_fabric(spec(2048))
    assert same.counts() == {"leaf": 512, "spine": 512, "core": 256}
    # 128-port spines: pods of 64 leaves (64 down ports), 32 spines a pod, 8 pods
    big_spine = build_fabric(spec(2048, fabric__spine_switch=_sw(128, 64, "S")))
    assert big_spine.tiers == 3
    assert big_spine.counts() == {"leaf": 512, "spine": 256, "core": 256}
    # ... and 128-port cores: each of 32 core groups takes 8 spines x 64 uplinks = 512 / 128
    both = build_fabric(spec(2048, fabric__spine_switch=_sw(128, 64, "S"),
                             fabric__core_switch=_sw(128, 64, "C")))
    assert both.counts() == {"leaf": 512, "spine": 256, "core": 128}
    for fab in (same, big_spine, both):
        assert {c: ls.size for c, ls in fab.links.items()} == {
            "node_leaf": 16384, "leaf_spine": 16384, "spine_core": 16384}
        assert_ports_fit(fab)
    # spines send their uplinks from the upper half of their own ports
    sc = both.links["spine_core"]
    assert sc.a_port.min() == 65 and sc.a_port.max() == 128


def test_a_smaller_core_needs_more_cores() -> None:
    fab = build_fabric(spec(64, tiers=3, fabric__spine_switch=_sw(128, 64, "S"),
                            fabric__core_switch=_sw(32, 16, "C")))
    # 16 leaves in one pod; 8 spines (a divisor of 32 >= 16 x 32 / 64) with 64 uplinks;
    # each core group (one spine) needs 64 / 32 = 2 cores
    assert fab.counts() == {"leaf": 16, "spine": 8, "core": 16}
    assert_ports_fit(fab)


def test_each_tier_gets_its_own_modules_rack_units_and_bom_line() -> None:
    p = make_plan(spec(64, tiers=3, fabric__switch=_sw(64, 32, "L64"),
                       fabric__spine_switch=_sw(128, 64, "S128", ru=2),
                       fabric__core_switch=_sw(32, None, "C32")))
    assert p.ok
    assert p.summary["switch_models"] == {"leaf": "L64", "spine": "S128", "core": "C32"}
    tx = p.summary["transceivers"]
    # twin-port at leaf (16 x 32 cages) and spine (8 x 64 cages); single-port at the
    # 32-cage cores (16 cores x 32 ports) and at the nodes (64 x 8)
    assert tx == {"800G-2xSR4": 16 * 32 + 8 * 64, "400GBASE-SR4": 16 * 32 + 64 * 8}
    # each tier's height: spines 2 RU, cores 1 RU, and switches sharing a rack do not overlap
    lay, o = p.layout, p.fabric.offset
    half_h = (lay.dev_z - lay.layout.first_ru_m) / lay.layout.ru_m - (lay.dev_ru - 1)
    for tier, n, h in (("spine", 8, 2), ("core", 16, 1)):
        sl = slice(o[tier], o[tier] + n)
        assert np.allclose(half_h[sl], h / 2)
        for rack in np.unique(lay.dev_rack[sl]):
            ru = np.sort(lay.dev_ru[sl][lay.dev_rack[sl] == rack])
            assert (np.diff(ru) >= h).all()
    bom = {r["item"]: r["quantity"] for r in bom_rows(p) if r["category"] == "switch"}
    assert bom == {"L64": 16, "S128": 8, "C32": 16}


def test_one_model_at_two_tiers_is_one_bom_line() -> None:
    p = make_plan(spec(127, fabric__switch=_sw(64, 32, "QM9700")))
    bom = {r["item"]: r["quantity"] for r in bom_rows(p) if r["category"] == "switch"}
    assert bom == {"QM9700": 32 + 16}


def test_mismatched_speed_or_a_core_without_a_third_tier_is_refused() -> None:
    with pytest.raises(DesignError, match="one speed"):
        build_fabric(spec(127, fabric__spine_switch=_spine(64, 32, speed=800)))
    with pytest.raises(DesignError, match="core switch's ports run at 800G"):
        build_fabric(spec(2048, fabric__core_switch=_spine(64, 32, speed=800)))
    with pytest.raises(DesignError, match="keep one"):
        build_fabric(spec(127, fabric__spine_switch=_spine(128, 64), fabric__ocs={}))
    # an explicit core model is never dropped silently: 127 nodes fit 2 tiers
    with pytest.raises(DesignError, match="fit 2 tiers"):
        build_fabric(spec(127, fabric__core_switch=_sw(64, 32, "C")))
