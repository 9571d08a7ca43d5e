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

import math
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mpokit.errors import InputError
from mpokit.qc._fields import MtFields
from mpokit.qc.fit import nanmedian, noise_sigma_nm, paraboloid_design, plane_design, robust_fit
from mpokit.qc.io import Scan
from mpokit.qc.locate import FloatArray, detect_mt_sites, extract_patches, refine_centres

__all__ = ["MtGeometry", "analyze_mt", "row_metrics"]

FIT_INNER_UM = 6.0
FIT_OUTER_UM = 40.0
CORE_UM = 3.0
PLANE_EXCLUDE_UM = 75.0


@dataclass(frozen=True)
class MtGeometry(MtFields):
    """End-face geometry of one MT ferrule; per-fiber arrays are sorted by row, then x.

    ``row`` is 0-based here (reports and JSON number rows and fibers from 1).
    """

    noise_nm: float
    plane_nm: tuple[float, float, float]  # z0 (nm), slope_x, slope_y (nm per um)

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
            design = np.stack([np.ones_like(x), x - x.mean()], axis=1)
            coef, *_ = np.linalg.lstsq(design, h, rcond=None)
            below = design @ coef - h
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
    sz = zw.sum()
    szx, szy = zw.sum(axis=0) @ x, zw.sum(axis=1) @ y
    gram = np.array([[s1, sx, sy], [sx, sxx, sxy], [sy, sxy, syy]])
    c = np.linalg.solve(gram, np.array([sz, szx, szy]))
    return float(c[0]), float(c[1]), float(c[2])


