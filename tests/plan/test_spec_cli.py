"""Spec validation, JSON Schema, CLI exit codes and atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mpokit.cli import app
from mpokit.errors import InputError
from mpokit.plan import load_spec, make_plan, schema_json, write_plan

ROOT = Path(__file__).resolve().parents[2]
SUPERPOD = ROOT / "examples" / "cluster" / "superpod-4su.yaml"

BAD = """cluster: {name: x, nodes: 31, rails: 8, nic_speed_gbps: 400}
fabric:
  topology: rail-optimized
  switch: {ports: 64, port_speed_gbps: 400, cages: 32}
  oversubscripton: 2
"""


def test_schema_is_up_to_date():
    assert (ROOT / "docs" / "cluster-spec.schema.json").read_text() == schema_json()


def test_unknown_key_names_line_and_field(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(BAD)
    with pytest.raises(InputError) as info:
        load_spec(f)
    e = info.value
    assert e.line == 5 and e.field == "fabric.oversubscripton" and e.fix
    assert "unknown key" in e.message


def test_bad_value_names_line(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(BAD.replace("  oversubscripton: 2\n", "  tiers: 4\n"))
    with pytest.raises(InputError) as info:
        load_spec(f)
    assert info.value.line == 5 and info.value.field == "fabric.tiers"


def test_cli_bad_spec_exits_1(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(BAD)
    r = CliRunner().invoke(app, ["plan", str(f), "-o", str(tmp_path / "out")])
    assert r.exit_code == 1
    assert "bad.yaml:5" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "out").exists()


def test_cli_superpod_json(tmp_path):
    r = CliRunner().invoke(app, ["plan", str(SUPERPOD), "-o", str(tmp_path / "o"), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.output)
    assert s["switches"]["spine"] == 16
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        ".mpokit-output.json", "bom.csv", "bom.xlsx", "channels.yaml", "cutsheet.csv",
        "cutsheet.parquet", "devices.csv", "report.html", "summary.json", "tester_limits.csv"]


def test_cli_failing_channels_exit_2(tmp_path):
    spec = ROOT / "examples" / "cluster" / "breakout.yaml"
    p = make_plan(load_spec(spec))
    r = CliRunner().invoke(app, ["plan", str(spec), "-o", str(tmp_path / "o")])
    assert r.exit_code == (0 if p.ok else 2)


def test_failed_write_leaves_previous_outputs(tmp_path, monkeypatch):
    out = tmp_path / "o"
    p = make_plan(load_spec(SUPERPOD))
    write_plan(p, out)
    before = sorted(x.name for x in out.iterdir())

    def boom(_plan):
        raise RuntimeError("disk full")

    monkeypatch.setattr("mpokit.plan.report.generate_report", boom)
    with pytest.raises(RuntimeError):
        write_plan(p, out)
    assert sorted(x.name for x in out.iterdir()) == before
    assert [x.name for x in tmp_path.iterdir()] == ["o"]
