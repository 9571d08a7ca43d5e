"""Least-squares building blocks for end-face geometry: vectorised, batched, robust.

Heights are in nm and lateral coordinates in um throughout. Every fit here works on
*masked pixel subsets*: a design matrix, the measured heights and a boolean mask of the
pixels that take part. Batched fits carry a leading axis (one fiber per slice), so twelve
or thirty-two fibers are fitted with one call to :func:`numpy.linalg.solve`.

Robust rejection (used by every fit in the QC stage):

1. fit by least squares on the masked pixels;
2. robust residual scale ``s = 1.4826 * MAD`` of the residuals;
3. drop pixels whose residual is more than ``max(k * s, floor_nm)`` from the residual
   median (``k = 3.5``; ``floor_nm`` is about three times the instrument noise, so clean
   data loses almost nothing);
4. refit, and repeat until the mask stops changing (at most ``iterations`` times).

Example:
    >>> import numpy as np
    >>> x = np.linspace(-50.0, 50.0, 101)
    >>> xx, yy = np.meshgrid(x, x)
    >>> z = 20.0 + 0.5 * xx - 0.1 * (xx**2 + yy**2)
    >>> z[50, 50] = 1e4  # a dust spike
    >>> design = paraboloid_design(xx, yy).reshape(-1, 4)
    >>> coef, _ = robust_fit(design, z.ravel(), np.isfinite(z.ravel()))
    >>> np.allclose(coef, [20.0, 0.5, 0.0, -0.1])
    True
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "bilinear",
    "circle_fit",
    "masked_median",
    "median",
    "median_mad",
    "nanmedian",
    "noise_sigma_nm",
    "paraboloid_design",
    "plane_design",
    "robust_fit",
    "robust_scale",
    "translate_paraboloid",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

MAD_TO_SIGMA = 1.4826


def plane_design(x: FloatArray, y: FloatArray) -> FloatArray:
    """Design matrix ``[1, x, y]`` (last axis) for ``z = a + b x + c y``."""
    one = np.ones_like(x)
    return np.stack([one, x, y], axis=-1)


def paraboloid_design(x: FloatArray, y: FloatArray) -> FloatArray:
    """Design matrix ``[1, x, y, x^2 + y^2]`` for a sphere in its small-sag form.

    ``z = a + b x + c y + d (x^2 + y^2)`` is a paraboloid of revolution about the z axis;
    a sphere of radius ``R`` (um) has ``d = -500 / R`` nm/um^2 and the two differ by the
    fourth-order sag ``rho^4 / (8 R^3)``, below 0.001 nm for an MT fiber (rho <= 90 um,
    R >= 1 mm) and below 0.5 nm for a round ferrule (rho <= 200 um, R >= 7 mm). The
    apex (where the normal is along z) is at ``(-b / 2d, -c / 2d)``.
    """
    one = np.ones_like(x)
    return np.stack([one, x, y, x * x + y * y], axis=-1)


def translate_paraboloid(coef: FloatArray, at: FloatArray, to: FloatArray) -> FloatArray:
    """Paraboloids ``a + b x + c y + d (x^2 + y^2)`` (rows of ``coef``) about centres ``at``
    (rows ``(x, y)``), re-expressed about the centres ``to``: the same surfaces, exactly.

    >>> translate_paraboloid(np.array([[0.0, 0.0, 0.0, 1.0]]), np.zeros((1, 2)),
    ...                      np.array([[1.0, 0.0]])).tolist()
    [[1.0, 2.0, 0.0, 1.0]]
    """
    tx, ty = (np.asarray(to, dtype=np.float64) - at).T
    a, b, c, d = np.asarray(coef, dtype=np.float64).T
    return np.stack([a + b * tx + c * ty + d * (tx * tx + ty * ty), b + 2 * d * tx,
                     c + 2 * d * ty, d], axis=1)


def median_mad(
    values: FloatArray, mask: BoolArray, axis: int = -1
) -> tuple[FloatArray, FloatArray]:
    """Median and ``1.4826 * MAD`` of ``values`` over ``mask`` along ``axis`` (NaN if empty)."""
    if np.ndim(values) == 1:  # one fit: the selected values, two partitions
        sel = np.asarray(values, dtype=np.float64)[np.asarray(mask, dtype=bool)]
        sel = sel[~np.isnan(sel)]
        med1 = median(sel)
        mad1 = median(np.abs(sel - med1)) if sel.size else math.nan
        return np.asarray(med1), np.asarray(MAD_TO_SIGMA * mad1)
    if np.ndim(values) == 2 and axis in (-1, 1) and 0 < np.shape(values)[1] <= 1024:
        return _short_median_mad(np.asarray(values, dtype=np.float64), mask)
    v = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)
    m = np.moveaxis(np.asarray(mask, dtype=bool), axis, -1)
    med = masked_median(v, m)
    mad = masked_median(np.abs(v - med[..., None]), m)
    return med, np.asarray(MAD_TO_SIGMA * mad, dtype=np.float64)


def _short_median_mad(values: FloatArray, mask: BoolArray) -> tuple[FloatArray, FloatArray]:
    """:func:`median_mad` of rows of up to 1024 values (``(m, n)``: circle fits, the residual
    samples of batched fits) by two sorts: the ranks :func:`masked_median` picks, with a few
    array operations (a sort of 1000 values costs less than the partition bookkeeping)."""
    n = values.shape[1]
    s = np.where(mask, values, np.nan)  # NaN sorts last
    s.sort(axis=-1)
    k = (s == s).sum(axis=-1)
    rows = np.arange(s.shape[0])
    lo, hi = np.maximum((k - 1) // 2, 0), np.minimum(k // 2, n - 1)
    med = 0.5 * (s[rows, lo] + s[rows, hi])
    med[k == 0] = np.nan
    d = np.abs(s - med[:, None])  # the left-out entries stay NaN, last
    d.sort(axis=-1)
    return med, MAD_TO_SIGMA * (0.5 * (d[rows, lo] + d[rows, hi]))


def robust_scale(values: FloatArray, mask: BoolArray, axis: int = -1) -> FloatArray:
    """``1.4826 * MAD`` of ``values`` over ``mask`` along ``axis`` (NaN where empty)."""
    return median_mad(values, mask, axis)[1]


def masked_median(values: FloatArray, mask: BoolArray) -> FloatArray:
    """Median of ``values`` over ``mask`` (and not NaN) along the last axis; NaN where empty.

    Exact, and partition-based rather than sorting: of the ``b`` entries left out in a row,
    the first ``b // 2`` are set to ``-inf`` and the rest to ``+inf``, which keeps the valid
    entries' median at one of four fixed ranks of the whole row.

    >>> masked_median(np.array([[5.0, 1.0, 9.0, 2.0]]), np.array([[True, True, False, True]]))
    array([2.])
    """
    v = np.asarray(values, dtype=np.float64)
    n = v.shape[-1]
    if n == 0:
        return np.full(v.shape[:-1], np.nan)
    if n <= 128:  # short rows (circle fits): a sort has less overhead
        lead = v.shape[:-1]
        s = np.where(mask, v, np.nan).reshape(-1, n)  # NaN sorts last
        s.sort(axis=-1)
        k = (s == s).sum(axis=-1)  # entries with data
        rows = np.arange(s.shape[0])
        out = s[rows, np.maximum((k - 1) // 2, 0)]
        out += s[rows, np.minimum(k // 2, n - 1)]
        out *= 0.5
        out[k == 0] = np.nan
        return out.reshape(lead)
    bad = ~np.asarray(mask, dtype=bool) | np.isnan(v)
    n_bad = bad.sum(axis=-1)
    low = bad & (np.cumsum(bad, axis=-1) <= (n_bad // 2)[..., None])
    w = np.where(bad, np.where(low, -np.inf, np.inf), v)
    k = n - n_bad
    lo = n_bad // 2 + np.maximum(k - 1, 0) // 2
    hi = n_bad // 2 + k // 2
    # one partition about rank K; ranks K - 1 and K + 1 are the neighbouring max and min
    # (a partition with several ranks costs several times one)
    r0 = (n - 1) // 2
    part = np.partition(w, r0, axis=-1)
    at = part[..., r0]
    below = part[..., :r0].max(axis=-1) if r0 > 0 else at
    above = part[..., r0 + 1:].min(axis=-1) if r0 + 1 < n else at

    def pick(rank: NDArray[np.int64]) -> FloatArray:
        return np.asarray(np.where(rank == r0, at, np.where(rank < r0, below, above)))

    with np.errstate(invalid="ignore"):
        return np.asarray(np.where(k > 0, 0.5 * (pick(lo) + pick(hi)), np.nan),
                          dtype=np.float64)


def median(values: FloatArray) -> float:
    """Median of a 1-D array without NaN: one partition (``numpy.median`` partitions about
    two ranks, several times the cost).

    >>> median(np.array([4.0, 1.0, 3.0, 2.0]))
    2.5
    """
    a = np.asarray(values, dtype=np.float64).ravel()
    n = a.size
    if n == 0:
        return float("nan")
    k = n // 2
    part = np.partition(a, k)
    if n % 2:
        return float(part[k])
    return float(0.5 * (part[k] + part[:k].max()))


def nanmedian(values: FloatArray, axis: int = -1, keepdims: bool = False) -> FloatArray:
    """Median ignoring NaN along ``axis`` (all-NaN slices give NaN, without a warning).

    Partition-based and vectorised (:func:`masked_median`): much faster than
    :func:`numpy.nanmedian` on many short rows.
    """
    v = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)
    med = masked_median(v, ~np.isnan(v))
    if keepdims:
        med = np.expand_dims(med, axis)
    return np.asarray(med, dtype=np.float64)


def _solve(design: FloatArray, z: FloatArray, weight: FloatArray) -> FloatArray:
    """Weighted normal equations, batched over leading axes: returns coefficients.

    Fits with too few pixels (a singular system) come back as NaN; callers check.
    """
    zw = np.where(weight > 0, z, 0.0)
    awt = np.swapaxes(design * weight[..., None], -1, -2)
    return _solve_normal(awt @ design, awt @ zw[..., None])


def _solve_shared(design: FloatArray, design_t: FloatArray, prods: FloatArray | None,
                  z: FloatArray, weight: FloatArray) -> FloatArray:
    """:func:`_solve` for ``m`` fits over one design ``(n, p)``: ``z`` and ``weight`` are
    ``(m, n)``, ``design_t`` the design transposed (contiguous) and ``prods`` its products
    ``(n, p * p)`` (needed when ``m > 1``); the normal equations of every fit are two matrix
    products."""
    m, p = z.shape[0], design.shape[1]
    zw = np.where(weight > 0, z, 0.0)
    zw *= weight
    if m == 1 or prods is None:
        gram = np.stack([(design_t * w) @ design for w in weight])
    else:
        gram = (weight @ prods).reshape(m, p, p)
    return _solve_normal(gram, (zw @ design)[..., None])


def _solve_normal(gram: FloatArray, rhs: FloatArray) -> FloatArray:
    """Coefficients from normal equations ``gram @ c = rhs`` (``rhs`` ``(..., p, 1)``); NaN
    for a singular system."""
    k = gram.shape[-1]
    # Scale to unit diagonal so the conditioning test does not depend on units.
    diag = np.sqrt(np.diagonal(gram, axis1=-2, axis2=-1))
    diag[~(diag > 0)] = 1.0
    inv = 1.0 / diag
    g = gram * inv[..., :, None]
    g *= inv[..., None, :]
    # condition number of the symmetric (positive semi-definite) Gram matrix from its
    # eigenvalues: the same 2-norm figure as an SVD, at a fraction of the cost
    eig = np.linalg.eigvalsh(g)
    bad = ~(eig[..., 0] > eig[..., -1] * 1e-12)  # NaN compares False: bad
    if bad.any():
        g[bad] = np.eye(k)
    sol = np.linalg.solve(g, rhs * inv[..., None])[..., 0]
    sol *= inv
    if bad.any():
        sol[bad] = np.nan
    return np.asarray(sol, dtype=np.float64)


MAD_SAMPLES = 512
"""Residuals (a regular subset of each fit's pixels) the rejection median and MAD use: the
MAD of 512 residuals is within about 5 % of the whole fit's, far below what moves a
``3.5 sigma`` rejection limit."""


def robust_fit(
    design: FloatArray,
    z: FloatArray,
    mask: BoolArray,
    *,
    k: float = 3.5,
    floor_nm: float = 0.0,
    iterations: int = 4,
    trim: float | None = None,
    start: FloatArray | None = None,
) -> tuple[FloatArray, BoolArray]:
    """Least-squares fit with iterative MAD rejection; batched over leading axes.

    ``design`` has shape ``(..., n, p)``, ``z`` and ``mask`` ``(..., n)``. Returns the
    coefficients ``(..., p)`` and the mask of pixels kept in the final fit. Pixels where
    ``z`` is not finite never take part. The residual median and MAD of step 2 are taken
    over every ``n // 512``-th pixel (:data:`MAD_SAMPLES`); the rejection and the refit
    use every pixel. With ``trim`` (a 1-D fit only), the first fit is redone on the ``trim``
    fraction of pixels closest to it before the rejection rounds: a start that features
    covering well under half the pixels (fibers on a ferrule) cannot pull, so the rounds
    converge in two or three steps instead of a dozen. ``start`` (coefficients of a fit of
    the same surface, e.g. about a nearby centre) replaces the first plain fit: the first
    rejection is then already against a clean model. ``design`` may also be ``(n, p)`` with
    ``z`` and ``mask`` ``(m, n)``: ``m`` fits over one design (patches of one shape in each
    patch's own frame), each round then costs a few matrix products.
    """
    with np.errstate(invalid="ignore"):
        base = mask & np.isfinite(z)
    if design.ndim == 2 and np.ndim(z) in (1, 2):
        n, p = design.shape
        one = np.ndim(z) == 1
        coef, keep = _robust_fit_shared(
            design, np.asarray(z, dtype=np.float64).reshape(-1, n), base.reshape(-1, n), k,
            floor_nm, iterations, trim if one else None,
            None if start is None else np.reshape(start, (-1, p)))
        return (coef[0], keep[0]) if one else (coef, keep)
    keep = base
    fitted = True  # coef is the fit over keep
    if start is not None and np.all(np.isfinite(start)):
        coef = np.asarray(start, dtype=np.float64)
        fitted = False
    else:
        coef = _solve(design, z, keep.astype(np.float64))
    stride = max(1, design.shape[-2] // MAD_SAMPLES)
    for _ in range(iterations):
        resid = z - (design @ coef[..., None])[..., 0]
        med, scale = median_mad(resid[..., ::stride], keep[..., ::stride])
        limit = np.maximum(k * np.where(np.isnan(scale), np.inf, scale), floor_nm)
        with np.errstate(invalid="ignore"):
            new_keep = base & (np.abs(resid - med[..., None]) <= limit[..., None])
        if fitted and np.array_equal(new_keep, keep):
            break
        keep, fitted = new_keep, True
        coef = _solve(design, z, keep.astype(np.float64))
    return coef, keep


def _robust_fit_shared(
    design: FloatArray, z: FloatArray, base: BoolArray, k: float, floor_nm: float,
    iterations: int, trim: float | None, start: FloatArray | None,
) -> tuple[FloatArray, BoolArray]:
    """:func:`robust_fit` of ``m`` fits over one design ``(n, p)`` (``z``, ``base`` ``(m, n)``,
    ``base`` the pixels with data that may take part): the same rounds. A single fit forms
    its normal equations over ``base`` once; each round then subtracts the few rejected
    pixels' terms (the same equations, a pass over the rejected pixels only)."""
    n, p = design.shape
    m = z.shape[0]
    design_t = np.ascontiguousarray(design.T)
    prods = (design[:, :, None] * design[:, None, :]).reshape(n, p * p) if m > 1 else None
    sums: list[FloatArray] = []  # one fit: its normal equations over every pixel with data

    def solve(keep: BoolArray) -> FloatArray:
        if m == 1:
            if not sums:
                w = base[0].astype(np.float64)
                sums.extend([(design_t * w) @ design, np.where(base[0], z[0], 0.0) @ design])
            drop = np.flatnonzero(base[0] & ~keep[0])
            if 4 * drop.size <= n:  # few rejected: take their terms out of the sums
                dd = design[drop]
                return _solve_normal((sums[0] - dd.T @ dd)[None],
                                     (sums[1] - z[0, drop] @ dd)[None, :, None])
        return _solve_shared(design, design_t, prods, z, keep.astype(np.float64))

    keep = base
    fitted = True
    if start is not None and np.all(np.isfinite(start)):
        coef = np.asarray(start, dtype=np.float64)
        fitted = False
    else:
        coef = solve(keep)
    if trim is not None and m == 1 and np.all(np.isfinite(coef)):
        n_keep = int(trim * int(base.sum()))
        if n_keep >= p * 4:
            dev = np.where(base, np.abs(z - coef @ design_t), np.inf)
            cut = np.partition(dev[0], n_keep)[n_keep]
            keep = base & (dev < cut)
            coef = solve(keep)
    stride = max(1, n // MAD_SAMPLES)
    for _ in range(iterations):
        resid = z - coef @ design_t
        med, scale = median_mad(resid[:, ::stride], keep[:, ::stride])
        limit = np.maximum(k * np.where(np.isnan(scale), np.inf, scale), floor_nm)
        with np.errstate(invalid="ignore"):
            new_keep = base & (np.abs(resid - med[:, None]) <= limit[:, None])
        if fitted and np.array_equal(new_keep, keep):
            break
        keep, fitted = new_keep, True
        coef = solve(keep)
    return coef, keep


def noise_sigma_nm(height_nm: FloatArray, max_samples: int = 20_000) -> float:
    """Robust estimate of the pixel noise (nm RMS) from second differences along x.

    Second differences cancel tilt and turn curvature into a constant (removed with the
    median); the MAD ignores edges, spikes and steps; white noise gains ``sqrt(6)``. Rows are
    subsampled to about ``max_samples`` differences (all rows when that leaves too few with
    data).
    """
    ny, nx = height_nm.shape
    step = max(1, int(ny * (nx - 2) // max_samples))
    d = np.zeros(0)
    for s in ((step, 1) if step > 1 else (1,)):
        rows = height_nm[::s]
        d = (rows[:, 2:] - 2.0 * rows[:, 1:-1] + rows[:, :-2]).ravel()
        d = d[np.isfinite(d)]
        if d.size >= min(1000, max_samples // 4):
            break
    if d.size < 10:
        return float("nan")
    med = median(d)
    return float(MAD_TO_SIGMA * median(np.abs(d - med)) / np.sqrt(6.0))


def bilinear(image: FloatArray, iy: FloatArray, ix: FloatArray,
             exclude: BoolArray | None = None) -> FloatArray:
    """Sample ``image`` at fractional pixel indices by bilinear interpolation.

    Points outside the image, or touching a NaN pixel or a pixel that ``exclude`` (a map of
    the image's shape) marks, come back as NaN: ``exclude`` acts as if those pixels had no
    data, without a copy of the image.

    >>> img = np.arange(9.0).reshape(3, 3)
    >>> bilinear(img, np.array([0.5, 1.5]), np.array([0.5, 0.5])).tolist()
    [2.0, 5.0]
    >>> ex = np.zeros((3, 3), dtype=bool); ex[2, 0] = True
    >>> bilinear(img, np.array([0.5, 1.5]), np.array([0.5, 0.5]), ex).tolist()
    [2.0, nan]
    """
    ny, nx = image.shape
    y0 = np.floor(iy)
    x0 = np.floor(ix)
    fy = iy - y0
    fx = ix - x0
    inside = (y0 >= 0) & (x0 >= 0) & (y0 <= ny - 2) & (x0 <= nx - 2)
    y0 *= nx
    y0 += x0  # the flat index of the upper-left neighbour (exact in float64)
    i00 = np.where(inside, y0, 0).astype(np.intp)
    flat = image.ravel()  # the four neighbours from shifted views: no index arithmetic
    gx = 1 - fx
    top = flat.take(i00)
    top *= gx
    top += flat[1:].take(i00) * fx
    bottom = flat[nx:].take(i00)
    bottom *= gx
    bottom += flat[nx + 1:].take(i00) * fx
    top *= 1 - fy
    bottom *= fy
    out = top + bottom
    if exclude is not None:
        ex = exclude.ravel()
        inside &= ~(ex.take(i00) | ex[1:].take(i00) | ex[nx:].take(i00) | ex[nx + 1:].take(i00))
    return np.where(inside, out, np.nan)


_GRAM3 = np.array([0, 1, 2, 1, 3, 4, 2, 4, 5])
"""Where the 3 x 3 normal matrix of a circle fit takes each of the sums (1, x, y, xx, xy, yy)."""


def circle_fit(
    x: FloatArray, y: FloatArray, mask: BoolArray, *, iterations: int = 3, floor_um: float = 0.5
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """Algebraic (Kasa) circle fit with MAD rejection, batched over the leading axis.

    ``x``, ``y``, ``mask`` have shape ``(m, n)`` (``m`` circles of ``n`` points).
    Returns centre x, centre y, radius (each ``(m,)``) and the points kept. The 3 x 3 normal
    equations are formed from sums, in coordinates about each circle's mean point.
    """
    keep = mask & np.isfinite(x) & np.isfinite(y)
    m = x.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        count = keep.sum(axis=1)
        x0 = np.where(keep, x, 0.0).sum(axis=1) / np.maximum(count, 1)
        y0 = np.where(keep, y, 0.0).sum(axis=1) / np.maximum(count, 1)
    xs = np.where(keep, x - x0[:, None], 0.0)
    ys = np.where(keep, y - y0[:, None], 0.0)
    t = xs * xs + ys * ys
    # per point: the products the normal equations of t = a + b x + c y need; the sums of
    # every circle at once are one batched matrix product
    prods = np.stack([np.ones_like(xs), xs, ys, xs * xs, xs * ys, ys * ys, t, t * xs, t * ys],
                     axis=-1)
    rad = np.full(m, np.nan)
    bx = by = rad
    ok = np.zeros(m, dtype=bool)
    with np.errstate(invalid="ignore"):
        for _ in range(iterations + 1):
            sums = (keep.astype(np.float64)[:, None, :] @ prods)[:, 0]
            gram = sums[:, _GRAM3].reshape(m, 3, 3)
            det = np.linalg.det(gram)
            ok = np.abs(det) > 1e-9 * np.maximum(sums[:, 0] * sums[:, 3] * sums[:, 5], 1e-300)
            if not np.all(ok):
                gram[~ok] = np.eye(3)
            coef = np.linalg.solve(gram, sums[:, 6:9, None])[..., 0]
            bx = coef[:, 1] / 2.0
            by = coef[:, 2] / 2.0
            rad = np.sqrt(coef[:, 0] + bx**2 + by**2)
            rad[~ok] = np.nan
            ux, uy = xs - bx[:, None], ys - by[:, None]
            dist = np.sqrt(ux * ux + uy * uy) - rad[:, None]
            med, scale = _short_median_mad(dist, keep)
            limit = np.maximum(3.0 * np.where(np.isnan(scale), np.inf, scale), floor_um)
            dist -= med[:, None]
            new_keep = np.abs(dist, out=dist) <= limit[:, None]
            new_keep &= keep
            if np.array_equal(new_keep, keep):
                break
            keep = new_keep
    cx = np.where(ok, x0 + bx, np.nan)
    cy = np.where(ok, y0 + by, np.nan)
    return cx, cy, rad, keep
