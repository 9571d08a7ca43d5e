"""A plan with failing channels exits 2 and lists the failures on the console."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from mpokit.cli import app
from mpokit.plan import ClusterSpec, make_plan
from mpokit.plan.report import failure_lines

# multimode pinned between halls 300 m apart: beyond every MM optic's reach
SPEC = {
    "cluster": {"name": "far", "nodes": 127, "rails": 8, "nic_speed_gbps": 400},
    "fabric": {"scalable_unit": 32, "switch": {"ports": 64, "port_speed_gbps": 400,
                                               "cages": 32}},
    "layout": {"rows_per_hall": 1, "hall_gap_m": 300},
    "optics": {"leaf_spine": "MM"},
}


def test_failing_plan_lists_its_failures() -> None:
    p = make_plan(ClusterSpec.model_validate(SPEC))
    assert not p.ok
    lines = failure_lines(p)
    assert lines and all(line.startswith("x ") for line in lines)
    assert any("reach" in line for line in lines)
    # each failing channel is counted once (a link beyond every optic's reach also fails
    # its channel check; it was counted twice: 2048 errors among 2044 channels)
    s = p.summary
    assert 0 < s["errors"] <= s["channels"]
    assert s["findings"]["reach"] <= s["channels"]


def test_cli_exits_2_with_the_failures_on_stderr(tmp_path: Path) -> None:
    f = tmp_path / "far.yaml"
    f.write_text(yaml.safe_dump(SPEC))
    r = CliRunner().invoke(app, ["plan", str(f), "-o", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "failing" in r.output and "x reach:" in r.output
