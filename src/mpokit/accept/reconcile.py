"""Reconcile field results and OTDR traces with the plan: one status per designed channel.

Statuses (``STATUSES``), the first that applies wins:

* ``polarity_mismatch`` -- the measured position map differs from the design in more than
  one exchanged pair; the likeliest cause is the single-element substitution that
  reproduces it (:mod:`mpokit.accept.causes`);
* ``fiber_swap`` -- the map is the design's with two fibers exchanged;
* ``over_budget`` -- a fiber's loss exceeds the designed loss at its wavelength, or a fiber
  has no continuity;
* ``event_over_limit`` -- an OTDR event exceeds its mating's designed loss or reflectance,
  or no designed element explains it;
* ``not_tested`` -- the plan has the channel, the results do not;
* ``pass``.

Results whose label the plan does not hold are ``unexpected`` (listed apart, with the
plan's channels from the same end A as suggestions). Every comparison is array work:
rows are matched to channels by one dictionary look-up per distinct label, expected maps
are kept once per shape and indexed per row.

>>> from mpokit.connectivity import ChannelSet, parse_channels
>>> from mpokit.accept.design import plan_designs
>>> from mpokit.accept.results import parse_results_text
>>> plan = plan_designs(ChannelSet.from_specs(parse_channels({"channels": [{"name": n,
...     "a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [{"cord": {"connector": "MPO-12",
...     "type": "B", "fiber": "OM4", "length_m": 7}}]} for n in ("x", "y")]})))
>>> rows = "label,fiber,wavelength_nm,loss_db,far_fiber\\n" + "".join(
...     f"x,{p},850,0.3,{p}\\n" for p in range(1, 13))
>>> res = reconcile(plan, parse_results_text(rows))
>>> res.status_names()
['polarity_mismatch', 'not_tested']
>>> res.findings[0][0].message
'the map equals the design with path[0] cord as Type A instead of Type B'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mpokit.accept.causes import explain, substitutions, swapped_pair
from mpokit.accept.design import PlanDesigns
from mpokit.accept.otdr import EventFinding, OtdrTrace, attribute
from mpokit.accept.results import OPEN, FieldResults
from mpokit.errors import MAX_REPORTED, InputError, InputErrors

__all__ = ["STATUSES", "AcceptResult", "ChannelFinding", "reconcile"]

STATUSES = ("pass", "polarity_mismatch", "over_budget", "fiber_swap", "not_tested",
            "unexpected", "event_over_limit")
PASS, POLARITY, OVER, SWAP, NOT_TESTED, UNEXPECTED, EVENT = range(7)
_RANK = {POLARITY: 0, SWAP: 1, OVER: 2, EVENT: 3}
MAX_SUGGESTED = 100  # unknown labels that get "did you mean" suggestions


@dataclass(frozen=True)
class ChannelFinding:
    """One finding on a channel: its status code, a sentence, and details for JSON."""

    code: str
    message: str
    at: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form.

        Returns
        -------
        dict[str, Any]
            Code, message, element and details.
        """
        return {"code": self.code, "message": self.message,
                "at": None if self.at is None else f"path[{self.at}]", **self.details}


@dataclass(frozen=True)
class AcceptResult:
    """The reconciliation of a plan with its field results.

    Attributes
    ----------
    plan
        The plan.
    status
        ``(N,)`` int8 index into ``STATUSES`` per channel of the plan.
    findings
        Channel index -> its findings (channels that pass have none).
    unexpected
        ``(label, suggestions)`` of every tested label the plan does not hold.
    notes
        What could not be assessed, and why (never a silent pass).
    """

    plan: PlanDesigns
    status: np.ndarray
    findings: dict[int, list[ChannelFinding]]
    unexpected: tuple[tuple[str, tuple[str, ...]], ...]
    notes: tuple[str, ...] = ()

    def status_names(self) -> list[str]:
        """Every channel's status as text.

        Returns
        -------
        list[str]
            One status per channel of the plan.
        """
        return np.asarray(STATUSES, dtype=object)[self.status].tolist()

    def counts(self) -> dict[str, int]:
        """Channels per status (``unexpected``: tested labels the plan lacks).

        Returns
        -------
        dict[str, int]
            Every status with its count.
        """
        c = np.bincount(self.status, minlength=len(STATUSES))
        out = {s: int(c[k]) for k, s in enumerate(STATUSES)}
        out["unexpected"] = len(self.unexpected)
        return out

    @property
    def ok(self) -> bool:
        """True when every channel passes and nothing unexpected was tested."""
        return bool((self.status == PASS).all()) and not self.unexpected


