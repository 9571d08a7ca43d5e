"""Shared fixtures for the QC tests: simulated scans written to disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mpokit.qc.simulate import simulate_mt, simulate_round, write_simulated

# A ferrule that passes the built-in mt-pc profile (all typical limits met).
GOOD_MT: dict[str, Any] = dict(fibers=12, seed=11, mean_height_nm=2000.0, height_spread_nm=50.0,
               angle_x_deg=0.02, angle_y_deg=0.05)
# A round PC ferrule inside the round-pc window.
GOOD_ROUND: dict[str, Any] = dict(seed=12, radius_mm=15.0, apex_offset_um=20.0,
                                  fiber_height_nm=-20.0)


@pytest.fixture
def good_mt_file(tmp_path: Path) -> Path:
    path = tmp_path / "good_mt12.npz"
    write_simulated(path, *simulate_mt(**GOOD_MT))
    return path


@pytest.fixture
def good_round_file(tmp_path: Path) -> Path:
    path = tmp_path / "good_round.npz"
    write_simulated(path, *simulate_round(**GOOD_ROUND))
    return path


@pytest.fixture
def failing_round_file(tmp_path: Path) -> Path:
    path = tmp_path / "undercut_round.npz"
    write_simulated(path, *simulate_round(seed=13, radius_mm=15.0, apex_offset_um=70.0,
                                          fiber_height_nm=-90.0))
    return path
