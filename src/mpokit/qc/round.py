"""Round ferrule (LC/SC/FC, PC and APC) end-face geometry from a height map.

Definitions (``docs/qc.md``), implemented exactly:

* **Radius of curvature** ``radius_mm``: sphere least-squares fitted to the ferrule surface
  between 70 and 140 um from the fiber centre (robust MAD rejection, see
  :mod:`mpokit.qc.fit`; positive = convex).
* **Apex offset** ``apex_offset_um``: lateral distance from the fiber centre to the fitted
  sphere's apex (the point whose normal is along z).
* **Fiber height** ``fiber_height_nm``: mean over the fiber pixels within 25 um of the fiber
  centre of (measured height - fitted sphere); negative is undercut.

The fiber centre starts at the image centre (the contract puts it within 20 um) and is
refined from the fiber edge (:func:`mpokit.qc.locate.refine_centres`).

Example:
    >>> from mpokit.qc.simulate import simulate_round
    >>> scan, truth = simulate_round(seed=2)
    >>> geo = analyze_round(scan)
    >>> bool(abs(geo.radius_mm / truth.radius_mm - 1) < 0.02)
    True
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from mpokit.errors import InputError
from mpokit.qc._fields import RoundFields
from mpokit.qc._stages import lap
from mpokit.qc.fit import (
    FloatArray,
    median,
    noise_sigma_nm,
    paraboloid_design,
    robust_fit,
    translate_paraboloid,
)
from mpokit.qc.io import Scan
from mpokit.qc.locate import extract_patches, patch_offsets_um, refine_centres, spike_map

__all__ = ["RoundGeometry", "analyze_round"]

FIT_INNER_UM = 70.0
FIT_OUTER_UM = 140.0
FIBER_ZONE_UM = 25.0


@dataclass(frozen=True)
class RoundGeometry(RoundFields):
    """End-face geometry of one round ferrule (coordinates in the scan frame, um)."""

    noise_nm: float
    fit_rms_nm: float = math.nan
    """RMS residual of the ferrule sphere fit over the pixels it kept."""
    reasons: tuple[str, ...] = ()
    """Why the scan is ``unmeasurable`` (empty when the fiber and the sphere were validated)."""


MAX_FIT_RMS_NM = 20.0
"""Largest sphere-fit residual (beyond the noise) for the ferrule to count as a sphere."""
MIN_ZONE_FRACTION = 0.5
MAX_CENTRE_SD_UM = 0.33
"""Largest standard error of the fiber centre (from the edge points' scatter): the apex offset
is measured from the centre, and its tolerance is 1 um."""
SPIKE_NM = 250.0
"""An isolated pixel this far (or 10 noise sigma) from its neighbours' median is a spike."""


FIT_STRIDE = 2
"""The sphere is fitted on every second pixel both ways (about 11,000 pixels at 1 um): the
least-squares sphere of a spherical surface is the same on any subgrid, and on noisy data
the quarter of the pixels leaves its noise (0.01 um of apex, 0.05 % of radius at 3 nm)
far below the tolerances. The first passes, which only place the fiber, use every third."""


def _sphere_fit_rms(
    z: FloatArray, p: float, centre: FloatArray, inner: float, floor: float,
    stride: int, start: tuple[FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, float, float]:
    """Sphere coefficients about ``centre``, RMS of the kept residuals, fraction of the zone
    with data; ``start = (coef, at)``: an earlier fit about ``at`` to start from."""
    vals, dx, dy = extract_patches(z, p, centre, FIT_OUTER_UM, disc=True, stride=stride)
    vals, dx, dy = vals[0], dx[0], dy[0]
    r2 = dx * dx + dy * dy
    zone = (r2 >= inner * inner) & (r2 <= FIT_OUTER_UM**2)
    sel = zone & np.isfinite(vals)
    # fitted about the patch's centre pixel (one cached design per stride), then re-expressed
    # about the centre: the same least-squares sphere
    grid = np.rint(centre / p) * p
    design = _disc_design(p, stride)[sel]
    first = None if start is None else translate_paraboloid(start[0][None], start[1], grid)[0]
    coef, kept = robust_fit(design, vals[sel], np.ones(int(sel.sum()), dtype=bool),
                            floor_nm=floor, start=first)
    rms = math.nan
    if np.all(np.isfinite(coef)) and np.any(kept):
        resid = vals[sel][kept] - design[kept] @ coef
        rms = float(np.sqrt(np.mean(np.square(resid))))
    coef = translate_paraboloid(coef[None], grid, centre)[0]
    return coef, rms, float(sel.sum() / max(int(zone.sum()), 1))


@functools.lru_cache(maxsize=8)
def _disc_design(p: float, stride: int) -> FloatArray:
    """Sphere design ``[1, dx, dy, dx^2 + dy^2]`` over a fit patch's pixels, about its centre
    pixel (the order of :func:`mpokit.qc.locate.extract_patches`)."""
    gx, gy = patch_offsets_um(p, FIT_OUTER_UM, disc=True, stride=stride)
    design = paraboloid_design(gx, gy)
    design.setflags(write=False)
    return design


def _fiber_offset(
    z: FloatArray, p: float, centre: FloatArray, coef: FloatArray, sigma: float
) -> float:
    """Mean of (measured - sphere) within 25 um of the centre, spikes removed."""
    vals, dx, dy = extract_patches(z, p, centre, FIBER_ZONE_UM, disc=True)
    vals, dx, dy = vals[0], dx[0], dy[0]
    zone = dx * dx + dy * dy <= FIBER_ZONE_UM**2
    d = vals[zone] - (coef[0] + coef[1] * dx[zone] + coef[2] * dy[zone]
                      + coef[3] * (dx[zone] ** 2 + dy[zone] ** 2))
    d = d[np.isfinite(d)]
    if d.size == 0:
        return math.nan
    med = median(d)
    scale = 1.4826 * median(np.abs(d - med))
    keep = np.abs(d - med) <= max(4.0 * scale, 4.0 * sigma, 1.0)
    return float(d[keep].mean())


def analyze_round(scan: Scan) -> RoundGeometry:
    """Measure radius of curvature, apex offset and fiber height of a round ferrule scan.

    Parameters
    ----------
    scan
        A round (LC, SC ...) ferrule height map.

    Returns
    -------
    RoundGeometry
        Radius of curvature, apex offset and fiber height.
    """
    scan.check_field_of_view()
    z = scan.height_nm
    p = scan.pixel_um
    ny, nx = z.shape
    sigma = noise_sigma_nm(z)
    if not np.isfinite(sigma):
        raise InputError("height map has (almost) no data", field="height_nm")
    floor = max(3.0 * sigma, 1.0)
    centre = np.array([[(nx - 1) * p / 2.0, (ny - 1) * p / 2.0]])
    lap("noise")

    # First pass: 85-140 um keeps clear of a fiber up to 20 um off the image centre.
    inner = 85.0
    coef = np.full(4, np.nan)
    height = math.nan
    # Edges are searched on a copy of the window around the image centre without isolated
    # spikes (a spike inside the fiber would read as an edge); the fits use the measured map
    # with their own robust rejection.
    reach = math.ceil(130.0 / p)
    ic, jc = round(centre[0, 0] / p), round(centre[0, 1] / p)
    y0, x0 = max(jc - reach, 0), max(ic - reach, 0)
    z_edges = np.array(z[y0: jc + reach, x0: ic + reach], copy=True)
    z_edges[spike_map(z_edges, max(10.0 * sigma, SPIKE_NM))] = np.nan
    origin = np.array([[x0 * p, y0 * p]])
    lap("spikes")
    fit_at: FloatArray | None = None
    for _ in range(2):
        coef = _sphere_fit_rms(z, p, centre, inner, floor, FIT_STRIDE + 1,
                               None if fit_at is None else (coef, fit_at))[0]
        if not np.all(np.isfinite(coef)):
            raise InputError("cannot fit the ferrule sphere (too little data 70-140 um "
                             "from the image centre)", field="height_nm")
        fit_at = centre.copy()
        height = _fiber_offset(z, p, centre, coef, sigma)
        lap("sphere fit")
        c = coef.copy()
        cx0, cy0 = float(centre[0, 0]), float(centre[0, 1])
        level = height if np.isfinite(height) else 0.0

        def model(cx: FloatArray, cy: FloatArray, ddx: FloatArray, ddy: FloatArray,
                  c: FloatArray = c, cx0: float = cx0 - origin[0, 0],
                  cy0: float = cy0 - origin[0, 1], level: float = level) -> FloatArray:
            # the sphere about the asked centres (exact), plus the fiber's level
            t = translate_paraboloid(c[None], np.array([[cx0, cy0]]), np.stack([cx, cy], 1))
            t = t.reshape(-1, 1, 1, 4)
            out = ddx * ddx
            out += ddy * ddy
            out *= t[..., 3]
            out += t[..., 1] * ddx
            out += t[..., 2] * ddy
            out += t[..., 0] + level
            return np.asarray(out)

        thr = max(0.5 * abs(level), 6.0 * sigma, 10.0)
        local, found, centre_sd = refine_centres(
            z_edges, p, centre - origin, model, threshold_nm=thr, r_start_um=35.0,
            r_stop_um=100.0, rays=96, max_shift_um=30.0, persist=3)
        centre = local + origin
        inner = FIT_INNER_UM
        lap("fiber edge")

    coef, rms, zone_fraction = _sphere_fit_rms(z, p, centre, FIT_INNER_UM, floor, FIT_STRIDE,
                                               None if fit_at is None else (coef, fit_at))
    height = _fiber_offset(z, p, centre, coef, sigma)
    lap("sphere fit")
    d = coef[3]
    with np.errstate(divide="ignore", invalid="ignore"):  # a flat face: infinite radius
        apex_dx, apex_dy = -coef[1] / (2 * d), -coef[2] / (2 * d)
        radius_mm = float(-0.5 / d) if d != 0 else math.inf
    cx, cy = float(centre[0, 0]), float(centre[0, 1])
    reasons: list[str] = []
    width, height_um = (nx - 1) * p, (ny - 1) * p
    if not found[0]:
        reasons.append("no fiber found (no fiber edge within 30 um of the image centre)")
    elif min(cx, cy) < FIT_OUTER_UM or cx > width - FIT_OUTER_UM or cy > height_um - FIT_OUTER_UM:
        reasons.append(f"the fiber (x = {cx:.0f} um, y = {cy:.0f} um) is too near the field "
                       f"edge for the {FIT_OUTER_UM:g} um fit zone")
    elif not centre_sd[0] <= MAX_CENTRE_SD_UM:
        reasons.append(f"the fiber edge is too faint or broken to place the fiber centre within "
                       f"1 um (standard error {centre_sd[0]:.2f} um, at most "
                       f"{MAX_CENTRE_SD_UM:g} um)")
    elif zone_fraction < MIN_ZONE_FRACTION:
        reasons.append(f"only {100 * zone_fraction:.0f} % of the 70-140 um fit zone has data")
    elif not (np.isfinite(radius_mm) and radius_mm > 0):
        reasons.append("the ferrule is not convex (no sphere apex)")
    elif not (0 <= cx + apex_dx <= width and 0 <= cy + apex_dy <= height_um):
        reasons.append(f"the sphere's apex ({cx + apex_dx:.0f}, {cy + apex_dy:.0f}) um lies "
                       f"outside the field of view")
    elif not rms <= MAX_FIT_RMS_NM + 2.0 * sigma:
        reasons.append(f"the sphere fit leaves {rms:.1f} nm RMS (at most "
                       f"{MAX_FIT_RMS_NM + 2.0 * sigma:.1f} nm): the ferrule is not a sphere")
    elif not np.isfinite(height):
        reasons.append("no valid pixels on the fiber face")
    lap("results")
    return RoundGeometry(
        radius_mm=radius_mm,
        apex_offset_um=float(math.hypot(apex_dx, apex_dy)),
        fiber_height_nm=height,
        fiber_x_um=float(centre[0, 0]),
        fiber_y_um=float(centre[0, 1]),
        apex_x_um=float(centre[0, 0] + apex_dx),
        apex_y_um=float(centre[0, 1] + apex_dy),
        noise_nm=sigma,
        fit_rms_nm=rms,
        reasons=tuple(reasons),
    )
