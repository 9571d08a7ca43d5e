"""Incoming inspection of lots and supplier scorecards, on top of the store.

Workflow of a buyer's quality engineer:

1. import the supplier's data (origin ``supplier``; ``--lot``/``--supplier`` name the lot);
2. :func:`start_inspection` picks the plan (ISO 2859-1; severity from the supplier's history
   under the switching rules unless given) and draws the sample with a seed; it is recorded;
3. re-measure the sampled assemblies and import them with origin ``incoming``;
4. :func:`decide_inspection` grades the re-measured sample: accept, reject, or
   ``unmeasurable`` (with the serials still missing) -- never a guess;
5. :func:`scorecard` compares claimed and re-measured values and lists lots over time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select

from mpokit.errors import InputError
from mpokit.store.assess import grade_all, load_assemblies
from mpokit.store.db import Store
from mpokit.store.grading import LimitProfile
from mpokit.store.models import Assembly, Inspection, Measurement
from mpokit.store.sampling import (
    SamplingPlan,
    Severity,
    SwitchingState,
    draw_sample,
    plan_for,
    tighter_aql,
)

__all__ = ["InspectionResult", "decide_inspection", "scorecard", "start_inspection",
           "switching_state"]


@dataclass(frozen=True)
class InspectionResult:
    """One lot's inspection: plan, sample, and (once re-measured) verdict."""

    lot: str
    supplier: str | None
    plan: SamplingPlan
    seed: int
    sample: tuple[str, ...]
    verdict: str
    nonconforming: int | None = None
    failing: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"lot": self.lot, "supplier": self.supplier, "plan": self.plan.to_dict(),
                "seed": self.seed, "sample": list(self.sample), "verdict": self.verdict,
                "nonconforming": self.nonconforming, "failing": list(self.failing),
                "missing": list(self.missing)}


def _lot_members(store: Store, lot: str) -> tuple[list[str], str | None]:
    with store.read() as s:
        rows = s.execute(select(Assembly.serial, Assembly.supplier)
                         .where(Assembly.lot == lot)).all()
    if not rows:
        raise InputError(f"no assemblies in lot {lot!r}", field="lot",
                         fix="import the supplier's data with --lot NAME first")
    suppliers = {r[1] for r in rows if r[1]}
    return sorted(r[0] for r in rows), (sorted(suppliers)[0] if suppliers else None)


def switching_state(store: Store, supplier: str | None) -> SwitchingState:
    """Replay a supplier's decided inspections (oldest first) through the switching rules."""
    state = SwitchingState()
    with store.read() as s:
        q = (select(Inspection).where(Inspection.supplier == supplier,
                                      Inspection.verdict.in_(("accept", "reject")))
             .order_by(Inspection.id))
        for ins in s.scalars(q):
            t = tighter_aql(ins.aql)
            tighter_ok = False
            if t is not None and ins.nonconforming is not None:
                tp = plan_for(ins.lot_size, ins.level, t, "normal")
                tighter_ok = ins.nonconforming <= tp.ac
            state = state.after(accepted=ins.verdict == "accept", tighter_accepts=tighter_ok,
                                ac=ins.ac)
    return state


def start_inspection(store: Store, lot: str, *, level: str = "II", aql: float = 1.0,
                     seed: int = 0, severity: Severity | None = None) -> InspectionResult:
    """Choose the plan for ``lot``, draw the sample and record the inspection (pending).

    Parameters:
        store: the open store.
        lot: the lot name given at import.
        level, aql: ISO 2859-1 inspection level and AQL (percent nonconforming).
        seed: sample seed (recorded; the same seed draws the same serials).
        severity: force ``normal``/``tightened``/``reduced``; None follows the switching
            rules over the supplier's earlier inspections.

    Returns:
        The pending :class:`InspectionResult` with the sample to re-measure.
    """
    serials, supplier = _lot_members(store, lot)
    state = switching_state(store, supplier)
    if severity is None and state.discontinued:
        raise InputError(f"inspection of supplier {supplier!r} is discontinued: 5 lots were "
                         "not accepted on tightened inspection (ISO 2859-1 switching rules)",
                         field="supplier", fix="resume only after the supplier's corrective "
                         "action; then pass --severity tightened")
    sev: Severity = severity or state.severity
    plan = plan_for(len(serials), level, aql, sev)
    sample = draw_sample(serials, plan.sample_size, seed)
    with store.session() as s:
        s.add(Inspection(lot=lot, supplier=supplier, lot_size=len(serials), level=level,
                         aql=aql, severity=sev, sample_size=plan.sample_size, ac=plan.ac,
                         re=plan.re, seed=seed, sample=sample, nonconforming=None,
                         verdict="pending", decided_at=datetime.now(UTC)))
    return InspectionResult(lot, supplier, plan, seed, tuple(sample), "pending")


