"""Finding fibers in a height map: coarse detection on the pitch lattice, sub-pixel refinement.

**Coarse detection (MT).** After a robust plane fit, a pixel *deviates* when it is more than
``max(6 sigma, 10 nm)`` from the plane (``sigma`` = pixel noise). Fibers (domes or recesses,
both signs), their curvature and the epoxy ring all deviate, the bare ferrule does not; no
data counts as not deviating, so empty holes and dropout patches stay dark. The fraction of
deviating pixels, averaged over 8 um cells and smoothed over a fiber-sized box, is projected
on y to find the row(s) (a second row 500 um from the first for 24/32 fibers) and on x along
each row, where a comb of 250 um pitch is slid to the best phase. Lattice sites are fibers
when their score is at least 15 % of the strongest (or, given the fiber count, the strongest
sites of each row).

**Refinement (MT and round).** Around a provisional centre, a surface model of the fiber is
fitted (MT: the fiber's own sphere in the 6-40 um zone; round: the ferrule sphere plus the
fiber offset). Along 64 rays from the centre the measured height minus that model is
sampled (bilinear); the fiber edge on a ray is where ``|difference|`` first exceeds a threshold
(the fiber face ends: a step, the epoxy ring or the bare ferrule) and stays above it for a few
samples (a spike does not); samples without data are skipped. A circle fit
with MAD rejection through the edge points gives the new centre. Two rounds suffice.

Example:
    >>> import numpy as np
    >>> z = np.zeros((200, 200)); yy, xx = np.mgrid[:200, :200]
    >>> z[np.hypot(xx - 100.3, yy - 90.7) < 62.5] = 500.0
    >>> def model(cx, cy, dx, dy): return np.full(dx.shape, 500.0)
    >>> c, ok, sd = refine_centres(z, 1.0, np.array([[95.0, 95.0]]), model, threshold_nm=250.0,
    ...                    r_start_um=35.0)
    >>> np.round(c, 0).tolist()
    [[100.0, 91.0]]
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from mpokit.qc.fit import bilinear, circle_fit

__all__ = ["despike", "detect_mt_sites", "extract_patches", "patch_offsets_um", "refine_centres",
           "spike_map", "spike_pixels"]

FloatArray = NDArray[np.float64]
PITCH_UM = 250.0
ROW_PITCH_UM = 500.0
FIBER_RADIUS_UM = 62.5

# model(cx, cy, dx, dy) -> model height (nm) at offsets dx, dy (um) from each centre;
# cx, cy have shape (n,), dx, dy shape (n, ...).
SurfaceModel = Callable[[FloatArray, FloatArray, FloatArray, FloatArray], FloatArray]


@functools.lru_cache(maxsize=32)
def _offsets(half_px: float, disc: bool, stride: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Pixel offsets (rows, columns) of a patch; cached, the same few shapes recur."""
    half = (math.ceil(half_px) + 1) // stride * stride
    offs = np.arange(-half, half + 1, stride)
    gy, gx = np.meshgrid(offs, offs, indexing="ij")
    sel = np.hypot(gy, gx) <= half_px + 0.71 if disc else np.ones(gy.shape, dtype=bool)
    oy, ox = gy[sel], gx[sel]
    oy.setflags(write=False)
    ox.setflags(write=False)
    return oy, ox


def patch_offsets_um(pixel_um: float, half_um: float, *, disc: bool = False,
                     stride: int = 1) -> tuple[FloatArray, FloatArray]:
    """Offsets ``(dx, dy)`` (um) of the pixels of an :func:`extract_patches` patch from the
    patch's own centre pixel: the same for every patch, so fits in that frame share one
    design.

    >>> dx, dy = patch_offsets_um(2.0, 2.0, disc=True)
    >>> len(dx), float(dx.min()), float(dy.max())
    (9, -2.0, 2.0)
    """
    oy, ox = _offsets(half_um / pixel_um, disc, stride)
    return (np.asarray(ox * pixel_um, dtype=np.float64),
            np.asarray(oy * pixel_um, dtype=np.float64))


