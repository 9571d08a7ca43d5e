"""Simulated end-face microscope images with known truth (single-fiber and MT layouts).

The scene: a ferrule (textured), an adhesive ring round each fiber, the cladding (brighter)
and a faint core; on it dark or bright defects (discs: particles, pits) and scratches
(straight bands of a given width). The optics: vignetting, Gaussian blur (the microscope's
point spread), sensor noise, and JPEG artefacts when asked. The truth lists every feature
with its size and the zones it touches, and grades it with the same tables as the analysis,
so it says which fibers pass.

Example:
    >>> img, truth = simulate_inspection(layout="single", seed=3, defects=[(0.0, 0.0, 4.0)])
    >>> img.shape, truth.fibers[0].verdict("sm-pc")
    ((960, 1280), 'fail')
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import ndimage

from mpokit.qc.inspect.image import EndFaceImage
from mpokit.qc.inspect.rules import Ferrule, RuleSet, builtin_rules, grade_zone

__all__ = ["SimFiber", "SimTruth", "TruthFeature", "random_features", "simulate_inspection"]

CLAD_UM = 62.5
"""Cladding radius (125 um fiber)."""


@dataclass(frozen=True)
class TruthFeature:
    """A feature the simulator drew, in image pixels and micrometres.

    Defects: centre ``(x_px, y_px)`` and ``size_um`` (diameter). Scratches: the centre of the
    band, ``size_um`` its width, ``length_um`` and ``angle_deg``. ``r_min_um``/``r_max_um``
    span the distances of its points from its fiber's centre.
    """

    kind: Literal["scratch", "defect"]
    x_px: float
    y_px: float
    size_um: float
    contrast: float
    r_min_um: float
    r_max_um: float
    length_um: float = 0.0
    angle_deg: float = 0.0


@dataclass(frozen=True)
class SimFiber:
    """One simulated fiber: its centre and its features."""

    index: int
    x_px: float
    y_px: float
    ferrule: Ferrule
    features: tuple[TruthFeature, ...] = ()

    def violations(self, connector_class: str, rules: RuleSet | None = None) -> list[str]:
        """Rules the truth features break for ``connector_class``."""
        table = (rules or builtin_rules()).get(connector_class)
        out: list[str] = []
        for zone in table.zones:
            if self.ferrule not in zone.graded_on:
                continue
            lo, hi = zone.inner_um / 2, zone.outer_um / 2
            kinds: tuple[Literal["scratch", "defect"], ...] = ("scratch", "defect")
            for kind in kinds:
                sizes = []
                for f in self.features:
                    if f.kind != kind:
                        continue
                    if kind == "defect":
                        inner = _zone_of(table.zones, f.r_min_um)
                        hit = inner is zone
                    else:
                        hit = f.r_min_um < hi and f.r_max_um >= lo
                    if hit:
                        sizes.append(f.size_um)
                out += [v.text() for v in grade_zone(table, zone, kind, sizes,
                                                     range(len(sizes)))]
        return out

    def verdict(self, connector_class: str, rules: RuleSet | None = None) -> str:
        """``pass`` or ``fail`` by the truth."""
        return "fail" if self.violations(connector_class, rules) else "pass"


def _zone_of(zones: object, r_um: float) -> object:
    for z in zones:  # type: ignore[attr-defined]
        if z.inner_um / 2 <= r_um < z.outer_um / 2:
            return z
    return None


@dataclass(frozen=True)
class SimTruth:
    """Everything the simulator knows: pixel size, fibers and their features, optics."""

    pixel_um: float
    layout: str
    fibers: tuple[SimFiber, ...]
    blur_um: float
    noise: float
    vignetting: float
    jpeg_quality: int | None = None
    extras: dict[str, float] = field(default_factory=dict)


def _paint_disc(canvas: np.ndarray, cx: float, cy: float, r: float, value: np.ndarray | float,
                mode: str = "set") -> None:
    """Anti-aliased disc: blend ``value`` (or multiply by it) into canvas."""
    h, w = canvas.shape
    x0, x1 = max(int(cx - r - 2), 0), min(int(cx + r + 3), w)
    y0, y1 = max(int(cy - r - 2), 0), min(int(cy + r + 3), h)
    if x0 >= x1 or y0 >= y1:
        return
    yy, xx = np.ogrid[y0:y1, x0:x1]
    d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
    cover = np.clip(r - d + 0.5, 0.0, 1.0)
    _blend(canvas[y0:y1, x0:x1], cover, value, mode)


def _blend(patch: np.ndarray, cover: np.ndarray, value: np.ndarray | float, mode: str) -> None:
    if mode == "mul":
        patch *= 1.0 + cover * (float(value) - 1.0)
    else:
        patch += cover * (value - patch)


def _paint_band(canvas: np.ndarray, cx: float, cy: float, length: float, width: float,
                angle_rad: float, factor: float) -> None:
    """Anti-aliased straight band (a scratch), multiplying intensity by ``factor``."""
    h, w = canvas.shape
    ux, uy = np.cos(angle_rad), np.sin(angle_rad)
    ext = length / 2 + width + 2
    mx, my = abs(ux) * ext + width, abs(uy) * ext + width
    x0, x1 = max(int(cx - mx - 2), 0), min(int(cx + mx + 3), w)
    y0, y1 = max(int(cy - my - 2), 0), min(int(cy + my + 3), h)
    if x0 >= x1 or y0 >= y1:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float64)
    along = (xx - cx) * ux + (yy - cy) * uy
    across = np.abs(-(xx - cx) * uy + (yy - cy) * ux)
    cover = (np.clip(width / 2 - across + 0.5, 0, 1)
             * np.clip(length / 2 - np.abs(along) + 0.5, 0, 1))
    canvas[y0:y1, x0:x1] *= 1.0 + cover * (factor - 1.0)


def _segment_radii(cx: float, cy: float, length: float, angle: float, fx: float, fy: float,
                   half_w: float) -> tuple[float, float]:
    """Min and max distance from (fx, fy) to the points of a band (all in the same units)."""
    ux, uy = np.cos(angle), np.sin(angle)
    t = np.clip((fx - cx) * ux + (fy - cy) * uy, -length / 2, length / 2)
    px, py = cx + t * ux, cy + t * uy
    dmin = max(float(np.hypot(px - fx, py - fy)) - half_w, 0.0)
    ends = [np.hypot(cx + s * length / 2 * ux - fx, cy + s * length / 2 * uy - fy) for s in (-1, 1)]
    return dmin, float(max(ends)) + half_w


Defects = list[tuple[float, float, float]]
Scratches = list[tuple[float, float, float, float, float]]


def random_features(rng: np.random.Generator, *, dirty: float = 0.7,
                    max_r_um: float = 120.0) -> tuple[Defects, Scratches]:
    """A random set of defects ``(dx_um, dy_um, diameter_um)`` and scratches
    ``(dx_um, dy_um, width_um, length_um, angle_deg)`` around a fiber centre.

    With probability ``1 - dirty`` the fiber is clean. Defects are 1.5-14 um (log-uniform),
    a third of them placed in the core and cladding; scratches 0.8-5 um wide.
    """
    if rng.random() > dirty:
        return [], []
    defects = []
    for _ in range(rng.poisson(2.5)):
        d = float(np.exp(rng.uniform(np.log(1.5), np.log(14.0))))
        r = rng.uniform(0, 55.0) if rng.random() < 0.35 else max_r_um * np.sqrt(rng.random())
        a = rng.uniform(0, 2 * np.pi)
        defects.append((float(r * np.cos(a)), float(r * np.sin(a)), d))
    scratches = []
    for _ in range(rng.poisson(0.7)):
        w = float(rng.uniform(0.8, 5.0))
        length = float(rng.uniform(15.0, 120.0))
        r = rng.uniform(0, 90.0)
        a = rng.uniform(0, 2 * np.pi)
        scratches.append((float(r * np.cos(a)), float(r * np.sin(a)), w, length,
                          float(rng.uniform(0, 180))))
    return defects, scratches


def simulate_inspection(
    *,
    layout: Literal["single", "mt"] = "single",
    fibers: int = 12,
    rows: int = 1,
    pixel_um: float | None = None,
    shape: tuple[int, int] | None = None,
    seed: int | None = None,
    defects: list[tuple[float, float, float]] | None = None,
    scratches: list[tuple[float, float, float, float, float]] | None = None,
    per_fiber: list[tuple[list[tuple[float, float, float]],
                          list[tuple[float, float, float, float, float]]]] | None = None,
    blur_um: float = 0.45,
    noise: float = 0.012,
    vignetting: float = 0.25,
    jpeg_quality: int | None = None,
    contrast: tuple[float, float] = (0.25, 0.6),
    offset_um: tuple[float, float] = (0.0, 0.0),
) -> tuple[EndFaceImage, SimTruth]:
    """Render an end-face image and its truth.

    ``layout="single"``: one round-ferrule fiber on a 1280x960 image at 0.3 um/pixel
    (defaults). ``layout="mt"``: ``fibers`` per row at 250 um pitch (``rows`` 1 or 2, rows
    500 um apart) at 0.5 um/pixel. Features: ``defects`` and ``scratches`` relative to the
    (first) fiber centre in um, or ``per_fiber`` lists (see :func:`random_features`);
    ``contrast`` is the range of relative intensity change of features.

    Parameters
    ----------
    layout
        ``single`` (one round-ferrule fiber) or ``mt``.
    fibers, rows
        Fibers per row and rows of an MT ferrule.
    pixel_um, shape
        Pixel size in um and image shape (None: the layout's defaults).
    seed
        Random seed of noise and features.
    defects, scratches
        Features relative to the (first) fiber centre, in um.
    per_fiber
        ``(defects, scratches)`` per fiber (see :func:`random_features`).
    blur_um, noise, vignetting
        Optics: blur in um, pixel noise and vignetting (relative intensity).
    jpeg_quality
        Pass the image through JPEG at this quality (None: lossless).
    contrast
        Range of the relative intensity change of features.
    offset_um
        Shift of the fiber array from the image centre, in um.

    Returns
    -------
    tuple[EndFaceImage, SimTruth]
        The image and the features drawn on it.
    """
    rng = np.random.default_rng(seed)
    single = layout == "single"
    px = pixel_um or (0.3 if single else 0.5)
    pitch_um, row_um = 250.0, 500.0
    if single:
        h, w = shape or (960, 1280)
        centres = [(w / 2 + offset_um[0] / px, h / 2 + offset_um[1] / px)]
    else:
        n = fibers
        w_um = (n - 1) * pitch_um + 2 * 170.0
        h_um = (rows - 1) * row_um + 2 * 170.0
        h, w = shape or (int(h_um / px), int(w_um / px))
        x0 = (w - (n - 1) * pitch_um / px) / 2 + offset_um[0] / px
        y0 = (h - (rows - 1) * row_um / px) / 2 + offset_um[1] / px
        centres = [(x0 + i * pitch_um / px, y0 + j * row_um / px)
                   for j in range(rows) for i in range(n)]
    # ferrule with fine polishing texture
    tex = ndimage.gaussian_filter(rng.standard_normal((h, w)).astype(np.float32), 2.0 / px)
    tex *= 0.02 / max(float(tex.std()), 1e-9)
    canvas = (0.42 + tex).astype(np.float64)
    r_clad = CLAD_UM / px
    for cx, cy in centres:
        _paint_disc(canvas, cx, cy, (CLAD_UM + 2.5) / px, 0.16)      # adhesive ring
        _paint_disc(canvas, cx, cy, r_clad, 0.62)                    # cladding
        _paint_disc(canvas, cx, cy, 4.5 / px, 0.63)                  # faint core
    sims: list[SimFiber] = []
    ferrule: Ferrule = "round" if single else "mt"
    for i, (cx, cy) in enumerate(centres):
        if per_fiber is not None:
            dl, sl = per_fiber[i] if i < len(per_fiber) else ([], [])
        elif i == 0:
            dl, sl = defects or [], scratches or []
        else:
            dl, sl = [], []
        feats: list[TruthFeature] = []
        for dx, dy, d in dl:
            c = rng.uniform(*contrast)
            factor = 1 - c if rng.random() < 0.7 else 1 + 0.6 * c
            x, y = cx + dx / px, cy + dy / px
            _paint_disc(canvas, x, y, d / 2 / px, factor, mode="mul")
            rr = float(np.hypot(dx, dy))
            feats.append(TruthFeature("defect", x, y, d, c, max(rr - d / 2, 0), rr + d / 2))
        for dx, dy, wd, length, ang in sl:
            c = rng.uniform(contrast[0] * 0.7, max(contrast[1] * 0.8, contrast[0] * 0.7))
            factor = 1 - c if rng.random() < 0.6 else 1 + 0.6 * c
            x, y = cx + dx / px, cy + dy / px
            _paint_band(canvas, x, y, length / px, wd / px, np.deg2rad(ang), factor)
            lo, hi = _segment_radii(dx, dy, length, np.deg2rad(ang), 0.0, 0.0, wd / 2)
            feats.append(TruthFeature("scratch", x, y, wd, c, lo, hi, length, ang))
        sims.append(SimFiber(i, cx, cy, ferrule, tuple(feats)))
    # optics: vignetting (off-centre), blur, noise
    yy, xx = np.ogrid[0:h, 0:w]
    vx, vy = w * rng.uniform(0.4, 0.6), h * rng.uniform(0.4, 0.6)
    rr2 = ((xx - vx) ** 2 + (yy - vy) ** 2) / (0.25 * (w * w + h * h))
    canvas *= 1.0 - vignetting * rr2
    canvas = ndimage.gaussian_filter(canvas, blur_um / px)
    canvas += noise * rng.standard_normal(canvas.shape)
    canvas = np.clip(canvas, 0, 1)
    if jpeg_quality is not None:
        canvas = _jpeg_roundtrip(canvas, jpeg_quality)
    img = EndFaceImage(canvas.astype(np.float32), px, "simulated", 16)
    return img, SimTruth(px, layout, tuple(sims), blur_um, noise, vignetting, jpeg_quality)


def _jpeg_roundtrip(canvas: np.ndarray, quality: int) -> np.ndarray:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.rint(canvas * 255).astype(np.uint8)).save(buf, "JPEG", quality=quality)
    buf.seek(0)
    with Image.open(buf) as im:
        return np.asarray(im, dtype=np.float64) / 255.0
