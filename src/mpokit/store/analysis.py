"""Store-wide analyses: statistics per lot or station, control charts, geometry vs IL.

Example:
    >>> import tempfile, pathlib
    >>> from mpokit.store import open_store
    >>> from mpokit.store.grading import get_profile
    >>> url = "sqlite:///" + str(pathlib.Path(tempfile.mkdtemp()) / "q.db")
    >>> with open_store(url) as st:
    ...     statistics(st, get_profile("iec-B-2"))["groups"]
    []
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from mpokit._engines import Engine
from mpokit.store.assess import AssemblyData, AssemblyGrade, grade_all, load_assemblies
from mpokit.store.db import Store
from mpokit.store.grading import LimitProfile, estimate_random_mating
from mpokit.store.stats import correlate, ewma_chart, group_stats, shewhart_chart

__all__ = ["geometry_correlation", "statistics"]


def statistics(store: Store, profile: LimitProfile, *, by: Literal["lot", "station"] = "lot",
               engine: Engine | None = None, matings: int = 100_000,
               seed: int = 0) -> dict[str, Any]:
    """Yield, mean, 97th percentile and Cpk per lot (or station), X-bar and EWMA charts of
    per-fiber worst IL, and each group's random-mating grade estimate.

    Parameters:
        store: the open store (supplier-origin data).
        profile: the limits (its ``il_max_db`` is Cpk's upper limit).
        by: group by ``lot`` or by the measuring ``station``.
        engine: where grading and Monte Carlo run (this process when None).
        matings, seed: Monte Carlo draws per group and seed.

    Returns:
        A JSON-ready dict with ``groups``, ``charts`` (None with a reason below 2 groups).
    """
    data = load_assemblies(store)
    grades = grade_all(data, profile, engine)
    groups: dict[str, list[tuple[AssemblyData, AssemblyGrade]]] = {}
    for d, g in zip(data, grades, strict=True):
        key = (d.lot or "(no lot)") if by == "lot" else (d.stations[0] if d.stations else "?")
        groups.setdefault(key, []).append((d, g))
    names = sorted(groups)
    rows, values = [], []
    mapper = engine.starmap if engine is not None else None
    for name in names:
        members = groups[name]
        il = np.concatenate([np.array(g.il_worst_db) for _, g in members]) if members else \
            np.empty(0)
        owner = np.concatenate([np.full(len(g.il_worst_db), i) for i, (_, g) in
                                enumerate(members)])
        st = group_stats(name, il, [g.verdict == "pass" for _, g in members], profile.il_max_db)
        est = estimate_random_mating(il, owner, matings=matings, seed=seed, map_fn=mapper)
        rows.append(st.to_dict() | {"random_mating": est.to_dict()})
        values.append(il[np.isfinite(il)])
    charts: dict[str, Any] | None = None
    reason = ""
    if len(names) >= 2 and all(v.size >= 2 for v in values):
        charts = {"xbar": shewhart_chart(names, values).to_dict(),
                  "ewma": ewma_chart(names, values).to_dict()}
    elif names:
        reason = "control charts need 2 or more groups with 2 or more fibers each"
    return {"by": by, "profile": profile.name, "groups": rows, "charts": charts,
            "charts_reason": reason}


def geometry_correlation(store: Store) -> dict[str, Any]:
    """Correlation of fiber recess with that fiber's worst IL, and of each end's coplanarity
    (``height_diff_nm``, max - min fiber height) with the end's worst IL.

    A fiber's recess is the highest fiber height of its end minus its own height (nm): the
    absolute height level differs from ferrule to ferrule, while physical contact depends on
    how far a fiber stands below the highest ones.

    Returns:
        ``{"recess_vs_il": {n, r, slope}, "coplanarity_vs_il": {n, r, slope}}``; r is None
        (unmeasurable) with fewer than 3 pairs.
    """
    data = load_assemblies(store, with_geometry=True)
    h, il_f, cop, il_e = [], [], [], []
    for d in data:
        worst: dict[tuple[str, int], float] = {}
        for e, f, x in zip(d.end.tolist(), d.fiber.tolist(), d.il_db.tolist(), strict=True):
            worst[(e, f)] = max(worst.get((e, f), -np.inf), x)
        for ge in d.geometry:
            top = max((fb["height_nm"] for fb in ge["fibers"] if fb["height_nm"] is not None),
                      default=None)
            for fb in ge["fibers"]:
                key = (ge["end"], fb["fiber"])
                if key in worst and fb["height_nm"] is not None and top is not None:
                    h.append(top - fb["height_nm"])
                    il_f.append(worst[key])
            end_il = [v for (e, _), v in worst.items() if e == ge["end"]]
            c = (ge["parameters"] or {}).get("height_diff_nm")
            if end_il and c is not None:
                cop.append(c)
                il_e.append(max(end_il))
    return {"recess_vs_il": correlate(np.array(h), np.array(il_f)),
            "coplanarity_vs_il": correlate(np.array(cop), np.array(il_e))}
