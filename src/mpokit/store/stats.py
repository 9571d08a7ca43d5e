"""Lot and station statistics: yield, mean, 97th percentile, Cpk, Shewhart and EWMA charts,
and the correlation of end-face geometry with IL.

Charts take subgroups (one per lot or station, in time order) of per-fiber IL values.
Shewhart X-bar limits are the grand mean +/- 3 sigma/sqrt(n) with sigma pooled within
subgroups; the EWMA uses lambda = 0.2 and L = 3 (common textbook choices) with exact
time-varying limits. With too few values a statistic is ``None`` (unmeasurable), never a
number that looks real.

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
           "shewhart_chart"]


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

    @property
    def out_of_control(self) -> tuple[str, ...]:
        """Subgroups whose point lies outside its limits."""
        bad = (self.points > self.ucl) | (self.points < self.lcl)
        return tuple(n for n, b in zip(self.names, bad, strict=True) if b)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"kind": self.kind, "center": round(self.center, 4),
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
    return ControlChart("xbar", tuple(names), means, center, center - half, center + half)


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
    return ControlChart("ewma", tuple(names), z, center, center - half, center + half)


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