def decide_inspection(store: Store, lot: str, profile: LimitProfile) -> InspectionResult:
    """Grade the re-measured sample of the lot's latest inspection and decide.

    Returns:
        ``accept``/``reject``, or ``unmeasurable`` naming the sampled serials that have no
        incoming measurement yet (nothing is recorded then).
    """
    with store.read() as s:
        ins = s.scalars(select(Inspection).where(Inspection.lot == lot)
                        .order_by(Inspection.id.desc())).first()
        if ins is None:
            raise InputError(f"lot {lot!r} has no inspection", field="lot",
                             fix=f"draw its sample first: mpokit qc sample {lot}")
        plan = plan_for(ins.lot_size, ins.level, ins.aql, ins.severity)  # type: ignore[arg-type]
        sample = list(ins.sample)
        ins_id, seed, supplier = ins.id, ins.seed, ins.supplier
    data = load_assemblies(store, sample, origin="incoming")
    have = {d.serial for d in data}
    missing = tuple(x for x in sample if x not in have)
    grades = grade_all(data, profile)
    failing = tuple(g.serial for g in grades if g.verdict == "fail")
    unmeas = tuple(g.serial for g in grades if g.verdict == "unmeasurable")
    if missing or unmeas:
        return InspectionResult(lot, supplier, plan, seed, tuple(sample), "unmeasurable",
                                None, failing, missing + unmeas)
    verdict = "accept" if plan.accepts(len(failing)) else "reject"
    with store.session() as s:
        row = s.get(Inspection, ins_id)
        assert row is not None
        row.nonconforming, row.verdict = len(failing), verdict
        row.decided_at = datetime.now(UTC)
    return InspectionResult(lot, supplier, plan, seed, tuple(sample), verdict, len(failing),
                            failing)


def scorecard(store: Store, supplier: str, profile: LimitProfile) -> dict[str, Any]:
    """A supplier's record: lots inspected/accepted, claimed vs re-measured IL, yield per lot.

    Returns:
        A JSON-ready dict: ``lots`` in the order their data was imported (per lot:
        assemblies, claimed yield, inspection verdict),
        ``inspections`` (accepted / rejected / pending), ``claimed_vs_measured`` (pairs of
        the same serial, end, fiber and wavelength: mean and max |difference| and the mean
        bias incoming - claimed, dB) and the current switching ``severity``.
    """
    with store.read():  # every query of the scorecard sees one snapshot
        return _scorecard(store, supplier, profile)


def _scorecard(store: Store, supplier: str, profile: LimitProfile) -> dict[str, Any]:
    with store.read() as s:
        # lots in the order their data arrived (yield over time)
        lots: list[str] = [str(r[0]) for r in s.execute(
            select(Assembly.lot)
            .join(Measurement, Measurement.serial == Assembly.serial)
            .where(Assembly.supplier == supplier, Assembly.lot.is_not(None))
            .group_by(Assembly.lot).order_by(func.min(Measurement.file_id), Assembly.lot))]
        ins_rows = s.execute(select(Inspection.lot, Inspection.verdict)
                             .where(Inspection.supplier == supplier)
                             .order_by(Inspection.id)).all()
        serials = [r[0] for r in s.execute(select(Assembly.serial)
                                           .where(Assembly.supplier == supplier))]
        pairs: dict[tuple[str, str, int, float], dict[str, float]] = {}
        q = (select(Measurement.serial, Measurement.end, Measurement.fiber,
                    Measurement.wavelength_nm, Measurement.il_db, Measurement.origin)
             .where(Measurement.serial.in_(serials)).order_by(Measurement.file_id))
        for serial, end, fiber, wl, il, origin in s.execute(q):
            pairs.setdefault((serial, end, fiber, wl), {})[origin] = il
    if not serials:
        raise InputError(f"no assemblies from supplier {supplier!r}", field="supplier",
                         fix="import the supplier's data with --supplier NAME")
    verdicts: dict[str, str] = {lot: v for lot, v in ins_rows}
    lot_rows = []
    for lot in lots:
        grades = grade_all(load_assemblies(store, lot=lot), profile)
        ok = sum(g.verdict == "pass" for g in grades)
        lot_rows.append({"lot": lot, "assemblies": len(grades),
                         "claimed_yield": round(ok / len(grades), 4) if grades else None,
                         "inspection": verdicts.get(lot, "not inspected")})
    both = [(p["supplier"], p["incoming"]) for p in pairs.values()
            if "supplier" in p and "incoming" in p]
    cmp: dict[str, Any] = {"pairs": len(both)}
    if both:
        d = np.array([b - a for a, b in both])
        cmp |= {"bias_db": round(float(d.mean()), 4),
                "mean_abs_diff_db": round(float(np.abs(d).mean()), 4),
                "max_abs_diff_db": round(float(np.abs(d).max()), 4)}
    decided = [v for _, v in ins_rows]
    return {"supplier": supplier, "profile": profile.name, "lots": lot_rows,
            "inspections": {k: decided.count(k) for k in ("accept", "reject", "pending")},
            "claimed_vs_measured": cmp,
            "severity": switching_state(store, supplier).severity}
