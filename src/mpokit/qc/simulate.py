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
        """JSON-ready dict (arrays as lists).

        Returns
        -------
        dict[str, Any]
            Every field; arrays as lists.
        """
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                for k, v in asdict(self).items()}


@dataclass(frozen=True)
class RoundTruth(RoundFields):
    """The geometry a simulated round-ferrule scan was made with."""

    kind: Literal["round"] = "round"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict.

        Returns
        -------
        dict[str, Any]
            Every field.
        """
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


QUALITY_SCALE = {"good": 1.0, "marginal": 2.0, "bad": 3.5}
"""How much wider than a good factory's process a lot's spreads are (``quality=...``)."""
Quality = Literal["good", "marginal", "bad"]


def _scale(quality: str) -> float:
    if quality not in QUALITY_SCALE:
        raise InputError(f"quality must be one of {', '.join(QUALITY_SCALE)}, got {quality!r}",
                         field="quality")
    return QUALITY_SCALE[quality]


def _crop(
    z: NDArray[np.float64], clean: NDArray[np.float64], pixel_um: float,
    field_um: tuple[float, float, float, float] | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], float, float]:
    """Cut the field of view to ``field_um = (x0, y0, x1, y1)``; returns the offsets (um)."""
    if field_um is None:
        return z, clean, 0.0, 0.0
    x0, y0, x1, y1 = field_um
    ny, nx = z.shape
    i0, i1 = max(0, round(x0 / pixel_um)), min(nx, round(x1 / pixel_um))
    j0, j1 = max(0, round(y0 / pixel_um)), min(ny, round(y1 / pixel_um))
    if i1 - i0 < 8 or j1 - j0 < 8:
        raise InputError(f"field_um {field_um} leaves less than 8 x 8 pixels", field="field_um")
    return z[j0:j1, i0:i1], clean[j0:j1, i0:i1], i0 * pixel_um, j0 * pixel_um


def _spikes(rng: np.random.Generator, z: NDArray[np.float64], fraction: float) -> None:
    """Dust and bat-wing spikes on ``fraction`` of the pixels (+-0.3 to 5 um), in place."""
    if fraction <= 0:
        return
    hit = rng.random(z.shape) < fraction
    n = int(hit.sum())
    z[hit] += rng.choice([-1.0, 1.0], n) * rng.uniform(300.0, 5000.0, n)


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
    height_spread_nm: float | None = None,
    tip_radius_mm: tuple[float, float] = (5.0, 25.0),
    core_dip_nm: tuple[float, float] = (0.0, 40.0),
    curvature_radius_m: float | None = None,
    layout: str = "standard",
    rotation_deg: float = 0.0,
    epoxy: bool = True,
    batwings: bool = False,
    spikes: int = 30,
    spike_fraction: float = 0.0,
    nan_patches: int = 4,
    dropout_fraction: float = 0.001,
    field_um: tuple[float, float, float, float] | None = None,
    quality: str = "good",
    noise_seed: int | None = None,
    serial: str = "",
    max_pixels: int | None = None,
) -> tuple[Scan, MtTruth]:
    """Simulate an MT ferrule scan as an interferometer sees it; returns the scan and its truth.

    Geometry not given is drawn from a process (``quality``: ``good`` yields like a good
    factory, ``marginal`` and ``bad`` widen every spread 2x and 3.5x): angle X and Y (after
    the fixture) normal with SD 0.04 deg, mean fiber height normal 2000 +- 250 nm, fiber
    heights about it normal with SD 50 nm (or uniform +-``height_spread_nm`` when given),
    ferrule curvature along x with ``1/R`` uniform within +-1/50 per metre (give
    ``curvature_radius_m``; ``math.inf`` is flat). Artefacts: ``spikes`` dust clusters and
    ``spike_fraction`` of single-pixel spikes, ``nan_patches`` no-data patches, scattered
    dropouts (``dropout_fraction``), dropouts at the fiber walls (with ``epoxy``), and a
    partial field of view (``field_um = (x0, y0, x1, y1)`` in the full field's frame), and
    with ``batwings`` the overshoot an interferometer shows at the step of a fiber wall.

    The truth is computed by the definitions (``docs/qc.md``) on the noiseless surface of the
    field actually scanned: the reference plane is the least-squares plane through the
    ferrule pixels farther than 75 um from every fiber centre.

    Parameters
    ----------
    fibers
        Fiber count: 8, 12, 16, 24 or 32.
    seed
        Random seed of the geometry (same seed, same ferrule).
    pixel_um
        Pixel pitch in um.
    noise_nm
        Pixel noise, nm RMS.
    fixture_angle_deg
        Fixture tilt (8 for an APC fixture).
    angle_x_deg, angle_y_deg
        End-face angles after the fixture (None: drawn from the process, see above).
    mean_height_nm
        Mean fiber height (None: drawn from the process).
    height_spread_nm
        Fiber heights spread uniformly by this much around the mean (None: normal, SD
        50 nm).
    tip_radius_mm
        Range of the fiber tips' radii of curvature.
    core_dip_nm
        Range of the core dips.
    curvature_radius_m
        Ferrule curvature along x (None: drawn; ``math.inf``: flat).
    layout
        The fiber layout of the ferrule (``"standard"``).
    rotation_deg
        In-plane rotation of the fiber array.
    epoxy
        Draw the epoxy ring round each fiber (and its dropouts at the fiber walls).
    batwings
        Add the overshoot an interferometer shows at the step of a fiber wall.
    spikes, spike_fraction, nan_patches, dropout_fraction
        Measurement defects: dust clusters, the fraction of single-pixel spikes, patches
        without data, and the fraction of lost pixels.
    field_um
        A partial field of view ``(x0, y0, x1, y1)`` in the full field's frame (None: all).
    quality
        The process the geometry is drawn from: ``good``, ``marginal`` or ``bad``.
    noise_seed
        Seed of noise and defects alone (None: from ``seed``).
    serial
        The ferrule's serial number.
    max_pixels
        Refuse a map larger than this (None: the default scan limits).

    Returns
    -------
    tuple[Scan, MtTruth]
        The scan and the geometry it was made from.
    """
    k = _scale(quality)
    _check_pixel(pixel_um)
    rng = np.random.default_rng(seed)
    row, pos = mt_layout(fibers, layout)
    rows = int(row.max()) + 1
    positions = int(pos.max()) + 1
    margin_x, margin_y = 200.0 + 25.0, 300.0
    width_um = (positions - 1) * PITCH_UM + 2 * margin_x
    height_um = (rows - 1) * ROW_PITCH_UM + 2 * margin_y
    nx = int(math.ceil(width_um / pixel_um / 50.0) * 50)
    ny = int(math.ceil(height_um / pixel_um / 50.0) * 50)
    default_limits(max_pixels).check_pixels(ny, nx, file=None, field="pixel_um")
    ax = float(np.clip(rng.normal(0, 0.04 * k), -0.5, 0.5)) if angle_x_deg is None \
        else angle_x_deg
    ay = float(np.clip(rng.normal(0, 0.04 * k), -0.5, 0.5)) if angle_y_deg is None \
        else angle_y_deg
    inv_r = rng.uniform(-0.02, 0.02) * k if curvature_radius_m is None \
        else 1.0 / curvature_radius_m
    slope_x = 1000.0 * math.tan(math.radians(ax))  # nm per um
    slope_y = 1000.0 * math.tan(math.radians(ay))
    z0 = rng.uniform(-5000.0, 5000.0)
    x = np.arange(nx) * pixel_um
    y = np.arange(ny) * pixel_um
    xmid = nx * pixel_um / 2.0
    curv_x = -1000.0 * (x - xmid) ** 2 * (inv_r * 1e-6) / 2.0  # nm; 1/R in 1/um
    form = z0 + slope_x * x[None, :] + slope_y * y[:, None] + curv_x[None, :]
    z = form.copy()

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
    base = float(np.clip(rng.normal(2000.0, 250.0 * k), -500.0, 4500.0)) \
        if mean_height_nm is None else mean_height_nm
    if height_spread_nm is None:
        heights = base + np.clip(rng.normal(0.0, 50.0 * k, fibers), -150.0 * k, 150.0 * k)
    else:
        heights = base + rng.uniform(-height_spread_nm, height_spread_nm, fibers)
    radii_mm = rng.uniform(*tip_radius_mm, fibers)
    dips = rng.uniform(*core_dip_nm, fibers)

    half = math.ceil((FIBER_RADIUS_UM + 6.0) / pixel_um)
    walls = np.zeros(z.shape, dtype=bool)
    for i in range(fibers):
        cx_i, cy_i = round(xc[i] / pixel_um), round(yc[i] / pixel_um)
        sy = slice(max(cy_i - half, 0), min(cy_i + half + 1, ny))
        sx = slice(max(cx_i - half, 0), min(cx_i + half + 1, nx))
        px = x[sx][None, :] - xc[i]
        py = y[sy][:, None] - yc[i]
        r = np.hypot(px, py)
        plane = form[sy, sx]
        # the fiber face: its own sphere, standing heights[i] above the ferrule form at its
        # centre, tilted with the ferrule
        at_centre = z0 + slope_x * xc[i] + slope_y * yc[i] - 1000.0 * (xc[i] - xmid) ** 2 * (
            inv_r * 1e-6) / 2.0
        lin = at_centre + slope_x * px + slope_y * py
        r_um = radii_mm[i] * 1000.0
        apex = rng.uniform(0, 8.0) * np.exp(1j * rng.uniform(0, 2 * np.pi))
        rho2 = (px - apex.real) ** 2 + (py - apex.imag) ** 2
        face = lin + heights[i] + _sag_nm(r_um, np.array(abs(apex) ** 2)) - _sag_nm(r_um, rho2)
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
            walls[sy, sx] |= edge & (rng.random(r.shape) < 0.3)
        if batwings:  # interferometer overshoot at the step of the fiber wall
            wing = (r > FIBER_RADIUS_UM - 1.5) & (r <= FIBER_RADIUS_UM + 0.5)
            patch[wing] += rng.choice([-1.0, 1.0]) * rng.uniform(100.0, 800.0)
    z[walls] = np.nan
    if fibers == 8 and layout == "standard":  # empty holes of a Base-8 ferrule: no data
        for p in range(4, 8):
            hu = p * PITCH_UM - (positions - 1) * PITCH_UM / 2
            hx = x0 + (positions - 1) * PITCH_UM / 2 + hu * cos_r
            hy = y0 + hu * sin_r
            d2 = (x[None, :] - hx) ** 2 + (y[:, None] - hy) ** 2
            z[d2 <= (FIBER_RADIUS_UM + 1.0) ** 2] = np.nan
    clean = z.copy()
    noise_rng = rng if noise_seed is None else np.random.default_rng(noise_seed)
    z += noise_rng.normal(0.0, noise_nm, z.shape)
    _defects(noise_rng, z, pixel_um, spikes=spikes, nan_patches=nan_patches,
             dropout_fraction=dropout_fraction, protect=np.stack([xc, yc], axis=1))
    _spikes(noise_rng, z, spike_fraction)
    z, clean, off_x, off_y = _crop(z, clean, pixel_um, field_um)
    xc, yc = xc - off_x, yc - off_y

    # truth by the definitions, on the noiseless surface of the scanned field
    from mpokit.qc.mt import reference_mask, reference_plane_exact

    keep = reference_mask(clean.shape, pixel_um, np.stack([xc, yc], axis=1)) & np.isfinite(clean)
    pz0, psx, psy = reference_plane_exact(clean, pixel_um, keep)
    face_at = heights + (z0 + slope_x * (xc + off_x) + slope_y * (yc + off_y)
                         - 1000.0 * (xc + off_x - xmid) ** 2 * (inv_r * 1e-6) / 2.0)
    true_h = face_at - (pz0 + psx * xc + psy * yc)
    order = np.lexsort((xc, row))
    h_sorted = true_h[order]
    diff, adjacent, minus = row_metrics(row[order], xc[order], h_sorted)
    truth = MtTruth(
        row=row[order], x_um=xc[order], y_um=yc[order], height_nm=h_sorted,
        tip_radius_mm=radii_mm[order], core_dip_nm=dips[order],
        angle_x_deg=math.degrees(math.atan(psx / 1000.0)),
        angle_y_deg=math.degrees(math.atan(psy / 1000.0)) + fixture_angle_deg,
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
    spike_fraction: float = 0.0,
    nan_patches: int = 3,
    dropout_fraction: float = 0.001,
    quality: str = "good",
    noise_seed: int | None = None,
    serial: str = "",
    max_pixels: int | None = None,
) -> tuple[Scan, RoundTruth]:
    """Simulate a round-ferrule (LC/SC/FC) scan; PC by default, APC with the fixture at 8 deg.

    Geometry not given is drawn from a good process (``quality`` widens it): radius normal
    15 +- 2 mm (PC) or 8.5 +- 0.8 mm (APC), apex offset Rayleigh with scale 12 um, fiber
    height normal -20 +- 15 nm. The apex offset includes whatever tilt is left after the
    fixture (a tilted sphere is a sphere with a moved apex).

    Parameters
    ----------
    seed
        Random seed of the geometry.
    pixel_um
        Pixel pitch in um.
    size_px
        The map is ``size_px`` by ``size_px`` pixels.
    noise_nm
        Pixel noise, nm RMS.
    fixture_angle_deg
        Fixture tilt (8 for an APC fixture).
    radius_mm, apex_offset_um, fiber_height_nm
        The geometry (None: drawn from the process above).
    epoxy
        Draw the epoxy ring round the fiber.
    spikes, spike_fraction, nan_patches, dropout_fraction
        Measurement defects: dust clusters, the fraction of single-pixel spikes, patches
        without data, and the fraction of lost pixels.
    quality
        The process the geometry is drawn from: ``good``, ``marginal`` or ``bad``.
    noise_seed
        Seed of noise and defects alone (None: from ``seed``).
    serial
        The ferrule's serial number.
    max_pixels
        Refuse a map larger than this (None: the default scan limits).

    Returns
    -------
    tuple[Scan, RoundTruth]
        The scan and the geometry it was made from.
    """
    k = _scale(quality)
    _check_pixel(pixel_um)
    default_limits(max_pixels).check_pixels(size_px, size_px, file=None, field="pixel_um")
    rng = np.random.default_rng(seed)
    apc = abs(fixture_angle_deg) > 1.0
    r_mean, r_sd = (8.5, 0.8) if apc else (15.0, 2.0)
    radius = float(np.clip(rng.normal(r_mean, r_sd * k), 4.0, 40.0)) if radius_mm is None \
        else radius_mm
    offset = float(min(rng.rayleigh(12.0 * k), 120.0)) if apex_offset_um is None \
        else apex_offset_um
    height = float(np.clip(rng.normal(-20.0, 15.0 * k), -150.0, 150.0)) \
        if fiber_height_nm is None else fiber_height_nm
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
    _spikes(noise_rng, z, spike_fraction)
    truth = RoundTruth(radius_mm=radius, apex_offset_um=offset, fiber_height_nm=height,
                       fiber_x_um=fx, fiber_y_um=fy, apex_x_um=ax_, apex_y_um=ay_)
    scan = Scan(z, pixel_um=pixel_um, kind="round", fixture_angle_deg=fixture_angle_deg,
                serial=serial or f"SIM-ROUND-{seed}")
    return scan, truth


def simulate(kind: str = "mt", **kwargs: Any) -> tuple[Scan, MtTruth | RoundTruth]:
    """Dispatch to :func:`simulate_mt` or :func:`simulate_round` by ``kind``.

    Parameters
    ----------
    kind
        ``"mt"`` or ``"round"``.
    **kwargs
        Passed to the simulator.

    Returns
    -------
    tuple[Scan, MtTruth | RoundTruth]
        The scan and its truth.
    """
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
