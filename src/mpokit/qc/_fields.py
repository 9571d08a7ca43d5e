"""The geometry fields shared by a measurement and by a simulator's truth.

One definition of each parameter (docs/qc.md) serves both, so a truth file and a result
can be compared field by field.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["MtFields", "RoundFields"]


@dataclass(frozen=True)
class MtFields:
    """MT ferrule geometry; per-fiber arrays sorted by row, then x (``row`` 0-based)."""

    row: NDArray[np.int64]
    x_um: NDArray[np.float64]
    y_um: NDArray[np.float64]
    height_nm: NDArray[np.float64]
    tip_radius_mm: NDArray[np.float64]
    core_dip_nm: NDArray[np.float64]
    angle_x_deg: float
    angle_y_deg: float
    height_diff_nm: float
    adjacent_diff_nm: float
    minus_coplanarity_nm: float


@dataclass(frozen=True)
class RoundFields:
    """Round ferrule geometry (coordinates in the scan frame, um)."""

    radius_mm: float
    apex_offset_um: float
    fiber_height_nm: float
    fiber_x_um: float
    fiber_y_um: float
    apex_x_um: float
    apex_y_um: float
