"""Realistic synthetic interferometer scans with known truth (deterministic per seed).

The simulator is what the QC tests and benchmarks run on, and what a user can run to check
their own instrument export pipeline: write a scan, run the analyzer, compare with the truth.

Surface model (heights in nm, coordinates in um, ``x = ix * pixel_um``):

* **MT**: a tilted plane (the ferrule face, after the fixture removed ``fixture_angle_deg``);
  fibers on rows at 250 um pitch (two rows 500 um apart for 24 and 32 fibers; MPO-8 uses
  positions 1-4 and 9-12 of a 12-position ferrule, the four empty holes give no data).
  Each fiber is a 125 um disc whose face is a sphere of radius ``tip_radius_mm`` with its
  apex up to 8 um off the fiber centre, standing ``height_nm`` above the plane *at the fiber
  centre*; the core is recessed by ``core_dip_nm`` (flat within 3.5 um of the centre,
  cosine taper to zero at 5.5 um, so the 6-40 um fit zone of the definition sees no dip).
* **Round**: a sphere of ``radius_mm`` whose apex is ``apex_offset_um`` from the fiber
  centre (within 15 um of the image centre); the fiber disc is offset by ``fiber_height_nm``.
* Both: an epoxy ring (1.5-3 um wide, recessed) at the hole edge with dropouts, Gaussian
  noise ``noise_nm`` RMS, dust spikes, no-data patches and scattered dropouts.

``seed`` fixes the ferrule and, unless ``noise_seed`` is given, the noise too; a fixed
``seed`` with varying ``noise_seed`` re-measures the same ferrule (repeatability studies).

Example:
    >>> scan, truth = simulate_mt(fibers=12, seed=1)
    >>> scan.height_nm.shape, truth.height_nm.shape
    ((300, 1600), (12,))
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from mpokit.errors import InputError
from mpokit.qc._fields import MtFields, RoundFields
from mpokit.qc.io import Scan, _atomic_write, write_scan
from mpokit.qc.limits import default_limits
from mpokit.qc.mt import row_metrics

__all__ = [
    "MtTruth",
    "RoundTruth",
    "mt_layout",
    "simulate",
    "simulate_mt",
    "simulate_round",
    "write_simulated",
]

FIBER_RADIUS_UM = 62.5
PITCH_UM = 250.0
ROW_PITCH_UM = 500.0


@dataclass(frozen=True)
class MtTruth(MtFields):
    """The geometry a simulated MT scan was made with (per-fiber arrays, 1 entry per fiber)."""

    kind: Literal["mt"] = "mt"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (arrays as lists)."""
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                for k, v in asdict(self).items()}


