"""Lot and station statistics: yield, mean, 97th percentile, Cpk, Shewhart and EWMA charts,
and the correlation of end-face geometry with IL.

Charts take subgroups (one per lot, station or assembly, in time order) of per-fiber IL
values. Two X-bar charts, each saying which it is (``basis``):

* X-bar/R (:func:`xbar_r_charts`) for subgroups of one size n in 2..25: centre X-double-bar,
  limits +/- A2 R-bar, and the R chart of subgroup ranges (centre R-bar, limits D3 R-bar and
  D4 R-bar), constants from :mod:`mpokit.store.spc`;
* otherwise (:func:`shewhart_chart`) the grand mean +/- 3 sigma/sqrt(n_i) with sigma pooled
  within subgroups (large or unequal subgroups, such as whole lots).

The EWMA uses lambda = 0.2 and L = 3 (common textbook choices) with exact time-varying
limits. With too few values a statistic is ``None`` (unmeasurable), never a number that
looks real.

Example:
    >>> import numpy as np
    >>> round(cpk(np.array([0.1, 0.12, 0.14, 0.11, 0.13]), usl=0.25), 2)
    2.74
    >>> cpk(np.array([0.1]), usl=0.25) is None
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["ControlChart", "GroupStats", "correlate", "cpk", "ewma_chart", "group_stats",
           "shewhart_chart", "subgroup_charts", "xbar_r_charts"]


def cpk(values: NDArray[np.float64], *, lsl: float | None = None,
        usl: float | None = None) -> float | None:
    """Process capability index against the given limits (None below 2 values or 0 spread).

    Parameters:
        values: measured values.
        lsl, usl: lower / upper specification limits (at least one).

    Returns:
        min((usl - mean) / 3s, (mean - lsl) / 3s) with the sample standard deviation s.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 2 or (lsl is None and usl is None):
        return None
    s = float(x.std(ddof=1))
    if s == 0.0:
        return None
    m = float(x.mean())
    sides = [(usl - m) / (3 * s)] if usl is not None else []
    if lsl is not None:
        sides.append((m - lsl) / (3 * s))
    return min(sides)


