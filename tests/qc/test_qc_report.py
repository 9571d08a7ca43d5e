"""HTML report: self-contained, carries the verdict, numbers and both charts."""

from __future__ import annotations

from pathlib import Path

from mpokit.qc.analyze import analyze_scan
from mpokit.qc.report import write_report
from mpokit.qc.simulate import simulate_mt, simulate_round


def test_mt_report(tmp_path: Path) -> None:
    scan, _ = simulate_mt(fibers=12, seed=2)
    result = analyze_scan(scan)
    html = write_report(result, scan, tmp_path / "r.html").read_text()
    assert html.count("data:image/png;base64,") == 2  # map + bar chart
    assert ("PASS" if result.ok else "FAIL") in html
    assert "angle_x_deg" in html and "tip radius" in html and "<script" not in html


def test_round_report(tmp_path: Path) -> None:
    scan, _ = simulate_round(seed=2)
    html = write_report(analyze_scan(scan), scan, tmp_path / "r.html").read_text()
    assert html.count("data:image/png;base64,") == 1 and "radius_mm" in html


def test_report_shows_limits_with_units_once(tmp_path: Path) -> None:
    scan, _ = simulate_round(seed=4, fixture_angle_deg=8.0, radius_mm=15.0)
    html = write_report(analyze_scan(scan), scan, tmp_path / "r.html").read_text()
    assert "5..12 mm" in html and "&lt;= 50 um" in html
    assert html.count(">radius_mm<") == 1  # one table, each parameter once
    assert "FAIL" in html and "class='bad'" in html


def test_mt_report_highlights_failing_fibers(tmp_path: Path) -> None:
    scan, _ = simulate_mt(fibers=12, seed=3, mean_height_nm=3450.0, height_spread_nm=100.0)
    result = analyze_scan(scan)
    failing = next(c for c in result.checks if c.parameter == "height_nm").failed
    assert failing
    html = write_report(result, scan, tmp_path / "r.html").read_text()
    assert "fibers " + ", ".join(map(str, failing)) in html
    assert html.count("<tr class='bad'>") == len(failing)


def test_unmeasurable_report_gives_reasons_not_numbers(tmp_path: Path) -> None:
    import numpy as np

    from mpokit.qc.io import Scan

    scan = Scan(np.random.default_rng(0).normal(0, 3, (300, 1600)), pixel_um=2.0, kind="mt")
    html = write_report(analyze_scan(scan), scan, tmp_path / "r.html").read_text()
    assert "UNMEASURABLE" in html and "no fibers found" in html
    assert "angle_x_deg" not in html
