"""Published DGX SuperPOD compute-fabric counts (H100, B200, B300 on XDR InfiniBand and on
Spectrum-4 Ethernet) reproduced from specs: switches per tier and cables per link class,
including the spine-rounding rows (B300 XDR at 4 and 8 SU). Data and sources:
``tests/plan/data/superpod_counts.yaml``; the tables are in docs/superpod-counts.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from mpokit.plan import ClusterSpec, build_fabric

DATA = yaml.safe_load((Path(__file__).parent / "data" / "superpod_counts.yaml").read_text())


def _spec(row: dict[str, Any]) -> ClusterSpec:
    s = DATA["systems"][row["system"]]
    return ClusterSpec.model_validate({
        "cluster": {"name": f"{row['system']}-{row['su']}su", "nodes": row["nodes"],
                    "rails": s.get("rails", 8), "nic_speed_gbps": s["nic_gbps"],
                    "ufm_links": s["ufm"]},
        "fabric": {"topology": "rail-optimized", "scalable_unit": s["nodes_per_su"],
                   "planes": s.get("planes", 1),
                   "switch": {"ports": s["ports"], "port_speed_gbps": s["port_gbps"],
                              "cages": s["cages"], "model": s["switch"]}},
    })


ROWS = DATA["rows"]


def test_at_least_six_configurations_over_four_systems() -> None:
    assert len(ROWS) >= 6
    assert {r["system"] for r in ROWS} == {"h100", "b200", "b300_xdr", "b300_eth"}
    assert all(r["status"] == "verified" and r["system"] in DATA["sources"] for r in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['system']}-{r['su']}su" for r in ROWS])
def test_published_counts_are_reproduced(row: dict[str, Any]) -> None:
    fab = build_fabric(_spec(row))
    assert fab.counts() == {"leaf": row["leaf"], "spine": row["spine"], "core": row["core"]}
    per_cable = DATA["systems"][row["system"]].get("links_per_cable", 1)
    links = {c: fab.links[c].size for c in fab.links}
    # node-leaf cables include the fabric manager's (UFM) links, as NVIDIA counts them
    assert links["node_leaf"] == row["node_leaf"] * per_cable
    assert links["leaf_spine"] == row["leaf_spine"] * per_cable
    assert links["spine_core"] == row["spine_core"] * per_cable
    assert fab.tiers == (3 if row["core"] else 2)


def test_multi_plane_is_what_keeps_b300_ethernet_16su_at_two_tiers() -> None:
    row = next(r for r in ROWS if r["system"] == "b300_eth" and r["su"] == 16)
    one = _spec(row)
    single = build_fabric(one.model_copy(update={
        "fabric": one.fabric.model_copy(update={"planes": 1})}))
    assert single.tiers == 3  # one fabric over all 16 ports cannot stay at 2 tiers
    twin = build_fabric(one)
    assert (twin.tiers, twin.planes) == (2, 2)
    # every leaf-spine link stays in its plane, and each plane has half the switches
    ls = twin.links["leaf_spine"]
    assert (twin.plane_of(ls.a_dev) == twin.plane_of(ls.b_dev)).all()
    for tier in ("leaf", "spine"):
        o, n = twin.offset[tier], twin.n[tier]
        assert np.bincount(twin.plane_of(np.arange(o, o + n))).tolist() == [n // 2] * 2