def extract_patches(
    image: FloatArray, pixel_um: float, centres_um: FloatArray, half_um: float,
    *, disc: bool = False, stride: int = 1,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Square patches around each centre, flattened: heights, dx, dy (um from the centre).

    With ``disc``, only the pixels that can lie within ``half_um`` of the centre are taken
    (a disc about the nearest pixel, 0.71 pixel wider): fewer pixels for the same fits.
    ``stride`` takes every ``stride``-th pixel both ways (a regular subgrid).
    Pixels outside the image come back as NaN. Shapes are ``(n, m)``.
    """
    ny, nx = image.shape
    oy, ox = _offsets(half_um / pixel_um, disc, stride)
    ix0 = np.rint(centres_um[:, 0] / pixel_um).astype(np.intp)
    iy0 = np.rint(centres_um[:, 1] / pixel_um).astype(np.intp)
    ix = ix0[:, None] + ox[None, :]
    iy = iy0[:, None] + oy[None, :]
    inside = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
    flat = image.ravel()
    vals = np.where(inside, flat[np.where(inside, iy * nx + ix, 0)], np.nan)
    dx = ix * pixel_um - centres_um[:, 0, None]
    dy = iy * pixel_um - centres_um[:, 1, None]
    return vals, dx, dy


@functools.lru_cache(maxsize=16)
def _rays(r_start_um: float, r_stop_um: float, step_um: float, rays: int, pixel_um: float
          ) -> tuple[FloatArray, ...]:
    """Radii, cos, sin and the ray offsets (um and pixels, ``(rays, samples)``) of an edge
    search; cached, the same few searches recur."""
    radii = np.arange(r_start_um, r_stop_um + step_um / 2, step_um)
    theta = np.arange(rays) * (2 * np.pi / rays)
    cos_t, sin_t = np.cos(theta), np.sin(theta)
    dx0, dy0 = np.multiply.outer(cos_t, radii), np.multiply.outer(sin_t, radii)
    out = (radii, cos_t, sin_t, dx0, dy0, dx0 / pixel_um, dy0 / pixel_um)
    for a in out:
        a.setflags(write=False)
    return out


def refine_centres(
    image: FloatArray,
    pixel_um: float,
    centres_um: FloatArray,
    model: SurfaceModel,
    *,
    threshold_nm: float | FloatArray,
    r_start_um: float = 42.0,
    r_stop_um: float = 95.0,
    rays: int = 64,
    max_shift_um: float = 30.0,
    persist: int = 6,
    step_um: float | None = None,
    exclude: NDArray[np.bool_] | None = None,
) -> tuple[FloatArray, NDArray[np.bool_], FloatArray]:
    """Sub-pixel fiber centres from the fiber's edge (see the module docstring).

    Returns the centres, which of them were refined, and each centre's standard error (um,
    from the scatter of the edge points about the fitted circle). A centre keeps its old
    value when fewer than 16 rays (8 of 32 or fewer rays) give an edge or when the fitted circle
    is implausible (radius outside 50-78 um, or a shift beyond ``max_shift_um``). Rays are
    sampled every ``step_um`` (default half a pixel); the edge must persist for ``persist``
    samples. Pixels ``exclude`` marks (e.g. spikes) count as pixels without data.
    """
    n = centres_um.shape[0]
    step = 0.5 * pixel_um if step_um is None else step_um
    radii, cos_t, sin_t, dx0, dy0, dxp, dyp = _rays(r_start_um, r_stop_um, step, rays, pixel_um)
    dx = np.broadcast_to(dx0, (n, rays, radii.size))
    dy = np.broadcast_to(dy0, (n, rays, radii.size))
    cx, cy = centres_um[:, 0], centres_um[:, 1]
    px = (cx / pixel_um)[:, None, None] + dxp
    py = (cy / pixel_um)[:, None, None] + dyp
    ny, nx = image.shape
    diff = bilinear(image, py, px, exclude)
    diff -= model(cx, cy, dx, dy)
    np.abs(diff, out=diff)
    thr = np.asarray(threshold_nm, dtype=np.float64).reshape(-1, 1, 1) * np.ones((n, 1, 1))
    # The edge is where the difference exceeds the threshold and *stays* above it for
    # ``persist`` samples (a spike is shorter); samples without data (dropouts) are neither
    # inside nor outside. Counts over windows of ``persist`` samples from running sums.
    with np.errstate(invalid="ignore"):
        over = diff > thr
        under = diff <= thr
    m = radii.size
    run = np.zeros((2, n, rays, m + 1), dtype=np.int16)
    np.cumsum(over, axis=-1, dtype=np.int16, out=run[0, ..., 1:])
    np.cumsum(under, axis=-1, dtype=np.int16, out=run[1, ..., 1:])
    window = run[..., np.minimum(np.arange(1, m + 1) + (persist - 1), m)]
    window -= run[..., :m]  # over and under samples in each window (cut at the ray's end)
    bad = over & (window[1] == 0) & (window[0] >= (persist + 1) // 2)
    first = np.argmax(bad, axis=-1)
    at = np.arange(n * rays).reshape(n, rays) * m + first  # flat index of each ray's edge
    has = bad.ravel()[at]
    ex_px, ex_py = px.ravel()[at], py.ravel()[at]  # is each ray's edge sample in the image
    in_img = (ex_px >= 0) & (ex_py >= 0) & (ex_px <= nx - 1) & (ex_py <= ny - 1)
    valid = has & in_img & (first > 0)
    prev = np.clip(first - 1, 0, None)
    flat_diff = diff.ravel()
    d_prev = flat_diff[at - (first > 0)]
    d_here = flat_diff[at]
    thr2 = thr[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(np.isfinite(d_here) & (d_here > d_prev),
                        (thr2 - d_prev) / (d_here - d_prev), 0.5)
    frac[np.isnan(frac)] = 0.5
    frac = np.clip(frac, 0.0, 1.0)
    r_edge = radii[prev] + frac * step
    ex = cx[:, None] + r_edge * cos_t[None, :]
    ey = cy[:, None] + r_edge * sin_t[None, :]
    fx, fy, fr, kept = circle_fit(ex, ey, valid)
    shift = np.hypot(fx - cx, fy - cy)
    ok = (kept.sum(axis=1) >= min(16, max(rays // 4, 8))) & (fr > 50.0) & (fr < 78.0)
    ok &= shift <= max_shift_um
    ok &= np.isfinite(fx) & np.isfinite(fy)
    out = centres_um.copy()
    out[ok, 0] = fx[ok]
    out[ok, 1] = fy[ok]
    # standard error of the centre: scatter of the kept edge points about the circle
    dist = np.hypot(ex - fx[:, None], ey - fy[:, None]) - fr[:, None]
    n_kept = np.maximum(kept.sum(axis=1), 1)
    with np.errstate(invalid="ignore"):
        scatter = np.sqrt(np.where(kept, dist**2, 0.0).sum(axis=1) / n_kept)
    return out, ok, np.asarray(scatter * np.sqrt(2.0 / n_kept), dtype=np.float64)


def spike_map(image: FloatArray, threshold_nm: float,
              windows: list[tuple[slice, slice]] | None = None) -> NDArray[np.bool_]:
    """Isolated spikes of ``image`` (True), looked for only inside ``windows`` when given.

    A pixel is a spike when at most one of its 8 neighbours lies within ``threshold_nm`` of
    it and at least three neighbours have data: a spike of one or two pixels is, a step or a
    ring one pixel wide or wider keeps at least two like neighbours and is not. See
    :func:`spike_pixels`.

    >>> z = np.zeros((5, 5)); z[2, 2] = 900.0
    >>> np.argwhere(spike_map(z, 250.0)).tolist()
    [[2, 2]]
    """
    out = np.zeros(image.shape, dtype=bool)
    iy, ix = spike_pixels(image, threshold_nm, windows)
    out[iy, ix] = True
    return out


def spike_pixels(image: FloatArray, threshold_nm: float,
                 windows: list[tuple[slice, slice]] | None = None
                 ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Row and column indices of the spikes :func:`spike_map` marks (no full-size map).

    A pixel with two like neighbours among its left, right, upper and lower ones cannot be
    a spike, so the 8-neighbour test runs only on the few pixels that have fewer. Windows
    whose rows overlap (the fibers of one MT row) are searched as one band, from the first
    to the last.

    >>> z = np.zeros((5, 5)); z[2, 2] = 900.0
    >>> [a.tolist() for a in spike_pixels(z, 250.0)]
    [[2], [2]]
    """
    ny, nx = image.shape
    boxes = sorted((*ys.indices(ny)[:2], *xs.indices(nx)[:2])
                   for ys, xs in (windows if windows is not None
                                  else [(slice(None), slice(None))]))
    bands: list[list[int]] = []  # [y0, y1, x0, x1]: windows whose rows overlap, merged
    for y0, y1, x0, x1 in boxes:
        if bands and y0 < bands[-1][1]:
            band = bands[-1]
            band[1], band[2], band[3] = max(band[1], y1), min(band[2], x0), max(band[3], x1)
        else:
            bands.append([y0, y1, x0, x1])
    found_y: list[NDArray[np.intp]] = []
    found_x: list[NDArray[np.intp]] = []
    for y0, y1, x0, x1 in bands:
        sub = image[y0:y1, x0:x1]
        if min(sub.shape) < 3:
            continue
        # a spike has at most one like neighbour, so at most one like neighbour of its four
        # in the row and column (counted within the band)
        like4 = np.zeros(sub.shape, dtype=np.int8)
        for d, here, there in ((sub[:, 1:] - sub[:, :-1], np.s_[:, 1:], np.s_[:, :-1]),
                               (sub[1:] - sub[:-1], np.s_[1:], np.s_[:-1])):
            np.abs(d, out=d)
            with np.errstate(invalid="ignore"):
                alike = d <= threshold_nm
            like4[here] += alike
            like4[there] += alike
        cand = like4 <= 1
        cand &= sub == sub  # has data (a pixel without data is no spike)
        iy, ix = np.divmod(np.flatnonzero(cand), cand.shape[1])  # 10x faster than nonzero
        found_y.append(iy + y0)
        found_x.append(ix + x0)
    if not found_y:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    iy, ix = np.concatenate(found_y), np.concatenate(found_x)
    # 8 neighbours of every candidate at once (outside the image: no data)
    off_y = np.array([-1, -1, -1, 0, 0, 1, 1, 1])
    off_x = np.array([-1, 0, 1, -1, 1, -1, 0, 1])
    jy, jx = iy[:, None] + off_y, ix[:, None] + off_x
    inside = (jy >= 0) & (jy < ny) & (jx >= 0) & (jx < nx)
    flat = image.ravel()
    nb = np.where(inside, flat[np.where(inside, jy * nx + jx, 0)], np.nan)
    v = flat[iy * nx + ix]
    with np.errstate(invalid="ignore"):
        like = np.count_nonzero(np.abs(nb - v[:, None]) <= threshold_nm, axis=1)
    seen = np.count_nonzero(nb == nb, axis=1)
    hit = (like <= 1) & (seen >= 3) & np.isfinite(v)
    return iy[hit], ix[hit]


