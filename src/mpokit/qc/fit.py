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

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "bilinear",
    "circle_fit",
    "median_mad",
    "nanmedian",
    "noise_sigma_nm",
    "paraboloid_design",
    "plane_design",
    "robust_fit",
    "robust_scale",
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


def median_mad(
    values: FloatArray, mask: BoolArray, axis: int = -1
) -> tuple[FloatArray, FloatArray]:
    """Median and ``1.4826 * MAD`` of ``values`` over ``mask`` along ``axis`` (NaN if empty)."""
    v = np.where(mask, values, np.nan)
    med = nanmedian(v, axis=axis, keepdims=True)
    mad = nanmedian(np.abs(v - med), axis=axis)
    return np.squeeze(med, axis=axis), np.asarray(MAD_TO_SIGMA * mad, dtype=np.float64)


def robust_scale(values: FloatArray, mask: BoolArray, axis: int = -1) -> FloatArray:
    """``1.4826 * MAD`` of ``values`` over ``mask`` along ``axis`` (NaN where empty)."""
    return median_mad(values, mask, axis)[1]


def nanmedian(values: FloatArray, axis: int = -1, keepdims: bool = False) -> FloatArray:
    """Median ignoring NaN along ``axis`` (all-NaN slices give NaN, without a warning).

    Sort-based and vectorised: much faster than :func:`numpy.nanmedian` on many short rows.
    """
    v = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)
    s = np.sort(v, axis=-1)  # NaN sorts last
    k = np.sum(~np.isnan(v), axis=-1)
    lo = np.clip((k - 1) // 2, 0, None)
    hi = np.clip(k // 2, 0, None)
    if s.shape[-1] == 0:
        med = np.full(s.shape[:-1], np.nan)
    else:
        a = np.take_along_axis(s, np.minimum(lo, s.shape[-1] - 1)[..., None], -1)[..., 0]
        b = np.take_along_axis(s, np.minimum(hi, s.shape[-1] - 1)[..., None], -1)[..., 0]
        med = np.where(k > 0, 0.5 * (a + b), np.nan)
    if keepdims:
        med = np.expand_dims(med, axis)
    return np.asarray(med, dtype=np.float64)


def _solve(design: FloatArray, z: FloatArray, weight: FloatArray) -> FloatArray:
    """Weighted normal equations, batched over leading axes: returns coefficients.

    Fits with too few pixels (a singular system) come back as NaN; callers check.
    """
    zw = np.where(weight > 0, z, 0.0)
    aw = design * weight[..., None]
    awt = np.swapaxes(aw, -1, -2)
    gram = awt @ design
    rhs = (awt @ zw[..., None])[..., 0]
    k = design.shape[-1]
    # Scale to unit diagonal so the conditioning test does not depend on units.
    diag = np.sqrt(np.abs(np.diagonal(gram, axis1=-2, axis2=-1)))
    diag = np.where(diag > 0, diag, 1.0)
    g = gram / (diag[..., :, None] * diag[..., None, :])
    r = rhs / diag
    # condition number of the symmetric (positive semi-definite) Gram matrix from its
    # eigenvalues: the same 2-norm figure as an SVD, at a fraction of the cost
    eig = np.linalg.eigvalsh(g)
    with np.errstate(invalid="ignore", divide="ignore"):
        bad = ~(eig[..., 0] > eig[..., -1] * 1e-12)
    if np.any(bad):
        g = np.where(bad[..., None, None], np.eye(k), g)
    sol = np.linalg.solve(g, r[..., None])[..., 0] / diag
    return np.asarray(np.where(bad[..., None], np.nan, sol), dtype=np.float64)


def robust_fit(
    design: FloatArray,
    z: FloatArray,
    mask: BoolArray,
    *,
    k: float = 3.5,
    floor_nm: float = 0.0,
    iterations: int = 4,
) -> tuple[FloatArray, BoolArray]:
    """Least-squares fit with iterative MAD rejection; batched over leading axes.

    ``design`` has shape ``(..., n, p)``, ``z`` and ``mask`` ``(..., n)``. Returns the
    coefficients ``(..., p)`` and the mask of pixels kept in the final fit. Pixels where
    ``z`` is not finite never take part.
    """
    base = mask & np.isfinite(z)
    keep = base
    coef = _solve(design, z, keep.astype(np.float64))
    for _ in range(iterations):
        model = np.einsum("...ni,...i->...n", design, coef)
        resid = z - model
        # The residual scale of a big fit is estimated on a strided subset (speed).
        if resid.ndim == 1:  # one big fit: partition-based median of the kept residuals
            rk = resid[keep]
            if rk.size == 0:
                break
            med = np.median(rk)
            scale = MAD_TO_SIGMA * np.median(np.abs(rk - med))
        else:
            med, scale = median_mad(resid, keep)
        limit = np.maximum(k * np.nan_to_num(scale, nan=np.inf), floor_nm)
        with np.errstate(invalid="ignore"):
            new_keep = base & (np.abs(resid - med[..., None]) <= limit[..., None])
        if np.array_equal(new_keep, keep):
            break
        keep = new_keep
        coef = _solve(design, z, keep.astype(np.float64))
    return coef, keep


def noise_sigma_nm(height_nm: FloatArray, max_samples: int = 60_000) -> float:
    """Robust estimate of the pixel noise (nm RMS) from second differences along x.

    Second differences cancel tilt and turn curvature into a constant (removed with the
    median); the MAD ignores edges, spikes and steps; white noise gains ``sqrt(6)``. Rows are
    subsampled to at most ``max_samples`` differences.
    """
    ny, nx = height_nm.shape
    step = max(1, int(ny * (nx - 2) // max_samples))
    rows = height_nm[::step]
    d = (rows[:, 2:] - 2.0 * rows[:, 1:-1] + rows[:, :-2]).ravel()
    d = d[np.isfinite(d)]
    if d.size < 10:
        return float("nan")
    med = np.median(d)
    return float(MAD_TO_SIGMA * np.median(np.abs(d - med)) / np.sqrt(6.0))


def bilinear(image: FloatArray, iy: FloatArray, ix: FloatArray) -> FloatArray:
    """Sample ``image`` at fractional pixel indices by bilinear interpolation.

    Points outside the image, or touching a NaN pixel, come back as NaN.
    """
    ny, nx = image.shape
    y0 = np.floor(iy)
    x0 = np.floor(ix)
    fy = iy - y0
    fx = ix - x0
    inside = (y0 >= 0) & (x0 >= 0) & (y0 <= ny - 2) & (x0 <= nx - 2)
    y0i = np.where(inside, y0, 0).astype(np.intp)
    x0i = np.where(inside, x0, 0).astype(np.intp)
    flat = image.ravel()
    i00 = y0i * nx + x0i
    v00 = flat[i00]
    v01 = flat[i00 + 1]
    v10 = flat[i00 + nx]
    v11 = flat[i00 + nx + 1]
    out = (v00 * (1 - fx) + v01 * fx) * (1 - fy) + (v10 * (1 - fx) + v11 * fx) * fy
    return np.where(inside, out, np.nan)


def circle_fit(
    x: FloatArray, y: FloatArray, mask: BoolArray, *, iterations: int = 3, floor_um: float = 0.5
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """Algebraic (Kasa) circle fit with MAD rejection, batched over the leading axis.

    ``x``, ``y``, ``mask`` have shape ``(m, n)`` (``m`` circles of ``n`` points).
    Returns centre x, centre y, radius (each ``(m,)``) and the points kept.
    """
    keep = mask & np.isfinite(x) & np.isfinite(y)
    xs = np.where(keep, x, 0.0)
    ys = np.where(keep, y, 0.0)
    design = np.stack([np.ones_like(xs), xs, ys], axis=-1)
    target = xs * xs + ys * ys
    cx = cy = rad = np.full(x.shape[0], np.nan)
    for _ in range(iterations + 1):
        coef = _solve(design, target, keep.astype(np.float64))
        cx = coef[:, 1] / 2.0
        cy = coef[:, 2] / 2.0
        with np.errstate(invalid="ignore"):
            rad = np.sqrt(coef[:, 0] + cx**2 + cy**2)
        dist = np.hypot(xs - cx[:, None], ys - cy[:, None]) - rad[:, None]
        med, scale = median_mad(dist, keep)
        limit = np.maximum(3.0 * np.nan_to_num(scale, nan=np.inf), floor_um)
        new_keep = keep & (np.abs(dist - med[:, None]) <= limit[:, None])
        if np.array_equal(new_keep, keep):
            break
        keep = new_keep
    return cx, cy, rad, keep
