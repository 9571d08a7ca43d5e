"""``mpokit check``: exit codes 0 / 1 / 2 and the JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mpokit.cli import app

EX = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def test_passing_channels_exit_0_and_json_contract() -> None:
    files = [str(p) for p in sorted((EX / "channels").glob("*.yaml"))]
    r = runner.invoke(app, ["check", *files, "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["ok"] is True
    ch = doc["channels"][0]
    assert {"name", "ok", "lanes", "findings"} <= set(ch)
    assert all(set(ln) >= {"lane", "status"} for ln in ch["lanes"])


def test_failing_channel_exits_2_with_findings() -> None:
    r = runner.invoke(app, ["check", str(EX / "mistakes" / "pinned-to-pinned.yaml"), "--json"])
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    (f,) = [f for f in doc["channels"][0]["findings"] if f["code"] == "gender"]
    assert set(f) >= {"code", "severity", "at", "lanes", "message", "fix"}
    assert f["at"] == "path[1]" and f["severity"] == "error" and f["fix"]


def test_unreadable_input_exits_1_without_traceback(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("a: 400GBASE-DR4\nb: 400GBASE-DR4\npath:\n  - cord: {connector: MPO-12}\n")
    r = runner.invoke(app, ["check", str(p)])
    assert r.exit_code == 1
    assert "bad.yaml:4" in r.output and "Traceback" not in r.output


def test_design_that_cannot_be_built_exits_1(tmp_path: Path) -> None:
    p = tmp_path / "plugs.yaml"
    p.write_text(
        "a: 400GBASE-DR4\nb: 400GBASE-DR4\npath:\n"
        "  - cord: {connector: MPO-12, type: B, fiber: OS2, length_m: 3}\n"
        "  - cord: {connector: MPO-12, type: A, fiber: OS2, length_m: 3}\n")
    r = runner.invoke(app, ["check", str(p)])
    assert r.exit_code == 1
    assert "add an adapter" in r.output
    assert "plugs.yaml:5: path[1]" in r.output  # the second cord's line


def test_human_output_shows_verdict_and_fix() -> None:
    r = runner.invoke(app, ["check", str(EX / "mistakes" / "type-a-cord-between-dr4.yaml")])
    assert r.exit_code == 2
    assert "FAIL" in r.output and "Type B cord" in r.output


def test_big_plan_output_lists_failures_and_counts_the_rest(tmp_path: Path) -> None:
    import yaml

    ok = yaml.safe_load((EX / "channels" / "direct-type-b-cord.yaml").read_text())
    bad = yaml.safe_load((EX / "mistakes" / "type-a-cord-between-dr4.yaml").read_text())
    chans = [dict(ok, name=f"good{i}") for i in range(150)] + [bad]
    p = tmp_path / "plan.yaml"
    p.write_text(yaml.safe_dump({"channels": chans}))
    r = runner.invoke(app, ["check", str(p)])
    assert r.exit_code == 2
    assert "FAIL Type A cord between DR4 modules" in r.output
    assert "150 passing channels without findings not listed" in r.output
    assert "good7 " not in r.output
    r = runner.invoke(app, ["check", str(p), "--all"])
    assert "PASS good7 " in r.output