def _grid_plane(
    z: FloatArray, pixel_um: float, mask: NDArray[np.bool_], floor_nm: float, iterations: int = 6
) -> tuple[float, float, float]:
    """Robust least-squares plane ``z0 + sx x + sy y`` over ``mask``.

    The rejection limits are iterated on every second pixel in x and y (speed); the final
    rejection and fit use every pixel.
    """
    ny, nx = z.shape
    x = np.arange(nx, dtype=np.float64) * pixel_um
    y = np.arange(ny, dtype=np.float64) * pixel_um
    base = mask & np.isfinite(z)
    zs, bs, xs, ys = z[::2, ::2], base[::2, ::2], x[::2], y[::2]
    keep = bs
    med, limit = 0.0, np.inf
    coef = _plane_sums(zs, keep, xs, ys)
    for _ in range(iterations):
        resid = zs - (coef[0] + coef[1] * xs[None, :] + coef[2] * ys[:, None])
        rs = resid[keep]
        rs = rs[:: max(1, rs.size // 20_000)]  # the limits need a sample, not every pixel
        med = float(np.median(rs))
        limit = max(3.5 * 1.4826 * float(np.median(np.abs(rs - med))), floor_nm)
        with np.errstate(invalid="ignore"):
            new_keep = bs & (np.abs(resid - med) <= limit)
        if np.array_equal(new_keep, keep):
            break
        keep = new_keep
        coef = _plane_sums(zs, keep, xs, ys)
    resid = z - (coef[0] + coef[1] * x[None, :] + coef[2] * y[:, None])
    with np.errstate(invalid="ignore"):
        keep_full = base & (np.abs(resid - med) <= limit)
    return _plane_sums(z, keep_full, x, y)


def _fit_fibers(
    z: FloatArray, pixel_um: float, centres: FloatArray, floor_nm: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Sphere (paraboloid) fits in the 6-40 um zone of every fiber, batched.

    Returns coefficients ``(n, 4)`` in coordinates relative to each centre, and the patch
    heights, dx, dy used.
    """
    vals, dx, dy = extract_patches(z, pixel_um, centres, FIT_OUTER_UM + pixel_um)
    r = np.hypot(dx, dy)
    mask = (r >= FIT_INNER_UM) & (r <= FIT_OUTER_UM)
    coef, _ = robust_fit(paraboloid_design(dx, dy), vals, mask, floor_nm=floor_nm)
    return coef, vals, dx, dy


def _dome(coef: FloatArray) -> object:
    def model(cx: FloatArray, cy: FloatArray, dx: FloatArray, dy: FloatArray) -> FloatArray:
        c = coef.reshape(coef.shape[0], *([1] * (dx.ndim - 1)), 4)
        return np.asarray(
            c[..., 0] + c[..., 1] * dx + c[..., 2] * dy + c[..., 3] * (dx * dx + dy * dy)
        )

    return model


def analyze_mt(scan: Scan) -> MtGeometry:
    """Locate every fiber of an MT ferrule scan and measure the end-face geometry.

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

    # 1. coarse robust plane (subsampled) and residual
    step = max(1, int(math.sqrt(z.size / 20_000)))
    zs = z[::step, ::step]
    yy, xx = np.mgrid[0: z.shape[0]: step, 0: z.shape[1]: step] * p
    coef0, _ = robust_fit(plane_design(xx.ravel(), yy.ravel()), zs.ravel(),
                          np.isfinite(zs.ravel()), floor_nm=floor, iterations=10)
    ny, nx = z.shape
    plane0 = coef0[0] + coef0[1] * (np.arange(nx) * p)[None, :] + coef0[2] * (
        np.arange(ny) * p)[:, None]
    resid = z - plane0

    # 2. coarse sites on the pitch lattice
    centres, rows = detect_mt_sites(resid, p, max(6.0 * sigma, 10.0), scan.fibers)
    if centres.shape[0] == 0:
        raise InputError("no fibers found in the height map", field="height_nm",
                         fix="check kind='mt', pixel_um and the fiber count")

    # 3. sub-pixel centres: fiber sphere -> edge rays -> circle fit (two rounds)
    edge_thr = max(6.0 * sigma, 15.0)
    refined = np.zeros(len(centres), dtype=bool)
    for _ in range(2):
        coef, *_ = _fit_fibers(z, p, centres, floor)
        centres, refined = refine_centres(z, p, centres, _dome(coef),  # type: ignore[arg-type]
                                          threshold_nm=edge_thr)
    if scan.fibers is None and np.any(refined):
        # Counting fibers ourselves: a lattice site without a fiber edge is not a fiber.
        centres, rows = centres[refined], rows[refined]

    # 4. final fits
    coef, vals, dx, dy = _fit_fibers(z, p, centres, floor)
    exclude = np.zeros(z.shape, dtype=bool)
    half = math.ceil(PLANE_EXCLUDE_UM / p) + 1
    gx = np.arange(-half, half + 1) * p
    for cx, cy in centres:
        ix, iy = round(cx / p), round(cy / p)
        ys = slice(max(iy - half, 0), min(iy + half + 1, ny))
        xs = slice(max(ix - half, 0), min(ix + half + 1, nx))
        lx = gx[xs.start - (ix - half): xs.stop - (ix - half)] + ix * p - cx
        ly = gx[ys.start - (iy - half): ys.stop - (iy - half)] + iy * p - cy
        exclude[ys, xs] |= (lx[None, :] ** 2 + ly[:, None] ** 2) <= PLANE_EXCLUDE_UM**2
    z0, sx, sy = _grid_plane(z, p, ~exclude, floor)

    plane_at = z0 + sx * centres[:, 0] + sy * centres[:, 1]
    height = coef[:, 0] - plane_at
    with np.errstate(divide="ignore"):
        tip_radius_mm = -0.5 / coef[:, 3]
    core = np.hypot(dx, dy) <= CORE_UM
    model = (coef[:, 0, None] + coef[:, 1, None] * dx + coef[:, 2, None] * dy
             + coef[:, 3, None] * (dx * dx + dy * dy))
    dip = np.where(core, model - vals, np.nan)
    med = nanmedian(dip)
    with np.errstate(invalid="ignore"):
        dip = np.where(np.abs(dip - med[:, None]) <= max(5.0 * sigma, 10.0), dip, np.nan)
        with warnings.catch_warnings():  # a fiber with no core pixels has no core dip (NaN)
            warnings.simplefilter("ignore", RuntimeWarning)
            core_dip = np.nanmean(dip, axis=1) if dip.size else np.full(len(centres), np.nan)

    order = np.lexsort((centres[:, 0], rows))
    diff, adjacent, minus = row_metrics(rows[order], centres[order, 0], height[order])
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
    )
