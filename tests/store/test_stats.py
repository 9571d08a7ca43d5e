"""Cpk, Shewhart and EWMA charts, correlation."""

from __future__ import annotations

import numpy as np
import pytest

from mpokit.store.stats import correlate, cpk, ewma_chart, group_stats, shewhart_chart


def test_cpk_by_hand() -> None:
    x = np.array([0.10, 0.12, 0.14])  # mean 0.12, s 0.02
    assert cpk(x, usl=0.25) == pytest.approx((0.25 - 0.12) / 0.06)
    assert cpk(x, lsl=0.0, usl=0.25) == pytest.approx(0.12 / 0.06)
    assert cpk(np.array([0.1, 0.1]), usl=0.25) is None
    assert cpk(x) is None


def test_group_stats() -> None:
    g = group_stats("L1", np.linspace(0.0, 1.0, 101), [True, True, False, True], 2.0)
    assert g.yield_fraction == 0.75 and g.fibers == 101
    assert g.p97_db == pytest.approx(0.97) and g.mean_db == pytest.approx(0.5)


def test_shewhart_flags_a_shifted_lot() -> None:
    rng = np.random.default_rng(1)
    groups = [rng.normal(0.10, 0.02, 48) for _ in range(8)]
    groups[6] = groups[6] + 0.03
    chart = shewhart_chart([f"L{i}" for i in range(8)], groups, baseline=5)
    assert chart.out_of_control == ("L6",)
    assert np.all(chart.ucl - chart.center == pytest.approx(3 * 0.02 / np.sqrt(48), rel=0.25))


def test_ewma_catches_a_small_sustained_shift_that_shewhart_misses() -> None:
    pattern = np.random.default_rng(4).normal(0.0, 0.02, 12)
    pattern -= pattern.mean()  # every subgroup has the same spread, means set exactly
    sigma_mean = pattern.std(ddof=1) / np.sqrt(12)
    groups = [0.10 + pattern for _ in range(10)]
    groups += [0.10 + 1.5 * sigma_mean + pattern for _ in range(10)]  # +1.5 sigma of the mean
    names = [str(i) for i in range(20)]
    assert shewhart_chart(names, groups, baseline=10).out_of_control == ()
    assert len(ewma_chart(names, groups, baseline=10).out_of_control) > 0


def test_charts_need_real_subgroups() -> None:
    with pytest.raises(ValueError, match="at least 2 values"):
        shewhart_chart(["a", "b"], [np.array([0.1]), np.array([0.2])])


def test_correlate() -> None:
    x = np.arange(10.0)
    assert correlate(x, 2 * x + 1) == {"n": 10, "r": 1.0, "slope": 2.0}
    assert correlate(x, -x)["r"] == -1.0
    assert correlate(x[:2], x[:2])["r"] is None
