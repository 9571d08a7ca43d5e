"""X-bar/R constants: the data file against their definitions and against published tables."""

from __future__ import annotations

import math

import pytest

from mpokit.store.spc import (
    MAX_N,
    MIN_N,
    chart_constants,
    derive_constants,
    derive_range_moments,
    generate_constants_yaml,
)

# SixSigma R package vignette "Shewhart Constants for Control Charts"
# (https://rdrr.io/cran/SixSigma/f/inst/doc/ShewhartConstants.pdf): n, d2, d3, A2, D3, D4.
SIXSIGMA_4DP = """
2 1.1284 0.8525 1.8800 0.0000 3.2665
3 1.6926 0.8884 1.0233 0.0000 2.5746
4 2.0588 0.8798 0.7286 0.0000 2.2821
5 2.3259 0.8641 0.5768 0.0000 2.1145
6 2.5344 0.8480 0.4832 0.0000 2.0038
7 2.7044 0.8332 0.4193 0.0757 1.9243
8 2.8472 0.8198 0.3725 0.1362 1.8638
9 2.9700 0.8078 0.3367 0.1840 1.8160
10 3.0775 0.7971 0.3083 0.2230 1.7770
11 3.1729 0.7873 0.2851 0.2556 1.7444
12 3.2585 0.7785 0.2658 0.2833 1.7167
13 3.3360 0.7704 0.2494 0.3072 1.6928
14 3.4068 0.7630 0.2354 0.3281 1.6719
15 3.4718 0.7562 0.2231 0.3466 1.6534
16 3.5320 0.7499 0.2123 0.3630 1.6370
17 3.5879 0.7441 0.2028 0.3779 1.6221
18 3.6401 0.7386 0.1943 0.3913 1.6087
19 3.6890 0.7335 0.1866 0.4035 1.5965
20 3.7349 0.7287 0.1796 0.4147 1.5853
21 3.7783 0.7242 0.1733 0.4250 1.5750
22 3.8194 0.7199 0.1675 0.4345 1.5655
23 3.8583 0.7159 0.1621 0.4434 1.5566
"""

# AVEVA Plant SCADA, "Control Chart Line Constants"
# (https://docs.aveva.com/bundle/plant-scada/page/1217199.html): n, A2, D3, D4.
AVEVA_3DP = """
2 1.880 0 3.267
3 1.023 0 2.574
4 0.729 0 2.282
5 0.577 0 2.114
6 0.483 0 2.004
7 0.419 0.076 1.924
8 0.373 0.136 1.864
9 0.337 0.184 1.816
10 0.308 0.223 1.777
11 0.285 0.256 1.744
12 0.266 0.283 1.717
13 0.249 0.307 1.693
14 0.235 0.328 1.672
15 0.223 0.347 1.653
16 0.212 0.363 1.637
17 0.203 0.378 1.622
18 0.194 0.391 1.608
19 0.187 0.403 1.597
20 0.180 0.415 1.585
21 0.173 0.425 1.575
22 0.167 0.434 1.566
23 0.162 0.443 1.557
24 0.157 0.451 1.548
25 0.153 0.459 1.541
"""


def _rows(text: str) -> list[list[float]]:
    return [[float(v) for v in line.split()] for line in text.strip().splitlines()]


def test_data_file_is_what_the_definitions_give() -> None:
    from importlib import resources

    text = resources.files("mpokit.store").joinpath("data", "spc_constants.yaml") \
        .read_text("utf-8")
    assert text.endswith(generate_constants_yaml())
    assert "status: derived" in text


def test_closed_form_for_two_values() -> None:
    # the range of 2 standard normals is sqrt(2)|Z|: E = 2/sqrt(pi), E[W^2] = 2
    d2, d3 = derive_range_moments(2)
    assert d2 == pytest.approx(2 / math.sqrt(math.pi), abs=1e-9)
    assert d3 == pytest.approx(math.sqrt(2 - 4 / math.pi), abs=1e-9)


@pytest.mark.parametrize("n", [7])
def test_agrees_with_scipy_quadrature(n: int) -> None:
    integrate = pytest.importorskip("scipy.integrate")
    norm = pytest.importorskip("scipy.stats").norm

    def below(w: float) -> float:
        return n * integrate.quad(lambda x: norm.pdf(x) * (norm.cdf(x + w) - norm.cdf(x))
                                  ** (n - 1), -12, 12, epsabs=1e-11, limit=100)[0]

    d2 = integrate.quad(lambda w: 1 - below(w), 0, 15, epsabs=1e-10, limit=100)[0]
    ew2 = integrate.quad(lambda w: 2 * w * (1 - below(w)), 0, 15, epsabs=1e-10, limit=100)[0]
    got = derive_range_moments(n)
    assert got[0] == pytest.approx(d2, abs=1e-8)
    assert got[1] == pytest.approx(math.sqrt(ew2 - d2 * d2), abs=1e-8)


def test_matches_the_sixsigma_table_to_its_4_decimals() -> None:
    for n, d2, d3, a2, lo, hi in _rows(SIXSIGMA_4DP):
        c = chart_constants(int(n))
        # 1e-4: that table's d2(20) = 3.7349 against 3.73495 (its integration tolerance)
        assert (c.d2, c.d3, c.a2, c.d3_factor, c.d4_factor) == pytest.approx(
            (d2, d3, a2, lo, hi), abs=1.0e-4), n


def test_matches_the_aveva_table() -> None:
    rows = _rows(AVEVA_3DP)
    assert [int(r[0]) for r in rows] == list(range(MIN_N, MAX_N + 1))
    for n, a2, lo, hi in rows:
        c = chart_constants(int(n))
        assert round(c.a2, 3) == a2, n
        # that table's D3/D4 differ in the last digit at n = 3, 18, 19, 22, 24
        assert c.d3_factor == pytest.approx(lo, abs=1.0e-3), n
        assert c.d4_factor == pytest.approx(hi, abs=1.0e-3), n
    exact = sum(round(chart_constants(int(r[0])).d4_factor, 3) == r[3] for r in rows)
    assert exact == len(rows) - 4  # n = 3, 18, 19, 22


def test_relations_between_the_constants() -> None:
    for n in range(MIN_N, MAX_N + 1):
        c = derive_constants(n)
        assert c["A2"] == pytest.approx(3 / (c["d2"] * math.sqrt(n)))
        assert c["D4"] - 1 == pytest.approx(3 * c["d3"] / c["d2"])
        assert (c["D3"] == 0.0) == (n <= 6)


def test_outside_the_table_is_refused() -> None:
    with pytest.raises(ValueError, match=r"2\.\.25"):
        chart_constants(26)
    with pytest.raises(ValueError, match=r"2\.\.25"):
        chart_constants(1)
