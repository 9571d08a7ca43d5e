"""Round-ferrule analyzer: recovery of simulated truth and robustness."""

from __future__ import annotations

import pytest

from mpokit.qc.round import analyze_round
from mpokit.qc.simulate import simulate_round


@pytest.mark.parametrize("fixture", [0.0, 8.0], ids=["pc", "apc"])
@pytest.mark.parametrize("seed", range(6))
def test_recovers_truth(seed: int, fixture: float) -> None:
    scan, truth = simulate_round(seed=seed, fixture_angle_deg=fixture)
    geo = analyze_round(scan)
    assert geo.radius_mm == pytest.approx(truth.radius_mm, rel=0.02)
    assert abs(geo.apex_offset_um - truth.apex_offset_um) < 1.5
    assert abs(geo.fiber_height_nm - truth.fiber_height_nm) < 5.0
    assert abs(geo.fiber_x_um - truth.fiber_x_um) < 1.5
    assert abs(geo.fiber_y_um - truth.fiber_y_um) < 1.5


@pytest.mark.parametrize("case", [
    dict(radius_mm=7.0, apex_offset_um=50.0),
    dict(radius_mm=25.0, apex_offset_um=0.0),
    dict(fiber_height_nm=-100.0),
    dict(fiber_height_nm=2.0),                 # fiber flush: located by its epoxy ring
    dict(spikes=200, nan_patches=10, dropout_fraction=0.01),
    dict(pixel_um=0.5),                        # 300 um field of view
], ids=["r7-offset50", "r25", "undercut", "flush", "defects", "half-um"])
def test_robustness(case: dict[str, float]) -> None:
    scan, truth = simulate_round(seed=40, **case)  # type: ignore[arg-type]
    geo = analyze_round(scan)
    assert geo.radius_mm == pytest.approx(truth.radius_mm, rel=0.02)
    assert abs(geo.apex_offset_um - truth.apex_offset_um) < 1.5
    assert abs(geo.fiber_height_nm - truth.fiber_height_nm) < 5.0
