"""Optics policy: pick each link's medium and transceivers by reach.

For every link the policy takes the shortest-reach optic of the link's speed whose reach
covers the routed length (multimode first, then DR, then FR), honouring a pinned medium.
Copper (DAC, then ACC) is used only inside one rack and only when ``allow_copper`` is set.
Both ports of a twin-port cage carry the same module, so a cage takes the longest-reach
optic any of its ports needs.

>>> from mpokit.plan.catalog import plan_catalog
>>> opts = candidates(plan_catalog(), 400, "auto", None, twin=True)
>>> [o.name for o in opts]
['400G-SR4', '400G-DR4', '400G-FR4']
>>> choose(opts, np.array([10.0, 120.0, 900.0, 5000.0]))[0].tolist()
[0, 1, 2, 2]
"""

from __future__ import annotations

import numpy as np

from mpokit.errors import DesignError
from mpokit.plan.catalog import OpticRecord, PlanCatalog

__all__ = ["candidates", "choose", "harmonise_cages", "loss_feasible"]


def candidates(
    cat: PlanCatalog,
    speed_gbps: int,
    medium: str,
    mm_max_m: float | None,
    *,
    twin: bool = False,
    breakout: bool = False,
) -> list[OpticRecord]:
    """Optics allowed for a link class, shortest reach first (reach overrides applied)."""
    out: list[OpticRecord] = []
    for o in cat.optics_for(speed_gbps):
        if medium != "auto" and o.medium != medium:
            continue
        if twin and o.twin is None:
            continue
        if breakout and (o.breakout_switch is None or o.breakout is None):
            continue
        if breakout and o.breakout_reach_m is not None:
            o = o.model_copy(update={"reach_m": o.breakout_reach_m})
        if o.medium == "MM" and mm_max_m is not None:
            o = o.model_copy(update={"reach_m": min(o.reach_m, mm_max_m)})
        out.append(o)
    if not out:
        what = "breakout " if breakout else ("twin-port " if twin else "")
        raise DesignError(
            f"no {what}optics for {speed_gbps}G links"
            + (f" on {medium}" if medium != "auto" else "")
            + " in the plan catalogue; add one under 'optics:' (cabling.catalog)"
        )
    return sorted(out, key=lambda o: o.reach_m)


def choose(
    opts: list[OpticRecord], length_m: np.ndarray, feasible: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Index of the chosen optic per link, and a mask of links beyond every reach.

    ``feasible`` (optics x links, from :func:`loss_feasible`) moves a link on to the next
    longer-reach optic when its loss budget would not hold with the shorter one; a link
    no optic's budget fits keeps its reach choice, and the checks report it.
    """
    reach = np.asarray([o.reach_m for o in opts])
    idx = np.searchsorted(reach, length_m - 1e-9, side="left")
    over = idx >= len(opts)
    idx = np.minimum(idx, len(opts) - 1)
    if feasible is not None and len(opts) > 1:
        k = np.arange(len(opts))[:, None]
        ok = feasible & (k >= idx[None, :])
        first = np.where(ok.any(axis=0), ok.argmax(axis=0), idx)
        idx = np.where(over, idx, first)
    return idx, over


def loss_feasible(
    opts: list[OpticRecord], length_m: np.ndarray, fixed_db: np.ndarray
) -> np.ndarray:
    """(optics, links) mask: does each link's estimated loss fit each optic's limit?

    The estimate is the link's fixed part losses (its matings, worst case) plus its
    routed length at the fiber's cabled attenuation, against the optic's channel limit
    (``mpokit.loss``). Optics without a known limit count as feasible.

    >>> from mpokit.plan.catalog import plan_catalog
    >>> opts = candidates(plan_catalog(), 400, "auto", None, twin=True)
    >>> loss_feasible(opts, np.array([40.0, 40.0]), np.array([0.0, 1.8])).tolist()
    [[True, False], [True, True], [True, True]]
    """
    from mpokit.loss import application, attenuation, channel_limit
    from mpokit.standards import transceiver

    out = np.ones((len(opts), length_m.size), dtype=bool)
    for i, o in enumerate(opts):
        pmd = transceiver(o.single).pmd
        lim = channel_limit(pmd, o.fiber)
        if lim is None:
            continue
        att = attenuation(o.fiber, application(pmd).wavelength_nm).db_per_km
        out[i] = fixed_db + length_m * att / 1000.0 <= lim.max_il_db + 1e-9
    return out


def harmonise_cages(
    choice: np.ndarray, cage_keys: list[np.ndarray | None], n_rounds: int = 8
) -> np.ndarray:
    """Raise every link's choice to the maximum over the cages its ends sit in.

    ``cage_keys[e][i]`` is a global cage id of link ``i``'s end ``e`` (None: no cages).

    >>> harmonise_cages(np.array([0, 1, 0]), [np.array([5, 5, 6])]).tolist()
    [1, 1, 0]
    """
    choice = choice.copy()
    keys = [k for k in cage_keys if k is not None and k.size]
    for _ in range(n_rounds):
        before = choice.copy()
        for key in keys:
            uniq, inv = np.unique(key, return_inverse=True)
            best = np.zeros(uniq.size, dtype=choice.dtype)
            np.maximum.at(best, inv, choice)
            choice = np.maximum(choice, best[inv])
        if np.array_equal(before, choice):
            break
    return choice
