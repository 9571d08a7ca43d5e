"""Multi-plane fabrics (``fabric.planes``): NIC port r of every node joins plane r mod
planes, and each plane is its own leaf/spine(/core) fabric. Spectrum-X twin-plane (DGX
B300 on Ethernet, each GPU 2 x 400G through two planes) is the published case::

    node ports 1 3 5 ... 15 --[leaf, plane 0]--[spine, plane 0]
    node ports 2 4 6 ... 16 --[leaf, plane 1]--[spine, plane 1]
"""

from __future__ import annotations

import numpy as np
import pytest

from mpokit.errors import MpokitError
from mpokit.plan import build_fabric, make_plan
from mpokit.plan.bom import bom_rows

from .helpers import spec

SN5600 = {"ports": 128, "port_speed_gbps": 400, "cages": 64, "model": "SN5600"}


def _b300_eth(nodes: int, **extra: object):
    return spec(nodes, rails=16, su=64, ports=128, cages=64, fabric__planes=2,
                fabric__switch=SN5600, **extra)


def test_every_link_stays_in_its_plane_and_node_ports_alternate() -> None:
    fab = build_fabric(_b300_eth(128))
    assert fab.planes == 2 and fab.counts() == {"leaf": 32, "spine": 16, "core": 0}
    nl = fab.links["node_leaf"]
    # NIC port r (1-based p = r + 1) lands on a leaf of plane r mod 2
    assert (fab.plane_of(nl.b_dev) == (nl.a_port - 1) % 2).all()
    assert (fab.plane_of(nl.a_dev) == -1).all()
    ls = fab.links["leaf_spine"]
    assert (fab.plane_of(ls.a_dev) == fab.plane_of(ls.b_dev)).all()
    # each node reaches each of its 16 ports exactly once
    key = nl.a_dev * 100 + nl.a_port
    assert np.unique(key).size == key.size == 128 * 16
    # a scalable unit's leaves stay together (layout puts them in the unit's racks)
    assert np.all(np.diff(fab.leaf_su) >= 0)
    # every leaf reaches every spine of its plane, evenly (64 uplinks / 8 spines)
    pairs = np.unique(ls.a_dev * 10_000 + ls.b_dev, return_counts=True)[1]
    assert set(pairs.tolist()) == {8}


def test_a_plane_is_the_one_plane_fabric_over_its_share_of_rails() -> None:
    twin = build_fabric(_b300_eth(256))
    half = build_fabric(spec(256, rails=8, su=64, ports=128, cages=64, fabric__switch=SN5600))
    assert {k: 2 * v for k, v in half.counts().items()} == twin.counts()
    assert {c: 2 * ls.size for c, ls in half.links.items()} == {
        c: ls.size for c, ls in twin.links.items()}


def test_three_tier_planes_keep_cores_in_their_plane() -> None:
    fab = build_fabric(spec(1024, rails=8, fabric__planes=2))
    # per plane: 1024 nodes x 4 ports on 64-port leaves: 128 leaves, pods of 32 -> 3 tiers
    assert fab.tiers == 3 and fab.planes == 2
    sc = fab.links["spine_core"]
    assert sc.size and (fab.plane_of(sc.a_dev) == fab.plane_of(sc.b_dev)).all()
    assert (np.bincount(fab.plane_of(sc.b_dev)) == sc.size // 2).all()


def test_b300_ethernet_plan_passes_with_twin_port_node_cages() -> None:
    p = make_plan(_b300_eth(64, cluster__node_cage="twin"))
    assert p.ok, p.summary["findings"]
    s = p.summary
    assert s["planes"] == 2 and s["switches"] == {"leaf": 16, "spine": 8, "core": 0}
    # one twin-port module per NIC cage: 64 nodes x 8 cages, both ports to two planes
    node_mods = {m: q for m, q in s["transceivers"].items() if m.endswith("-FLT")}
    assert sum(node_mods.values()) == 64 * 8
    bom = {r["item"]: r["quantity"] for r in bom_rows(p) if r["category"] == "switch"}
    assert bom == {"SN5600": 24}


@pytest.mark.parametrize(("extra", "match"), [
    ({"cluster__rails": 15}, "multiple of fabric.planes"),
    ({"cluster__ufm_links": 2}, "single-plane"),
])
def test_planes_that_do_not_divide_are_refused(extra: dict, match: str) -> None:
    with pytest.raises((MpokitError, ValueError), match=match):
        _b300_eth(64, **extra)


def test_fat_tree_planes_plan_and_pass() -> None:
    p = make_plan(spec(512, rails=2, su=None, cages=None, topology="fat-tree",
                       fabric__planes=2))
    assert p.ok and p.summary["errors"] == 0
    # per plane 512 NIC ports on 32-down leaves: 16 leaves, 8 spines; two planes
    assert p.summary["switches"] == {"leaf": 32, "spine": 16, "core": 0}
    fab = p.fabric
    nl = fab.links["node_leaf"]
    assert (fab.plane_of(nl.b_dev) == (nl.a_port - 1) % 2).all()
