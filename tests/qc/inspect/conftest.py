"""Fixtures for the inspection tests, and a second, independent image generator.

The second generator shares no code with ``mpokit.qc.inspect.simulate`` and differs on
purpose in every modelling choice, so that the analysis is not only tested on the images
it was shaped on:

* illumination: a ring light -- brightness rises towards an off-centre rim, plus a linear
  tilt -- instead of a centred quadratic falloff;
* contrast: the cladding is DARKER than the ferrule (reflection from glass lower than from
  ceramic), with no dark adhesive ring but a thin bright one;
* texture: ceramic grain from many small random ellipses (not filtered Gaussian noise);
* flaws: irregular polygons (not discs) for particles, and slightly curved scratches
  (arcs, not straight bands);
* optics and sensor: a box (defocus-like) blur instead of a Gaussian, then Poisson shot
  noise at a given photon count and 8-bit quantisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from mpokit.qc.inspect.image import EndFaceImage, write_image
from mpokit.qc.inspect.simulate import simulate_inspection


@dataclass
class OtherScene:
    """What the independent generator drew (pixels and um around the fiber centre)."""

    cx: float
    cy: float
    pixel_um: float
    particles: list[tuple[float, float, float]] = field(default_factory=list)  # dx, dy, d
    scratches: list[tuple[float, float, float, float]] = field(default_factory=list)


def _polygon_mask(h: int, w: int, cx: float, cy: float, r: float, rng: np.random.Generator
                  ) -> np.ndarray:
    """An irregular blob: radius varies with angle by up to +-25 %."""
    yy, xx = np.mgrid[0:h, 0:w]
    ang = np.arctan2(yy - cy, xx - cx)
    k = rng.uniform(0, 2 * np.pi, 3)
    rad = r * (1 + 0.12 * np.sin(3 * ang + k[0]) + 0.08 * np.sin(5 * ang + k[1])
               + 0.05 * np.sin(2 * ang + k[2]))
    return np.hypot(xx - cx, yy - cy) <= rad


def other_generator(
    *,
    seed: int = 0,
    shape: tuple[int, int] = (960, 1280),
    pixel_um: float = 0.32,
    particles: list[tuple[float, float, float]] | None = None,
    scratches: list[tuple[float, float, float, float]] | None = None,
    photons: float = 400.0,
    box_blur_px: int = 3,
) -> tuple[EndFaceImage, OtherScene]:
    """Render with the second model. ``particles``: (dx_um, dy_um, diameter_um);
    ``scratches``: (offset_um, width_um, length_um, angle_deg) -- an arc through the point
    at ``offset_um`` from the centre, perpendicular to the angle, with a gentle bend."""
    rng = np.random.default_rng(seed)
    h, w = shape
    cx, cy = w / 2 + rng.uniform(-40, 40), h / 2 + rng.uniform(-30, 30)
    scene = OtherScene(cx, cy, pixel_um, list(particles or []), list(scratches or []))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    r = np.hypot(xx - cx, yy - cy) * pixel_um
    # ceramic grain: many small ellipses of random brightness
    grain = np.zeros((h, w))
    for _ in range(2500):
        gx, gy = rng.uniform(0, w), rng.uniform(0, h)
        a, b = rng.uniform(2, 6), rng.uniform(1, 3)
        th = rng.uniform(0, np.pi)
        x0, x1 = int(max(gx - 7, 0)), int(min(gx + 8, w))
        y0, y1 = int(max(gy - 7, 0)), int(min(gy + 8, h))
        px, py = xx[y0:y1, x0:x1] - gx, yy[y0:y1, x0:x1] - gy
        u = (px * np.cos(th) + py * np.sin(th)) / a
        v = (-px * np.sin(th) + py * np.cos(th)) / b
        grain[y0:y1, x0:x1] += (u * u + v * v <= 1) * rng.normal(0, 0.03)
    scene_img = 0.55 + grain
    scene_img[r <= 64.0] = 0.62          # thin bright ring (polish relief at the boundary)
    scene_img[r <= 62.5] = 0.33          # cladding darker than ceramic
    scene_img[r <= 25.0] *= 1.01          # multimode-like core, barely visible
    for dx, dy, d in scene.particles:
        m = _polygon_mask(h, w, cx + dx / pixel_um, cy + dy / pixel_um, d / 2 / pixel_um, rng)
        scene_img[m] *= 0.45 if rng.random() < 0.5 else 1.6
    for off, wd, length, ang in scene.scratches:
        t = np.deg2rad(ang)
        # arc: centre of curvature far away on the normal -> slight bend
        bend = 600.0
        nx, ny = -np.sin(t), np.cos(t)
        mx, my = cx + off / pixel_um * nx, cy + off / pixel_um * ny
        ox, oy = mx + nx * bend / pixel_um, my + ny * bend / pixel_um
        rr = np.hypot(xx - ox, yy - oy) * pixel_um
        along = (xx - mx) * np.cos(t) + (yy - my) * np.sin(t)
        band = (np.abs(rr - bend) <= wd / 2) & (np.abs(along) * pixel_um <= length / 2)
        scene_img[band] *= 0.6
    # ring light: brighter towards an off-centre rim, plus a tilt
    lx, ly = w * 0.65, h * 0.4
    light = 0.75 + 0.35 * (np.hypot(xx - lx, yy - ly) / np.hypot(w, h)) + 0.05 * (xx / w)
    img = ndimage.uniform_filter(scene_img * light, box_blur_px)
    img = rng.poisson(np.clip(img, 0, None) * photons) / photons
    img = np.round(np.clip(img * 0.8, 0, 1) * 255) / 255
    return EndFaceImage(img.astype(np.float32), pixel_um, "test", 8), scene


@pytest.fixture
def clean_single() -> EndFaceImage:
    img, _ = simulate_inspection(layout="single", seed=21)
    return img


@pytest.fixture
def image_file(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A factory: write a simulated single-fiber image with the given flaws to a file."""

    def make(name: str = "face.png", **kw: object) -> Path:
        img, _ = simulate_inspection(layout="single", seed=int(kw.pop("seed", 5)),  # type: ignore[call-overload]
                                     **kw)
        path = tmp_path / name
        write_image(path, img.pixels, pixel_um=img.pixel_um)
        return path

    return make
