"""What the acceptance pages show: a reconciliation run from uploaded files, its summary and
the drill-down of one channel (measured vs designed map, OTDR events, element at fault).

:func:`run_acceptance` is the job the web app runs in the background: it parses every
uploaded file completely (:func:`~mpokit.accept.results.parse_results_text`,
:func:`~mpokit.accept.otdr.parse_sor`) and calls :func:`~mpokit.accept.reconcile`; bad input
raises :class:`~mpokit.errors.InputError` naming the file. :func:`save_acceptance` then
writes the run to the store (:mod:`mpokit.store.accept_runs`): its summary, every channel's
status (findings first) and the drill-down of the first :data:`MAX_DETAILS` channels. The
pages read runs back from the store only (:func:`stored_result_page`,
:func:`stored_channel_detail`, :func:`recent_runs`), so they survive a restart.

Example:
    >>> from mpokit.connectivity import ChannelSet, parse_channels
    >>> from mpokit.accept import plan_designs
    >>> plan = plan_designs(ChannelSet.from_specs(parse_channels({"channels": [{"name": "x",
    ...     "a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [{"cord": {"connector":
    ...     "MPO-12", "type": "B", "fiber": "OM4", "length_m": 7}}]}]})))
    >>> csv = "label,fiber,wavelength_nm,loss_db,far_fiber\\n" + "".join(
    ...     f"x,{p},850,0.3,{p}\\n" for p in range(1, 13))
    >>> run = run_acceptance(plan, [("r.csv", csv.encode())], [])
    >>> channel_detail(run, "x")["fault"]["element"]
    'path[0] cord'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from mpokit.accept import (
    STATUSES,
    AcceptResult,
    FieldResults,
    OtdrTrace,
    PlanDesigns,
    concat_results,
    parse_results_text,
    parse_sor,
    reconcile,
    summary,
)
from mpokit.accept.results import OPEN
from mpokit.connectivity.spec import element_body, element_kind
from mpokit.errors import InputError
from mpokit.store.accept_runs import (
    ChannelRow,
    RunSummary,
    list_runs,
    load_run,
    run_channels,
    save_run,
    stored_channel,
)
from mpokit.store.db import Store

__all__ = ["MAX_DETAILS", "AcceptRun", "channel_detail", "recent_runs", "run_acceptance",
           "save_acceptance", "stored_channel_detail", "stored_result_page"]

RESULT_SUFFIXES = (".csv", ".json")
SOR_SUFFIXES = (".sor",)
ROWS_SHOWN = 2000  # channels listed on the result page (the JSON API pages through all)
#: Channels whose drill-down is stored with a run, findings first (a 393k-channel fabric
#: would otherwise store ~1 KB for every passing channel); the rest keep status and finding.
MAX_DETAILS = 10_000


@dataclass(frozen=True)
class AcceptRun:
    """A finished reconciliation with the rows and traces it was made from."""

    result: AcceptResult
    results: FieldResults | None
    traces: tuple[OtdrTrace, ...]
    files: tuple[str, ...]


def run_acceptance(plan: PlanDesigns, tables: Sequence[tuple[str, bytes]],
                   sors: Sequence[tuple[str, bytes]], *, tolerance_db: float = 0.0,
                   progress: Callable[[float, str], None] | None = None) -> AcceptRun:
    """Parse the uploaded results and traces and reconcile them with ``plan``.

    Parameters
    ----------
    plan
        The plan (:func:`mpokit.accept.read_plan`).
    tables
        ``(file name, content)`` of tester results (.csv or .json, generic layout).
    sors
        ``(file name, content)`` of OTDR traces (.sor).
    tolerance_db
        Measurement uncertainty added to designed losses.
    progress
        Called with (fraction done, what) as files are parsed.

    Returns
    -------
    AcceptRun
        The reconciliation and its inputs.

    Raises
    ------
    InputError
        A file that cannot be read, naming it, its line and field.
    """
    if tolerance_db < 0 or not np.isfinite(tolerance_db):
        raise InputError(f"tolerance {tolerance_db!r} dB is not a non-negative number",
                         field="tolerance_db", fix="give 0 or more dB")
    total = max(len(tables) + len(sors), 1)
    parts = []
    for k, (name, data) in enumerate(tables):
        if progress:
            progress(k / total, f"reading {name}")
        parts.append(parse_results_text(data, file=name))
    traces = []
    for k, (name, data) in enumerate(sors):
        if progress:
            progress((len(tables) + k) / total, f"reading {name}")
        traces.append(parse_sor(data, file=name))
    rows = concat_results(parts) if parts else None
    empty = parse_results_text("label,fiber,wavelength_nm,loss_db,far_fiber\n", file="<none>")
    if progress:
        progress(0.95, "reconciling")
    res = reconcile(plan, rows if rows is not None else empty, traces, tolerance_db=tolerance_db)
    return AcceptRun(res, rows, tuple(traces), tuple(n for n, _ in [*tables, *sors]))


def _name(res: AcceptResult, i: int) -> str:
    n = res.plan.channels.names[i]
    return n if n else f"channel {i + 1}"


def _check_status(status: str | None) -> None:
    if status is not None and status not in STATUSES:
        raise InputError(f"unknown status {status!r}", field="status",
                         fix="use one of " + ", ".join(STATUSES))


def _order(res: AcceptResult) -> np.ndarray:
    """Channel indices, those not passing first, each part in plan order."""
    return np.lexsort((np.arange(res.status.size), res.status == 0))


def _describe(el: object) -> dict[str, Any]:
    body = element_body(el)
    fields = body.model_dump(exclude_none=True, mode="json") if hasattr(body, "model_dump") \
        else {}
    return {"kind": element_kind(el), "fields": fields}


def _parse_map(text: str, width: int) -> list[int | None]:
    out: list[int | None] = [None] * width
    for tok in text.split():
        a, _, b = tok.partition(">")
        i = int(a) - 1
        if 0 <= i < width:
            out[i] = None if b == "open" else int(b)
    return out


def channel_detail(run: AcceptRun, name: str) -> dict[str, Any]:
    """One channel: status, findings, measured and designed maps, its path with the element
    at fault, and the OTDR events of its traces.

    The element at fault is the one the first finding names (``at``: the likeliest cause of
    a polarity mismatch, the mating holding an OTDR event); None when no finding names one
    (a loss over budget is a channel total, a swap may sit in several places).

    Parameters
    ----------
    run
        A finished run.
    name
        The channel's label.

    Returns
    -------
    dict[str, Any]
        ``name``, ``status``, ``findings``, ``designed_map``/``measured_map`` (per end-A
        position: the 1-based end-B position or None = open/untested), ``path`` (each
        element with ``kind``, ``fields``, ``fault``), ``fault``, ``events`` and
        ``serials`` (the tested assemblies' serials the results name, for their
        certificates).

    Raises
    ------
    InputError
        The plan has no channel of that name (field ``name``).
    """
    idx = run.result.plan.index().get(name)
    if idx is None:
        raise InputError(f"the plan has no channel {name!r}", field="name",
                         fix="pick a channel from the result page")
    return _detail(run, idx, name, _Lookup.of(run))


@dataclass(frozen=True)
class _Lookup:
    """Result rows and OTDR traces per label, grouped once for many drill-downs (one
    ``argsort`` instead of a scan of every row per channel)."""

    rows: dict[str, np.ndarray]
    traces: dict[str, list[OtdrTrace]]

    @classmethod
    def of(cls, run: AcceptRun) -> _Lookup:
        rows: dict[str, np.ndarray] = {}
        r = run.results
        if r is not None and r.label_of.size:
            order = np.argsort(r.label_of, kind="stable")
            cuts = np.flatnonzero(np.diff(r.label_of[order])) + 1
            for chunk in np.split(order, cuts):
                rows[r.labels[int(r.label_of[chunk[0]])]] = chunk
        traces: dict[str, list[OtdrTrace]] = {}
        for t in run.traces:
            traces.setdefault(t.label, []).append(t)
        return cls(rows, traces)


def _detail(run: AcceptRun, idx: int, name: str, lookup: _Lookup) -> dict[str, Any]:
    res = run.result
    d = int(res.plan.channels.design_of[idx])
    shape = res.plan.shapes[int(res.plan.shape_of[d])]
    spec = res.plan.channels.designs[d]
    designed: list[int | None] = [None if v < 0 else int(v) + 1 for v in shape.expected]
    measured: list[int | None] = [None] * len(designed)
    fs = res.findings.get(idx, [])
    text = next((f.details["measured_map"] for f in fs if "measured_map" in f.details), None)
    if text is not None:
        measured = _parse_map(text, len(designed))
    serials: list[str] = []
    rows = lookup.rows.get(name)
    if run.results is not None and rows is not None:
        r = run.results
        serials = sorted({str(x) for x in r.serial[rows].tolist() if x})
        for j in rows.tolist() if text is None else ():
            p, far = int(r.fiber[j]), int(r.far_fiber[j])
            if 0 <= p < len(measured) and measured[p] is None:
                measured[p] = None if far == OPEN else far + 1
    at = next((f.at for f in fs if f.at is not None), None)
    path = [{"index": k, **_describe(el), "fault": k == at} for k, el in enumerate(spec.path)]
    fault = None
    if at is not None:
        first = next(f for f in fs if f.at == at)
        fault = {"at": at, "element": f"path[{at}] {element_kind(spec.path[at])}",
                 "because": first.message, **_describe(spec.path[at])}
    elif fs:
        fault = {"at": None, "element": None, "because": fs[0].message}
    events = [{"file": t.file, "fiber": t.fiber + 1, "wavelength_nm": t.wavelength_nm,
               "distance_m": round(e.distance_m, 2), "loss_db": round(e.loss_db, 3),
               "reflectance_db": e.reflectance_db, "end": e.end}
              for t in lookup.traces.get(name, ()) for e in t.events]
    return {"name": name, "status": STATUSES[int(res.status[idx])],
            "findings": [f.to_dict() for f in fs], "designed_map": designed,
            "measured_map": measured, "tested": rows is not None,
            "a": str(spec.a), "b": str(spec.b), "path": path, "fault": fault,
            "events": events, "serials": serials, "kept": True}


def save_acceptance(store: Store, run_id: str, run: AcceptRun, *, plan: str,
                    tolerance_db: float, progress: Callable[[float, str], None] | None = None
                    ) -> RunSummary:
    """Write a finished run to the store: summary, every channel (findings first, then the
    rest in plan order) and the drill-down of the first :data:`MAX_DETAILS` of them.

    Parameters
    ----------
    store
        The open store.
    run_id
        The run's id (the web job's id).
    run
        The finished run.
    plan, tolerance_db
        What the run was made from (the plan's file or saved name) and its tolerance.
    progress
        Called with (fraction, what) while the drill-downs are built.

    Returns
    -------
    RunSummary
        The stored summary.
    """
    res = run.result
    order = _order(res).tolist()
    rows = []
    for i in order:
        fs = res.findings.get(i, [])
        rows.append(ChannelRow(_name(res, i), STATUSES[int(res.status[i])], len(fs),
                               fs[0].message if fs else ""))
    lookup = _Lookup.of(run)
    kept = min(len(order), MAX_DETAILS)
    details = {}
    for k in range(kept):
        if progress and k % 1000 == 0:
            progress(0.96 + 0.03 * k / max(kept, 1), "saving channel details")
        details[k] = _detail(run, order[k], rows[k].name, lookup)
    s = summary(res)
    info = RunSummary(run_id, datetime.now(UTC), plan, float(tolerance_db), bool(s["ok"]),
                      int(s["channels"]), dict(s["counts"]), tuple(res.notes),
                      tuple({"label": lab, "did_you_mean": list(sug)}
                            for lab, sug in res.unexpected), run.files, kept)
    save_run(store, info, rows, details)
    return info


def stored_result_page(store: Store, run_id: str, *, status: str | None = None,
                       offset: int = 0, limit: int = ROWS_SHOWN) -> dict[str, Any] | None:
    """A stored run's summary and one page of its channels (findings first).

    Parameters
    ----------
    store
        The open store.
    run_id
        The run's id.
    status
        Only channels with this status (any when None).
    offset, limit
        The page.

    Returns
    -------
    dict[str, Any] | None
        ``ok``, ``summary`` (channels, counts per status, ok), ``channels`` (name, status,
        number of findings, first finding), ``total`` (channels matching), ``offset``,
        ``unexpected``, ``notes``, ``files`` and ``run`` (id, created_at, plan,
        tolerance_db, details_kept); None when the store has no such run.

    Raises
    ------
    InputError
        An unknown status (field ``status``).
    """
    _check_status(status)
    info = load_run(store, run_id)
    if info is None:
        return None
    page, total = run_channels(store, run_id, status=status, offset=offset, limit=limit)
    return {"ok": info.ok, "summary": {"channels": info.channels, "counts": dict(info.counts),
                                       "ok": info.ok},
            "channels": [{"name": c.name, "status": c.status, "findings": c.findings,
                          "first": c.first} for c in page],
            "total": total, "offset": offset, "unexpected": [dict(u) for u in info.unexpected],
            "notes": list(info.notes), "files": list(info.files),
            "run": {"id": info.id, "created_at": info.created_at.isoformat(),
                    "plan": info.plan, "tolerance_db": info.tolerance_db,
                    "details_kept": info.details_kept}}


def stored_channel_detail(store: Store, run_id: str, name: str) -> dict[str, Any] | None:
    """One channel of a stored run: its stored drill-down, or (beyond :data:`MAX_DETAILS`)
    its status and first finding with ``kept: false``.

    Parameters
    ----------
    store
        The open store.
    run_id
        The run's id.
    name
        The channel's name.

    Returns
    -------
    dict[str, Any] | None
        As :func:`channel_detail` (with ``kept``); None when the store has no such run.

    Raises
    ------
    InputError
        The run has no channel of that name (field ``name``).
    """
    found = stored_channel(store, run_id, name)
    if found is None:
        if load_run(store, run_id) is None:
            return None
        raise InputError(f"the plan has no channel {name!r}", field="name",
                         fix="pick a channel from the result page")
    row, detail = found
    if detail is not None:
        return detail
    return {"name": row.name, "status": row.status, "kept": False,
            "findings": [{"code": row.status, "message": row.first, "at": None}]
            if row.findings else [],
            "designed_map": [], "measured_map": [], "tested": row.status != "not_tested",
            "a": "", "b": "", "path": [], "fault": None, "events": [], "serials": []}


def recent_runs(store: Store, *, limit: int = 20, offset: int = 0) -> dict[str, Any]:
    """The stored runs, newest first.

    Parameters
    ----------
    store
        The open store.
    limit, offset
        The page.

    Returns
    -------
    dict[str, Any]
        ``{"runs": [summary dicts], "total"}``.
    """
    runs, total = list_runs(store, limit=limit, offset=offset)
    return {"runs": [r.to_dict() for r in runs], "total": total}
