"""MT ferrule end-face geometry (MPO-8/12/16/24/32) from a height map.

Definitions (``docs/qc.md`` is the reference; implemented here exactly):

* **Reference plane**: least-squares plane through the ferrule pixels farther than 75 um
  from every fiber centre (robust: MAD rejection, see :mod:`mpokit.qc.fit`).
  ``angle_x_deg = atan(slope_x)``, ``angle_y_deg = atan(slope_y) + fixture_angle_deg``.
* **Fiber height**: the sphere fitted to the fiber face between 6 and 40 um from its centre,
  evaluated at the centre, minus the reference plane at the centre. ``tip_radius_mm`` is
  that sphere's radius (positive = convex dome). ``core_dip_nm``: fitted sphere minus measured
  height over the pixels within 3 um of the centre, averaged (positive = recessed core).
* ``height_diff_nm`` = max - min height; ``adjacent_diff_nm`` = largest |H(i) - H(i+1)|
  between neighbours in a row; ``minus_coplanarity_nm`` = largest distance of a fiber below
  the least-squares line through (x_i, H_i) of its row (0 if none is below).

Example:
    >>> from mpokit.qc.simulate import simulate_mt
    >>> scan, truth = simulate_mt(fibers=12, seed=3, noise_nm=0.5)
    >>> geo = analyze_mt(scan)
    >>> bool(abs(geo.height_nm - truth.height_nm).max() < 2.0)
    True
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mpokit.errors import InputError
from mpokit.qc._fields import MtFields
from mpokit.qc._stages import lap
from mpokit.qc.fit import (
    median,
    nanmedian,
    noise_sigma_nm,
    paraboloid_design,
    robust_fit,
    translate_paraboloid,
)
from mpokit.qc.io import Scan
from mpokit.qc.locate import (
    MIN_STRENGTH,
    PITCH_UM,
    FloatArray,
    detect_mt_sites,
    extract_patches,
    patch_offsets_um,
    refine_centres,
    spike_pixels,
)

__all__ = ["MtGeometry", "analyze_mt", "reference_mask", "reference_plane_exact", "row_metrics"]

FIT_INNER_UM = 6.0
FIT_OUTER_UM = 40.0
CORE_UM = 3.0
PLANE_EXCLUDE_UM = 75.0
FIBER_RADIUS_UM = 62.5
PITCH_TOL_UM = 4.0
"""Largest deviation of a fiber spacing from a multiple of 250 um, and of a fiber centre from
its row's straight line, before the location is not trusted."""
MIN_ZONE_FRACTION = 0.5
"""Smallest fraction of a fiber's 6-40 um fit zone that must hold valid pixels."""
GRID_UM = 4.0
"""Spacing of the decimated grid that fiber location and the reference plane work on."""
EDGE_REACH_UM = 95.0
"""Farthest a fiber edge is looked for from a provisional centre."""
REFIT_UM = 12.0
"""How far a centre may move before the fiber's sphere is fitted again about it."""


@dataclass(frozen=True)
class MtGeometry(MtFields):
    """End-face geometry of one MT ferrule; per-fiber arrays are sorted by row, then x.

    ``row`` is 0-based here (reports and JSON number rows and fibers from 1).
    """

    noise_nm: float
    plane_nm: tuple[float, float, float]  # z0 (nm), slope_x, slope_y (nm per um)
    reasons: tuple[str, ...] = ()
    """Why the scan is ``unmeasurable`` (empty when every fiber was located and validated)."""

    @property
    def fibers(self) -> int:
        """Number of fibers found."""
        return int(self.height_nm.size)