@dataclass(frozen=True)
class RoundTruth(RoundFields):
    """The geometry a simulated round-ferrule scan was made with."""

    kind: Literal["round"] = "round"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def mt_layout(fibers: int, layout: str = "standard") -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Row and lattice position (0-based) of every fiber of an MT ferrule.

    ``standard``: 8 = positions 1-4 and 9-12 of a 12-position row; 12, 16 = one full row;
    24, 32 = two full rows of 12 or 16. ``contiguous``: ``fibers`` adjacent positions per row.
    """
    if fibers == 8 and layout == "standard":
        pos = np.array([0, 1, 2, 3, 8, 9, 10, 11])
        return np.zeros(8, dtype=np.int64), pos.astype(np.int64)
    rows = 2 if fibers > 16 else 1
    if fibers % rows:
        raise InputError(f"cannot lay out {fibers} fibers on {rows} rows", field="fibers")
    per_row = fibers // rows
    row = np.repeat(np.arange(rows), per_row)
    pos = np.tile(np.arange(per_row), rows)
    return row.astype(np.int64), pos.astype(np.int64)


def _check_pixel(pixel_um: float) -> None:
    if not (math.isfinite(pixel_um) and pixel_um > 0):
        raise InputError(f"pixel_um must be a positive number, got {pixel_um}", field="pixel_um")


def _sag_nm(radius_um: float | NDArray[np.float64], rho2: NDArray[np.float64]) -> Any:
    """Exact sphere sag (nm) at squared distance ``rho2`` (um^2) from the apex."""
    kappa = 1.0 / radius_um
    return 1000.0 * kappa * rho2 / (1.0 + np.sqrt(np.clip(1.0 - kappa * kappa * rho2, 0, None)))


def _defects(
    rng: np.random.Generator,
    z: NDArray[np.float64],
    pixel_um: float,
    *,
    spikes: int,
    nan_patches: int,
    dropout_fraction: float,
    protect: NDArray[np.float64],
) -> None:
    """Add dust spikes, no-data patches and scattered dropouts in place.

    ``protect`` holds ``(x_um, y_um)`` points (fiber centres) that no patch may cover within
    12 um, so that the core of every fiber keeps data.
    """
    ny, nx = z.shape
    for _ in range(spikes):
        iy = int(rng.integers(0, ny - 3))
        ix = int(rng.integers(0, nx - 3))
        w = int(rng.integers(1, 4))
        z[iy:iy + w, ix:ix + w] += rng.choice([-1.0, 1.0]) * rng.uniform(300.0, 5000.0)
    yy_all = np.arange(ny) * pixel_um
    xx_all = np.arange(nx) * pixel_um
    placed = 0
    tries = 0
    while placed < nan_patches and tries < 50 * (nan_patches + 1):
        tries += 1
        r = rng.uniform(5.0, 25.0)
        cx = rng.uniform(0, nx * pixel_um)
        cy = rng.uniform(0, ny * pixel_um)
        if protect.size and np.min(np.hypot(protect[:, 0] - cx, protect[:, 1] - cy)) < r + 12:
            continue
        d2 = (xx_all[None, :] - cx) ** 2 + (yy_all[:, None] - cy) ** 2
        z[d2 <= r * r] = np.nan
        placed += 1
    if dropout_fraction > 0:
        z[rng.random(z.shape) < dropout_fraction] = np.nan


def simulate_mt(
    *,
    fibers: int = 12,
    seed: int = 0,
    pixel_um: float = 2.0,
    noise_nm: float = 3.0,
    fixture_angle_deg: float = 0.0,
    angle_x_deg: float | None = None,
    angle_y_deg: float | None = None,
    mean_height_nm: float | None = None,
    height_spread_nm: float = 300.0,
    tip_radius_mm: tuple[float, float] = (5.0, 25.0),
    core_dip_nm: tuple[float, float] = (0.0, 40.0),
    layout: str = "standard",
    rotation_deg: float = 0.0,
    epoxy: bool = True,
    spikes: int = 30,
    nan_patches: int = 4,
    dropout_fraction: float = 0.001,
    noise_seed: int | None = None,
    serial: str = "",
    max_pixels: int | None = None,
) -> tuple[Scan, MtTruth]:
    """Simulate an MT ferrule scan covering the fiber region; returns the scan and its truth.

    Angles default to random values within +-0.3 degree (after the fixture); the truth
    ``angle_y_deg`` includes ``fixture_angle_deg`` as the analyzer reports it.
    """
    rng = np.random.default_rng(seed)
    row, pos = mt_layout(fibers, layout)
    rows = int(row.max()) + 1
    positions = int(pos.max()) + 1
    margin_x, margin_y = 200.0 + 25.0, 300.0
    width_um = (positions - 1) * PITCH_UM + 2 * margin_x
    height_um = (rows - 1) * ROW_PITCH_UM + 2 * margin_y
    _check_pixel(pixel_um)
    nx = int(math.ceil(width_um / pixel_um / 50.0) * 50)
    ny = int(math.ceil(height_um / pixel_um / 50.0) * 50)
    default_limits(max_pixels).check_pixels(ny, nx, file=None, field="pixel_um")
    ax = rng.uniform(-0.3, 0.3) if angle_x_deg is None else angle_x_deg
    ay = rng.uniform(-0.3, 0.3) if angle_y_deg is None else angle_y_deg
    slope_x = 1000.0 * math.tan(math.radians(ax))  # nm per um
    slope_y = 1000.0 * math.tan(math.radians(ay))
    z0 = rng.uniform(-5000.0, 5000.0)
    x = np.arange(nx) * pixel_um
    y = np.arange(ny) * pixel_um
    z = z0 + slope_x * x[None, :] + slope_y * y[:, None]

    x0 = (nx * pixel_um - (positions - 1) * PITCH_UM) / 2 + rng.uniform(-30, 30)
    y0 = (ny * pixel_um - (rows - 1) * ROW_PITCH_UM) / 2 + rng.uniform(-20, 20)
    # in-plane rotation of the fiber array about its centre (image not rotated)
    u = pos * PITCH_UM - (positions - 1) * PITCH_UM / 2
    v = row * ROW_PITCH_UM - (rows - 1) * ROW_PITCH_UM / 2
    cos_r, sin_r = math.cos(math.radians(rotation_deg)), math.sin(math.radians(rotation_deg))
    xc = x0 + (positions - 1) * PITCH_UM / 2 + u * cos_r - v * sin_r
    yc = y0 + (rows - 1) * ROW_PITCH_UM / 2 + u * sin_r + v * cos_r
    xc = xc + rng.uniform(-1.5, 1.5, fibers)
    yc = yc + rng.uniform(-1.5, 1.5, fibers)
    base = rng.uniform(-500.0, 3000.0) if mean_height_nm is None else mean_height_nm
    heights = base + rng.uniform(-height_spread_nm, height_spread_nm, fibers)
    radii_mm = rng.uniform(*tip_radius_mm, fibers)
    dips = rng.uniform(*core_dip_nm, fibers)

    half = math.ceil((FIBER_RADIUS_UM + 6.0) / pixel_um)
    for i in range(fibers):
        cx_i, cy_i = round(xc[i] / pixel_um), round(yc[i] / pixel_um)
        sy = slice(max(cy_i - half, 0), min(cy_i + half + 1, ny))
        sx = slice(max(cx_i - half, 0), min(cx_i + half + 1, nx))
        px = x[sx][None, :] - xc[i]
        py = y[sy][:, None] - yc[i]
        r = np.hypot(px, py)
        plane = z0 + slope_x * x[sx][None, :] + slope_y * y[sy][:, None]
        r_um = radii_mm[i] * 1000.0
        apex = rng.uniform(0, 8.0) * np.exp(1j * rng.uniform(0, 2 * np.pi))
        rho2 = (px - apex.real) ** 2 + (py - apex.imag) ** 2
        face = plane + heights[i] + _sag_nm(r_um, np.array(abs(apex) ** 2)) - _sag_nm(r_um, rho2)
        taper = np.clip((5.5 - r) / 2.0, 0.0, 1.0)
        dip = dips[i] * 0.5 * (1 - np.cos(np.pi * taper))
        patch = z[sy, sx]
        inside = r <= FIBER_RADIUS_UM
        patch[inside] = (face - dip)[inside]
        if epoxy:
            width = rng.uniform(1.5, 3.0)
            ring = (r > FIBER_RADIUS_UM) & (r <= FIBER_RADIUS_UM + width)
            patch[ring] = plane[ring] + rng.uniform(-600.0, -100.0)
            edge = (r > FIBER_RADIUS_UM - 2.0) & (r <= FIBER_RADIUS_UM + width)
            patch[edge & (rng.random(r.shape) < 0.3)] = np.nan
    if fibers == 8 and layout == "standard":  # empty holes of a Base-8 ferrule: no data
        for p in range(4, 8):
            hu = p * PITCH_UM - (positions - 1) * PITCH_UM / 2
            hx = x0 + (positions - 1) * PITCH_UM / 2 + hu * cos_r
            hy = y0 + hu * sin_r
            d2 = (x[None, :] - hx) ** 2 + (y[:, None] - hy) ** 2
            z[d2 <= (FIBER_RADIUS_UM + 1.0) ** 2] = np.nan
    noise_rng = rng if noise_seed is None else np.random.default_rng(noise_seed)
    z += noise_rng.normal(0.0, noise_nm, z.shape)
    _defects(noise_rng, z, pixel_um, spikes=spikes, nan_patches=nan_patches,
             dropout_fraction=dropout_fraction, protect=np.stack([xc, yc], axis=1))

    order = np.lexsort((xc, row))
    h_sorted = heights[order]
    diff, adjacent, minus = row_metrics(row[order], xc[order], h_sorted)
    truth = MtTruth(
        row=row[order], x_um=xc[order], y_um=yc[order], height_nm=h_sorted,
        tip_radius_mm=radii_mm[order], core_dip_nm=dips[order],
        angle_x_deg=ax, angle_y_deg=ay + fixture_angle_deg,
        height_diff_nm=diff, adjacent_diff_nm=adjacent, minus_coplanarity_nm=minus,
    )
    scan = Scan(z, pixel_um=pixel_um, kind="mt", fibers=fibers,
                fixture_angle_deg=fixture_angle_deg, serial=serial or f"SIM-MT{fibers}-{seed}")
    return scan, truth


def simulate_round(
    *,
    seed: int = 0,
    pixel_um: float = 1.0,
    size_px: int = 600,
    noise_nm: float = 3.0,
    fixture_angle_deg: float = 0.0,
    radius_mm: float | None = None,
    apex_offset_um: float | None = None,
    fiber_height_nm: float | None = None,
    epoxy: bool = True,
    spikes: int = 20,
    nan_patches: int = 3,
    dropout_fraction: float = 0.001,
    noise_seed: int | None = None,
    serial: str = "",
    max_pixels: int | None = None,
) -> tuple[Scan, RoundTruth]:
    """Simulate a round-ferrule (LC/SC/FC) scan; PC by default, APC with the fixture at 8 deg.

    Defaults: radius 7-25 mm, apex offset 0-50 um, fiber height -100..+100 nm.
    """
    _check_pixel(pixel_um)
    default_limits(max_pixels).check_pixels(size_px, size_px, file=None, field="pixel_um")
    rng = np.random.default_rng(seed)
    radius = rng.uniform(7.0, 25.0) if radius_mm is None else radius_mm
    offset = rng.uniform(0.0, 50.0) if apex_offset_um is None else apex_offset_um
    height = rng.uniform(-100.0, 100.0) if fiber_height_nm is None else fiber_height_nm
    n = size_px
    centre = (n - 1) * pixel_um / 2.0
    shift = rng.uniform(0, 15.0) * np.exp(1j * rng.uniform(0, 2 * np.pi))
    fx, fy = centre + shift.real, centre + shift.imag
    direction = rng.uniform(0, 2 * np.pi)
    ax_, ay_ = fx + offset * math.cos(direction), fy + offset * math.sin(direction)
    x = np.arange(n) * pixel_um
    rho2 = (x[None, :] - ax_) ** 2 + (x[:, None] - ay_) ** 2
    z = rng.uniform(-3000.0, 3000.0) - _sag_nm(radius * 1000.0, rho2)
    r = np.hypot(x[None, :] - fx, x[:, None] - fy)
    z = np.where(r <= FIBER_RADIUS_UM, z + height, z)
    if epoxy:
        width = rng.uniform(1.5, 3.0)
        ring = (r > FIBER_RADIUS_UM) & (r <= FIBER_RADIUS_UM + width)
        z[ring] += rng.uniform(-300.0, -50.0)
        edge = (r > FIBER_RADIUS_UM - 1.0) & (r <= FIBER_RADIUS_UM + width)
        z[edge & (rng.random(z.shape) < 0.3)] = np.nan
    noise_rng = rng if noise_seed is None else np.random.default_rng(noise_seed)
    z += noise_rng.normal(0.0, noise_nm, z.shape)
    _defects(noise_rng, z, pixel_um, spikes=spikes, nan_patches=nan_patches,
             dropout_fraction=dropout_fraction, protect=np.array([[fx, fy]]))
    truth = RoundTruth(radius_mm=radius, apex_offset_um=offset, fiber_height_nm=height,
                       fiber_x_um=fx, fiber_y_um=fy, apex_x_um=ax_, apex_y_um=ay_)
    scan = Scan(z, pixel_um=pixel_um, kind="round", fixture_angle_deg=fixture_angle_deg,
                serial=serial or f"SIM-ROUND-{seed}")
    return scan, truth


def simulate(kind: str = "mt", **kwargs: Any) -> tuple[Scan, MtTruth | RoundTruth]:
    """Dispatch to :func:`simulate_mt` or :func:`simulate_round` by ``kind``."""
    if kind == "mt":
        return simulate_mt(**kwargs)
    if kind == "round":
        kwargs.pop("fibers", None)
        return simulate_round(**kwargs)
    raise InputError(f"kind must be 'mt' or 'round', got {kind!r}", field="kind")


def truth_path(scan_path: str | os.PathLike[str]) -> Path:
    """Where the truth JSON of a scan file goes: ``name.truth.json`` beside it."""
    p = Path(scan_path)
    return p.with_name(p.stem + ".truth.json")


def write_simulated(
    path: str | os.PathLike[str],
    scan: Scan,
    truth: MtTruth | RoundTruth,
    *,
    with_truth: bool = True,
) -> Path | None:
    """Write the scan (format from the suffix) and, optionally, its truth JSON beside it."""
    write_scan(scan, path)
    if not with_truth:
        return None
    out = truth_path(path)
    text = json.dumps({"serial": scan.serial, **truth.to_dict()}, indent=2)
    _atomic_write(out, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
    return out
