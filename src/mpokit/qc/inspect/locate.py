"""Finding the fibers in an end-face image and fitting each cladding edge.

1. Coarse: the image is reduced to about 1.5 um per pixel, its gradient magnitude is
   correlated with a ring of the cladding's radius (62.5 um), and every peak at least a
   cladding diameter from a stronger one is a candidate fiber.
2. Fine: on the full image, the radial intensity profile along 180 rays from the candidate
   centre gives one edge point per ray (strongest step with the edge's polarity near the
   expected radius); a least-squares circle through them, refitted without outlier rays (a
   defect or scratch on the edge), is the cladding edge.

A candidate whose edge is weak (below ``min_edge_snr`` times the noise), whose rays mostly
disagree, or whose fitted diameter is far from 125 um is not a fiber.

Example:
    >>> from mpokit.qc.inspect.simulate import simulate_inspection
    >>> img, truth = simulate_inspection(layout="single", seed=1)
    >>> [f.radius_um for f in find_fibers(img)]  # doctest: +ELLIPSIS
    [62...]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage, signal

from mpokit.qc.inspect.image import EndFaceImage

__all__ = ["CLADDING_UM", "FiberEdge", "find_fibers", "fit_circle"]

CLADDING_UM = 125.0
"""Nominal cladding diameter the search looks for."""

N_RAYS = 180
MAX_FIT_RMS_UM = 0.6
"""A cladding edge that strays more than this from a circle (RMS) is not a fiber's."""


@dataclass(frozen=True)
class FiberEdge:
    """A fitted cladding edge: centre (pixels), radius (um), fit quality.

    ``rms_um`` is the RMS distance of the used edge points from the circle, ``rays_used``
    the fraction of rays that agree, ``edge_width_um`` the 10-90 % width of the mean edge
    (a focus measure), ``edge_snr`` the edge step over the image noise.
    """

    x_px: float
    y_px: float
    radius_um: float
    rms_um: float
    rays_used: float
    edge_width_um: float
    edge_snr: float