@dataclass(frozen=True)
class GroupStats:
    """Statistics of one lot or station."""

    name: str
    assemblies: int
    fibers: int
    yield_fraction: float | None
    mean_db: float | None
    p97_db: float | None
    cpk: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (rounded)."""
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)
        return {"name": self.name, "assemblies": self.assemblies, "fibers": self.fibers,
                "yield": r(self.yield_fraction), "mean_db": r(self.mean_db),
                "p97_db": r(self.p97_db), "cpk": r(self.cpk)}


def group_stats(name: str, il_db: NDArray[np.float64], passed: Sequence[bool],
                usl_db: float | None) -> GroupStats:
    """Yield (share of assemblies passing), mean, 97th percentile and Cpk of IL values."""
    x = np.asarray(il_db, dtype=float)
    x = x[np.isfinite(x)]
    return GroupStats(
        name=name, assemblies=len(passed), fibers=int(x.size),
        yield_fraction=(sum(passed) / len(passed)) if passed else None,
        mean_db=float(x.mean()) if x.size else None,
        p97_db=float(np.quantile(x, 0.97)) if x.size >= 2 else None,
        cpk=cpk(x, usl=usl_db))


@dataclass(frozen=True)
class ControlChart:
    """A control chart: one point per subgroup with its limits and out-of-control flags."""

    kind: str
    names: tuple[str, ...]
    points: NDArray[np.float64]
    center: float
    lcl: NDArray[np.float64]
    ucl: NDArray[np.float64]
    basis: str = ""  # how centre and limits were found, shown with the chart

    @property
    def out_of_control(self) -> tuple[str, ...]:
        """Subgroups whose point lies outside its limits."""
        bad = (self.points > self.ucl) | (self.points < self.lcl)
        return tuple(n for n, b in zip(self.names, bad, strict=True) if b)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"kind": self.kind, "center": round(self.center, 4), "basis": self.basis,
                "points": [{"name": n, "value": round(float(p), 4), "lcl": round(float(lo), 4),
                            "ucl": round(float(hi), 4)}
                           for n, p, lo, hi in zip(self.names, self.points, self.lcl, self.ucl,
                                                   strict=True)],
                "out_of_control": list(self.out_of_control)}


def _pooled(groups: Sequence[NDArray[np.float64]], baseline: int | None
            ) -> tuple[NDArray[np.float64], NDArray[np.float64], float, float]:
    if not groups or any(g.size == 0 for g in groups):
        raise ValueError("control charts need non-empty subgroups")
    sizes = np.array([g.size for g in groups], dtype=float)
    means = np.array([g.mean() for g in groups])
    ref = list(groups[:baseline] if baseline else groups)
    rs = sizes[:len(ref)]
    dof = float((rs - 1).sum())
    if dof < 1:
        raise ValueError("control charts need subgroups with at least 2 values")
    sigma = float(np.sqrt(sum(((g - g.mean()) ** 2).sum() for g in ref) / dof))
    center = float((means[:len(ref)] * rs).sum() / rs.sum())
    return sizes, means, center, sigma


def shewhart_chart(names: Sequence[str], groups: Sequence[NDArray[np.float64]], *,
                   baseline: int | None = None) -> ControlChart:
    """X-bar chart of subgroup means with limits center +/- 3 sigma / sqrt(n_i).

    Center and pooled sigma come from the first ``baseline`` subgroups (all when None), so a
    stable reference period can judge later lots.

    Example:
        >>> import numpy as np
        >>> g = [np.array([0.1, 0.12, 0.11]), np.array([0.1, 0.11, 0.12]),
        ...      np.array([0.3, 0.31, 0.29])]
        >>> shewhart_chart(["L1", "L2", "L3"], g, baseline=2).out_of_control
        ('L3',)
    """
    sizes, means, center, sigma = _pooled([np.asarray(g, dtype=float) for g in groups],
                                          baseline)
    half = 3 * sigma / np.sqrt(sizes)
    return ControlChart("xbar", tuple(names), means, center, center - half, center + half,
                        "grand mean +/- 3 sigma/sqrt(n), sigma pooled within subgroups")


def ewma_chart(names: Sequence[str], groups: Sequence[NDArray[np.float64]], *,
               lam: float = 0.2, width: float = 3.0, baseline: int | None = None
               ) -> ControlChart:
    """EWMA chart of subgroup means, z_i = lam x_i + (1 - lam) z_(i-1), z_0 = center.

    Limits: center +/- width sigma_i sqrt(lam / (2 - lam) (1 - (1 - lam)^(2i))) with
    sigma_i = sigma / sqrt(n_i).
    """
    sizes, means, center, sigma = _pooled([np.asarray(g, dtype=float) for g in groups],
                                          baseline)
    z = np.empty_like(means)
    prev = center
    for k, m in enumerate(means):
        prev = lam * m + (1 - lam) * prev
        z[k] = prev
    steps = np.arange(1, means.size + 1)
    half = width * sigma / np.sqrt(sizes) * np.sqrt(
        lam / (2 - lam) * (1 - (1 - lam) ** (2 * steps)))
    return ControlChart("ewma", tuple(names), z, center, center - half, center + half,
                        f"lambda {lam:g}, L {width:g}, sigma pooled within subgroups, exact "
                        "time-varying limits")


def xbar_r_charts(names: Sequence[str], groups: Sequence[NDArray[np.float64]], *,
                  baseline: int | None = None) -> tuple[ControlChart, ControlChart]:
    """X-bar and R charts of subgroups of one size n (2..25), limits from A2, D3 and D4.

    X-bar chart: centre X-double-bar (mean of subgroup means), limits +/- A2 R-bar. R chart:
    subgroup ranges, centre R-bar, limits D3 R-bar and D4 R-bar. Centre and R-bar come from
    the first ``baseline`` subgroups (all when None).

    Parameters
    ----------
    names
        One name per subgroup, in time order.
    groups
        The subgroups' values (finite, all of the same size n in 2..25).
    baseline
        How many leading subgroups set the centre lines and limits.

    Returns
    -------
    tuple[ControlChart, ControlChart]
        The X-bar chart (kind ``xbar``) and the R chart (kind ``r``).

    Raises
    ------
    ValueError
        No subgroups, unequal sizes, or a size outside 2..25.

    Example
    -------
    >>> import numpy as np
    >>> g = [np.array([1.0, 2.0]), np.array([2.0, 4.0]), np.array([1.0, 3.0])]
    >>> xbar, r = xbar_r_charts(["a", "b", "c"], g)
    >>> round(r.center, 4), round(float(xbar.ucl[0]), 3)  # R-bar 5/3; 13/6 + 1.880 R-bar
    (1.6667, 5.3)
    """
    from mpokit.store.spc import MAX_N, MIN_N, chart_constants

    arrays = [np.asarray(g, dtype=float) for g in groups]
    sizes = {a.size for a in arrays}
    if not arrays:
        raise ValueError("control charts need subgroups")
    if len(sizes) != 1:
        raise ValueError(f"an X-bar/R chart needs subgroups of one size, not sizes "
                         f"{min(sizes)}..{max(sizes)}")
    n = sizes.pop()
    if not MIN_N <= n <= MAX_N:
        raise ValueError(f"an X-bar/R chart needs subgroups of {MIN_N}..{MAX_N} values, "
                         f"not {n}")
    c = chart_constants(n)
    stacked = np.vstack(arrays)
    means = stacked.mean(axis=1)
    ranges = np.ptp(stacked, axis=1)
    k = baseline or len(arrays)
    center, r_bar = float(means[:k].mean()), float(ranges[:k].mean())
    ones = np.ones(len(arrays))
    tag = f"n = {n}, constants {c.status}"
    xbar = ControlChart("xbar", tuple(names), means, center, (center - c.a2 * r_bar) * ones,
                        (center + c.a2 * r_bar) * ones,
                        f"X-double-bar +/- A2 R-bar (A2 = {c.a2:.3f}; {tag})")
    rchart = ControlChart("r", tuple(names), ranges, r_bar, c.d3_factor * r_bar * ones,
                          c.d4_factor * r_bar * ones,
                          f"R-bar, limits D3 R-bar and D4 R-bar (D3 = {c.d3_factor:.3f}, "
                          f"D4 = {c.d4_factor:.3f}; {tag})")
    return xbar, rchart


def subgroup_charts(names: Sequence[str], groups: Sequence[NDArray[np.float64]]
                    ) -> dict[str, Any]:
    """The X-bar, R and EWMA charts of subgroups in time order, or why they cannot be drawn.

    Subgroups with under 2 finite values are left out (and said so). With 2 or more left:
    when they all have one size n in 2..25 the X-bar chart is the X-bar/R one
    (:func:`xbar_r_charts`) and the R chart is drawn; otherwise the X-bar chart uses sigma
    pooled within subgroups (:func:`shewhart_chart`) and the R chart is ``None`` with
    ``r_chart_reason``. The EWMA chart uses the pooled sigma either way.

    Parameters
    ----------
    names
        One name per subgroup.
    groups
        Each subgroup's values (non-finite values are dropped).

    Returns
    -------
    dict[str, Any]
        JSON-ready ``chart`` (X-bar), ``r_chart``, ``ewma_chart`` (each None when not drawn),
        ``chart_reason`` and ``r_chart_reason`` (empty when there is nothing to say).

    Example
    -------
    >>> import numpy as np
    >>> subgroup_charts(["a"], [np.array([0.1, 0.2])])["chart_reason"]
    'an X-bar chart needs 2 or more subgroups with 2 or more values each'
    """
    kept = [(s, a[np.isfinite(a)]) for s, a in
            zip(names, (np.asarray(g, dtype=float) for g in groups), strict=True)]
    usable = [(s, v) for s, v in kept if v.size >= 2]
    out: dict[str, Any] = {"chart": None, "r_chart": None, "ewma_chart": None,
                           "chart_reason": "", "r_chart_reason": ""}
    if len(usable) < 2:
        out["chart_reason"] = ("an X-bar chart needs 2 or more subgroups with 2 or more "
                               "values each")
        out["r_chart_reason"] = out["chart_reason"]
        return out
    if len(usable) < len(kept):
        out["chart_reason"] = (f"{len(kept) - len(usable)} subgroups with under 2 values are "
                               "left out of the charts")
    labels, values = [s for s, _ in usable], [v for _, v in usable]
    try:
        xbar, rchart = xbar_r_charts(labels, values)
        out["r_chart"] = rchart.to_dict()
    except ValueError as exc:
        xbar = shewhart_chart(labels, values)
        out["r_chart_reason"] = f"{exc}; the X-bar chart uses sigma pooled within subgroups"
    out["chart"] = xbar.to_dict()
    out["ewma_chart"] = ewma_chart(labels, values).to_dict()
    return out


def correlate(x: NDArray[np.float64], y: NDArray[np.float64]) -> dict[str, Any]:
    """Pearson correlation and least-squares slope of ``y`` on ``x`` (pairs with both finite).

    Returns:
        ``{"n", "r", "slope"}``; ``r`` and ``slope`` are None below 3 pairs or with no spread.

    Example:
        >>> import numpy as np
        >>> correlate(np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.1, 0.2, 0.3, 0.4]))["r"]
        1.0
    """
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    if a.size < 3 or a.std() == 0 or b.std() == 0:
        return {"n": int(a.size), "r": None, "slope": None}
    r = float(np.corrcoef(a, b)[0, 1])
    slope = float(np.polyfit(a, b, 1)[0])
    return {"n": int(a.size), "r": round(r, 4), "slope": round(slope, 6)}
