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


# A textbook-style X-bar/R data set: 10 subgroups of 5 per-fiber IL values (dB). Subgroup 8
# is shifted up (its mean leaves the X-bar limits), subgroup 9 is spread out (its range
# leaves the R limits while its mean stays in).
XBAR_R_DATA = [
    [0.21, 0.19, 0.22, 0.20, 0.18],
    [0.20, 0.22, 0.19, 0.21, 0.20],
    [0.18, 0.21, 0.20, 0.22, 0.19],
    [0.22, 0.20, 0.21, 0.19, 0.20],
    [0.19, 0.18, 0.21, 0.20, 0.22],
    [0.20, 0.21, 0.18, 0.19, 0.21],
    [0.21, 0.20, 0.22, 0.18, 0.20],
    [0.26, 0.27, 0.25, 0.28, 0.26],
    [0.12, 0.29, 0.20, 0.16, 0.24],
    [0.20, 0.19, 0.21, 0.22, 0.20],
]


def test_xbar_r_against_a_hand_computation() -> None:
    from mpokit.store.stats import xbar_r_charts

    data = np.array(XBAR_R_DATA)
    names = [f"S{i + 1}" for i in range(len(data))]
    xbar, r = xbar_r_charts(names, list(data), baseline=7)
    # by hand, with the published n = 5 constants (A2 0.577, D3 0, D4 2.114) to 3 decimals
    means, ranges = data.mean(axis=1), data.max(axis=1) - data.min(axis=1)
    grand, r_bar = means[:7].mean(), ranges[:7].mean()
    assert r_bar == pytest.approx(0.25 / 7)  # ranges 0.04 0.03 0.04 0.03 0.04 0.03 0.04
    assert grand == pytest.approx(1.408 / 7)  # means 0.2 0.204 0.2 0.204 0.2 0.198 0.202
    assert xbar.center == pytest.approx(grand) and r.center == pytest.approx(r_bar)
    assert xbar.ucl == pytest.approx(np.full(10, grand + 0.577 * r_bar), abs=5e-5)
    assert xbar.lcl == pytest.approx(np.full(10, grand - 0.577 * r_bar), abs=5e-5)
    assert r.ucl == pytest.approx(np.full(10, 2.114 * r_bar), abs=5e-5)
    assert np.all(r.lcl == 0.0)
    assert r.points == pytest.approx(ranges)
    assert xbar.out_of_control == ("S8",)
    assert r.out_of_control == ("S9",)
    assert "A2" in xbar.basis and "n = 5" in xbar.basis and "D4" in r.basis
    assert r.to_dict()["kind"] == "r"


def test_xbar_r_needs_one_small_subgroup_size() -> None:
    from mpokit.store.stats import xbar_r_charts

    with pytest.raises(ValueError, match="one size"):
        xbar_r_charts(["a", "b"], [np.ones(5), np.ones(6)])
    with pytest.raises(ValueError, match=r"2\.\.25"):
        xbar_r_charts(["a", "b"], [np.ones(32), np.ones(32)])


def test_subgroup_charts_pick_the_chart_the_data_support() -> None:
    from mpokit.store.stats import subgroup_charts

    data = [np.array(g) for g in XBAR_R_DATA]
    names = [str(i) for i in range(10)]
    out = subgroup_charts(names, data)
    assert out["r_chart"]["kind"] == "r" and "A2" in out["chart"]["basis"]
    assert out["ewma_chart"]["kind"] == "ewma" and out["chart_reason"] == ""
    # MPO-32 assemblies: 32 values per subgroup, beyond the table -> pooled sigma, no R chart
    big = [np.linspace(0.1, 0.3, 32) + 0.01 * i for i in range(3)]
    out = subgroup_charts(["a", "b", "c"], big)
    assert out["r_chart"] is None and "2..25" in out["r_chart_reason"]
    assert "pooled" in out["chart"]["basis"]
    # a subgroup with one finite value is left out, and said so
    out = subgroup_charts(["a", "b", "c"], [data[0], data[1], np.array([0.2, np.nan])])
    assert out["chart_reason"].startswith("1 subgroups") and len(out["chart"]["points"]) == 2
    thin = subgroup_charts(["a"], [data[0]])
    assert thin["chart"] is None and thin["r_chart"] is None and thin["chart_reason"]
