"""The detectors outside the cladding (``detect._outer_z``: the texture-free residual and
the matched filters) and the floor of small flaws there: faint flaws on the ceramic's
texture are found, and nothing is invented on clean faces or round strong flaws."""

from __future__ import annotations

import numpy as np
import pytest

import mpokit.qc.inspect.detect as detect
from mpokit.qc.inspect.analyze import inspect_image
from mpokit.qc.inspect.simulate import simulate_inspection


def _faint_d_defect(seed: int, monkeypatch: pytest.MonkeyPatch | None) -> tuple[int, int]:
    """(features on the drawn 3.5 um, 22 % particle in zone D, all features)."""
    img, truth = simulate_inspection(layout="single", seed=seed, defects=[(90.0, 20.0, 3.5)],
                                     contrast=(0.22, 0.22), noise=0.015)
    if monkeypatch is not None:  # the texture detector switched off: its radius out of view
        monkeypatch.setattr(detect, "TEXTURE_FROM", 99.0)
    f = inspect_image(img, "sm-pc").fibers[0]
    tf = truth.fibers[0].features[0]
    hits = [x for x in f.features
            if np.hypot(x.feature.x_px - tf.x_px, x.feature.y_px - tf.y_px) * img.pixel_um < 3]
    return len(hits), len(f.features)


def test_faint_particles_on_the_texture_are_found(monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = range(10)
    with_tex = [_faint_d_defect(s, None) for s in seeds]
    assert sum(h for h, _ in with_tex) >= 8
    assert all(n == h for h, n in with_tex)  # nothing else reported
    without = [_faint_d_defect(s, monkeypatch)[0] for s in seeds]
    assert sum(without) <= 3  # the plain residual misses most of them


def test_clean_faces_get_no_flaw_from_the_texture_detector() -> None:
    found = []
    for seed in range(30, 36):
        img, _ = simulate_inspection(layout="single", seed=seed, noise=0.02, vignetting=0.35)
        found += inspect_image(img, "sm-pc").fibers[0].features
    assert len(found) <= 1, [x.to_dict() for x in found]


def test_no_halo_round_a_strong_particle_on_the_ferrule() -> None:
    for seed in (6, 7, 8):
        img, _ = simulate_inspection(layout="single", seed=seed, defects=[(-90.0, 0.0, 12.0)],
                                     contrast=(0.5, 0.5))
        feats = inspect_image(img, "sm-pc").fibers[0].features
        assert len(feats) == 1 and feats[0].zone == "D", [x.to_dict() for x in feats]
        assert feats[0].feature.size_um == pytest.approx(12.0, abs=1.0)


def _found(img_truth: tuple[object, object], d_um: float) -> tuple[bool, int]:
    """(the first truth defect found, number of other features) on a single-fiber image."""
    img, truth = img_truth
    f = inspect_image(img, "sm-pc").fibers[0]  # type: ignore[arg-type]
    tf = truth.fibers[0].features[0]  # type: ignore[attr-defined]
    px = img.pixel_um  # type: ignore[attr-defined]
    hits = [x for x in f.features
            if np.hypot(x.feature.x_px - tf.x_px, x.feature.y_px - tf.y_px) * px < d_um / 2 + 1]
    return bool(hits), len(f.features) - len(hits)


def test_faint_particle_in_zone_d_near_the_vignetted_field_edge(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An 8 um particle of 30 % (dark) or 18 % (bright) contrast in the contact zone, 45 um
    from the field's edge under 40 % vignetting, on 0.5 um pixels: the matched filters find
    the faint ones the texture hides from the other residuals."""
    def draw(seed: int) -> tuple[object, object]:
        return simulate_inspection(layout="single", seed=seed, pixel_um=0.5,
                                   offset_um=(-170.0, 0.0), defects=[(-105.0, 20.0, 8.0)],
                                   contrast=(0.3, 0.3), noise=0.02, vignetting=0.4)
    seeds = range(12)
    with_mf = [_found(draw(s), 8.0) for s in seeds]
    assert sum(h for h, _ in with_mf) >= 11
    assert sum(n for _, n in with_mf) == 0  # nothing else reported
    monkeypatch.setattr(detect, "MATCHED_RADII_UM", ())
    without = [_found(draw(s), 8.0)[0] for s in seeds]
    assert sum(without) < sum(h for h, _ in with_mf)


def test_two_um_particle_on_the_ferrule_measured_a_little_short_is_kept(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A plainly seen 2.0 um particle in the contact zone reads 1.9-2.2 um: it is kept
    although the floor there is 2 um (without the margin about half are dropped)."""
    def draw(seed: int) -> tuple[object, object]:
        return simulate_inspection(layout="single", seed=seed, defects=[(95.0, 10.0, 2.0)],
                                   contrast=(0.5, 0.5), noise=0.008, blur_um=0.35)
    seeds = range(10)
    kept = [_found(draw(s), 2.0) for s in seeds]
    assert sum(h for h, _ in kept) >= 9
    assert sum(n for _, n in kept) <= 1
    monkeypatch.setattr(detect, "FERRULE_FLOOR_MARGIN_UM", 0.0)
    assert sum(_found(draw(s), 2.0)[0] for s in seeds) <= sum(h for h, _ in kept) - 2


def test_clean_faces_get_no_zone_a_defect_and_nothing_from_the_matched_filters() -> None:
    """Clean single-fiber faces (noisy, strongly vignetted, coarse pixels) and a clean MT-16
    face: no feature in zone A, none outside the cladding."""
    zones: list[str] = []
    for seed in range(40, 44):
        img, _ = simulate_inspection(layout="single", seed=seed, pixel_um=0.5, noise=0.025,
                                     vignetting=0.4)
        zones += [x.zone for x in inspect_image(img, "sm-pc").fibers[0].features]
    img, _ = simulate_inspection(layout="mt", fibers=16, seed=44, noise=0.02, vignetting=0.35)
    for f in inspect_image(img, "sm-pc", ferrule="mt").fibers:
        zones += [x.zone for x in f.features]
    assert "A" not in zones
    assert not {"C", "D", "ferrule", "outside"} & set(zones), zones
