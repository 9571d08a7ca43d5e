"""Shewhart X-bar/R chart constants (d2, d3, A2, D3, D4) for subgroup sizes 2..25.

The values are data (``store/data/spc_constants.yaml``, with ``source`` and ``status``); this
module reads them and can derive them again from their definitions, so the data file is
checked against the mathematics, not copied from anywhere:

* W is the range (max - min) of n independent standard normal values;
* d2 = E[W] = integral over w >= 0 of P(W > w), and E[W^2] = integral of 2 w P(W > w);
  P(W <= w) = n * integral over x of phi(x) (Phi(x + w) - Phi(x))^(n - 1);
* d3 = sqrt(E[W^2] - d2^2);
* A2 = 3 / (d2 sqrt(n)), D3 = max(0, 1 - 3 d3 / d2), D4 = 1 + 3 d3 / d2.

Example:
    >>> c = chart_constants(5)
    >>> round(c.d2, 3), round(c.a2, 3), c.d3_factor, round(c.d4_factor, 3)
    (2.326, 0.577, 0.0, 2.114)
    >>> round(derive_range_moments(2)[0], 4)  # d2(2) = 2 / sqrt(pi)
    1.1284
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from mpokit._yaml import load_yaml

__all__ = ["MAX_N", "MIN_N", "ChartConstants", "chart_constants", "derive_constants",
           "derive_range_moments", "generate_constants_yaml"]

MIN_N, MAX_N = 2, 25
_FILE = "mpokit/store/data/spc_constants.yaml"


@dataclass(frozen=True)
class ChartConstants:
    """The X-bar/R constants of one subgroup size, with where they come from."""

    n: int
    d2: float
    d3: float
    a2: float
    d3_factor: float  # D3 (capital): lower R-chart limit factor
    d4_factor: float  # D4: upper R-chart limit factor
    status: str
    source: str


@cache
def _table() -> dict[str, Any]:
    text = resources.files("mpokit.store").joinpath("data", "spc_constants.yaml") \
        .read_text("utf-8")
    data, _ = load_yaml(text, file=_FILE)
    return dict(data)


def chart_constants(n: int) -> ChartConstants:
    """The constants for subgroups of ``n`` values (from the data file).

    Parameters
    ----------
    n
        Subgroup size, 2..25.

    Returns
    -------
    ChartConstants
        d2, d3, A2, D3, D4 with the table's status and source.

    Raises
    ------
    ValueError
        ``n`` outside 2..25 (the range the table covers).

    Example
    -------
    >>> chart_constants(2).d4_factor
    3.266532
    """
    t = _table()
    row = t["constants"].get(int(n))
    if row is None:
        raise ValueError(f"X-bar/R constants cover subgroups of {MIN_N}..{MAX_N} values, "
                         f"not {n}")
    return ChartConstants(n=int(n), d2=row["d2"], d3=row["d3"], a2=row["A2"],
                          d3_factor=row["D3"], d4_factor=row["D4"], status=t["status"],
                          source=t["source"])


def _phi_grid(x0: float, step: float, count: int) -> np.ndarray:
    """Standard normal CDF at x0 + k step, k = 0..count-1 (math.erf, one call per point)."""
    erf = np.frompyfunc(math.erf, 1, 1)
    x = x0 + step * np.arange(count)
    return 0.5 * (1.0 + erf(x / math.sqrt(2.0)).astype(float))


def derive_range_moments(n: int, *, step: float = 0.01, half_width: float = 9.0,
                         w_max: float = 12.0) -> tuple[float, float]:
    """d2 and d3 of subgroups of ``n`` by numerical integration (numpy only).

    The inner integral over x is a trapezoid sum on a uniform grid (very accurate for a
    smooth integrand that vanishes at both ends); the outer one over w is Simpson's rule.
    With the default grid both constants are good to better than 1e-6.

    Parameters
    ----------
    n
        Subgroup size (2 or more).
    step, half_width, w_max
        Grid step, x range (+/-) and largest range w integrated.

    Returns
    -------
    tuple[float, float]
        (d2, d3).

    Example
    -------
    >>> d2, d3 = derive_range_moments(2)
    >>> round(d2, 5), round(d3, 5)
    (1.12838, 0.8525)
    """
    if n < 2:
        raise ValueError("the range needs 2 or more values")
    nx = round(2 * half_width / step) + 1
    nw = round(w_max / step)
    nw += nw % 2  # Simpson's rule needs an even number of intervals
    cdf = _phi_grid(-half_width, step, nx + nw + 1)
    x = -half_width + step * np.arange(nx)
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    j = np.arange(nw + 1)[:, None]
    i = np.arange(nx)[None, :]
    spread = np.clip(cdf[i + j] - cdf[i], 0.0, 1.0)  # Phi(x + w) - Phi(x), rows = w
    below = n * step * (pdf[None, :] * spread ** (n - 1)).sum(axis=1)  # P(W <= w)
    above = 1.0 - below
    w = step * j[:, 0]
    simpson = np.ones(nw + 1)
    simpson[1:-1:2], simpson[2:-1:2] = 4.0, 2.0
    simpson *= step / 3.0
    d2 = float((simpson * above).sum())
    ew2 = float((simpson * 2.0 * w * above).sum())
    return d2, math.sqrt(max(ew2 - d2 * d2, 0.0))


def derive_constants(n: int) -> dict[str, float]:
    """d2, d3, A2, D3 and D4 of subgroups of ``n`` from their definitions.

    Parameters
    ----------
    n
        Subgroup size (2 or more).

    Returns
    -------
    dict[str, float]
        ``{"d2", "d3", "A2", "D3", "D4"}`` unrounded.

    Example
    -------
    >>> round(derive_constants(7)["D3"], 3)
    0.076
    """
    d2, d3 = derive_range_moments(n)
    return {"d2": d2, "d3": d3, "A2": 3.0 / (d2 * math.sqrt(n)),
            "D3": max(0.0, 1.0 - 3.0 * d3 / d2), "D4": 1.0 + 3.0 * d3 / d2}


def generate_constants_yaml(decimals: int = 6) -> str:
    """The ``constants`` block of the data file, derived afresh (to regenerate it).

    Parameters
    ----------
    decimals
        Decimals kept.

    Returns
    -------
    str
        YAML lines ``  N: {d2: ..., d3: ..., A2: ..., D3: ..., D4: ...}``.
    """
    lines = ["constants:"]
    for n in range(MIN_N, MAX_N + 1):
        c = derive_constants(n)
        vals = ", ".join(f"{k}: {c[k]:.{decimals}f}" for k in ("d2", "d3", "A2", "D3", "D4"))
        lines.append(f"  {n}: {{{vals}}}")
    return "\n".join(lines) + "\n"
