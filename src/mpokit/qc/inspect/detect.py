"""Scratches and defects around one fiber: background model, segmentation, measurement.

The end face without flaws is rotationally symmetric about the fiber centre (core, cladding,
adhesive ring, ferrule) under a smooth illumination falloff. The background model is
therefore a radial profile (a clipped mean per 1-pixel ring) times a quadratic illumination
surface, both fitted robustly so that flaws do not pull them. Inside the cladding the
profile may not stray more than ``CORE_TOLERANCE`` from the cladding's level: a flaw
covering the centre would otherwise become part of the "background".

Residuals over the local noise (per ring) are segmented with a hysteresis threshold
(``LOW_Z``/``HIGH_Z``); each region is measured on its half-maximum area (pixels at least
half as far from the background as its strongest pixel), which does not depend on the
flaw's contrast. A region whose half-maximum area is at least ``SCRATCH_ELONGATION`` times
longer than wide and ``SCRATCH_MIN_LENGTH_UM`` long is a scratch (size = width = area /
length); any other is a defect (size = equivalent diameter = diameter of the disc of the
same area). Scratch pieces on one line are joined. Definitions: ``docs/inspect.md``.

Outside the cladding the ceramic's texture is as strong as a faint 2-5 um flaw on that
residual; there flaws are also sought on a texture-free residual (:func:`_outer_z`: a
difference of Gaussians over its robust noise per ring), without the halo such a filter
draws round every flaw, and with whitened matched filters for discs of a few um
(:func:`_matched_z`), which add up a faint flaw's outline against the texture's own
spectrum, without the side lobes such filters draw round a strong flaw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import ndimage

__all__ = ["DetectedFeature", "FiberField", "detect_features", "outline"]

LOW_Z = 2.8
HIGH_Z = 4.8
CORE_TOLERANCE = 0.10
SCRATCH_ELONGATION = 4.0
SCRATCH_MIN_LENGTH_UM = 8.0
SMOOTH_UM = 0.35
MIN_SIZE_UM = 1.0
"""Smallest reported feature (equivalent diameter) on the fiber: the detection floor."""
TINY_MIN_Z = 6.5
TINY_MAX_UM = 1.8
"""Flaws under ``TINY_MAX_UM`` need ``TINY_MIN_Z`` peak significance: noise blips read
1.5-1.7 um at half maximum (1.5 let them through as zone A and B defects on clean tune
images; 1.8 removed them with no loss of recall there)."""
MIN_FERRULE_SIZE_UM = 2.0
"""Smallest reported feature wholly outside the cladding: ceramic grain stays below it."""
FERRULE_FLOOR_MARGIN_UM = 0.3
"""A flaw outside the cladding measured up to this much under ``MIN_FERRULE_SIZE_UM``
(the size error of small flaws) is kept when its evidence reaches ``TINY_MIN_Z``: a 2 um
particle is not lost to a measurement a little short."""
BRANCHED_MIN_UM = 6.0
THIN_RATIO = 0.35
"""A region of at least ``BRANCHED_MIN_UM`` (equivalent diameter) whose widest inscribed
disc is under this share of that diameter is lines, not a blob: crossing scratches."""
TEXTURE_FROM = 0.9
"""Outside this share of the cladding radius (adhesive, contact zone, ferrule) flaws are also
sought on the texture-free residual (see :func:`_outer_z`)."""
TEXTURE_SURROUND_UM = 1.25
"""Gaussian sigma of the surround subtracted from the residual (see :func:`_outer_z`)."""
TEXTURE_BIN_UM = 0.35
"""Pixels this size or smaller are binned 2 x 2 for the texture detector."""
HALO_UM = 3.75
"""A region found only by the texture detector within this of a stronger flaw of the other
sign is that flaw's halo (the surround of a difference of Gaussians)."""
TEX_LOW_Z = 3.2
TEX_HIGH_Z = 5.2
"""Hysteresis thresholds on the texture-free residual (set on the tune images)."""
MATCHED_RADII_UM: tuple[float, ...] = (2.0, 4.0)
"""Disc radii of the whitened matched filters outside the cladding (see :func:`_matched_z`):
faint flaws of several um whose level the texture hides and whose outline is too faint
pixel by pixel for the texture-free residual."""
MATCHED_LOW_Z = 3.0
MATCHED_HIGH_Z = 7.0
"""Hysteresis thresholds on the matched filters' significance (their outputs are smooth
over a disc and the largest of two radii is taken: a high threshold; 7 was set on the tune
images, where 6 found no more and added detections matching no flaw)."""
MATCHED_BIN_UM = 0.55
"""The matched filters run on pixels binned 2 x 2 until at least this size."""
TOP_TENTH_SIGMA = 1.755
"""Mean of the top tenth of a normal sample, in standard deviations."""


