"""Monte Carlo against analytic cases (normal losses: the sum is normal)."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from mpokit.loss import Grade, budget, grades, monte_carlo, monte_carlo_arrays
from tests.loss.conftest import dr4


@pytest.fixture(scope="module", autouse=True)
def normal_grade() -> None:
    grades().add(Grade(name="test-normal", kind="connection", mean_db=0.7, p97_db=0.9,
                       distribution="normal", source="test", status="typical"))


def test_normal_sum_matches_analytic() -> None:
    """4 normal matings + fixed fiber: lane loss ~ N(4 m + f, 2 s); channel = all 8 lanes."""
    adapters = [{"adapter": {"type": "A", "grade": "test-normal"}}]
    mid = []
    for i in range(4):
        if i:
            mid.append({"trunk": {"connector": "MPO-12", "type": "A", "fiber": "OS2",
                                  "length_m": 50, "ends": ["female", "male"],
                                  "attenuation_db_per_km": 0.4}})
        mid += adapters
    ch = dr4(*mid)
    b = budget(ch)
    fixed = b.fiber_db
    s = 0.2 / NormalDist().inv_cdf(0.97)
    mean, sd = 4 * 0.7 + fixed, 2 * s
    p_lane = NormalDist(mean, sd).cdf(3.0)
    p_chan = p_lane**8
    trials = 20_000
    (r,) = monte_carlo([ch], trials=trials, seed=7)
    se_lane = math.sqrt(p_lane * (1 - p_lane) / trials)
    assert np.all(np.abs(r.p_lane - p_lane) < 4.5 * se_lane)
    assert abs(r.p_pass - p_chan) < 4.5 * math.sqrt(p_chan * (1 - p_chan) / trials)
    assert r.mean_db == pytest.approx(mean, abs=0.005)
    assert 0.05 < r.p_pass < 0.4  # a case where the answer is not trivially 0 or 1


def test_lognormal_draws_match_grade_mean() -> None:
    # one grade-C mating, limit at the grade's p97: 97 % of lanes pass
    r = monte_carlo_arrays(np.array([0.0]), [["C"]], np.array([0.5]), fibers=1,
                           trials=40_000, seed=3)
    assert float(r.p_lane[0, 0]) == pytest.approx(0.97, abs=4 * math.sqrt(0.97 * 0.03 / 40_000))
    assert float(r.mean_db[0]) == pytest.approx(0.25, rel=0.02)


def test_explicit_only_is_deterministic() -> None:
    ok = dr4({"adapter": {"type": "A", "loss_db": 1.0}})
    bad = dr4({"adapter": {"type": "A", "loss_db": 3.5}})
    r_ok, r_bad = monte_carlo([ok, bad], trials=1000)
    assert (r_ok.p_pass, r_bad.p_pass) == (1.0, 0.0)


def test_reproducible_and_shapes() -> None:
    ch = dr4({"adapter": {"type": "A", "grade": "C"}}, grade="C")
    a = monte_carlo([ch], trials=2000, seed=11)[0]
    b = monte_carlo([ch], trials=2000, seed=11)[0]
    assert a.p_pass == b.p_pass and a.p_lane.shape == (8,)
    d = a.to_dict()
    assert set(d) >= {"p_pass", "p_pass_lanes", "p_pass_stderr", "trials"}
