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
