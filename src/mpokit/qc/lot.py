"""Lot results: how a batch of ferrules did against a profile, as a buyer reads it.

For every parameter of the profile: how many ferrules were measured, the yield (share of
measured ferrules whose check passed), mean, standard deviation and the process capability
``Cpk = min(USL - mean, mean - LSL) / (3 SD)`` against the limits (one-sided when only one
limit exists). Per-fiber parameters (``height_nm``, ``tip_radius_mm``, ``core_dip_nm``) pool
every fiber of every measured ferrule for mean, SD and Cpk; their yield counts ferrules.
Unmeasurable and unreadable scans are counted apart and never enter the statistics.

Example:
    >>> from mpokit.qc.simulate import simulate_round
    >>> from mpokit.qc.analyze import analyze_scan
    >>> results = [analyze_scan(simulate_round(seed=s)[0]) for s in range(3)]
    >>> lot = lot_summary(results)
    >>> lot.total, lot.passed + lot.failed + lot.unmeasurable + lot.unreadable
    (3, 3)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mpokit.qc.analyze import Outcome, QcFailure, QcResult
from mpokit.qc.profiles import PER_FIBER, Limit, get_profile, unit_of

__all__ = ["LotSummary", "ParameterStats", "lot_summary"]


@dataclass(frozen=True)
class ParameterStats:
    """Statistics of one parameter over a lot (NaN where there is too little data)."""

    parameter: str
    unit: str
    limit: Limit
    ferrules: int
    passed: int
    mean: float
    sd: float
    cpk: float
    values: tuple[float, ...]

    @property
    def yield_pct(self) -> float:
        """Share of measured ferrules whose check passed (%)."""
        return 100.0 * self.passed / self.ferrules if self.ferrules else math.nan


@dataclass(frozen=True)
class LotSummary:
    """Counts by verdict and per-parameter statistics of one batch."""

    total: int
    passed: int
    failed: int
    unmeasurable: int
    unreadable: int
    parameters: tuple[ParameterStats, ...]

    def headline(self) -> str:
        """The lot in one line.

        Returns
        -------
        str
            For example ``"7/10 pass, 1 fail, 1 unmeasurable, 1 unreadable"``.
        """
        return (f"{self.passed}/{self.total} pass, {self.failed} fail, {self.unmeasurable} "
                f"unmeasurable, {self.unreadable} unreadable")


def _cpk(mean: float, sd: float, limit: Limit) -> float:
    if not (math.isfinite(mean) and math.isfinite(sd)) or sd <= 0:
        return math.nan
    sides = []
    if limit.max is not None:
        sides.append((limit.max - mean) / (3 * sd))
    if limit.min is not None:
        sides.append((mean - limit.min) / (3 * sd))
    return min(sides)


def _values(result: QcResult, name: str) -> list[float]:
    if name in PER_FIBER:
        g = result.geometry
        arr = np.asarray(getattr(g, name, []), dtype=np.float64)
        return [float(v) for v in arr[np.isfinite(arr)]]
    value = result.parameters().get(name)
    return [] if value is None else [float(value)]


def lot_summary(outcomes: Sequence[Outcome]) -> LotSummary:
    """Counts and per-parameter statistics of a lot.

    Parameters
    ----------
    outcomes
        The lot's results and unreadable files (:func:`run_batch`).

    Returns
    -------
    LotSummary
        Verdict counts, and statistics of the parameters of the profiles the lot was
        judged against, in profile order.
    """
    results = [o for o in outcomes if isinstance(o, QcResult)]
    measured = [r for r in results if r.verdict != "unmeasurable"]
    stats: list[ParameterStats] = []
    seen: set[str] = set()
    for r in measured:
        for name, limit in get_profile(r.profile).limits.items():
            if name in seen:
                continue
            seen.add(name)
            group = [m for m in measured if m.profile == r.profile]
            checks = [c for m in group for c in m.checks if c.parameter == name]
            vals = [v for m in group for v in _values(m, name)]
            arr = np.asarray(vals, dtype=np.float64)
            mean = float(arr.mean()) if arr.size else math.nan
            sd = float(arr.std(ddof=1)) if arr.size > 1 else math.nan
            stats.append(ParameterStats(
                parameter=name, unit=unit_of(name), limit=limit, ferrules=len(checks),
                passed=sum(c.ok for c in checks), mean=mean, sd=sd,
                cpk=_cpk(mean, sd, limit), values=tuple(vals)))
    return LotSummary(
        total=len(outcomes),
        passed=sum(r.verdict == "pass" for r in results),
        failed=sum(r.verdict == "fail" for r in results),
        unmeasurable=sum(r.verdict == "unmeasurable" for r in results),
        unreadable=sum(isinstance(o, QcFailure) for o in outcomes),
        parameters=tuple(stats),
    )