def row_metrics(
    row: NDArray[np.int64], x_um: NDArray[np.float64], height_nm: NDArray[np.float64]
) -> tuple[float, float, float]:
    """``(height_diff_nm, adjacent_diff_nm, minus_coplanarity_nm)`` from per-fiber values.

    Fibers are taken in the given order within each row (sort by x first). Fibers with a
    NaN height are ignored.

    >>> row_metrics(np.array([0, 0, 0]), np.array([0.0, 250.0, 500.0]), np.array([0, -30.0, 0]))
    (30.0, 30.0, 20.0)
    """
    ok = np.isfinite(height_nm)
    if not np.any(ok):
        return (math.nan, math.nan, math.nan)
    h_all = height_nm[ok]
    diff = float(h_all.max() - h_all.min())
    adjacent = 0.0
    minus = 0.0
    for r in np.unique(row[ok]):
        sel = ok & (row == r)
        x = x_um[sel]
        h = height_nm[sel]
        if h.size >= 2:
            adjacent = max(adjacent, float(np.max(np.abs(np.diff(h)))))
            u = x - x.mean()  # least-squares line through (x, h), in closed form
            sxx = float(u @ u)
            slope = float(u @ h) / sxx if sxx > 0 else 0.0
            below = h.mean() + slope * u - h
            minus = max(minus, float(below.max()))
    return (diff, adjacent, max(minus, 0.0))


def _plane_sums(
    z: FloatArray, keep: NDArray[np.bool_], x: FloatArray, y: FloatArray
) -> tuple[float, float, float]:
    """Least-squares plane over ``keep`` from separable grid sums (no design matrix)."""
    w = keep.astype(np.float64)
    zw = np.where(keep, z, 0.0)
    wc, wr = w.sum(axis=0), w.sum(axis=1)  # per column (x), per row (y)
    s1 = wc.sum()
    if s1 < 3:
        raise InputError("too few ferrule pixels to fit the reference plane", field="height_nm")
    sx, sy = wc @ x, wr @ y
    sxx, syy = wc @ (x * x), wr @ (y * y)
    sxy = y @ (w @ x)
    zc = zw.sum(axis=0)
    sz = zc.sum()
    szx, szy = zc @ x, zw.sum(axis=1) @ y
    gram = np.array([[s1, sx, sy], [sx, sxx, sxy], [sy, sxy, syy]])
    c = np.linalg.solve(gram, np.array([sz, szx, szy]))
    return float(c[0]), float(c[1]), float(c[2])


