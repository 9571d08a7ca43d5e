"""The analysis on images from a second, independent generator (see conftest.py): inverted
cladding contrast, ring-light illumination, ceramic grain, irregular particles, curved
scratches, box blur, shot noise and 8-bit quantisation."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import other_generator
from mpokit.qc.inspect.analyze import inspect_image


def test_fiber_is_found_and_fitted_on_inverted_contrast() -> None:
    img, scene = other_generator(seed=1)
    res = inspect_image(img, "mm-pc")
    assert len(res.fibers) == 1
    f = res.fibers[0]
    assert np.hypot(f.x_px - scene.cx, f.y_px - scene.cy) < 1.0
    assert f.edge is not None and abs(f.edge.radius_um - 62.5) < 0.5


def test_clean_face_passes_and_nothing_is_found_on_the_fiber() -> None:
    for seed in (2, 3, 4):
        img, _ = other_generator(seed=seed)
        f = inspect_image(img, "sm-pc").fibers[0]
        assert f.verdict == "pass", [x.to_dict() for x in f.features]
        assert [x for x in f.features if x.zone in ("A", "B", "C")] == []


@pytest.mark.parametrize(("diameter_um", "r_um"), [(3.0, 2.0), (4.0, 30.0), (7.0, 45.0)])
def test_irregular_particles_are_found_and_sized(diameter_um: float, r_um: float) -> None:
    img, _ = other_generator(seed=5, particles=[(r_um, 0.0, diameter_um)])
    f = inspect_image(img, "mm-pc").fibers[0]
    on_fiber = [x for x in f.features if x.zone in ("A", "B")]
    assert len(on_fiber) == 1 and on_fiber[0].feature.kind == "defect"
    assert on_fiber[0].feature.size_um == pytest.approx(diameter_um, rel=0.25)
    assert abs(on_fiber[0].feature.r_min_um - (r_um - diameter_um / 2)) < 1.5


def test_verdicts_follow_the_multimode_table() -> None:
    # zone A (65 um): up to 4 defects <= 5 um, none larger; scratches <= 3 um wide only
    cases = [
        ({"particles": [(10.0, 0.0, 3.0), (-15.0, 5.0, 3.5)]}, "pass"),
        ({"particles": [(10.0, 0.0, 7.0)]}, "fail"),
        ({"scratches": [(12.0, 1.5, 70.0, 30.0)]}, "pass"),
        ({"scratches": [(12.0, 5.0, 70.0, 30.0)]}, "fail"),
    ]
    for kw, want in cases:
        img, _ = other_generator(seed=6, **kw)  # type: ignore[arg-type]
        f = inspect_image(img, "mm-pc").fibers[0]
        assert f.verdict == want, (kw, [x.to_dict() for x in f.features])


def test_curved_scratch_is_one_scratch_with_its_width() -> None:
    img, _ = other_generator(seed=7, scratches=[(20.0, 2.5, 90.0, 120.0)])
    f = inspect_image(img, "sm-pc").fibers[0]
    scratches = [x for x in f.features if x.feature.kind == "scratch"]
    assert len(scratches) == 1
    s = scratches[0].feature
    assert s.size_um == pytest.approx(2.5, abs=0.8) and s.length_um > 60
