"""The texture detector outside the cladding (``detect._outer_z``): faint flaws on the
ceramic's texture are found, and nothing is invented on clean faces or round strong flaws."""

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
