"""Statistical budgets: the probability that a channel built from graded parts passes.

Every graded mating of every fiber path is an independent draw from its grade's
distribution (lognormal fitted to the grade's mean and 97th percentile by default;
see :meth:`mpokit.loss.grades.Grade.lognormal`), by inverse-CDF sampling from a
65,536-point quantile table. Explicit ``loss_db`` values and fiber
attenuation are fixed. A fiber path passes when its loss is within the limit; a channel
passes when all of its fiber paths do (``p_pass``).

>>> r = monte_carlo_arrays(np.array([0.3]), [["C", "C"]], np.array([1.5]), fibers=8,
...                        trials=2000, seed=1)
>>> 0.9 < float(r.p_pass[0]) <= 1.0
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist
from typing import Any

import numpy as np

from mpokit.connectivity.model import Channel
from mpokit.loss.budget import RUN_KINDS, LossBudget, budget
from mpokit.loss.grades import grade

__all__ = ["McArrays", "McResult", "monte_carlo", "monte_carlo_arrays"]

_CHUNK = 1 << 22  # draws per block
_LEVELS = 1 << 16  # quantile-table size (16-bit uniform variates)


@dataclass(frozen=True)
class McArrays:
    """Monte Carlo results for many channels: ``p_pass`` (channels,), ``p_lane`` (channels, F)."""

    p_pass: np.ndarray
    p_lane: np.ndarray  # NaN beyond a channel's own fiber count
    mean_db: np.ndarray  # mean loss per fiber path
    trials: int


@dataclass(frozen=True)
class McResult:
    """The statistical budget of one channel."""

    name: str
    trials: int
    p_pass: float  # every fiber path within the limit
    p_lane: np.ndarray  # per fiber path: a->b lanes, then b->a
    mean_db: float
    limit_db: float | None

    @property
    def stderr(self) -> float:
        """Monte Carlo standard error of :attr:`p_pass`."""
        return float(np.sqrt(self.p_pass * (1 - self.p_pass) / self.trials))

    def to_dict(self) -> dict[str, Any]:
        """The ``statistical`` record of ``mpokit loss --json``.

        Returns
        -------
        dict[str, Any]
            ``p_pass`` with its standard error, per-lane probabilities, mean loss and trials.
        """
        return {
            "p_pass": round(self.p_pass, 6),
            "p_pass_stderr": round(self.stderr, 6),
            "p_pass_lanes": [round(float(p), 6) for p in self.p_lane],
            "mean_db": round(self.mean_db, 4),
            "trials": self.trials,
        }


@cache
def _z_table() -> np.ndarray:
    """Standard-normal quantiles at the midpoints of 65,536 equal-probability cells."""
    nd = NormalDist()
    p = (np.arange(_LEVELS) + 0.5) / _LEVELS
    return np.array([nd.inv_cdf(float(x)) for x in p])


@cache
def _table(name: str) -> tuple[np.ndarray | None, float]:
    """Quantile table (float32, 65,536 entries) of a grade's loss, or a fixed loss."""
    g = grade(name)
    if g.distribution == "fixed":
        return None, float(g.mean_db)
    a, s = g.lognormal() if g.distribution == "lognormal" else g.normal()
    if s == 0.0:
        return None, float(g.mean_db)
    q = a + s * _z_table()
    return (np.exp(q) if g.distribution == "lognormal" else q).astype(np.float32), 0.0


