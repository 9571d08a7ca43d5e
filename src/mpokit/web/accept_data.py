"""What the acceptance pages show: a reconciliation run from uploaded files, its summary and
the drill-down of one channel (measured vs designed map, OTDR events, element at fault).

:func:`run_acceptance` is the job the web app runs in the background: it parses every
uploaded file completely (:func:`~mpokit.accept.results.parse_results_text`,
:func:`~mpokit.accept.otdr.parse_sor`) and calls :func:`~mpokit.accept.reconcile`. Nothing is
written anywhere; bad input raises :class:`~mpokit.errors.InputError` naming the file.

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

__all__ = ["AcceptRun", "channel_detail", "result_page", "run_acceptance"]

RESULT_SUFFIXES = (".csv", ".json")
SOR_SUFFIXES = (".sor",)
ROWS_SHOWN = 2000  # channels listed on the result page (the JSON API pages through all)


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


def result_page(run: AcceptRun, *, status: str | None = None, offset: int = 0,
                limit: int = ROWS_SHOWN) -> dict[str, Any]:
    """The summary and one page of channels (those with findings first, then untested).

    Parameters
    ----------
    run
        A finished run.
    status
        Only channels with this status (any when None).
    offset, limit
        The page.

    Returns
    -------
    dict[str, Any]
        ``ok``, ``summary`` (counts per status), ``channels`` (name, status, first finding),
        ``total`` (channels matching), ``unexpected``, ``notes`` and ``files``.
    """
    res = run.result
    if status is not None and status not in STATUSES:
        raise InputError(f"unknown status {status!r}", field="status",
                         fix="use one of " + ", ".join(STATUSES))
    order = np.lexsort((np.arange(res.status.size), res.status == 0))
    if status is not None:
        order = order[res.status[order] == STATUSES.index(status)]
    rows = []
    for i in order[offset:offset + limit].tolist():
        fs = res.findings.get(i, [])
        rows.append({"name": _name(res, i), "status": STATUSES[int(res.status[i])],
                     "findings": len(fs), "first": fs[0].message if fs else ""})
    return {"ok": res.ok, "summary": summary(res), "channels": rows, "total": int(order.size),
            "offset": offset, "unexpected": [{"label": lab, "did_you_mean": list(s)}
                                             for lab, s in res.unexpected],
            "notes": list(res.notes), "files": list(run.files)}


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
    res = run.result
    idx = res.plan.index().get(name)
    if idx is None:
        raise InputError(f"the plan has no channel {name!r}", field="name",
                         fix="pick a channel from the result page")
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
    if run.results is not None and name in run.results.labels:
        r = run.results
        rows = np.flatnonzero(r.label_of == r.labels.index(name))
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
    events = []
    for t in run.traces:
        if t.label != name:
            continue
        for e in t.events:
            events.append({"file": t.file, "fiber": t.fiber + 1, "wavelength_nm": t.wavelength_nm,
                           "distance_m": round(e.distance_m, 2), "loss_db": round(e.loss_db, 3),
                           "reflectance_db": e.reflectance_db, "end": e.end})
    return {"name": name, "status": STATUSES[int(res.status[idx])],
            "findings": [f.to_dict() for f in fs], "designed_map": designed,
            "measured_map": measured,
            "tested": run.results is not None and name in run.results.labels,
            "a": str(spec.a), "b": str(spec.b), "path": path, "fault": fault,
            "events": events, "serials": serials}
