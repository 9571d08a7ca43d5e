"""The simulator: deterministic, truth consistent with the scan, truth JSON on disk."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mpokit.qc.io import read_scan
from mpokit.qc.simulate import simulate_mt, simulate_round, write_simulated


def test_same_seed_same_scan() -> None:
    a, ta = simulate_mt(seed=5)
    b, tb = simulate_mt(seed=5)
    np.testing.assert_array_equal(a.height_nm, b.height_nm)
    np.testing.assert_array_equal(ta.height_nm, tb.height_nm)
    c, _ = simulate_mt(seed=6)
    assert not np.array_equal(a.height_nm, c.height_nm, equal_nan=True)


def test_mt_geometry_is_realistic() -> None:
    scan, truth = simulate_mt(fibers=12, seed=1)
    assert scan.shape == (300, 1600) and scan.pixel_um == 2.0
    assert np.allclose(np.diff(truth.x_um), 250.0, atol=3.5)
    assert np.all((truth.tip_radius_mm >= 5) & (truth.tip_radius_mm <= 25))
    assert np.isnan(scan.height_nm).any()  # dropouts and patches


def test_base8_uses_outer_positions_of_twelve() -> None:
    _, truth = simulate_mt(fibers=8, seed=2)
    gaps = np.round(np.diff(truth.x_um) / 250.0)
    assert gaps.tolist() == [1, 1, 1, 5, 1, 1, 1]


def test_two_rows_for_24_and_32() -> None:
    for n in (24, 32):
        _, truth = simulate_mt(fibers=n, seed=3)
        assert sorted(set(truth.row.tolist())) == [0, 1]
        dy = np.median(truth.y_um[truth.row == 1]) - np.median(truth.y_um[truth.row == 0])
        assert abs(dy - 500.0) < 3.0


def test_truth_json_beside_scan(tmp_path: Path) -> None:
    scan, truth = simulate_round(seed=4)
    out = write_simulated(tmp_path / "r.npz", scan, truth)
    assert out == tmp_path / "r.truth.json"
    data = json.loads(out.read_text())
    assert data["kind"] == "round" and data["radius_mm"] == truth.radius_mm
    assert read_scan(tmp_path / "r.npz").serial == scan.serial
