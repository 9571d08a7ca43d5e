"""`mpokit qc batch` and batches that survive their worst file: every per-file failure is a row
with its reason, the summary, the reports of good files and the lot index are written."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

import mpokit.cli.qc  # noqa: F401  (registers the commands)
from mpokit.cli import app
from mpokit.qc.analyze import analyze_scan
from mpokit.qc.io import Scan
from mpokit.qc.lot import lot_summary
from mpokit.qc.simulate import simulate_mt, simulate_round, write_simulated

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["qc", *args])
    return result.exit_code, result.stdout, result.stderr


def write_inf_fibers(path: Path) -> None:
    scan, _ = simulate_mt(fibers=12, seed=1)
    buf = io.BytesIO()
    np.savez(buf, height_nm=scan.height_nm, pixel_um=2.0, kind="mt", fibers=np.inf)
    path.write_bytes(buf.getvalue())


def mixed_lot(d: Path) -> None:
    for i in range(3):
        write_simulated(d / f"good{i}.npz", *simulate_mt(fibers=12, seed=40 + i))
    write_simulated(d / "bad.npz", *simulate_mt(fibers=12, seed=50, mean_height_nm=4200.0))
    write_inf_fibers(d / "inf.npz")
    rng = np.random.default_rng(0)
    noise = Scan(rng.normal(0, 3, (300, 1600)), pixel_um=2.0, kind="mt", fibers=12)
    write_simulated(d / "noise.npz", noise, simulate_mt(fibers=12, seed=1)[1], with_truth=False)


def test_geometry_batch_with_jobs_survives_fibers_inf(tmp_path: Path) -> None:
    d = tmp_path / "scans"
    d.mkdir()
    mixed_lot(d)
    reports, summary = tmp_path / "rep", tmp_path / "sum.csv"
    code, out, err = run("geometry", str(d), "-j", "2", "--summary", str(summary),
                         "--report", str(reports))
    assert code == 1  # an unreadable file among them
    assert "Traceback" not in out + err
    assert "inf.npz" in err and "fibers" in err
    rows = {Path(r["file"]).name: r for r in csv.DictReader(summary.open())}
    assert set(rows) == {"good0.npz", "good1.npz", "good2.npz", "bad.npz", "inf.npz",
                         "noise.npz"}
    assert rows["inf.npz"]["verdict"] == "unreadable" and "fibers" in rows["inf.npz"]["error"]
    assert rows["noise.npz"]["verdict"] == "unmeasurable"
    assert rows["good0.npz"]["verdict"] == "pass" and rows["bad.npz"]["verdict"] == "fail"
    written = sorted(p.name for p in reports.iterdir())
    assert {"good0.html", "good1.html", "good2.html", "bad.html"} <= set(written)
    assert not [n for n in written if n.startswith(".")]  # no half-written temp files


def test_batch_command_reports_the_lot(tmp_path: Path) -> None:
    d = tmp_path / "scans"
    d.mkdir()
    mixed_lot(d)
    reports = tmp_path / "rep"
    code, out, err = run("batch", str(d), "-j", "1", "--report", str(reports))
    assert code == 2
    assert "Traceback" not in out + err
    assert "3/6 pass, 1 fail, 1 unmeasurable, 1 unreadable" in out
    assert "UNMEASURABLE" in out and "no fibers found" in out
    assert "1000..3500 nm" in out  # limits with units
    index = (reports / "index.html").read_text()
    for name in ("good0.html", "good1.html", "good2.html", "bad.html", "noise.html"):
        assert f"href='{name}'" in index
    assert "data:image/png;base64," in index  # histograms
    assert "class='bad'>height_nm (fibers" in index  # failing fibers highlighted
    assert "Cpk" in index and "yield" in index


def test_batch_json_lot_numbers(tmp_path: Path) -> None:
    d = tmp_path / "scans"
    d.mkdir()
    for i in range(4):
        write_simulated(d / f"r{i}.npz", *simulate_round(seed=60 + i))
    code, out, _ = run("batch", str(d), "-j", "1", "--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] is True
    lot = data["lot"]
    assert (lot["total"], lot["pass"], lot["unmeasurable"]) == (4, 4, 0)
    radius = next(p for p in lot["parameters"] if p["parameter"] == "radius_mm")
    assert radius["limit"] == "7..25 mm" and radius["yield_pct"] == 100.0
    values = [r["radius_mm"] for r in data["results"]]
    assert abs(radius["mean"] - np.mean(values)) < 1e-9
    assert abs(radius["sd"] - np.std(values, ddof=1)) < 1e-9
    expected_cpk = min(25 - np.mean(values), np.mean(values) - 7) / (3 * np.std(values, ddof=1))
    assert abs(radius["cpk"] - expected_cpk) < 1e-9


def test_single_unmeasurable_scan_exits_1(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    path = tmp_path / "noise.npz"
    scan = Scan(rng.normal(0, 3, (300, 1600)), pixel_um=2.0, kind="mt", fibers=12)
    write_simulated(path, scan, simulate_mt(fibers=12, seed=1)[1], with_truth=False)
    code, out, _err = run("geometry", str(path))
    assert code == 1 and "UNMEASURABLE" in out and "no fibers found" in out
    code, out, _ = run("geometry", str(path), "--json")
    res = json.loads(out)["results"][0]
    assert code == 1 and res["verdict"] == "unmeasurable" and res["ok"] is False


def test_default_simulated_lots_yield_like_a_good_factory() -> None:
    results = [analyze_scan(simulate_mt(fibers=12, seed=200 + i)[0]) for i in range(10)]
    results += [analyze_scan(simulate_round(seed=300 + i)[0]) for i in range(10)]
    results += [analyze_scan(simulate_round(seed=400 + i, fixture_angle_deg=8.0)[0])
                for i in range(10)]
    lot = lot_summary(results)
    # a rare scan with a faint fiber edge is refused as unmeasurable (never a wrong number)
    assert lot.unmeasurable <= 1
    assert lot.passed >= 27, lot.headline()


def test_bad_quality_lot_fails_more() -> None:
    good = [analyze_scan(simulate_mt(fibers=12, seed=i)[0]) for i in range(8)]
    bad = [analyze_scan(simulate_mt(fibers=12, seed=i, quality="bad")[0]) for i in range(8)]
    assert lot_summary(bad).failed > lot_summary(good).failed


def test_simulate_lot_command_writes_a_lot(tmp_path: Path) -> None:
    code, _out, _ = run("simulate-lot", str(tmp_path / "lot"), "--count", "3", "--kind", "round")
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "lot").glob("*.npz")) == [
        "LOT-0001.npz", "LOT-0002.npz", "LOT-0003.npz"]
