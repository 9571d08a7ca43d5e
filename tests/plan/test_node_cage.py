"""The node's own cages: DGX H100/B200 carry 8 NICs in 4 OSFP cages with twin-port
flat-top modules; ConnectX cards and DGX B300 one module per NIC.

    [node cage 1: 800G-2xSR4-FLT port 1] --cord-- [leaf rail 1]
    [node cage 1: 800G-2xSR4-FLT port 2] --cord-- [leaf rail 2]
"""

from __future__ import annotations

from typing import Any

import pytest

from mpokit.errors import InputError
from mpokit.plan import make_plan

from .helpers import spec


def _cluster(cage: str, **kw: Any) -> dict[str, Any]:
    return {"name": "t", "nodes": 31, "rails": 8, "nic_speed_gbps": 400, "node_cage": cage,
            **kw}


def test_twin_cages_order_one_flat_top_module_per_two_nics() -> None:
    single = make_plan(spec(31, cluster=_cluster("single")))
    twin = make_plan(spec(31, cluster=_cluster("twin")))
    assert single.ok and twin.ok
    ts, tt = single.summary["transceivers"], twin.summary["transceivers"]
    assert ts["400GBASE-SR4"] == 31 * 8 + 4  # nodes and UFM links, one module each
    assert tt["800G-2xSR4-FLT"] == 31 * 4 and tt["400GBASE-SR4"] == 4  # UFM stays single
    assert tt["800G-2xSR4"] == ts["800G-2xSR4"]  # switch side unchanged
    # node channels name the twin module and its port: NICs 1,3,5,7 on port 1
    ends = {(d.a_model, d.a_port, int(p)) for d in twin.cabling.designs
            if d.cls == "node_leaf" for p in d.a_dport}
    assert {(m, port) for m, port, _ in ends} == {("800G-2xSR4-FLT", 1), ("800G-2xSR4-FLT", 2),
                                                   ("400GBASE-SR4", 0)}
    assert all((nic - 1) % 2 + 1 == port for m, port, nic in ends if port)


def test_twin_cage_without_a_flat_top_module_is_refused() -> None:
    """100G optics have no twin-port flat-top module in the catalogue: exit 1, not a swap."""
    with pytest.raises(InputError) as info:
        make_plan(spec(31, nic=100, speed=100, ports=32, cages=None,
                       cluster=_cluster("twin", nic_speed_gbps=100)))
    assert info.value.field == "cluster.node_cage" and "flat-top" in info.value.message


def test_twin_cage_with_breakout_node_links_is_refused() -> None:
    with pytest.raises(InputError) as info:
        make_plan(spec(31, speed=800, cluster=_cluster("twin"), optics__node_leaf="SM"))
    assert info.value.field == "cluster.node_cage" and "breakout" in info.value.message