def despike(image: FloatArray, threshold_nm: float,
            window: tuple[slice, slice] | None = None) -> FloatArray:
    """A copy of ``image`` with the isolated spikes of :func:`spike_map` set to no data.

    >>> z = np.zeros((5, 5)); z[2, 2] = 900.0
    >>> int(np.isnan(despike(z, 250.0)).sum())
    1
    """
    out = np.array(image, dtype=np.float64, copy=True)
    out[spike_map(out, threshold_nm, None if window is None else [window])] = np.nan
    return out


def _peak_subcell(profile: FloatArray, i: int) -> float:
    """Parabolic sub-sample position of the maximum at index ``i``."""
    if 0 < i < profile.size - 1:
        a, b, c = profile[i - 1], profile[i], profile[i + 1]
        den = a - 2 * b + c
        if den < 0:
            return i + 0.5 * (a - c) / den
    return float(i)


MIN_STRENGTH = 0.2
"""Smallest site strength (fraction of a fiber-sized box that deviates from the ferrule form)
that counts as a fiber: a fiber face covers the whole box, noise and 1 % spikes about 0.01."""


def detect_mt_sites(
    residual_nm: FloatArray,
    pixel_um: float,
    threshold_nm: float,
    fibers: int | None = None,
) -> tuple[FloatArray, NDArray[np.int64], FloatArray]:
    """Coarse fiber centres (um), row numbers (0-based, by increasing y) and site strengths.

    ``residual_nm`` is the height map minus the ferrule form. Lattice sites whose centre lies
    in the field are candidates; with a declared count the strongest sites of each row are
    returned (weak ones included, for the caller to reject), else those at least
    :data:`MIN_STRENGTH` strong. Arrays are sorted by row, then x.
    """
    from scipy.ndimage import uniform_filter

    ny, nx = residual_nm.shape
    b = max(1, round(8.0 / pixel_um))
    cell = b * pixel_um
    nyc, nxc = ny // b, nx // b
    with np.errstate(invalid="ignore"):
        dev = np.abs(residual_nm[: nyc * b, : nxc * b]) > threshold_nm
    count = np.zeros((nyc, nxc), dtype=np.int16)
    for i in range(b):  # b*b strided adds beat a reduction over two inner axes
        for j in range(b):
            count += dev[i::b, j::b]
    frac = count.astype(np.float32) / np.float32(b * b)
    size = max(1, round(100.0 / cell))
    feat = uniform_filter(frac, size=size, mode="constant")
    centre_of = (np.arange(max(nyc, nxc)) * b + (b - 1) / 2.0) * pixel_um
    yc_um, xc_um = centre_of[:nyc], centre_of[:nxc]

    # rows
    prof_y = feat.mean(axis=1)
    i1 = int(np.argmax(prof_y))
    rows = [_peak_subcell(prof_y, i1)]
    want_two = fibers is not None and fibers > 16
    if fibers is None or want_two:
        win = max(1, round(40.0 / cell))
        best_j, best_v = -1, -1.0
        for sign in (-1, 1):
            j = i1 + sign * round(ROW_PITCH_UM / cell)
            lo, hi = max(j - win, 0), min(j + win + 1, nyc)
            if lo < hi:
                kk = lo + int(np.argmax(prof_y[lo:hi]))
                if prof_y[kk] > best_v:
                    best_j, best_v = kk, float(prof_y[kk])
        if best_j >= 0 and (want_two or best_v > 0.4 * prof_y[i1]):
            rows.append(_peak_subcell(prof_y, best_j))
    row_y = np.sort(np.interp(rows, np.arange(nyc), yc_um))

    per_row = None if fibers is None else max(1, fibers // len(row_y))
    band = max(1, round(50.0 / cell))
    centres: list[tuple[float, float]] = []
    row_ids: list[int] = []
    strengths: list[float] = []
    phases = np.arange(0.0, PITCH_UM, 1.0)
    width_um = nx * pixel_um
    k = np.arange(int(width_um // PITCH_UM) + 2)
    for r, y in enumerate(row_y):
        jr = round(float(np.interp(y, yc_um, np.arange(nyc))))
        prof_x = feat[max(jr - band, 0): jr + band + 1].mean(axis=0)
        sites = phases[:, None] + k[None, :] * PITCH_UM
        score = np.interp(sites, xc_um, prof_x, left=0.0, right=0.0).sum(axis=1)
        phase = phases[int(np.argmax(score))]
        xs = phase + k * PITCH_UM
        xs = xs[(xs >= 0.0) & (xs <= width_um)]
        strength = np.interp(xs, xc_um, prof_x)
        if xs.size == 0:
            continue
        if per_row is not None:
            chosen = np.sort(np.argsort(-strength, kind="stable")[:per_row])
        else:
            chosen = np.nonzero(strength >= MIN_STRENGTH)[0]
        for i in chosen:
            centres.append((float(xs[i]), float(y)))
            row_ids.append(r)
            strengths.append(float(strength[i]))
    return (np.asarray(centres, dtype=np.float64).reshape(-1, 2), np.asarray(row_ids, np.int64),
            np.asarray(strengths, dtype=np.float64))