def fit_circle(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Algebraic least-squares circle (Kasa): returns ``(cx, cy, r)``.

    >>> t = np.linspace(0, 2 * np.pi, 50)
    >>> [round(v, 6) for v in fit_circle(3 + 2 * np.cos(t), -1 + 2 * np.sin(t))]
    [3.0, -1.0, 2.0]
    """
    a = np.column_stack([x, y, np.ones_like(x)])
    b = x * x + y * y
    sol, *_ = np.linalg.lstsq(a, b, rcond=None)
    cx, cy = sol[0] / 2, sol[1] / 2
    return float(cx), float(cy), float(np.sqrt(max(sol[2] + cx * cx + cy * cy, 0.0)))


def _reduce(pixels: np.ndarray, f: int) -> np.ndarray:
    if f <= 1:
        return pixels
    h, w = (pixels.shape[0] // f) * f, (pixels.shape[1] // f) * f
    out = np.zeros((h // f, w // f), dtype=np.float32)
    for i in range(f):
        for j in range(f):
            out += pixels[i:h:f, j:w:f]
    return out / np.float32(f * f)


def noise_sigma(pixels: np.ndarray) -> float:
    """Robust white-noise estimate from the median absolute Laplacian-like difference."""
    h = pixels.shape[0]
    d = pixels[1:h - 1:6, 1:-1:3] * 2 - pixels[0:h - 2:6, 1:-1:3] - pixels[2:h:6, 1:-1:3]
    return float(np.median(np.abs(d - np.median(d))) * 1.4826 / np.sqrt(6.0))


def _candidates(img: EndFaceImage, max_fibers: int) -> tuple[list[tuple[float, float]], int]:
    f = max(1, round(1.5 / img.pixel_um))
    small = _reduce(img.pixels, f)
    px = img.pixel_um * f
    small = ndimage.gaussian_filter(small, 1.0)
    grad = np.hypot(ndimage.sobel(small, 0), ndimage.sobel(small, 1))
    r = CLADDING_UM / 2 / px
    k = int(np.ceil(r + 3))
    yy, xx = np.mgrid[-k:k + 1, -k:k + 1]
    ring = (np.abs(np.hypot(xx, yy) - r) <= 1.5).astype(np.float32)
    ring /= ring.sum()
    acc = signal.fftconvolve(grad - np.median(grad), ring, mode="same")
    dist = max(int(1.6 * r), 3)
    from skimage.feature import peak_local_max

    peaks = peak_local_max(acc, min_distance=dist, threshold_rel=0.35, exclude_border=False,
                           num_peaks=max_fibers)
    return [(float(c) * f + (f - 1) / 2, float(rr) * f + (f - 1) / 2) for rr, c in peaks], f


def _fit_one(pix: np.ndarray, px_um: float, cx: float, cy: float, noise: float,
             ) -> FiberEdge | None:
    r0 = CLADDING_UM / 2 / px_um
    step = 0.5
    radii = np.arange(0.8 * r0, 1.2 * r0, step)
    ang = np.linspace(0, 2 * np.pi, N_RAYS, endpoint=False)
    xs = cx + np.cos(ang)[:, None] * radii[None, :]
    ys = cy + np.sin(ang)[:, None] * radii[None, :]
    h, w = pix.shape
    inside = (xs >= 0) & (xs <= w - 1) & (ys >= 0) & (ys <= h - 1)
    ray_ok = inside.all(axis=1)
    if ray_ok.mean() < 0.5:
        return None
    prof = ndimage.map_coordinates(pix, [ys, xs], order=1, mode="nearest")
    prof = ndimage.gaussian_filter1d(prof, 1.0 / step / max(px_um, 1e-9) * 0.3, axis=1)
    deriv = np.gradient(prof, step, axis=1)
    mean_d = deriv[ray_ok].mean(axis=0)
    j = int(np.argmax(np.abs(mean_d)))
    sign = np.sign(mean_d[j]) or 1.0
    mean_p = prof[ray_ok].mean(axis=0)
    # edge step: levels a few um inside and outside the strongest mean edge
    off = round(4.0 / px_um / step)
    lo_i, hi_i = max(j - off, 0), min(j + off, len(radii) - 1)
    step_val = abs(mean_p[hi_i] - mean_p[lo_i])
    if step_val <= 0:
        return None
    width_um = step_val / abs(mean_d[j]) * px_um * 0.8  # ~10-90 % of an erf edge
    snr = step_val / max(noise, 1e-6)
    win = round(3.0 / px_um / step)
    lo, hi = max(j - win, 0), min(j + win + 1, len(radii))
    local = deriv[:, lo:hi] * sign
    best = np.argmax(local, axis=1)
    # sub-sample refinement (parabola through the peak and its neighbours)
    bi = np.clip(best, 1, local.shape[1] - 2)
    rows = np.arange(len(ang))
    ym, y0, yp = local[rows, bi - 1], local[rows, bi], local[rows, bi + 1]
    den = ym - 2 * y0 + yp
    frac = np.where(np.abs(den) > 1e-12, 0.5 * (ym - yp) / np.where(den == 0, 1, den), 0.0)
    r_edge = radii[lo + bi] + np.clip(frac, -1, 1) * step
    strength = y0
    good = ray_ok & (strength > 0.3 * np.median(strength[ray_ok]))
    ex, ey = cx + np.cos(ang) * r_edge, cy + np.sin(ang) * r_edge
    if good.sum() < N_RAYS * 0.3:
        return None
    fx, fy, fr = fit_circle(ex[good], ey[good])
    for _ in range(3):
        res = np.hypot(ex - fx, ey - fy) - fr
        mad = float(np.median(np.abs(res[good]))) * 1.4826
        keep = good & (np.abs(res) <= max(3 * mad, 0.5))
        if keep.sum() < N_RAYS * 0.3:
            return None
        fx, fy, fr = fit_circle(ex[keep], ey[keep])
    res = np.hypot(ex[keep] - fx, ey[keep] - fy) - fr
    return FiberEdge(fx, fy, fr * px_um, float(np.sqrt(np.mean(res**2))) * px_um,
                     float(keep.mean()), float(width_um), float(snr))


def find_fibers(img: EndFaceImage, *, max_fibers: int = 72, min_edge_snr: float = 3.0,
                diameter_tol: float = 0.06) -> list[FiberEdge]:
    """Fibers in view, sorted in reading order (rows top to bottom, left to right).

    ``diameter_tol`` is the relative deviation of the fitted cladding diameter from 125 um
    beyond which a candidate is rejected (a wrong pixel size shows up here first).
    """
    noise = max(noise_sigma(img.pixels), 1e-4)
    cands, _ = _candidates(img, max_fibers)
    found: list[FiberEdge] = []
    for cx, cy in cands:
        fit = _fit_one(img.pixels, img.pixel_um, cx, cy, noise)
        if fit is None or fit.edge_snr < min_edge_snr or fit.rays_used < 0.5 \
                or fit.rms_um > MAX_FIT_RMS_UM:
            continue
        if abs(fit.radius_um * 2 / CLADDING_UM - 1) > diameter_tol:
            continue
        if any(np.hypot(fit.x_px - o.x_px, fit.y_px - o.y_px) * img.pixel_um < CLADDING_UM
               for o in found):
            continue
        found.append(fit)
    if not found:
        return []
    row_h = CLADDING_UM / img.pixel_um
    ys = np.array([f.y_px for f in found])
    row = np.round((ys - ys.min()) / (2 * row_h)).astype(int)
    order = sorted(range(len(found)), key=lambda i: (row[i], found[i].x_px))
    return [found[i] for i in order]


def diameter_hint(img: EndFaceImage, max_fibers: int = 72) -> float | None:
    """Fitted diameter of the best candidate ignoring the diameter check (for messages)."""
    noise = max(noise_sigma(img.pixels), 1e-4)
    for cx, cy in _candidates(img, max_fibers)[0][:1]:
        fit = _fit_one(img.pixels, img.pixel_um, cx, cy, noise)
        if fit is not None and fit.edge_snr >= 3.0:
            return fit.radius_um * 2
    return None
