"""Fitting primitives: robust rejection, circle fit, NaN-aware helpers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mpokit.qc.fit import (
    bilinear,
    circle_fit,
    nanmedian,
    noise_sigma_nm,
    paraboloid_design,
    robust_fit,
)


def test_robust_fit_ignores_spikes_and_nan() -> None:
    x = np.linspace(-40, 40, 81)
    xx, yy = np.meshgrid(x, x)
    z = 100 + 2 * xx - yy - 0.05 * (xx**2 + yy**2)
    z[10:12, 10:12] = 5000.0
    z[50, :] = np.nan
    coef, keep = robust_fit(paraboloid_design(xx, yy).reshape(-1, 4), z.ravel(),
                            np.ones(z.size, bool), floor_nm=1.0)
    np.testing.assert_allclose(coef, [100, 2, -1, -0.05], atol=1e-9)
    assert not keep.reshape(z.shape)[10, 10]


def test_batched_fit_matches_single() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(-40, 40, (3, 500))
    y = rng.uniform(-40, 40, (3, 500))
    truth = np.array([[1, 0.1, 0.2, -0.01], [5, -1, 0, 0.02], [0, 0, 0, 0]])
    z = np.einsum("fni,fi->fn", paraboloid_design(x, y), truth) + rng.normal(0, 0.1, (3, 500))
    coef, _ = robust_fit(paraboloid_design(x, y), z, np.ones_like(z, bool))
    single, _ = robust_fit(paraboloid_design(x[1], y[1]), z[1], np.ones(500, bool))
    np.testing.assert_allclose(coef[1], single, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(coef, truth, atol=0.05)


def test_circle_fit_rejects_outliers() -> None:
    t = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    x = 10 + 62.5 * np.cos(t)
    y = -3 + 62.5 * np.sin(t)
    x[5] += 20
    cx, cy, r, keep = circle_fit(x[None], y[None], np.ones((1, 64), bool))
    assert (cx[0], cy[0], r[0]) == pytest.approx((10, -3, 62.5), abs=1e-6)
    assert not keep[0, 5]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6) | st.just(float("nan")), min_size=1, max_size=40))
def test_nanmedian_matches_numpy(values: list[float]) -> None:
    a = np.array(values)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = np.nanmedian(a)
    got = nanmedian(a)
    assert (np.isnan(expected) and np.isnan(got)) or got == pytest.approx(expected)


def test_noise_estimate_ignores_tilt() -> None:
    rng = np.random.default_rng(2)
    z = 17.0 * np.arange(400)[None, :] + rng.normal(0, 3, (200, 400))
    assert noise_sigma_nm(z) == pytest.approx(3.0, rel=0.05)


def test_bilinear_nan_and_outside() -> None:
    img = np.arange(12.0).reshape(3, 4)
    img[2, 3] = np.nan
    out = bilinear(img, np.array([0.5, 1.5, 5.0]), np.array([0.5, 2.5, 0.0]))
    assert out[0] == pytest.approx(2.5) and np.isnan(out[1]) and np.isnan(out[2])