@dataclass(frozen=True)
class DetectedFeature:
    """A measured flaw. Coordinates are image pixels; sizes micrometres.

    ``size_um`` is the width of a scratch or the equivalent diameter of a defect;
    ``r_min_um``/``r_max_um`` the distances of its half-maximum pixels from the fiber centre;
    ``polarity`` dark or bright against the background; ``pixels_yx`` the (2, N) row and
    column indices of its half-maximum pixels (:func:`outline` turns them into a polygon).
    """

    kind: Literal["scratch", "defect"]
    x_px: float
    y_px: float
    size_um: float
    length_um: float
    angle_deg: float
    area_um2: float
    r_min_um: float
    r_max_um: float
    polarity: Literal["dark", "bright"]
    peak_z: float
    pixels_yx: np.ndarray


@dataclass(frozen=True)
class FiberField:
    """The analysed neighbourhood of one fiber: features and what could be seen.

    ``visible_to_um`` is the largest radius fully inside the image; ``saturated_fraction``
    the fraction of pixels inside the cladding at the image's clipping level;
    ``noise`` the median per-ring noise (0..1 of full scale).
    """

    features: tuple[DetectedFeature, ...]
    visible_to_um: float
    saturated_fraction: float
    noise: float


def _robust_radial(values: np.ndarray, ri: np.ndarray, nb: int,
                   weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clipped mean and std per ring; returns (mean, std, count)."""
    w: np.ndarray | None = weights
    v2 = values * values
    n: np.ndarray
    for _ in range(2):
        if w is None:  # the first pass of unweighted samples: no products with ones
            n = np.bincount(ri, minlength=nb).astype(np.float64)
            s1 = np.bincount(ri, values, nb)
            s2 = np.bincount(ri, v2, nb)
        else:
            n = np.bincount(ri, w, nb)
            s1 = np.bincount(ri, w * values, nb)
            s2 = np.bincount(ri, w * v2, nb)
        nz = np.maximum(n, 1)
        m = s1 / nz
        sd = np.sqrt(np.maximum(s2 / nz - m * m, 0))
        dev = np.abs(values - m[ri])
        w = (dev <= 2.5 * np.maximum(sd[ri], 1e-4)).astype(values.dtype)
        if weights is not None:
            w *= weights
    n = np.bincount(ri, w, nb)
    nz = np.maximum(n, 1)
    m = np.bincount(ri, w * values, nb) / nz
    sd = np.sqrt(np.maximum(np.bincount(ri, w * v2, nb) / nz - m * m, 0))
    return m, sd * 1.15, n  # clipping at 2.5 sd shrinks a Gaussian's sd by ~13 %


def _ring_median(values: np.ndarray, ri: np.ndarray, nb: int) -> np.ndarray:
    """Median per ring (rings without samples get 0).

    One sort of a combined key (ring index, then value) instead of a two-key ``lexsort``.
    """
    if len(values) == 0:
        return np.zeros(nb)
    vmin = float(values.min())
    span = float(values.max()) - vmin
    key = ri.astype(np.float64) + (values - vmin) * (0.5 / span if span > 0 else 0.0)
    sv = values[np.argsort(key)]
    counts = np.bincount(ri, minlength=nb)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    mid = starts + np.maximum(counts - 1, 0) // 2
    mid2 = starts + np.maximum(counts, 1) // 2 - (counts == 0)
    out = 0.5 * (sv[np.clip(mid, 0, len(sv) - 1)] + sv[np.clip(mid2, 0, len(sv) - 1)])
    return np.where(counts > 0, out, 0.0)


def _quadratic(xn: np.ndarray, yn: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones_like(xn), xn, yn, xn * xn, xn * yn, yn * yn])


def _illumination(ratio: np.ndarray, xn: np.ndarray, yn: np.ndarray, sel: np.ndarray
                  ) -> np.ndarray:
    """Robust quadratic fit of ``ratio`` over the selected pixels; coefficient vector."""
    a = _quadratic(xn[sel], yn[sel])
    b = ratio[sel]
    keep = np.ones(len(b), bool)
    coef = np.array([1.0, 0, 0, 0, 0, 0])
    for _ in range(3):
        ak = a[keep]
        coef = np.linalg.solve(ak.T @ ak + np.eye(6) * 1e-9, ak.T @ b[keep])
        res = b - a @ coef
        mad = float(np.median(np.abs(res[keep]))) * 1.4826 + 1e-6
        keep = np.abs(res) <= 3 * mad
    return np.asarray(coef, dtype=np.float64)


def _measure(ys: np.ndarray, xs: np.ndarray, px_um: float
             ) -> tuple[float, float, float, float, float]:
    """(area_px, length_px, width_px, angle_deg, elongation) of a pixel set."""
    area = float(len(xs))
    if area < 2:
        return area, 1.0, 1.0, 0.0, 1.0
    cx, cy = xs.mean(), ys.mean()
    cov = np.cov(np.vstack([xs - cx, ys - cy])) + np.eye(2) / 12.0
    ev, vec = np.linalg.eigh(cov)
    major = 4 * np.sqrt(max(ev[1], 1e-9))
    minor = 4 * np.sqrt(max(ev[0], 1e-9))
    angle = float(np.degrees(np.arctan2(vec[1, 1], vec[0, 1]))) % 180.0
    # a band of length L and width W has var = L^2/12 along it: L = sqrt(12 var)
    length = float(np.sqrt(12 * max(ev[1], 1e-9)))
    return area, length, area / max(length, 1.0), angle, float(major / max(minor, 1e-6))


def outline(feature: DetectedFeature) -> np.ndarray:
    """An (N, 2) array of (x, y) image points around the feature's pixels."""
    from skimage.measure import find_contours

    ys, xs = feature.pixels_yx
    y0, x0 = int(ys.min()) - 1, int(xs.min()) - 1
    m = np.zeros((int(ys.max()) - y0 + 2, int(xs.max()) - x0 + 2), dtype=np.float32)
    m[ys - y0, xs - x0] = 1
    cs = find_contours(m, 0.5)
    if not cs:
        return np.array([[xs.mean(), ys.mean()]])
    c = max(cs, key=len)
    return np.column_stack([c[:, 1] + x0, c[:, 0] + y0])


INTERP_STEPS = 8
"""Steps per ring of the profile's lookup table (1/8 pixel: an edge's slope over a step is
well under the noise)."""


def _interp(prof: np.ndarray, r: np.ndarray) -> np.ndarray:
    """The ring profile at radius ``r``, linear between ring centres (ring i holds radii
    i..i+1, so its mean stands at i + 0.5): steep edges are not left as 1-pixel steps.
    Tabulated at ``INTERP_STEPS`` per ring, then looked up (a gather, several times
    faster than ``np.interp`` on a whole crop)."""
    n = len(prof)
    grid = (np.arange(n * INTERP_STEPS) + 0.5) / INTERP_STEPS
    table = np.interp(grid - 0.5, np.arange(n, dtype=np.float64), prof).astype(r.dtype)
    idx = (r * r.dtype.type(INTERP_STEPS)).astype(np.intp)
    np.minimum(idx, n * INTERP_STEPS - 1, out=idx)
    return table[idx]


def _smooth(img: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing truncated at 2 sigma, separable, in float32 (as
    ``ndimage.gaussian_filter(img, sigma, truncate=2.0)``, mirror edges, a few times
    faster on a float32 crop)."""
    rad = int(2.0 * sigma + 0.5)
    k = np.exp(-0.5 * (np.arange(-rad, rad + 1) / sigma) ** 2)
    w = (k / k.sum()).astype(np.float32)
    out = np.pad(img, rad, mode="symmetric")
    for axis in (0, 1):
        n = out.shape[axis] - 2 * rad
        def take(a: np.ndarray, j: int, n: int = n, axis: int = axis) -> np.ndarray:
            return a[j:j + n] if axis == 0 else a[:, j:j + n]
        acc = take(out, rad) * w[rad]
        for j in range(rad):
            acc += (take(out, j) + take(out, 2 * rad - j)) * w[j]
        out = acc
    return out


def _profile(flat: np.ndarray, ri: np.ndarray, nb: int, clad_px: float,
             rf: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Background ring profile, per-ring noise and sample count.

    With ``rf`` (each sample's radius), the noise of the outer rings is measured about the
    interpolated profile (:func:`_interp`), so that a steep edge (cladding, adhesive ring)
    does not count its own slope across a ring as noise.
    """
    prof, sd, cnt = _robust_radial(flat, ri, nb)
    # inner rings are short: a scratch or particle can cover much of them; use medians there
    n_in = int(0.8 * clad_px)
    sel_in = ri < n_in
    if sel_in.any():
        med = _ring_median(flat[sel_in], ri[sel_in], n_in)
        mad = _ring_median(np.abs(flat[sel_in] - med[ri[sel_in]]), ri[sel_in], n_in)
        prof[:n_in] = med
        sd[:n_in] = mad * 1.4826
        # the innermost rings hold a few samples each: pool them until 40 samples
        cum = np.cumsum(np.bincount(ri[sel_in], minlength=n_in))
        r_pool = int(np.searchsorted(cum, 40)) + 1
        prof[:r_pool] = float(np.median(flat[ri < r_pool]))
    # inside the cladding, keep the profile near the cladding's level (see module doc)
    rings = np.arange(nb)
    band = (rings >= 0.3 * clad_px) & (rings <= 0.8 * clad_px) & (cnt > 0)
    if band.any():
        level = float(np.average(prof[band], weights=cnt[band]))
        off = (rings < 0.8 * clad_px) & (np.abs(prof - level) > CORE_TOLERANCE * max(level, 1e-6))
        prof[off] = level
    n_out = int(0.8 * clad_px)
    if rf is not None:
        # every other sample: the outer rings hold hundreds each
        outer = np.flatnonzero(ri >= n_out)[::2]
        res = flat[outer] - _interp(prof, rf[outer])
        sd[n_out:] = _robust_radial(res, ri[outer], nb)[1][n_out:]
    # per-ring noise, widened over neighbouring rings (edges) and floored by the quietest
    # rings (the floor is the sensor's noise, not the ferrule's texture)
    good = cnt >= 12
    floor = max(float(np.percentile(sd[good], 10)) if good.any() else float(np.median(sd)),
                1e-4)
    clad_sd = float(np.median(sd[band])) if band.any() else floor
    sd = np.where(cnt >= 8, sd, floor)
    sd = np.maximum(ndimage.maximum_filter1d(sd, 5), floor)
    if band.any():
        # the cladding's interior is uniform glass: one noise level for all its rings, so a
        # flaw covering much of a short inner ring cannot inflate that ring's noise
        sd[: int(0.8 * clad_px)] = max(clad_sd, floor)
    return prof, sd, cnt

def detect_features(
    pixels: np.ndarray,
    px_um: float,
    cx: float,
    cy: float,
    roi_r_um: float,
    clad_r_um: float = 62.5,
    clip_level: float | None = None,
) -> FiberField:
    """Detect and measure the flaws within ``roi_r_um`` of the fiber centre ``(cx, cy)``."""
    h, w = pixels.shape
    rr = roi_r_um / px_um
    x0, x1 = max(int(cx - rr), 0), min(int(np.ceil(cx + rr)) + 1, w)
    y0, y1 = max(int(cy - rr), 0), min(int(np.ceil(cy + rr)) + 1, h)
    crop = pixels[y0:y1, x0:x1].astype(np.float32)
    # detection runs on a lightly smoothed copy (a matched filter for flaws >= 1 um: white
    # and JPEG noise drop, flaws stay); sizes are measured on the raw pixels
    smooth = _smooth(crop, max(SMOOTH_UM / px_um, 0.5))
    dxv = (np.arange(x0, x1, dtype=np.float32) - np.float32(cx))[None, :]
    dyv = (np.arange(y0, y1, dtype=np.float32) - np.float32(cy))[:, None]
    r = np.sqrt(dxv * dxv + dyv * dyv)
    nb = int(rr) + 3
    ri_full = np.minimum(r, nb - 1).astype(np.intp)  # ring index; nb - 1 = outside the ROI
    inside = ri_full < nb - 2
    visible = min(cx, cy, w - 1 - cx, h - 1 - cy) * px_um
    clad_px = clad_r_um / px_um
    # the background is fitted on every other pixel (a quarter of them): fast and enough
    sub = (slice(None, None, 2), slice(None, None, 2))
    sin = inside[sub]
    vals = smooth[sub][sin].astype(np.float64)
    ri = ri_full[sub][sin]
    # illumination: ratio to a first radial profile (from every other sample), fitted with
    # a quadratic surface on about 8000 samples
    m0, _, _ = _robust_radial(vals[::2], ri[::2], nb)
    idx = np.arange(0, len(vals), max(1, len(vals) // 8_000))
    ratio = vals[idx] / np.maximum(m0[ri[idx]], 1e-6)
    yy_s, xx_s = np.divmod(np.flatnonzero(sin)[idx], sin.shape[1])
    xn = (xx_s * 2 + x0 - cx) / rr
    yn = (yy_s * 2 + y0 - cy) / rr
    c = [float(v) for v in _illumination(ratio, xn, yn, np.ones(len(idx), bool))]
    xg, yg = (dxv / np.float32(rr)), (dyv / np.float32(rr))
    illum = (c[0] + c[1] * xg + c[3] * xg * xg) + (c[2] * yg + c[5] * yg * yg) \
        + np.float32(c[4]) * (yg * xg)
    np.maximum(illum, np.float32(1e-3), out=illum)
    flat = vals / illum[sub][sin]
    rf = r[sub][sin]
    prof, sd, _ = _profile(flat, ri, nb, clad_px, rf)
    model = _interp(prof, r).astype(np.float32) * illum
    zimg = (smooth - model) / (sd.astype(np.float32)[ri_full] * illum)
    # second pass: refit the background without the samples flagged by the first, so
    # that a flaw covering part of a short ring cannot bend that ring's level
    # (flaws are flagged in a box round the inner rings only: the outer rings keep their
    # first profile)
    n_in = int(0.8 * clad_px)
    m_px = n_in + 20
    fy0, fx0 = max(int(cy - m_px) - y0, 0) // 2, max(int(cx - m_px) - x0, 0) // 2
    fy1, fx1 = (int(cy + m_px) - y0) // 2 + 1, (int(cx + m_px) - x0) // 2 + 1
    zs = np.abs(zimg[sub][fy0:fy1, fx0:fx1])
    lab, n_lab = ndimage.label(zs > LOW_Z)
    real = np.zeros(n_lab + 1, bool)
    real[np.unique(lab[zs > HIGH_Z])] = True
    real[0] = False
    flag_sub = np.zeros(sin.shape, bool)
    flag_sub[fy0:fy1, fx0:fx1] = ndimage.binary_dilation(real[lab])
    flagged = flag_sub[sin]
    if flagged.any() and n_in > 4:
        # only short inner rings can be bent by a flaw; long outer rings keep their clipped
        # means. Rings left (nearly) empty take the level of their neighbours.
        k2 = ~flagged & (ri < n_in)
        prof2, _, cnt2 = _profile(flat[k2], ri[k2], n_in, clad_px)
        ok = cnt2 >= 8
        if ok.sum() >= 2:
            rings = np.arange(n_in)
            prof = prof.copy()
            prof[:n_in] = np.where(ok, prof2, np.interp(rings, rings[ok], prof2[ok]))
            # only rings inside n_in changed: recompute the model in their bounding box
            by0, by1 = max(int(cy - n_in) - y0, 0), min(int(cy + n_in) + 2 - y0, crop.shape[0])
            bx0, bx1 = max(int(cx - n_in) - x0, 0), min(int(cx + n_in) + 2 - x0, crop.shape[1])
            box = (slice(by0, by1), slice(bx0, bx1))
            rb, ib = ri_full[box], illum[box]
            model = model.copy()
            model[box] = _interp(prof, r[box]).astype(np.float32) * ib
            zimg[box] = (smooth[box] - model[box]) / (sd.astype(np.float32)[rb] * ib)
    zimg[~inside] = 0
    outer = _outer_z((smooth - model) / illum, r, inside, nb, TEXTURE_FROM * clad_px, px_um)
    tz, mz = outer if outer is not None else (None, None)
    sat = 0.0
    if clip_level is not None:
        core = r <= clad_px
        sat = float(np.mean(crop[core] >= clip_level)) if core.any() else 0.0
    # the raw pixels' white noise, from the cladding's interior (uniform glass): the raw
    # minus the smoothed pixels hold ~0.91 of it (Gaussian smoothing of about 1 pixel)
    glass = (ri_full < int(0.8 * clad_px))[sub]
    raw_noise = float(np.median(np.abs((crop[sub] - smooth[sub])[glass]))) * 1.4826 / 0.91 \
        if glass.any() else 0.0
    feats: list[DetectedFeature] = []
    pieces: list[tuple[np.ndarray, np.ndarray, float]] = []
    # dark and bright flaws are segmented apart: two crossing flaws of opposite polarity
    # (a bright scratch over a dark one) stay two flaws
    for sign in (-1.0, 1.0):
        if sign < 0:
            low, high_z = zimg < -LOW_Z, zimg < -HIGH_Z
        else:
            low, high_z = zimg > LOW_Z, zimg > HIGH_Z
        high = high_z
        high_m = high_z  # (unused without the outer detectors)
        if tz is not None and mz is not None:
            low |= tz < -TEX_LOW_Z if sign < 0 else tz > TEX_LOW_Z
            high = high_z | (tz < -TEX_HIGH_Z if sign < 0 else tz > TEX_HIGH_Z)
            high_m = mz < -MATCHED_HIGH_Z if sign < 0 else mz > MATCHED_HIGH_Z
            if high_m.any():
                # the filters' low regions only round their own high pixels: elsewhere
                # they would widen (and merge) what the other residuals found
                m_lab, _ = ndimage.label(mz < -MATCHED_LOW_Z if sign < 0 else mz > MATCHED_LOW_Z)
                m_keep = np.unique(m_lab[high_m])
                low |= np.isin(m_lab, m_keep[m_keep > 0])
                high = high | high_m
        labels, _ = ndimage.label(low)  # hysteresis: low regions with a high pixel
        kept = np.unique(labels[high])
        kept = kept[kept > 0]
        if kept.size == 0:
            continue
        boxes = ndimage.find_objects(labels, max_label=int(kept[-1]))
        for i in kept.tolist():
            sl = boxes[i - 1]
            if sl is None:
                continue
            gy, gx = np.nonzero(labels[sl] == i)
            gy += sl[0].start
            gx += sl[1].start
            sy = slice(max(sl[0].start - 2, 0), min(sl[0].stop + 2, crop.shape[0]))
            sx = slice(max(sl[1].start - 2, 0), min(sl[1].stop + 2, crop.shape[1]))
            if tz is not None and mz is not None and not high_z[gy, gx].any() and (
                    _is_halo(tz, zimg, sign, gy, gx, sl, HALO_UM / px_um)
                    if not high_m[gy, gx].any()
                    else _is_side_lobe(mz, zimg, high, gy, gx, sl, px_um)):
                continue
            comp = ndimage.binary_fill_holes(ndimage.binary_dilation(labels[sy, sx] == i))
            mv = np.maximum(model[sy, sx], np.float32(1e-4))
            rv = (crop[sy, sx] - mv) / mv * np.float32(sign)  # relative, flaw positive
            # the peak level: the mean of the top tenth (the single maximum carries noise)
            top = np.sort(rv[comp])[-max(3, int(comp.sum()) // 10):]
            # the top tenth of noisy pixels reads about 1.75 sigma high: take that off, or
            # the half-maximum level sits too high and faint flaws read small
            peak = float(top.mean()) - TOP_TENTH_SIGMA * raw_noise / float(np.median(mv[comp]))
            if peak <= 0:
                continue
            half = comp & (rv >= 0.5 * peak)
            ys, xs = np.nonzero(half)
            if len(ys) == 0:
                continue
            pieces.append((ys + sy.start, xs + sx.start, peak * sign))
    for ys, xs, peak, joined_width in _join_scratches(pieces, px_um):
        area, length, width, angle, elong = _measure(ys, xs, px_um)
        width = joined_width or width
        eq_d = 2 * np.sqrt(area / np.pi) * px_um
        rad = r[ys, xs] * px_um
        pz = float(np.max(np.abs(zimg[ys, xs])))
        # the evidence: the strongest significance of the flaw on any of the residuals
        # (outside the cladding a small flaw stands out from the texture-free residual far
        # more than from the plain one, whose noise holds the ceramic's texture)
        ev = pz if tz is None else max(pz, float(np.max(np.abs(tz[ys, xs]))))
        if eq_d < MIN_SIZE_UM:
            continue
        if eq_d < MIN_FERRULE_SIZE_UM and rad.min() > clad_r_um + 1.0 and (
                eq_d < MIN_FERRULE_SIZE_UM - FERRULE_FLOOR_MARGIN_UM or ev < TINY_MIN_Z):
            continue
        if eq_d < TINY_MAX_UM and ev < TINY_MIN_Z:
            continue  # at the detection floor a flaw needs stronger evidence than noise
        is_scratch = elong >= SCRATCH_ELONGATION and length * px_um >= SCRATCH_MIN_LENGTH_UM
        if not is_scratch and eq_d >= BRANCHED_MIN_UM:
            thin = _thin_structure(ys, xs)
            if thin is not None and thin[1] * px_um >= SCRATCH_MIN_LENGTH_UM:
                is_scratch, width, length = True, thin[0], thin[1]
        feats.append(DetectedFeature(
            "scratch" if is_scratch else "defect",
            float(xs.mean() + x0), float(ys.mean() + y0),
            float(width * px_um if is_scratch else eq_d),
            float(length * px_um), angle, area * px_um * px_um,
            float(rad.min()), float(rad.max()),
            "dark" if peak < 0 else "bright", pz,
            np.vstack([ys + y0, xs + x0]).astype(np.int32)))
    noise = float(np.median(sd[: int(clad_px)]))
    feats.sort(key=lambda f: (f.r_min_um, f.x_px))
    return FiberField(tuple(feats), float(visible), sat, noise)


def _is_halo(tz: np.ndarray, zimg: np.ndarray, sign: float, gy: np.ndarray, gx: np.ndarray,
             sl: tuple[slice, slice], margin_px: float) -> bool:
    """A region seen only on the high-passed residual is the halo of a flaw of the other
    sign when that flaw, within ``margin_px`` of it, is stronger on the high-passed
    residual or plainly seen on the residual itself (beyond ``HIGH_Z``)."""
    m = int(np.ceil(margin_px))
    box = (slice(max(sl[0].start - m, 0), sl[0].stop + m),
           slice(max(sl[1].start - m, 0), sl[1].stop + m))
    own = float(np.max(tz[gy, gx] * np.float32(sign)))
    return (float(np.max(-sign * tz[box])) > own
            or float(np.max(-sign * zimg[box])) > HIGH_Z)


def _is_side_lobe(mz: np.ndarray, zimg: np.ndarray, high: np.ndarray, gy: np.ndarray,
                  gx: np.ndarray, sl: tuple[slice, slice], px_um: float) -> bool:
    """A region seen on the matched filters but not plainly is a side lobe of a flaw
    nearby (the filters ring round a strong flaw) when, within twice the largest disc
    radius, the filters answer more strongly outside the region (either sign) or a flaw
    is plainly seen (beyond ``HIGH_Z``)."""
    m = int(np.ceil(2 * max(MATCHED_RADII_UM) / px_um))
    box = (slice(max(sl[0].start - m, 0), sl[0].stop + m),
           slice(max(sl[1].start - m, 0), sl[1].stop + m))
    own = float(np.max(np.abs(mz[gy, gx])))
    around = np.abs(mz[box])
    mine = np.zeros(around.shape, bool)
    mine[gy - box[0].start, gx - box[1].start] = True
    return (float(np.max(around[~mine], initial=0.0)) > own
            or float(np.max(np.abs(zimg[box]))) > HIGH_Z)


def _bin2(img: np.ndarray) -> np.ndarray:
    """Mean of 2 x 2 pixel blocks (the last row / column repeated when odd)."""
    h, w = img.shape
    e = np.pad(img, ((0, h % 2), (0, w % 2)), mode="edge")
    return (e[0::2, 0::2] + e[1::2, 0::2] + e[0::2, 1::2] + e[1::2, 1::2]) * np.float32(0.25)


def _unbin2(img: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Each pixel of a 2 x 2 binned image repeated back over its block."""
    return np.repeat(np.repeat(img, 2, axis=0), 2, axis=1)[:shape[0], :shape[1]]


def _ring_z(img: np.ndarray, rb: np.ndarray, sel: np.ndarray, ri_q: np.ndarray, nb: int,
            q: tuple[slice, slice]) -> np.ndarray:
    """``img`` over its robust noise per 1-pixel ring (rings from ``ri_q``, the ring index
    of the sampled pixels ``img[q][sel]``), the noise widened over 5 rings and floored by
    the quietest tenth of the rings."""
    _, s_ring, cnt = _robust_radial(img[q][sel].astype(np.float64), ri_q, nb)
    good = cnt >= 12
    floor = max(float(np.percentile(s_ring[good], 10)) if good.any() else 1e-4, 1e-6)
    s_ring = np.maximum(ndimage.maximum_filter1d(np.where(good, s_ring, 0.0), 5), floor)
    return img / s_ring.astype(np.float32)[np.minimum(rb, np.float32(nb - 1)).astype(np.intp)]


def _outer_z(res: np.ndarray, r: np.ndarray, inside: np.ndarray, nb: int, r_from: float,
             px_um: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Significance of flaws against a textured surround (adhesive, ferrule): two maps.

    * Texture-free (``tz``): the ceramic's texture varies slowly compared with a 2-5 um
      flaw's edges: the residual ``res`` (relative to the illumination, on the detection's
      smoothing) minus its Gaussian average over ``TEXTURE_SURROUND_UM`` (a difference of
      Gaussians) keeps the flaws' edges and drops most of the texture. It is set to 0 where
      the residual itself does not have the high-pass's sign and half its size: the
      surround's halo round a flaw (the other sign, over a residual near 0) is not a flaw.
    * Matched (``mz``): whitened matched filters for discs (:func:`_matched_z`), on pixels
      of at least ``MATCHED_BIN_UM``, for faint flaws of several um; 0 within twice the
      largest disc radius of the ROI's edge.

    Each is taken over its own robust noise per ring; 0 inside ``r_from``. Pixels of
    ``TEXTURE_BIN_UM`` or less are binned 2 x 2 first (a quarter of the work; flaws of 2 um
    and more still span several binned pixels). None when no pixel lies outside
    ``r_from``. ``res`` is changed (0 outside the ROI).
    """
    tex = inside & (r >= np.float32(r_from))
    if not tex.any():
        return None
    res[~inside] = 0  # the model is not fitted outside the ROI
    binned = px_um <= TEXTURE_BIN_UM
    step = 2 if binned else 1
    if binned:
        res, rb = _bin2(res), _bin2(r)
    else:
        rb = r
    texb = (rb >= np.float32(r_from)) & (rb < np.float32(nb - 2))
    # the noise per ring (1-pixel rings of the full image) from over 100 samples per ring
    q = (slice(None, None, 4 // step), slice(None, None, 4 // step))
    sel = texb[q]
    ri_q = rb[q][sel].astype(np.intp)
    hp = res - _smooth(res, TEXTURE_SURROUND_UM / (px_um * step))
    tz = _ring_z(hp, rb, sel, ri_q, nb, q)
    tz[res * hp < np.float32(0.5) * hp * hp] = 0
    if binned:
        tz = _unbin2(tz, r.shape)
    tz[~tex] = 0
    # the matched filters on pixels of about 1 um (binned again when smaller than
    # ``MATCHED_BIN_UM``): flaws of 3 um and more span several, and it is a quarter the work
    if not MATCHED_RADII_UM:
        return tz, np.zeros(r.shape, np.float32)
    m_res, m_rb, m_step = np.where(texb, res, np.float32(0)), rb, step
    if px_um * m_step < MATCHED_BIN_UM:
        m_res, m_rb, m_step = _bin2(m_res), _bin2(rb), m_step * 2
    m_texb = (m_rb >= np.float32(r_from)) & (m_rb < np.float32(nb - 2))
    mq = (slice(None, None, max(4 // m_step, 1)), slice(None, None, max(4 // m_step, 1)))
    m_sel = m_texb[mq]
    mz = _matched_z(m_res, px_um * m_step, m_rb, m_sel, m_rb[mq][m_sel].astype(np.intp), nb, mq)
    mz = np.repeat(np.repeat(mz, m_step, axis=0), m_step, axis=1)[:r.shape[0], :r.shape[1]]
    mz[~tex] = 0
    # the residual is cut to 0 at the ROI's edge: a disc template overlapping it answers to
    # that step, not to a flaw
    mz[r > np.float32(nb - 3 - 2 * max(MATCHED_RADII_UM) / px_um)] = 0
    return tz, mz


def _matched_z(res: np.ndarray, px_um: float, rb: np.ndarray, sel: np.ndarray,
               ri_q: np.ndarray, nb: int, q: tuple[slice, slice]) -> np.ndarray:
    """Whitened matched filters for discs of ``MATCHED_RADII_UM`` on the outer residual.

    The background here (ceramic texture plus sensor noise) is coloured noise: its power
    spectrum, estimated from the residual itself (radial average of the periodogram), is
    high at low spatial frequencies (the texture) and flat beyond. The filter of a disc
    template over that spectrum weighs each frequency by signal over noise, so a faint
    flaw's sharp outline counts along its whole length while the texture is played down.
    Returns, per pixel, the significance (over its robust noise per ring) of the radius
    that stands out most, signed.
    """
    from scipy import fft
    from scipy.special import j1

    h, w = res.shape
    pad = int(np.ceil(3 * max(MATCHED_RADII_UM) / px_um))
    fh, fw = fft.next_fast_len(h + pad, real=True), fft.next_fast_len(w + pad, real=True)
    spec = fft.rfft2(res, s=(fh, fw))
    ky = fft.fftfreq(fh).astype(np.float32)[:, None]
    kx = fft.rfftfreq(fw).astype(np.float32)[None, :]
    k = np.sqrt(kx * kx + ky * ky)  # cycles per pixel
    kbin = np.minimum((k * min(fh, fw)).astype(np.intp), min(fh, fw))
    power = spec.real * spec.real + spec.imag * spec.imag
    n_k = np.bincount(kbin.ravel(), minlength=min(fh, fw) + 1)
    psd = np.bincount(kbin.ravel(), power.ravel(), min(fh, fw) + 1) / np.maximum(n_k, 1)
    psd = ndimage.uniform_filter1d(psd, 3)
    inv = (1.0 / np.maximum(psd, 1e-12 * max(float(psd.max()), 1e-30))).astype(np.float32)
    sb = SMOOTH_UM / px_um  # the residual carries the detection's smoothing
    base = spec * (inv[kbin] * np.exp(np.float32(-2 * np.pi ** 2 * sb * sb) * k * k))
    best: np.ndarray | None = None
    for r_um in MATCHED_RADII_UM:
        a = np.float32(2 * np.pi * r_um / px_um) * k
        a[0, 0] = 1.0
        disc = np.where(k > 0, 2 * j1(a) / a, np.float32(1.0)).astype(np.float32)
        out = fft.irfft2(base * disc, s=(fh, fw))[:h, :w].astype(np.float32)
        z = _ring_z(out, rb, sel, ri_q, nb, q)
        best = z if best is None else np.where(np.abs(z) > np.abs(best), z, best)
    assert best is not None
    return best


def _thin_structure(ys: np.ndarray, xs: np.ndarray) -> tuple[float, float] | None:
    """(width, length) in pixels when a region is thin lines (crossing or bent scratches:
    its widest inscribed disc is under ``THIN_RATIO`` of its equivalent diameter), else
    None. Length: the skeleton's, diagonal steps counted as sqrt(2); width: area / length.
    """
    from skimage.morphology import skeletonize

    y0, x0 = int(ys.min()) - 1, int(xs.min()) - 1
    m = np.zeros((int(ys.max()) - y0 + 2, int(xs.max()) - x0 + 2), bool)
    m[ys - y0, xs - x0] = True
    eq_d = 2 * np.sqrt(len(ys) / np.pi)
    if 2 * float(ndimage.distance_transform_edt(m).max()) >= THIN_RATIO * eq_d:
        return None
    sk = skeletonize(m)
    straight = int((sk[:, :-1] & sk[:, 1:]).sum() + (sk[:-1, :] & sk[1:, :]).sum())
    a, b, c, d = sk[:-1, :-1], sk[:-1, 1:], sk[1:, :-1], sk[1:, 1:]
    # a diagonal step counts only where no straight pair already joins its two pixels
    diag = int((a & d & ~b & ~c).sum() + (b & c & ~a & ~d).sum())
    length = straight + np.sqrt(2.0) * diag
    if length <= 0:
        return None
    return len(ys) / length, float(length)


def _join_scratches(pieces: list[tuple[np.ndarray, np.ndarray, float]], px_um: float
                    ) -> list[tuple[np.ndarray, np.ndarray, float, float | None]]:
    """Join elongated pieces lying on one line (a scratch broken by a ring edge or noise)."""
    info = []
    for ys, xs, _peak in pieces:
        _, length, width, angle, elong = _measure(ys, xs, px_um)
        info.append((elong >= 3.0 and length * px_um >= 4.0, xs.mean(), ys.mean(), angle,
                     width, length))
    parent = list(range(len(pieces)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    lines = [i for i, t in enumerate(info) if t[0]]
    for a in lines:
        _, ax, ay, aa, aw, al = info[a]
        t = np.deg2rad(aa)
        for b in range(len(pieces)):
            if b == a or root(b) == root(a):
                continue
            b_line, bx, by, ba, bw, bl = info[b]
            if np.sign(pieces[a][2]) != np.sign(pieces[b][2]):
                continue
            if b_line and abs((aa - ba + 90) % 180 - 90) > 8:
                continue
            if not b_line and np.sqrt(len(pieces[b][0])) > 1.5 * aw + 1.0 / px_um:
                continue  # a blob wider than the scratch is a defect on it
            perp = abs(-(bx - ax) * np.sin(t) + (by - ay) * np.cos(t))
            gap = np.hypot(bx - ax, by - ay) - (al + (bl if b_line else 0)) / 2
            if perp <= max(aw, bw if b_line else 0) + 2.0 / px_um and gap <= 15.0 / px_um:
                parent[root(b)] = root(a)
    groups: dict[int, list[int]] = {}
    for i in range(len(pieces)):
        groups.setdefault(root(i), []).append(i)
    out: list[tuple[np.ndarray, np.ndarray, float, float | None]] = []
    for members in groups.values():
        ys = np.concatenate([pieces[i][0] for i in members])
        xs = np.concatenate([pieces[i][1] for i in members])
        peak = max((pieces[i][2] for i in members), key=abs)
        # width of a joined scratch: area over length of its line pieces (the gaps between
        # pieces would otherwise count as length without area)
        lines_in = [i for i in members if info[i][0]]
        joined_w: float | None = None
        if len(members) > 1 and lines_in:
            joined_w = sum(len(pieces[i][0]) for i in lines_in) / sum(info[i][5] for i in lines_in)
        out.append((ys, xs, peak, joined_w))
    return out
