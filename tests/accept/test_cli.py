"""``mpokit accept``, ``accept-limits`` and ``cord`` through the real entry point."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mpokit.accept import Fault, PlanDesigns, simulate


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mpokit", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def field(plan: PlanDesigns, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Simulated results with a Type A cord in place of a Type B and a reflective mating."""
    d = tmp_path_factory.mktemp("field")
    sim = simulate(plan, [Fault("type_swap", 0, 0), Fault("reflective", 200, 1)])
    (d / "results.csv").write_text(sim.csv)
    for name, data in sim.traces.items():
        (d / name).write_bytes(data)
    return d


def test_exit_0_when_everything_passes(plan: PlanDesigns, plan_dir: Path,
                                       tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text(simulate(plan, []).csv)
    r = run("accept", plan_dir, tmp_path / "r.csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("384 pass")


def test_findings_exit_2_with_json_and_an_escaped_report(plan_dir: Path, field: Path,
                                                         tmp_path: Path) -> None:
    r = run("accept", plan_dir, field, "--json", "--report", tmp_path / "rep")
    assert r.returncode == 2, r.stderr
    doc = json.loads(r.stdout)
    assert doc["ok"] is False
    assert doc["summary"]["counts"]["polarity_mismatch"] == 1
    assert doc["summary"]["counts"]["event_over_limit"] == 1
    bad = {c["name"]: c for c in doc["channels"] if c["status"] != "pass"}
    assert bad["node01:1 to leaf01:1"]["findings"][0]["likeliest_causes"] == [
        "path[0] cord as Type A instead of Type B"]
    assert len(doc["channels"]) == 384
    html = (tmp_path / "rep" / "report.html").read_text()
    assert "polarity_mismatch" in html and "path[0] cord as Type A instead of Type B" in html
    assert json.loads((tmp_path / "rep" / "acceptance.json").read_text()) == doc


def test_bad_input_exits_1_naming_the_file(plan_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("label,fiber,wavelength_nm,loss_db,far_fiber\n"
                                    "x,1,850,0.3 dB,12\nx,2,850,0.3 mdB,11\n")
    r = run("accept", plan_dir, tmp_path / "r.csv")
    assert r.returncode == 1 and "r.csv:3: loss_db: unknown unit 'mdb'" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    (tmp_path / "t.sor").write_bytes(b"Map\x00" + bytes(30))
    r = run("accept", plan_dir, tmp_path / "t.sor")
    assert r.returncode == 1 and "not a readable SR-4731 OTDR file" in r.stderr
    r = run("accept", tmp_path, tmp_path / "t.sor")
    assert r.returncode == 1 and "no channels.yaml" in r.stderr


def test_store_as_built_and_cord(plan_dir: Path, field: Path, tmp_path: Path) -> None:
    with (plan_dir / "cutsheet.csv").open() as f:
        cable = next(r for r in csv.DictReader(f) if r["a_device"] == "node01")
    (tmp_path / "ab.csv").write_text(f"cable_label,serial\n{cable['label']},SN-9\n")
    db = tmp_path / "f.db"
    r = run("accept", plan_dir, field, "--store", db, "--as-built", tmp_path / "ab.csv")
    assert r.returncode == 2 and "rows stored" in r.stderr
    r = run("cord", cable["a_rack"], cable["a_port"], "--store", db, "--json")
    assert r.returncode == 0, r.stderr
    (c,) = json.loads(r.stdout)
    assert c["serial"] == "SN-9" and c["certificate"].startswith("none: the store holds no")
    assert {t["status"] for t in c["field_tests"]} == {"polarity_mismatch"}
    r = run("cord", "nowhere", "1", "--store", db)
    assert r.returncode == 2 and "no installed cord recorded" in r.stdout


def test_accept_limits_per_wavelength(plan_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "limits.csv"
    r = run("accept-limits", plan_dir, "-o", out, "--wavelength", "850", "--wavelength",
            "1300")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 2 * 384
    first = [x for x in rows if x["label"] == "node01:1 to leaf01:1"]
    assert [x["wavelength_nm"] for x in first] == ["850", "1300"]
    assert first[0]["application_limit_db"] == "1.9" and first[1]["application_limit_db"] == ""
    assert first[0]["expected_map"].startswith("1>12 2>11")
    assert float(first[0]["limit_db"]) > float(first[1]["limit_db"])
