"""Lots as the QC pages show them: the lot list, one lot's report, its inspections.

Each web route calls one function here. :func:`lot_list` is the expensive one (grading every
assembly and a random-mating Monte Carlo per lot), so its answer is kept in the store (table
``lot_summary``, migration 0006) under a key of the limit profile and Monte Carlo settings,
stamped with the store's data version (the newest imported file's id): a repeated request is
one query; any import changes the version and the next request computes it afresh.
A statistic the data cannot support is ``None`` with a ``*_reason``, never a number that
looks real.

Example:
    >>> import tempfile, pathlib
    >>> from mpokit.store import open_store
    >>> from mpokit.store.grading import get_profile
    >>> url = "sqlite:///" + str(pathlib.Path(tempfile.mkdtemp()) / "q.db")
    >>> with open_store(url) as st:
    ...     lot_list(st, get_profile("iec-B-2"))["lots"]
    []
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import JSON, DateTime, Integer, String, delete, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from mpokit.errors import InputError
from mpokit.store.analysis import statistics
from mpokit.store.assess import grade_all, load_assemblies
from mpokit.store.db import Store, lock_timed_out
from mpokit.store.endface import EndfaceImage, latest_inspections
from mpokit.store.grading import LimitProfile
from mpokit.store.models import Assembly, Base, ImportedFile, Inspection
from mpokit.store.stats import group_stats, subgroup_charts

__all__ = ["GEOMETRY_PARAMETERS", "LotSummary", "lot_inspections", "lot_list", "lot_report"]

_CACHE_FORMAT = 1  # bump when the lot list's content changes shape or meaning
_KEEP_WAIT_S = 0.1  # how long keeping a computed list may wait for another writer


class LotSummary(Base):
    """A computed lot list, keyed by profile and settings, valid for one data version."""

    __tablename__ = "lot_summary"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)

#: Geometry parameters shown as distributions, with their unit (as stored by ``qc geometry``).
GEOMETRY_PARAMETERS = (("height_diff_nm", "nm"), ("adjacent_diff_nm", "nm"),
                       ("minus_coplanarity_nm", "nm"), ("angle_x_deg", "deg"),
                       ("angle_y_deg", "deg"), ("radius_mm", "mm"), ("apex_offset_um", "um"),
                       ("fiber_height_nm", "nm"))


def _round(x: float | None, nd: int = 4) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


def _values(x: np.ndarray) -> list[float]:
    """The finite values, rounded to 4 decimals (array work, not a loop per value)."""
    a = np.asarray(x, dtype=float)
    out: list[float] = np.round(a[np.isfinite(a)], 4).tolist()
    return out


def _cache_key(profile: LimitProfile, matings: int, seed: int) -> str:
    text = json.dumps({"profile": profile.model_dump(mode="json"), "matings": matings,
                       "seed": seed, "format": _CACHE_FORMAT}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _data_version() -> Any:
    """The newest imported file's id (0 for an empty store), as a scalar subquery."""
    return select(func.coalesce(func.max(ImportedFile.id), 0)).scalar_subquery()


def lot_list(store: Store, profile: LimitProfile, *, matings: int = 20_000,
             seed: int = 0) -> dict[str, Any]:
    """Every lot with its yield, mean, 97th percentile, Cpk and random-mating grade, and the
    X-bar and EWMA charts across lots (the store's :func:`statistics`, by lot).

    The answer is kept in the store for this profile, ``matings`` and ``seed`` until the
    next import: while nothing was imported, a call is one query.

    Parameters
    ----------
    store
        The open store.
    profile
        The limits to grade against.
    matings, seed
        Random-mating draws per lot and their seed.

    Returns
    -------
    dict[str, Any]
        ``{"profile", "lots": [...], "charts", "charts_reason", "computed_at"}``; each lot
        also carries its supplier(s).
    """
    key = _cache_key(profile, matings, seed)
    with store.read() as s:  # one snapshot: the list is computed from data of `version`
        hit = s.scalar(select(LotSummary.payload).where(
            LotSummary.key == key, LotSummary.data_version == _data_version()))
        if hit is not None:
            return dict(hit)
        version = int(s.scalar(select(_data_version())) or 0)
        out = _compute_lot_list(store, profile, matings, seed)
    try:  # kept if the write lock is free: a page view never queues behind an import
        with store.session(wait_s=_KEEP_WAIT_S) as s:
            s.execute(delete(LotSummary).where(LotSummary.key == key))
            s.add(LotSummary(key=key, data_version=version, computed_at=datetime.now(UTC),
                             payload=out))
    except IntegrityError:
        pass  # another request stored the same list at the same moment
    except OperationalError as exc:
        if not lock_timed_out(exc):
            raise
    return out