def _reference_plane(
    z: FloatArray, resid: FloatArray, pixel_um: float, mask: NDArray[np.bool_], floor_nm: float
) -> tuple[float, float, float]:
    """The reference plane: least squares over ``mask`` after rejecting outliers (spikes,
    debris) against the robust ferrule form (``resid`` = ``z`` minus that form), so that a
    curved ferrule loses no pixels to the rejection and the plane is the definition's.

    ``z`` may be the height map on a decimated grid (every ``s``-th pixel both ways, with
    ``pixel_um`` the grid's spacing): the plane of a region sampled on a regular grid is the
    same plane, and a few ten thousand ferrule pixels leave its noise far below the
    tolerances (a 0.0001 deg angle, 0.05 nm at a fiber for 3 nm pixel noise)."""
    ny, nx = z.shape
    x = np.arange(nx, dtype=np.float64) * pixel_um
    y = np.arange(ny, dtype=np.float64) * pixel_um
    k = max(1, resid.size // 40_000)  # the rejection limit from a regular subset
    sub = resid.ravel()[::k]
    sample = sub[mask.ravel()[::k] & np.isfinite(sub)]
    if sample.size < 3:
        raise InputError("too few ferrule pixels to fit the reference plane", field="height_nm")
    med = median(sample)
    limit = max(3.5 * 1.4826 * median(np.abs(sample - med)), floor_nm)
    dev = resid - med
    np.abs(dev, out=dev)
    with np.errstate(invalid="ignore"):
        keep = dev <= limit  # no data (NaN) is never kept
    keep &= mask
    return _plane_sums(z, keep, x, y)


def _fit_fibers(
    z: FloatArray, pixel_um: float, centres: FloatArray, floor_nm: float, iterations: int = 4,
    start: tuple[FloatArray, FloatArray] | None = None, stride: int = 1,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Sphere (paraboloid) fits in the 6-40 um zone of every fiber, batched.

    Returns coefficients ``(n, 4)`` in coordinates relative to each centre, and the patch
    heights, dx, dy used (a disc of pixels about each centre). ``iterations`` bounds the
    rejection rounds (one is enough for a model the fiber edge is searched against);
    ``start = (coef, at)`` starts from earlier fits about the centres ``at``; ``stride``
    fits every ``stride``-th pixel both ways (models for the edge search only).
    """
    vals, dx, dy = extract_patches(z, pixel_um, centres, FIT_OUTER_UM, disc=True,
                                   stride=stride)
    r2 = dx * dx + dy * dy
    mask = (r2 >= FIT_INNER_UM**2) & (r2 <= FIT_OUTER_UM**2)
    # every patch is fitted about its own centre pixel (one design for all), the spheres then
    # re-expressed about the centres: the same least-squares spheres
    grid = np.rint(centres / pixel_um) * pixel_um
    gx, gy = patch_offsets_um(pixel_um, FIT_OUTER_UM, disc=True, stride=stride)
    first = None if start is None else translate_paraboloid(start[0], start[1], grid)
    coef, _ = robust_fit(paraboloid_design(gx, gy), vals, mask, floor_nm=floor_nm,
                         iterations=iterations, start=first)
    return translate_paraboloid(coef, grid, centres), vals, dx, dy


def _dome(coef: FloatArray, at: FloatArray) -> object:
    """The fitted fiber spheres (``coef`` about the centres ``at``) as a surface model."""
    coef, at = coef.copy(), at.copy()

    def model(cx: FloatArray, cy: FloatArray, dx: FloatArray, dy: FloatArray) -> FloatArray:
        # the same spheres about the asked centres (exact), evaluated at the offsets
        c = translate_paraboloid(coef, at, np.stack([cx, cy], axis=1))
        c = c.reshape(coef.shape[0], *([1] * (dx.ndim - 1)), 4)
        out = dx * dx
        out += dy * dy
        out *= c[..., 3]
        out += c[..., 1] * dx
        out += c[..., 2] * dy
        out += c[..., 0]
        return np.asarray(out)

    return model


def reference_mask(shape: tuple[int, int], pixel_um: float,
                   centres_um: FloatArray) -> NDArray[np.bool_]:
    """Pixels farther than 75 um from every fiber centre (the reference-plane region).

    >>> m = reference_mask((40, 40), 4.0, np.array([[80.0, 80.0]]))
    >>> bool(m[20, 20]), bool(m[20, 38]), bool(m[20, 39])  # at 0, 72 and 76 um
    (False, False, True)
    """
    ny, nx = shape
    p = pixel_um
    exclude = np.zeros(shape, dtype=bool)
    c = np.asarray(centres_um, dtype=np.float64).reshape(-1, 2)
    c = c[np.all(np.isfinite(c), axis=1)]
    half = math.ceil(PLANE_EXCLUDE_UM / p) + 1
    offs = np.arange(-half, half + 1)
    ix = np.rint(c[:, 0] / p).astype(np.intp)[:, None, None] + offs[None, None, :]
    iy = np.rint(c[:, 1] / p).astype(np.intp)[:, None, None] + offs[None, :, None]
    near = ((ix * p - c[:, 0, None, None]) ** 2 + (iy * p - c[:, 1, None, None]) ** 2
            <= PLANE_EXCLUDE_UM**2)
    near &= (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
    ix, iy = np.broadcast_arrays(ix, iy)
    exclude[iy[near], ix[near]] = True
    return ~exclude


def reference_plane_exact(z: FloatArray, pixel_um: float,
                          keep: NDArray[np.bool_]) -> tuple[float, float, float]:
    """Plain least-squares plane ``(z0, slope_x, slope_y)`` over ``keep`` (no rejection):
    the definition applied to a noiseless surface."""
    ny, nx = z.shape
    x = np.arange(nx, dtype=np.float64) * pixel_um
    y = np.arange(ny, dtype=np.float64) * pixel_um
    return _plane_sums(z, keep & np.isfinite(z), x, y)


FORM_SAMPLES = 6000
"""Pixels (on a regular subgrid) the ferrule form is fitted to: six coefficients need few."""


@functools.lru_cache(maxsize=8)
def _form_design(ny: int, nx: int, p: float, fs: int) -> FloatArray:
    """Design ``(n, 6)`` of the ferrule form on the subgrid ``[fs//2::fs, fs//2::fs]`` of an
    ``ny`` x ``nx`` map (cached: a lot's scans share a shape)."""
    xm, ym = nx * p / 2.0, ny * p / 2.0
    u = (np.arange(fs // 2, nx, fs) * p - xm) / 1000.0  # mm keeps the equations conditioned
    v = (np.arange(fs // 2, ny, fs) * p - ym) / 1000.0
    uu, vv = np.meshgrid(u, v)
    design = np.stack([np.ones_like(uu), uu, vv, uu * uu, uu * vv, vv * vv], axis=-1)
    design = design.reshape(-1, 6)
    design.setflags(write=False)
    return design


def _form_residual(z: FloatArray, p: float, floor: float, step: int,
                   zd: FloatArray | None = None) -> FloatArray:
    """``z[::step, ::step]`` (``zd`` when given) minus the ferrule form: a plane plus
    low-order curvature (x^2, xy, y^2), fitted robustly on a coarse subgrid so that fibers,
    spikes and dropouts do not pull it. Only the decimated grid is ever formed (no whole-map
    temporaries)."""
    ny, nx = z.shape
    fs = max(1, int(math.sqrt(z.size / FORM_SAMPLES)))
    zs = z[fs // 2::fs, fs // 2::fs]
    xm, ym = nx * p / 2.0, ny * p / 2.0
    flat = zs.ravel()
    coef, _ = robust_fit(_form_design(ny, nx, p, fs), flat, np.isfinite(flat), floor_nm=floor,
                         iterations=12, trim=0.5)
    if zd is None:
        zd = z[::step, ::step]
    if not np.all(np.isfinite(coef)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.asarray(zd - float(np.nanmedian(zs)))
    uf = (np.arange(0, nx, step) * p - xm) / 1000.0
    vf = (np.arange(0, ny, step) * p - ym) / 1000.0
    along_x = coef[0] + coef[1] * uf + coef[3] * uf * uf
    along_y = coef[2] * vf + coef[5] * vf * vf
    out = zd - along_x[None, :]
    out -= along_y[:, None]
    out -= np.multiply.outer(coef[4] * vf, uf)
    return np.asarray(out)


def _empty(sigma: float, reason: str) -> MtGeometry:
    e = np.zeros(0)
    return MtGeometry(row=np.zeros(0, dtype=np.int64), x_um=e, y_um=e, height_nm=e,
                      tip_radius_mm=e, core_dip_nm=e, angle_x_deg=math.nan,
                      angle_y_deg=math.nan, height_diff_nm=math.nan, adjacent_diff_nm=math.nan,
                      minus_coplanarity_nm=math.nan, noise_nm=sigma,
                      plane_nm=(math.nan, math.nan, math.nan), reasons=(reason,))


def _validate(
    shape: tuple[int, int], p: float, centres: FloatArray, rows: NDArray[np.int64],
    refined: NDArray[np.bool_], zone_fraction: FloatArray, coef: FloatArray,
) -> list[str]:
    """Reasons not to trust the located fibers (numbered by row, then x, from 1)."""
    ny, nx = shape
    reasons: list[str] = []
    order = np.lexsort((centres[:, 0], rows))
    cut = ((centres[:, 0] - FIBER_RADIUS_UM < 0) | (centres[:, 1] - FIBER_RADIUS_UM < 0)
           | (centres[:, 0] + FIBER_RADIUS_UM > (nx - 1) * p)
           | (centres[:, 1] + FIBER_RADIUS_UM > (ny - 1) * p))
    fine = (~cut & refined & (zone_fraction >= MIN_ZONE_FRACTION)
            & np.all(np.isfinite(coef), axis=1))
    for k, i in enumerate(order, start=1):
        if fine[i]:
            continue  # every test below passes
        cx, cy = centres[i]
        where = f"fiber {k} (x = {cx:.0f} um, y = {cy:.0f} um)"
        if (cx - FIBER_RADIUS_UM < 0 or cy - FIBER_RADIUS_UM < 0
                or cx + FIBER_RADIUS_UM > (nx - 1) * p or cy + FIBER_RADIUS_UM > (ny - 1) * p):
            reasons.append(f"{where}: the fiber face is cut by the field edge")
        elif not refined[i]:
            reasons.append(f"{where}: no fiber edge found (no fiber there, or too little data)")
        elif zone_fraction[i] < MIN_ZONE_FRACTION:
            reasons.append(f"{where}: only {100 * zone_fraction[i]:.0f} % of the fiber face has "
                           f"data (at least {100 * MIN_ZONE_FRACTION:.0f} % needed)")
        elif not np.all(np.isfinite(coef[i])):
            reasons.append(f"{where}: the fiber face cannot be fitted")
    if reasons:
        return reasons
    for r in np.unique(rows):
        sel = order[rows[order] == r]
        xr, yr = centres[sel, 0], centres[sel, 1]
        gaps = np.diff(xr)
        steps = np.rint(gaps / PITCH_UM)
        off = np.abs(gaps - steps * PITCH_UM)
        bad = np.nonzero((steps < 1) | (off > PITCH_TOL_UM))[0]
        if bad.size:
            j = int(bad[0])
            reasons.append(f"row {r + 1}: fibers {j + 1} and {j + 2} are {gaps[j]:.1f} um apart, "
                           f"not a multiple of the {PITCH_UM:g} um pitch")
        if xr.size >= 3:
            xm, ym = xr.mean(), yr.mean()
            slope = float(((xr - xm) * (yr - ym)).sum() / ((xr - xm) ** 2).sum())
            dev = np.abs(yr - ym - slope * (xr - xm))  # distance from the row's LS line
            if dev.max() > PITCH_TOL_UM:
                reasons.append(f"row {r + 1}: a fiber is {dev.max():.1f} um off the row's "
                               f"straight line (at most {PITCH_TOL_UM:g} um)")
    return reasons


def analyze_mt(scan: Scan) -> MtGeometry:
    """Locate every fiber of an MT ferrule scan and measure the end-face geometry.

    A scan whose fibers cannot all be located and validated comes back with ``reasons``
    (the verdict is then ``unmeasurable``), never with numbers that might be wrong.

    Parameters
    ----------
    scan
        An MT ferrule height map.

    Returns
    -------
    MtGeometry
        Fiber heights, end-face angles and radii of the fiber tips.
    """
    scan.check_field_of_view()
    z = scan.height_nm
    p = scan.pixel_um
    sigma = noise_sigma_nm(z)
    if not np.isfinite(sigma):
        raise InputError("height map has (almost) no data", field="height_nm")
    floor = max(3.0 * sigma, 1.0)
    lap("noise")

    # 1. remove the ferrule form (plane + curvature) so that location does not depend on level;
    # location and the reference plane work on a grid of about 4 um (every ``step``-th pixel)
    step = max(1, round(GRID_UM / p))
    zd = np.ascontiguousarray(z[::step, ::step])  # one copy serves the form and the plane
    resid = _form_residual(z, p, floor, step, zd)
    lap("form")

    # 2. coarse sites on the pitch lattice, by local contrast against the ferrule
    centres, rows, strength = detect_mt_sites(resid, p * step, max(6.0 * sigma, 10.0),
                                              scan.fibers)
    lap("detect")
    strong = strength >= MIN_STRENGTH
    if not np.any(strong):
        return _empty(sigma, "no fibers found (nothing stands out from the ferrule surface)")
    if scan.fibers is not None and int(strong.sum()) < scan.fibers:
        return _empty(sigma, f"found {int(strong.sum())} fibers, the file declares "
                             f"{scan.fibers}")

    # 3. sub-pixel centres: fiber sphere -> edge rays -> circle fit (three rounds); edges are
    # searched without isolated spikes (they would read as edges)
    edge_thr = max(6.0 * sigma, 15.0)
    refined = np.zeros(len(centres), dtype=bool)
    ny, nx = z.shape
    reach = math.ceil(EDGE_REACH_UM / p) + 1
    windows = []
    for cx, cy in centres:
        ic, jc = round(cx / p), round(cy / p)
        windows.append((slice(min(max(jc - reach, 0), ny), min(max(jc + reach + 1, 0), ny)),
                        slice(min(max(ic - reach, 0), nx), min(max(ic + reach + 1, 0), nx))))
    spikes = np.zeros(z.shape, dtype=bool)  # read as no data by the edge search
    spikes[spike_pixels(z, max(10.0 * sigma, 250.0), windows)] = True
    lap("spikes")
    # The spheres are refitted only when a centre moved by more than REFIT_UM since the last
    # fit (a sphere fitted about a centre up to 12 um off, its 6-40 um zone still on the 62.5 um
    # face, is the same sphere). The first round looks for the edge 42-95 um out along 32 rays
    # sampled every pixel (the edge persisting over 3 samples, the same length as 6 half-pixel
    # samples); once every fiber has an edge, the next rounds look 50-78 um out (the plausible
    # radii) along 64 rays; a third round runs only when the second left a fiber without one.
    fit_at = centres.copy()
    coef = _fit_fibers(z, p, centres, floor, iterations=1, stride=2)[0]
    lap("fiber fits")
    band, rays, ray_step, persist = (42.0, EDGE_REACH_UM), 32, p, 3
    for k in range(3):  # a third round keeps heavily spiked scans measurable (tested)
        if k == 2 and np.all(refined):
            break  # the 64-ray round placed every fiber: a third would only re-sample
        if np.max(np.hypot(*(centres - fit_at).T)) > REFIT_UM:
            coef = _fit_fibers(z, p, centres, floor, iterations=1, start=(coef, fit_at),
                               stride=2)[0]
            fit_at = centres.copy()
            lap("fiber fits")
        centres, refined, _ = refine_centres(z, p, centres,
                                             _dome(coef, fit_at),  # type: ignore[arg-type]
                                             threshold_nm=edge_thr, r_start_um=band[0],
                                             r_stop_um=band[1], rays=rays, step_um=ray_step,
                                             persist=persist, exclude=spikes)
        lap("fiber edges")
        if np.all(refined):
            band, rays, ray_step, persist = (50.0, 78.0), 64, 0.5 * p, 6

    # 4. final fits (starting from the last model, so the rejection converges in a step or two)
    coef, vals, dx, dy = _fit_fibers(z, p, centres, floor, start=(coef, fit_at))
    lap("fiber fits")
    rr = np.hypot(dx, dy)
    zone = (rr >= FIT_INNER_UM) & (rr <= FIT_OUTER_UM)
    zone_fraction = (zone & np.isfinite(vals)).sum(axis=1) / np.maximum(zone.sum(axis=1), 1)
    reasons = _validate(z.shape, p, centres, rows, refined, zone_fraction, coef)
    z0, sx, sy = _reference_plane(zd, resid, p * step,
                                  reference_mask(zd.shape, p * step, centres), floor)
    lap("reference plane")

    plane_at = z0 + sx * centres[:, 0] + sy * centres[:, 1]
    height = coef[:, 0] - plane_at
    with np.errstate(divide="ignore"):
        tip_radius_mm = -0.5 / coef[:, 3]
    # core dip over the few pixels within 3 um (a patch of their own, not the fit's disc)
    cvals, cdx, cdy = extract_patches(z, p, centres, CORE_UM, disc=True)
    core = cdx * cdx + cdy * cdy <= CORE_UM**2
    model = (coef[:, 0, None] + coef[:, 1, None] * cdx + coef[:, 2, None] * cdy
             + coef[:, 3, None] * (cdx * cdx + cdy * cdy))
    dip = np.where(core, model - cvals, np.nan)
    med = nanmedian(dip)
    with np.errstate(invalid="ignore"):
        dip = np.where(np.abs(dip - med[:, None]) <= max(5.0 * sigma, 10.0), dip, np.nan)
        with warnings.catch_warnings():  # a fiber with no core pixels has no core dip (NaN)
            warnings.simplefilter("ignore", RuntimeWarning)
            core_dip = np.nanmean(dip, axis=1) if dip.size else np.full(len(centres), np.nan)

    order = np.lexsort((centres[:, 0], rows))
    diff, adjacent, minus = row_metrics(rows[order], centres[order, 0], height[order])
    lap("results")
    return MtGeometry(
        row=rows[order],
        x_um=centres[order, 0],
        y_um=centres[order, 1],
        height_nm=height[order],
        tip_radius_mm=tip_radius_mm[order],
        core_dip_nm=np.asarray(core_dip)[order],
        angle_x_deg=math.degrees(math.atan(sx / 1000.0)),
        angle_y_deg=math.degrees(math.atan(sy / 1000.0)) + scan.fixture_angle_deg,
        height_diff_nm=diff,
        adjacent_diff_nm=adjacent,
        minus_coplanarity_nm=minus,
        noise_nm=sigma,
        plane_nm=(z0, sx, sy),
        reasons=tuple(reasons),
    )