def _one(
    rng: np.random.Generator, fixed: float, names: Sequence[str], limit: float, f: int, trials: int
) -> tuple[float, np.ndarray, float]:
    """One channel: ``trials`` x ``f`` fiber paths, one draw per graded mating each.

    Draws use inverse-CDF sampling with 16-bit uniform variates: each draw picks one of
    65,536 equal-probability quantiles of the grade's distribution (tails beyond the
    1/131,072 quantile are cut, far below the Monte Carlo error).
    """
    tables = []
    for n in names:
        tab, c = _table(n)
        fixed += c
        if tab is not None:
            tables.append(tab)
    m = len(tables)
    thr = np.float32(limit - fixed + 1e-6)
    ok_lane = np.zeros(f, dtype=np.int64)
    ok_all = 0
    total_sum = 0.0
    step = max(1, _CHUNK // max(1, f * max(m, 1)))
    for t0 in range(0, trials, step):
        t = min(step, trials - t0)
        if m:
            k = m * t * f
            raw = rng.bit_generator.random_raw((k + 3) // 4).view(np.uint16)[:k]
            idx = raw.reshape(m, t, f)
            tot = tables[0][idx[0]]
            for j in range(1, m):
                tot += tables[j][idx[j]]
        else:
            tot = np.zeros((t, f), dtype=np.float32)
        ok = tot <= thr
        ok_lane += ok.sum(axis=0)
        ok_all += int(ok.all(axis=1).sum())
        total_sum += float(tot.sum(dtype=np.float64)) + fixed * t * f
    return ok_all / trials, ok_lane / trials, total_sum / (trials * f)


def monte_carlo_arrays(
    fixed_db: np.ndarray,
    graded: Sequence[Sequence[str]],
    limit_db: np.ndarray,
    fibers: int | Sequence[int] = 8,
    trials: int = 10_000,
    seed: int | None = 0,
) -> McArrays:
    """Monte Carlo over many channels in array form.

    ``fixed_db`` (channels,): explicit and fiber loss; ``graded[i]``: the grade names of
    channel i's graded matings (one draw each per fiber path and trial); ``limit_db``
    (channels,); ``fibers``: fiber paths per channel. Results are reproducible for a seed.

    Parameters
    ----------
    fixed_db
        Shape (channels,): loss that does not vary (explicit parts and fiber).
    graded
        Per channel, the grade name of each graded mating.
    limit_db
        Shape (channels,): the insertion-loss limit.
    fibers
        Fiber paths per channel (one number for all, or one per channel).
    trials
        Monte Carlo trials.
    seed
        Random seed (None: not reproducible).

    Returns
    -------
    McArrays
        Probability of passing per channel and per fiber path, and the mean loss per fiber
        path.
    """
    fixed_db = np.asarray(fixed_db, dtype=float)
    limit_db = np.broadcast_to(np.asarray(limit_db, dtype=float), fixed_db.shape)
    n = len(fixed_db)
    fs = [fibers] * n if isinstance(fibers, int) else list(fibers)
    rng = np.random.default_rng(seed)
    fmax = max(fs) if fs else 0
    p_pass = np.empty(n)
    p_lane = np.full((n, fmax), np.nan)
    mean = np.empty(n)
    for i in range(n):
        p, lanes, mu = _one(rng, float(fixed_db[i]), graded[i], float(limit_db[i]), fs[i], trials)
        p_pass[i], mean[i] = p, mu
        p_lane[i, : fs[i]] = lanes
    return McArrays(p_pass, p_lane, mean, trials)


def _split(b: LossBudget) -> tuple[float, list[str]]:
    """Fixed loss (explicit values and fiber) and the grade names of graded parts."""
    fixed, names = 0.0, []
    for p in b.parts:
        if p.kind in RUN_KINDS or p.basis == "loss_db" or p.grade is None:
            fixed += p.loss_db
        else:
            names.append(p.grade)
    return fixed, names


def monte_carlo(
    channels: Sequence[Channel | LossBudget], trials: int = 10_000, seed: int | None = 0
) -> list[McResult]:
    """Statistical budgets of compiled channels (or their deterministic budgets).

    Parameters
    ----------
    channels
        Compiled channels or their :class:`LossBudget`.
    trials
        Monte Carlo trials per channel.
    seed
        Random seed; the same seed gives the same result.

    Returns
    -------
    list[McResult]
        One result per channel, in order; channels of one design share one simulation.
    """
    budgets = [c if isinstance(c, LossBudget) else budget(c) for c in channels]
    # channels with the same fixed loss, graded parts, limit and fibers are the same
    # experiment: each is simulated once (in order of first use), so a result depends on
    # the channel's design and the seed, not on how many copies precede it
    keys = []
    for b in budgets:
        fixed, names = _split(b)
        keys.append((fixed, tuple(names), b.limit.max_il_db if b.limit else np.inf, b.fibers))
    pos: dict[tuple[float, tuple[str, ...], float, int], int] = {}
    first = [pos.setdefault(k, len(pos)) for k in keys]
    uniq = list(pos)
    arr = monte_carlo_arrays(
        np.array([k[0] for k in uniq]), [k[1] for k in uniq], np.array([k[2] for k in uniq]),
        [k[3] for k in uniq], trials, seed,
    )
    out = []
    for b, j in zip(budgets, first, strict=True):
        has = b.limit is not None
        out.append(McResult(
            b.name, trials,
            float(arr.p_pass[j]) if has else float("nan"),
            arr.p_lane[j, : b.fibers] if has else np.full(b.fibers, np.nan),
            float(arr.mean_db[j]),
            b.limit.max_il_db if b.limit else None,
        ))
    return out