def _compute_lot_list(store: Store, profile: LimitProfile, matings: int,
                      seed: int) -> dict[str, Any]:
    res = statistics(store, profile, by="lot", matings=matings, seed=seed)
    with store.read() as s:
        sup: dict[str, set[str]] = {}
        for lot, supplier in s.execute(select(Assembly.lot, Assembly.supplier)
                                       .where(Assembly.lot.is_not(None)).distinct()):
            if supplier:
                sup.setdefault(str(lot), set()).add(str(supplier))
    lots = [g | {"lot": g["name"], "suppliers": sorted(sup.get(g["name"], ()))}
            for g in res["groups"]]
    return {"profile": profile.name, "lots": lots, "charts": res["charts"],
            "charts_reason": res["charts_reason"],
            "computed_at": datetime.now(UTC).isoformat()}


def lot_inspections(store: Store, lot: str) -> list[dict[str, Any]]:
    """The lot's incoming inspections, oldest first (plan, seed, sample, verdict).

    Parameters
    ----------
    store
        The open store.
    lot
        The lot name.

    Returns
    -------
    list[dict[str, Any]]
        One dict per recorded inspection.
    """
    with store.read() as s:
        rows = list(s.scalars(select(Inspection).where(Inspection.lot == lot)
                              .order_by(Inspection.id)))
        return [{"id": r.id, "lot_size": r.lot_size, "level": r.level, "aql": r.aql,
                 "severity": r.severity, "sample_size": r.sample_size, "ac": r.ac, "re": r.re,
                 "seed": r.seed, "sample": list(r.sample), "nonconforming": r.nonconforming,
                 "verdict": r.verdict, "decided_at": r.decided_at.isoformat()}
                for r in rows]


def _with_endface(store: Store, serials: list[str]) -> set[str]:
    """The serials with any end-face inspection (one query per 500, not one per serial)."""
    out: set[str] = set()
    with store.read() as s:
        for i in range(0, len(serials), 500):
            out.update(s.scalars(select(EndfaceImage.serial).distinct()
                                 .where(EndfaceImage.serial.in_(serials[i:i + 500]))))
    return out


def lot_report(store: Store, lot: str, profile: LimitProfile) -> dict[str, Any]:
    """One lot: yield, per-parameter distributions, X-bar, R and EWMA charts over its
    assemblies, the assemblies' grades, their newest end-face inspections and the lot's
    inspections.

    The charts take each assembly (in serial order, the order they were made when serials
    count up) as a subgroup of its per-fiber worst IL values
    (:func:`~mpokit.store.stats.subgroup_charts`): X-bar/R with A2, D3, D4 when every
    assembly has the same 2..25 values, otherwise an X-bar chart with sigma pooled within
    assemblies and no R chart (with the reason); EWMA lambda 0.2, L 3.

    Parameters
    ----------
    store
        The open store.
    lot
        The lot name given at import.
    profile
        The limits to grade against.

    Returns
    -------
    dict[str, Any]
        JSON-ready: ``lot``, ``suppliers``, ``profile``, ``limits``, ``stats`` (assemblies,
        fibers, yield, mean_db, p97_db, cpk), ``verdicts`` (count per verdict),
        ``distributions`` (name -> {unit, values, limit}), ``chart``, ``r_chart`` and
        ``ewma_chart`` (each None when not drawn; ``chart_reason``, ``r_chart_reason``),
        ``assemblies``, ``endface`` and ``inspections``.

    Raises
    ------
    InputError
        The lot has no assemblies with IL/RL results (field ``lot``).
    """
    with store.read():  # every query of the report sees one snapshot
        return _lot_report(store, lot, profile)


