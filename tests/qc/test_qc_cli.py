"""`mpokit qc`: exit codes 0/1/2, JSON shape, batch over directories, summary and reports."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

import mpokit.cli.qc  # noqa: F401  (registers the commands)
from mpokit.cli import app

runner = CliRunner()
MT_FIBER_KEYS = {"index", "row", "x_um", "y_um", "height_nm", "tip_radius_mm", "core_dip_nm"}


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["qc", *args])
    return result.exit_code, result.stdout, result.stderr


def test_passing_mt_exits_0_with_json_shape(good_mt_file: Path) -> None:
    code, out, _ = run("geometry", str(good_mt_file), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["ok"] is True and len(data["results"]) == 1
    res = data["results"][0]
    assert {"file", "serial", "kind", "ok", "angle_x_deg", "angle_y_deg", "height_diff_nm",
            "adjacent_diff_nm", "minus_coplanarity_nm", "fibers", "checks"} <= set(res)
    assert res["kind"] == "mt" and len(res["fibers"]) == 12
    assert set(res["fibers"][0]) == MT_FIBER_KEYS
    assert [f["index"] for f in res["fibers"]] == list(range(1, 13))
    check = res["checks"][0]
    assert {"parameter", "value", "limit", "ok", "status", "source"} <= set(check)


def test_failing_round_exits_2(failing_round_file: Path) -> None:
    code, out, _ = run("geometry", str(failing_round_file), "--json")
    assert code == 2
    res = json.loads(out)["results"][0]
    assert {"radius_mm", "apex_offset_um", "fiber_height_nm"} <= set(res)
    failed = {c["parameter"] for c in res["checks"] if not c["ok"]}
    assert failed == {"apex_offset_um"}


def test_text_output_names_failures(failing_round_file: Path) -> None:
    code, out, _ = run("geometry", str(failing_round_file))
    assert code == 2 and "FAIL" in out and "apex_offset_um" in out


def test_unreadable_file_exits_1_without_traceback(tmp_path: Path, good_mt_file: Path) -> None:
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not a zip")
    code, _, err = run("geometry", str(good_mt_file), str(bad))
    assert code == 1
    assert "broken.npz" in err and "not a readable NPZ" in err
    assert "Traceback" not in err


def test_unknown_profile_exits_1(good_mt_file: Path) -> None:
    code, _, err = run("geometry", str(good_mt_file), "--profile", "mt-acp")
    assert code == 1 and "did you mean 'mt-apc'" in err


def test_profile_of_the_wrong_kind_exits_1(good_mt_file: Path) -> None:
    code, _, err = run("geometry", str(good_mt_file), "--profile", "round-pc")
    assert code == 1 and "is for round ferrules" in err


def test_user_profile_can_fail_a_good_ferrule(tmp_path: Path, good_mt_file: Path) -> None:
    spec = tmp_path / "strict.yaml"
    spec.write_text("kind: mt\nlimits:\n  height_nm: {min: 2500, status: vendor, source: buyer}\n")
    code, out, _ = run("geometry", str(good_mt_file), "--profile", str(spec), "--json")
    assert code == 2 and json.loads(out)["results"][0]["profile"] == "strict"


def test_batch_directory_summary_and_reports(
    tmp_path: Path, good_mt_file: Path, good_round_file: Path, failing_round_file: Path
) -> None:
    summary = tmp_path / "out" / "summary.csv"
    reports = tmp_path / "reports"
    code, out, _ = run("geometry", str(tmp_path), "--jobs", "2", "--summary", str(summary),
                       "--report", str(reports), "--json")
    assert code == 2
    data = json.loads(out)
    files = sorted(Path(r["file"]).name for r in data["results"])
    assert files == ["good_mt12.npz", "good_round.npz", "undercut_round.npz"]
    rows = list(csv.DictReader(summary.open()))
    assert {r["ok"] for r in rows} == {"True", "False"} and len(rows) == 3
    html = sorted(p.name for p in reports.glob("*.html"))
    assert html == ["good_mt12.html", "good_round.html", "undercut_round.html"]
    assert "data:image/png;base64," in (reports / "good_mt12.html").read_text()


def test_csv_input_with_cli_defaults(tmp_path: Path) -> None:
    from mpokit.qc.io import generate_csv
    from mpokit.qc.simulate import simulate_round

    scan, _ = simulate_round(seed=3, radius_mm=15.0, apex_offset_um=10.0, fiber_height_nm=0.0)
    text = "\n".join(line for line in generate_csv(scan).splitlines()
                     if not line.startswith("# kind"))
    path = tmp_path / "scan.csv"
    path.write_text(text)
    code, _, err = run("geometry", str(path))
    assert code == 1 and "kind" in err
    code, out, _ = run("geometry", str(path), "--kind", "round", "--json")
    assert code == 0, out


def test_simulate_command_writes_scan_and_truth(tmp_path: Path) -> None:
    out = tmp_path / "sim.npz"
    code, stdout, _ = run("simulate", str(out), "--kind", "mt", "--fibers", "24", "--seed", "3",
                          "--noise-nm", "2")
    assert code == 0 and out.exists() and (tmp_path / "sim.truth.json").exists()
    truth = json.loads((tmp_path / "sim.truth.json").read_text())
    code, stdout, _ = run("geometry", str(out), "--json")
    res = json.loads(stdout)["results"][0]
    heights = np.array([f["height_nm"] for f in res["fibers"]])
    assert np.max(np.abs(heights - np.array(truth["height_nm"]))) < 5.0


def test_console_script_runs(good_mt_file: Path) -> None:
    exe = Path(sys.executable).parent / "mpokit"
    proc = subprocess.run([str(exe), "qc", "geometry", str(good_mt_file), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ok"] is True
