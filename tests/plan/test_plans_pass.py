"""Optics are chosen on the channel as built (runs rounded up to standard lengths), so the
planner's own plans pass their checks: the 131,072-GPU benchmark plan passes every channel
(it had 64 DR4 channels of 503 m: 3 m + 495 m + 5 m against a 500 m reach)."""

from __future__ import annotations

import numpy as np

from mpokit.plan import ClusterSpec, make_plan
from mpokit.plan.cables import LinkMode
from mpokit.plan.catalog import plan_catalog
from mpokit.plan.channels import channel_length_m
from mpokit.plan.fabric import build_fabric
from mpokit.plan.layout import build_layout

from .helpers import spec


def test_built_length_of_structured_links_is_the_sum_of_rounded_runs() -> None:
    sp = spec(127, layout__racks_per_row=16)
    fab = build_fabric(sp)
    lay = build_layout(sp, fab)
    p = make_plan(sp)
    ls = fab.links["leaf_spine"]
    mode = np.full(ls.size, LinkMode.STRUCTURED.code)
    route = np.zeros(ls.size)
    built = channel_length_m(lay, plan_catalog(), ls, mode, route)
    # every structured design's channels are exactly that long
    for d in p.cabling.designs:
        if d.cls != "leaf_spine" or d.mode != LinkMode.STRUCTURED:
            continue
        key = ls.a_dev * 10_000 + ls.a_port
        order = np.argsort(key)
        rows = order[np.searchsorted(key[order], d.a_dev * 10_000 + d.a_dport)]
        assert np.allclose(d.run_lengths().sum(1), built[rows])


def test_131k_gpu_plan_passes_every_channel() -> None:
    sp = ClusterSpec.model_validate({
        "cluster": {"name": "bench-16384", "nodes": 16384, "rails": 8, "nic_speed_gbps": 400},
        "fabric": {"topology": "rail-optimized", "scalable_unit": 64, "tiers": 3,
                   "switch": {"ports": 128, "port_speed_gbps": 400, "cages": 64}},
    })
    p = make_plan(sp)
    assert p.summary["errors"] == 0 and p.summary["findings"] == {}
    assert p.summary["channels_checked"] == p.summary["channels"] > 390_000
    # every channel is within the reach of its optic, as built
    for d in p.cabling.designs:
        if d.optic is not None:
            assert d.run_lengths().sum(1).max() <= d.optic.reach_m


def test_xdr_quantum_x800_fabric_is_planned_with_200g_lane_optics() -> None:
    """Quantum-X800 class (144 x 800G in 72 cages) with 800G ConnectX-8 nodes: refused
    before ("no twin-port optics for 800G links"); now single-port 800GBASE-DR4 at the
    nodes and twin-port 1.6T-2xDR4 in the switch cages, every channel passing."""
    from pathlib import Path

    from mpokit.plan import load_spec

    root = Path(__file__).resolve().parents[2]
    p = make_plan(load_spec(root / "examples" / "cluster" / "xdr-quantum-x800.yaml"))
    assert p.ok and p.summary["errors"] == 0
    tx = p.summary["transceivers"]
    links = p.summary["links"]
    assert tx["800GBASE-DR4"] == links["node_leaf"] == 128 * 8
    # twin-port modules: one per switch cage in use (two 800G ports each)
    switch_ports = links["node_leaf"] + 2 * links["leaf_spine"] + 2 * links["spine_core"]
    assert tx["1.6T-2xDR4"] == switch_ports // 2
    assert set(tx) == {"800GBASE-DR4", "1.6T-2xDR4"}


def test_spectrum_x_twin_plane_b300_su_is_planned() -> None:
    """B300 on Spectrum-X, twin-plane: 16 x 400G fabric ports per node in 8 twin-port node
    cages, SN5600 as 128 x 400G; NVIDIA's 1-SU counts (16 leaf, 8 spine) and every channel
    passing."""
    from pathlib import Path

    from mpokit.plan import load_spec

    root = Path(__file__).resolve().parents[2]
    p = make_plan(load_spec(root / "examples" / "cluster" / "spectrum-x-b300-1su.yaml"))
    assert p.ok
    assert p.summary["switches"] == {"leaf": 16, "spine": 8, "core": 0}
    tx = p.summary["transceivers"]
    assert tx["800G-2xSR4-FLT"] == 64 * 8  # one twin-port module per NIC cage
    assert tx["800G-2xSR4"] == (16 + 8) * 64  # every switch cage filled
