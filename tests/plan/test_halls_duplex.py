"""Multi-hall layouts and the duplex (LC, cassette) route for long leaf-spine links.

One row per hall and 250 m between halls put some leaves more than 500 m (the DR4
reach) from the spines: those links take 2 x FR4 over LC cords, cassettes and an MPO
trunk; nearer ones stay on DR4. Every channel must still pass.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mpokit.cli import app
from mpokit.plan import ClusterSpec, make_plan, write_plan

SPEC = {
    "cluster": {"name": "halls", "nodes": 127, "rails": 8, "nic_speed_gbps": 400},
    "fabric": {"topology": "rail-optimized", "scalable_unit": 32,
               "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}},
    "layout": {"rows_per_hall": 1, "hall_gap_m": 250},
}


def test_far_halls_get_duplex_fr4_through_cassettes(tmp_path: Path) -> None:
    plan = make_plan(ClusterSpec.model_validate(SPEC))
    s = plan.summary
    assert s["switches"] == {"leaf": 32, "spine": 16, "core": 0}
    assert s["transceivers"]["800G-2xFR4"] > 0 and s["transceivers"]["800G-2xDR4"] > 0
    assert s["cables"]["LC cord"] > 0 and s["errors"] == 0
    duplex = [d for d in plan.cabling.designs if any(k == "cassette" for k, _, _ in d.elements)]
    assert duplex and all(d.lengths.sum(axis=1).max() > 500 for d in duplex)
    dest = write_plan(plan, tmp_path / "out")
    r = CliRunner().invoke(app, ["check", str(dest / "channels.yaml"), "--json"])
    assert r.exit_code == 0, r.output[-2000:]
