"""Fabric arithmetic against published designs and hand-computed fat trees."""

from __future__ import annotations

import numpy as np
import pytest

from mpokit.errors import DesignError
from mpokit.plan.fabric import build_fabric, smallest_divisor_at_least, split_ports

from .helpers import spec


def counts(f):
    return f.counts(), {k: v.size for k, v in f.links.items()}


# DGX SuperPOD H100 reference architecture, Table 4 (one slot per pod gives way to UFM).
@pytest.mark.parametrize(
    ("nodes", "leaf", "spine", "node_leaf", "leaf_spine"),
    [(31, 8, 4, 252, 256), (63, 16, 8, 508, 512), (95, 24, 16, 764, 768),
     (127, 32, 16, 1020, 1024)],
)
def test_superpod_h100(nodes, leaf, spine, node_leaf, leaf_spine):
    f = build_fabric(spec(nodes))
    assert f.tiers == 2
    assert counts(f) == ({"leaf": leaf, "spine": spine, "core": 0},
                         {"node_leaf": node_leaf, "leaf_spine": leaf_spine, "spine_core": 0})
    assert f.n["ufm"] == 4


# DGX SuperPOD B200 reference architecture: full SUs, 2 tiers to 8 SU, 3 tiers beyond.
@pytest.mark.parametrize(
    ("nodes", "tiers", "leaf", "spine", "core"),
    [(64, 2, 16, 8, 0), (128, 2, 32, 16, 0), (256, 2, 64, 32, 0), (512, 3, 128, 128, 64),
     (1024, 3, 256, 256, 128), (2048, 3, 512, 512, 256)],
)
def test_superpod_b200(nodes, tiers, leaf, spine, core):
    f = build_fabric(spec(nodes))
    links = nodes * 8
    assert f.tiers == tiers
    assert f.n["ufm"] == 0
    assert counts(f) == ({"leaf": leaf, "spine": spine, "core": core},
                         {"node_leaf": links, "leaf_spine": links,
                          "spine_core": links if tiers == 3 else 0})


def test_sixteen_su_with_ufm_slot():
    f = build_fabric(spec(511))
    assert f.tiers == 3
    assert counts(f) == ({"leaf": 128, "spine": 128, "core": 64},
                         {"node_leaf": 4092, "leaf_spine": 4096, "spine_core": 4096})


def test_two_tier_fat_tree_k_squared_over_two():
    # radix 64, non-blocking: 64^2/2 = 2048 hosts, 64 leaves, 32 spines
    f = build_fabric(spec(2048, rails=1, su=None, cages=None, topology="fat-tree"))
    assert f.tiers == 2
    assert counts(f)[0] == {"leaf": 64, "spine": 32, "core": 0}
    with pytest.raises(DesignError, match="tiers: 3"):
        build_fabric(spec(2049, rails=1, su=None, cages=None, topology="fat-tree", tiers=2))


def test_three_tier_fat_tree_k8_al_fares():
    # k = 8: k^3/4 = 128 hosts, 32 edge, 32 aggregation, (k/2)^2 = 16 core
    f = build_fabric(spec(128, rails=1, su=None, ports=8, cages=None, topology="fat-tree",
                          tiers=3))
    assert counts(f) == ({"leaf": 32, "spine": 32, "core": 16},
                         {"node_leaf": 128, "leaf_spine": 128, "spine_core": 128})
    # every leaf meets every spine of its pod once; every core meets one spine per pod
    ls = f.links["leaf_spine"]
    pairs = np.unique(ls.a_dev * 1000 + ls.b_dev)
    assert pairs.size == 128
    sc = f.links["spine_core"]
    assert np.all(np.bincount(sc.b_dev - f.offset["core"]) == 8)
    with pytest.raises(DesignError):
        build_fabric(spec(129, rails=1, su=None, ports=8, cages=None, topology="fat-tree",
                          tiers=3))


def test_three_tier_fat_tree_k64():
    f = build_fabric(spec(4096, rails=1, su=None, topology="fat-tree"))
    assert f.tiers == 3
    assert counts(f)[0] == {"leaf": 128, "spine": 128, "core": 64}


def test_spine_rounding_rule():
    assert smallest_divisor_at_least(32, 12) == 16
    # 3 SUs: 24 leaves x 32 uplinks / 64 ports = 12 spines -> 16 (12 does not divide 32)
    f = build_fabric(spec(96))
    assert f.n["spine"] == 16
    ls = f.links["leaf_spine"]
    per_pair = np.unique(ls.a_dev * 1000 + ls.b_dev, return_counts=True)[1]
    assert set(per_pair.tolist()) == {2}
    assert np.bincount(ls.b_dev - f.offset["spine"]).max() == 48  # of 64 spine ports


def test_oversubscription():
    assert split_ports(64, 3) == (48, 16)
    f = build_fabric(spec(1536, rails=1, su=None, topology="fat-tree", over=3))
    # 1536 hosts / 48 down = 32 leaves x 16 up = 512 uplinks / 64 = 8 spines (divides 16)
    assert counts(f)[0] == {"leaf": 32, "spine": 8, "core": 0}
    assert f.links["leaf_spine"].size == 512


def test_breakout_links():
    f = build_fabric(spec(32, speed=800, cages=64))
    nl = f.links["node_leaf"]
    assert f.breakout == 2
    assert set(nl.b_leg.tolist()) == {1, 2}
    # two NICs per 800G leaf port
    assert np.all(np.unique(nl.b_dev * 100 + nl.b_port, return_counts=True)[1] == 2)
    assert counts(f)[0] == {"leaf": 8, "spine": 2, "core": 0}


def test_ocs_spine_counts():
    f = build_fabric(spec(64, fabric__ocs={"ports": 136}))
    # 16 leaves x 32 uplinks = 512 / 136 -> 4 (divides 32)
    assert f.spine_is_ocs and f.n["spine"] == 4


def test_ports_are_used_once():
    f = build_fabric(spec(2048))
    for ls in f.links.values():
        for dev, port, leg in ((ls.a_dev, ls.a_port, 0), (ls.b_dev, ls.b_port, ls.b_leg)):
            key = dev * 10_000 + port * 10 + leg
            assert np.unique(key).size == key.size
            assert port.min() >= 1 and port.max() <= 64


def test_absurd_sizes_are_design_errors_not_memory_errors():
    with pytest.raises(DesignError, match="more than one plan holds"):
        build_fabric(spec(9_000_000, rails=8, su=None, cages=None, topology="fat-tree"))


def test_core_refusal_names_the_cause_and_a_count_that_plans():
    """Uneven pods and too many pods are different refusals; the suggestion must plan."""
    fat = dict(rails=1, su=None, ports=8, cages=None, topology="fat-tree", tiers=3)
    with pytest.raises(DesignError, match="more than a 3-tier fabric") as too_many:
        build_fabric(spec(129, **fat))
    assert "at most 8 pods of 4 leaves" in str(too_many.value)
    with pytest.raises(DesignError, match="last pod of 3") as uneven:
        build_fabric(spec(124, **fat))
    msg = str(uneven.value)
    assert "112 or 128 nodes" in msg
    for nodes in (112, 128):
        assert build_fabric(spec(nodes, **fat)).counts()["core"] == 16