def _lot_report(store: Store, lot: str, profile: LimitProfile) -> dict[str, Any]:
    data = load_assemblies(store, lot=lot, with_geometry=True)
    if not data:
        raise InputError(f"lot {lot!r} has no assemblies with IL/RL results", field="lot",
                         fix="import the lot's station files with --lot NAME")
    grades = grade_all(data, profile)
    il_per = [np.asarray(g.il_worst_db, dtype=float) for g in grades]
    il_all = np.concatenate(il_per) if il_per else np.empty(0)
    rl_all = np.concatenate([np.asarray(g.rl_worst_db, dtype=float) for g in grades])
    passed = [g.verdict == "pass" for g in grades]
    st = group_stats(lot, il_all, passed, profile.il_max_db)
    verdicts = {v: sum(g.verdict == v for g in grades) for v in ("pass", "fail",
                                                                  "unmeasurable")}
    dists: dict[str, dict[str, Any]] = {
        "il_db": {"label": "worst IL per fiber", "unit": "dB",
                  "values": _values(il_all),
                  "limit": profile.il_max_db, "limit_label": f"{profile.name} max"},
        "rl_db": {"label": "worst RL per fiber", "unit": "dB",
                  "values": _values(rl_all),
                  "limit": profile.rl_min_db, "limit_label": f"{profile.name} min"}}
    for key, unit in GEOMETRY_PARAMETERS:
        vals = [float(ge["parameters"][key]) for d in data for ge in d.geometry
                if (ge.get("parameters") or {}).get(key) is not None]
        if vals:
            dists[key] = {"label": key.rsplit("_", 1)[0].replace("_", " "), "unit": unit,
                          "values": _values(np.asarray(vals)), "limit": None,
                          "limit_label": ""}
    charts = subgroup_charts([g.serial for g in grades], il_per)
    assemblies = []
    endface = []
    inspected = _with_endface(store, [d.serial for d in data])
    for d, g, v in zip(data, grades, il_per, strict=True):
        fin = v[np.isfinite(v)]
        bad = [f"{e}{f}" for e, f, fv in zip(g.ends, g.fibers, g.fiber_verdicts, strict=True)
               if fv != "pass"]
        assemblies.append({"serial": g.serial, "verdict": g.verdict, "grade": g.grade,
                           "il_max_db": _round(float(fin.max())) if fin.size else None,
                           "rl_min_db": _round(float(np.nanmin(g.rl_worst_db)))
                           if g.rl_worst_db and np.isfinite(g.rl_worst_db).any() else None,
                           "fibers_not_passing": bad, "stations": list(d.stations),
                           "geometry_ok": [ge["ok"] for ge in d.geometry]})
        for e in (latest_inspections(store, g.serial) if g.serial in inspected else ()):
            endface.append({"serial": g.serial, **e,
                            "inspected_at": e["inspected_at"].isoformat()})
    suppliers = sorted({d.supplier for d in data if d.supplier})
    return {"lot": lot, "suppliers": suppliers, "profile": profile.name,
            "limits": {"il_max_db": profile.il_max_db, "rl_min_db": profile.rl_min_db,
                       "status": profile.status, "source": profile.source},
            "stats": st.to_dict(), "verdicts": verdicts, "distributions": dists,
            **charts, "assemblies": assemblies,
            "endface": endface, "inspections": lot_inspections(store, lot)}