def _fmt_map(m: np.ndarray, live: np.ndarray) -> str:
    return " ".join(f"{i + 1}>{'open' if v < 0 else int(v) + 1}"
                    for i, v in enumerate(m.tolist()) if live[i])


def _errors(errors: list[InputError]) -> None:
    if errors:
        raise InputErrors.of(errors[:MAX_REPORTED], truncated=len(errors) > MAX_REPORTED)


def _suggest(labels: Sequence[str], names: pa.Array) -> list[tuple[str, tuple[str, ...]]]:
    """Up to three of the plan's channels from the same end A as each unknown label."""
    out = []
    for lab in labels[:MAX_SUGGESTED]:
        hits = pc.filter(names, pc.starts_with(names, lab.split(" to ")[0] + " to "))
        out.append((lab, tuple(hits.slice(0, 3).to_pylist())))
    return out + [(lab, ()) for lab in labels[MAX_SUGGESTED:]]


def _check_sets(res: FieldResults, plan: PlanDesigns, ch_of_label: np.ndarray,
                exp: np.ndarray, live_n: np.ndarray, shape_of_ch: np.ndarray,
                wl_idx: np.ndarray, n_wl: int) -> None:
    """Rows must name fibers of the link, cover all of them per wavelength, and agree across
    wavelengths."""
    errors: list[InputError] = []
    ch = ch_of_label[res.label_of]
    known = np.flatnonzero(ch >= 0)
    shape = shape_of_ch[ch[known]]
    fib = res.fiber[known].astype(np.int64)
    width = exp.shape[1]
    inside = fib < width
    e = np.full(known.size, -3, dtype=np.int16)
    e[inside] = exp[shape[inside], fib[inside]]
    for j in np.flatnonzero(e < 0)[:MAX_REPORTED]:
        r = int(known[j])
        f, ln = res.where(r)
        errors.append(InputError(
            f"{res.labels[int(res.label_of[r])]!r}: fiber {int(res.fiber[r]) + 1} is not a "
            "fiber of this link", file=f, line=ln, field="fiber",
            fix="give end-A positions whose fiber reaches end B (docs/accept.md)"))
    _errors(errors)
    key = res.label_of[known] * n_wl + wl_idx[known]
    counts = np.bincount(key, minlength=len(res.labels) * n_wl)
    groups = np.flatnonzero(counts)
    short = groups[counts[groups] != live_n[shape_of_ch[ch_of_label[groups // n_wl]]]]
    for g in short[:MAX_REPORTED]:
        lab = int(g // n_wl)
        rows = known[key == g]
        s = int(shape_of_ch[ch_of_label[lab]])
        have = set(res.fiber[rows].tolist())
        missing = [i + 1 for i in np.flatnonzero(exp[s] >= 0).tolist() if i not in have]
        f, ln = res.where(int(rows[0]))
        errors.append(InputError(
            f"{res.labels[lab]!r} at {res.wavelength_nm[rows[0]]:g} nm: results for "
            f"{len(have)} of {int(live_n[s])} "
            f"fibers; missing fiber(s) {', '.join(map(str, missing[:12]))}", file=f, line=ln,
            field="fiber", fix="export every fiber of the link (an untested fiber cannot "
                               "be accepted; a broken one is 'open')"))
    _errors(errors)
    # the same fiber reaches the same far position at every wavelength
    order = np.lexsort((res.fiber[known], res.label_of[known]))
    k2 = res.label_of[known][order] * 4096 + res.fiber[known][order]
    far = res.far_fiber[known][order]
    same = k2[1:] == k2[:-1]
    bad = np.flatnonzero(same & (far[1:] != far[:-1]))
    for j in bad[:MAX_REPORTED]:
        r = int(known[order[j + 1]])
        f, ln = res.where(r)
        errors.append(InputError(
            f"{res.labels[int(res.label_of[r])]!r} fiber {int(res.fiber[r]) + 1} reaches "
            "different far positions at different wavelengths", file=f, line=ln,
            field="far_fiber", fix="re-test the link; one fiber cannot arrive at two places"))
    _errors(errors)


def reconcile(plan: PlanDesigns, results: FieldResults,
              traces: Sequence[OtdrTrace] = (), *, tolerance_db: float = 0.0) -> AcceptResult:
    """Reconcile ``results`` (and OTDR ``traces``) with ``plan``.

    Parameters
    ----------
    plan
        The plan's channels and expectations (:func:`mpokit.accept.read_plan`).
    results
        Tester rows (:func:`mpokit.accept.read_results`).
    traces
        OTDR traces; each must name a channel of the plan.
    tolerance_db
        Measurement uncertainty added to every designed loss before comparing.

    Returns
    -------
    AcceptResult
        A status per channel, findings, unexpected labels and notes.

    Raises
    ------
    InputError
        A fiber the link does not have, a partial fiber set, a fiber arriving at two places,
        or a trace naming a channel the plan does not hold.
    """
    n = len(plan.channels)
    names = pa.array([x or "" for x in plan.channels.names], pa.string())
    ch_of_label = np.asarray(pc.fill_null(pc.index_in(pa.array(results.labels, pa.string()),
                                                      value_set=names), -1)
                             .to_numpy(zero_copy_only=False), dtype=np.int64)
    shape_of_ch = plan.channel_shape()
    width = max(s.expected.size for s in plan.shapes) if plan.shapes else 0
    exp = np.full((len(plan.shapes), width), -3, dtype=np.int16)
    for s, sh in enumerate(plan.shapes):
        exp[s, :sh.expected.size] = sh.expected
    live_n = (exp >= 0).sum(axis=1)
    wls, wl_idx = np.unique(np.round(results.wavelength_nm, 1), return_inverse=True)
    wl_idx = wl_idx.astype(np.int64)
    _check_sets(results, plan, ch_of_label, exp, live_n, shape_of_ch, wl_idx, len(wls))

    rows = np.flatnonzero(ch_of_label[results.label_of] >= 0)
    ch = ch_of_label[results.label_of[rows]]
    shape = shape_of_ch[ch]
    fib = results.fiber[rows].astype(np.int64)
    far = results.far_fiber[rows]
    expected = exp[shape, fib]
    tested = np.zeros(n, dtype=bool)
    tested[ch] = True
    is_open = far == OPEN
    differs = np.zeros(n, dtype=bool)
    differs[ch[(far != expected) & ~is_open]] = True
    # loss against the designed loss of the design at the row's wavelength
    notes: list[str] = []
    design = plan.channels.design_of[ch]
    designed = np.full(rows.size, np.nan)
    for w, wl in enumerate(wls.tolist()):
        sel = wl_idx[rows] == w
        if not sel.any():
            continue
        per_design = plan.designed_db(wl)
        designed[sel] = per_design[design[sel]]
        if np.isnan(designed[sel]).any():
            notes.append(f"loss at {wl:g} nm not assessed for "
                         f"{int(np.isnan(designed[sel]).sum())} fiber results: the plan's "
                         "fiber has no attenuation listed near that wavelength")
    excess = results.loss_db[rows] - (designed + tolerance_db)
    over_row = (excess > 1e-9) | is_open
    over = np.zeros(n, dtype=bool)
    over[ch[over_row]] = True

    findings: dict[int, list[ChannelFinding]] = defaultdict(list)
    status = np.where(tested, PASS, NOT_TESTED).astype(np.int8)
    _map_findings(plan, results, rows, ch, fib, far, exp, differs, shape_of_ch, findings)
    for r in np.flatnonzero(over_row):
        c = int(ch[r])
        if len(findings[c]) > 8 and all(f.code == "over_budget" for f in findings[c][-8:]):
            continue  # a few fibers say it; the JSON keeps the count
        wl = float(results.wavelength_nm[rows[r]])
        if is_open[r]:
            msg = f"fiber {int(fib[r]) + 1} at {wl:g} nm: no continuity"
        else:
            msg = (f"fiber {int(fib[r]) + 1} at {wl:g} nm: {results.loss_db[rows[r]]:.2f} dB, "
                   f"designed {designed[r]:.2f} dB")
        findings[c].append(ChannelFinding("over_budget", msg, None, {
            "fiber": int(fib[r]) + 1, "wavelength_nm": wl,
            "loss_db": None if is_open[r] else float(results.loss_db[rows[r]]),
            "designed_db": None if np.isnan(designed[r]) else round(float(designed[r]), 3)}))
    event = np.zeros(n, dtype=bool)
    errors: list[InputError] = []
    index = plan.index() if traces else {}
    for t in traces:
        hit = index.get(t.label)
        if hit is None:
            errors.append(InputError(f"cable id {t.label!r} is not a channel of the plan",
                                     file=t.file, field="GenParams.cable_id",
                                     fix="set the cable id to the channel's label"))
            continue
        for ef in attribute(t, plan, hit):
            event[hit] = True
            findings[hit].append(_event_finding(ef))
    _errors(errors)
    for code, flag in ((EVENT, event), (OVER, over)):
        status[flag & (status == PASS)] = code
    status[over & (status == EVENT)] = OVER
    for c, fs in findings.items():
        codes = [STATUSES.index(f.code) for f in fs]
        if codes:
            status[c] = min(codes, key=lambda k: _RANK.get(k, 9))
    unexpected = [results.labels[i] for i in np.flatnonzero(ch_of_label < 0).tolist()]
    return AcceptResult(plan, status, dict(findings), tuple(_suggest(unexpected, names)),
                        tuple(notes))


def _event_finding(ef: EventFinding) -> ChannelFinding:
    return ChannelFinding("event_over_limit", ef.message, ef.at, ef.to_dict())


def _map_findings(plan: PlanDesigns, results: FieldResults, rows: np.ndarray, ch: np.ndarray,
                  fib: np.ndarray, far: np.ndarray, exp: np.ndarray, differs: np.ndarray,
                  shape_of_ch: np.ndarray, findings: dict[int, list[ChannelFinding]]) -> None:
    """Measured maps of the channels whose map differs; swaps and likeliest causes."""
    bad = np.flatnonzero(differs)
    if bad.size == 0:
        return
    slot = np.full(differs.size, -1, dtype=np.int64)
    slot[bad] = np.arange(bad.size)
    measured = exp[shape_of_ch[bad]].copy()
    sel = slot[ch] >= 0
    measured[slot[ch[sel]], fib[sel]] = far[sel]
    for s in np.unique(shape_of_ch[bad]).tolist():
        sh = plan.shapes[s]
        mine = bad[shape_of_ch[bad] == s]
        m = measured[slot[mine]][:, :sh.expected.size]
        live = sh.live
        swaps = [swapped_pair(row, sh.expected, sh.channel) for row in m]
        rest = [i for i, sw in enumerate(swaps) if sw is None]
        subs = substitutions(sh.channel) if rest else []
        causes = explain(m[rest], subs, live) if rest else []
        cause_of = dict(zip(rest, causes, strict=True))
        for i, c in enumerate(mine.tolist()):
            design_txt, meas_txt = _fmt_map(sh.expected, live), _fmt_map(m[i], live)
            sw = swaps[i]
            if sw is not None:
                (a, b), places = sw
                findings[c].append(ChannelFinding(
                    "fiber_swap", f"fibers {a + 1} and {b + 1} (end A) arrive exchanged; a "
                    f"crossed pair in {' or '.join(places)}", None,
                    {"measured_map": meas_txt, "designed_map": design_txt,
                     "fibers": [a + 1, b + 1], "places": places}))
                continue
            texts = cause_of[i]
            if texts:
                msg = "the map equals the design with " + " or with ".join(texts)
            else:
                msg = ("no single-element substitution reproduces the measured map (several "
                       "faults, or an element the design does not show)")
            first = next((sub.at for sub in subs if sub.text == texts[0]), None) \
                if texts else None
            findings[c].append(ChannelFinding(
                "polarity_mismatch", msg, first,
                {"measured_map": meas_txt, "designed_map": design_txt,
                 "likeliest_causes": texts}))
