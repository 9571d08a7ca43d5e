"""MT analyzer: recovery of simulated truth and robustness (tolerances from the issue)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mpokit.errors import InputError
from mpokit.qc.io import Scan
from mpokit.qc.mt import MtGeometry, analyze_mt, row_metrics
from mpokit.qc.simulate import MtTruth, simulate_mt

H_TOL_NM = 5.0
ANGLE_TOL_DEG = 0.005
TIP_TOL = 0.05
DIP_TOL_NM = 5.0


def assert_recovers(geo: MtGeometry, truth: MtTruth) -> None:
    assert geo.fibers == truth.height_nm.size
    np.testing.assert_array_equal(geo.row, truth.row)
    assert np.max(np.hypot(geo.x_um - truth.x_um, geo.y_um - truth.y_um)) < 3.0
    assert np.max(np.abs(geo.height_nm - truth.height_nm)) < H_TOL_NM
    assert abs(geo.angle_x_deg - truth.angle_x_deg) < ANGLE_TOL_DEG
    assert abs(geo.angle_y_deg - truth.angle_y_deg) < ANGLE_TOL_DEG
    assert np.max(np.abs(geo.tip_radius_mm / truth.tip_radius_mm - 1)) < TIP_TOL
    assert np.max(np.abs(geo.core_dip_nm - truth.core_dip_nm)) < DIP_TOL_NM
    assert abs(geo.height_diff_nm - truth.height_diff_nm) < 2 * H_TOL_NM
    assert abs(geo.adjacent_diff_nm - truth.adjacent_diff_nm) < 2 * H_TOL_NM
    assert abs(geo.minus_coplanarity_nm - truth.minus_coplanarity_nm) < 2 * H_TOL_NM


@pytest.mark.parametrize("fibers", [8, 12, 16, 24, 32])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovers_every_mpo_layout(fibers: int, seed: int) -> None:
    scan, truth = simulate_mt(fibers=fibers, seed=seed)
    assert_recovers(analyze_mt(scan), truth)


@pytest.mark.parametrize("seed", [3, 4])
def test_apc_fixture_adds_the_fixture_angle(seed: int) -> None:
    scan, truth = simulate_mt(fibers=12, seed=seed, fixture_angle_deg=8.0, angle_y_deg=0.1)
    geo = analyze_mt(scan)
    assert_recovers(geo, truth)
    assert geo.angle_y_deg == pytest.approx(8.1, abs=ANGLE_TOL_DEG)


def test_contiguous_eight_fiber_ferrule() -> None:
    scan, truth = simulate_mt(fibers=8, layout="contiguous", seed=5)
    assert_recovers(analyze_mt(scan), truth)


@pytest.mark.parametrize("case", [
    dict(angle_x_deg=0.5, angle_y_deg=-0.5),             # tilt at the contract's limit
    dict(spikes=300, nan_patches=20, dropout_fraction=0.01),  # dust and missing data
    dict(epoxy=False),                                    # no epoxy ring at all
    dict(mean_height_nm=-1500.0),                         # recessed fibers
    dict(mean_height_nm=0.0, height_spread_nm=20.0),      # fibers flush with the ferrule
    dict(tip_radius_mm=(2.0, 4.0)),                       # strongly domed
    dict(pixel_um=1.0),
], ids=["tilt", "defects", "no-epoxy", "recessed", "flush", "domed", "1um-pixels"])
def test_robustness(case: dict[str, object]) -> None:
    scan, truth = simulate_mt(fibers=12, seed=21, **case)  # type: ignore[arg-type]
    assert_recovers(analyze_mt(scan), truth)


@pytest.mark.parametrize("fibers", [12, 24])
def test_counts_fibers_when_not_told(fibers: int) -> None:
    scan, truth = simulate_mt(fibers=fibers, seed=31)
    geo = analyze_mt(dataclasses.replace(scan, fibers=None))
    assert_recovers(geo, truth)


def test_row_metrics_definitions() -> None:
    """Row 0: heights 0, -30, 0 -> LS line is -10 everywhere, fiber 2 is 20 below it."""
    row = np.array([0, 0, 0, 1, 1])
    x = np.array([0.0, 250.0, 500.0, 0.0, 250.0])
    h = np.array([0.0, -30.0, 0.0, 100.0, 60.0])
    diff, adjacent, minus = row_metrics(row, x, h)
    assert diff == pytest.approx(130.0)
    assert adjacent == pytest.approx(40.0)
    assert minus == pytest.approx(20.0)


def test_row_metrics_no_fiber_below_line_is_zero() -> None:
    assert row_metrics(np.array([0, 0]), np.array([0.0, 250.0]), np.array([1.0, 5.0]))[2] == 0


def test_blank_scan_is_an_input_error() -> None:
    scan = Scan(np.full((100, 400), np.nan), pixel_um=2.0, kind="mt")
    with pytest.raises(InputError, match="no data"):
        analyze_mt(scan)


@pytest.mark.parametrize("fibers", [None, 12])
def test_noise_only_map_is_unmeasurable_not_a_fail(fibers: int | None) -> None:
    rng = np.random.default_rng(0)
    scan = Scan(rng.normal(0, 3, (300, 1600)), pixel_um=2.0, kind="mt", fibers=fibers)
    geo = analyze_mt(scan)
    assert geo.fibers == 0
    assert geo.reasons and ("no fibers found" in geo.reasons[0] or "found 0" in geo.reasons[0])


def test_constant_map_is_unmeasurable() -> None:
    scan = Scan(np.full((300, 1600), 5.0), pixel_um=2.0, kind="mt", fibers=12)
    geo = analyze_mt(scan)
    assert geo.fibers == 0 and geo.reasons
