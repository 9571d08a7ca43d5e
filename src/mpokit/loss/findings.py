"""Loss findings: ``loss``, ``reach``, ``fiber_type`` and ``reflectance``, with fixes.

A channel over its loss or reach limit is an ``error`` whatever the limit's status: the
verdict follows the best limit mpokit has, and the message names its status ("3 dB
(typical)") so a typical value is never mistaken for a standard's. Reflectance findings
fail against a table from a standard (or derived from one) and warn against a vendor or
typical table; the message names the table's status. A reach that is an informative range
(IEEE's OS1a ranges) warns when exceeded: the PMD is held to its loss limit.

Fix suggestions are concrete: which parts to upgrade to which
grade and what that saves, or which run to shorten below what length.

>>> _places([3, 1, 5])
'path[1], path[3] and path[5]'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mpokit.connectivity.checks import Finding, Severity
from mpokit.loss.breakdown import RUN_KINDS, LossBudget, Part
from mpokit.loss.grades import grades
from mpokit.loss.limits import application, applications, fiber, fibers
from mpokit.standards.provenance import is_standard
from mpokit.standards.provenance import provenance_tag as _tag

if TYPE_CHECKING:
    from mpokit.connectivity.model import Channel

__all__ = ["CODES", "findings_for"]

CODES = ("loss", "reach", "fiber_type", "reflectance")


def _severity(status: str) -> Severity:
    """Loss and reach: an error against any limit (the message carries the status)."""
    del status
    return "error"


def _places(ats: list[int]) -> str:
    p = [f"path[{a}]" for a in sorted(set(ats))]
    return p[0] if len(p) == 1 else ", ".join(p[:-1]) + " and " + p[-1]


def _loss_fix(parts: tuple[Part, ...], excess: float) -> str:
    """Cheapest upgrade that closes ``excess`` dB, else a run to shorten, else advice."""
    graded = [p for p in parts if p.kind in ("adapter", "cassette") and p.basis != "loss_db"]
    options = sorted(
        (g for g in grades() if g.kind == "connection" and g.installable),
        key=lambda g: -g.worst_db,
    )
    for g in options:  # the least demanding grade that is enough
        better = [p for p in graded if p.loss_db > g.worst_db + 1e-12]
        saving = sum(p.loss_db - g.worst_db for p in better)
        if better and saving >= excess - 1e-9:
            return (f"use grade {g.name} connectors at {_places([p.at for p in better])} "
                    f"(saves {saving:.2f} dB)")
    runs = [p for p in parts if p.kind in RUN_KINDS and p.db_per_km]
    if runs:
        r = max(runs, key=lambda p: p.loss_db)
        if r.loss_db >= excess and r.db_per_km:
            new_len = r.length_m - excess / r.db_per_km * 1000.0
            return f"shorten path[{r.at}] below {max(new_len, 0.0):.0f} m"
    return "remove connections or splices, or use an application with a larger loss budget"


def _fiber_type(ch: Channel, b: LossBudget) -> list[Finding]:
    t = ch.a.transceiver
    out: list[Finding] = []
    want = "single-mode" if t.media == "SM" else "multimode"
    good = [f.name for f in fibers() if f.media == t.media]
    if b.pmd:
        good = [r.fiber for r in application(b.pmd).fibers] or good
    for r in ch.runs:
        if fiber(r.fiber).media != t.media:
            out.append(Finding(
                "fiber_type", "error", r.at, (),
                f"{r.fiber} is {'multimode' if fiber(r.fiber).media == 'MM' else 'single-mode'}"
                f" fiber but {t.pmd} needs {want} fiber",
                fix=f"use {good[0]} cable at path[{r.at}]",
            ))
    if not out and b.fiber and b.pmd and b.limit is None:
        listed = ", ".join(r.fiber for r in application(b.pmd).fibers)
        out.append(Finding(
            "fiber_type", "warning", None, (),
            f"no channel limit for {b.pmd} over {b.fiber} in the data (listed: {listed}); "
            "loss and reach were not checked",
            fix=f"use {listed.split(', ')[-1]} or add the row to applications.yaml",
        ))
    return out


def _reach(ch: Channel, b: LossBudget) -> list[Finding]:
    lim = b.limit
    if lim is None or b.length_m <= lim.reach_m + 1e-9:
        return []
    over = b.length_m - lim.reach_m
    runs = [p for p in b.parts if p.kind in RUN_KINDS]
    longest = max(runs, key=lambda p: p.length_m)
    fix = (f"shorten path[{longest.at}] below {longest.length_m - over:.0f} m"
           if longest.length_m > over else f"shorten the channel by {over:.0f} m")
    if b.pmd:  # a better fiber of the same media with a longer reach?
        rank = fiber(lim.fiber).rank
        longer = [r for r in application(b.pmd).fibers
                  if r.fiber in fibers() and fiber(r.fiber).rank > rank and r.reach_m >= b.length_m]
        if longer:
            fix += f", or use {longer[0].fiber} fiber (reach {longer[0].reach_m:g} m)"
    if lim.reach_informative:
        # an informative range (IEEE 802.3 lists it for information only): a warning; the
        # PMD is held to its loss limit, which the loss finding checks
        return [Finding(
            "reach", "warning", longest.at, (),
            f"channel length {b.length_m:g} m exceeds the informative {lim.reach_m:g} m range "
            f"of {lim.pmd} over {lim.fiber} by {over:g} m (not a limit of the standard; the "
            f"channel is held to its {lim.label('loss')} loss limit)",
            fix=fix,
        )]
    return [Finding(
        "reach", _severity(lim.reach_status), longest.at, (),
        f"channel length {b.length_m:g} m exceeds the {lim.label('reach')} reach of {lim.pmd} "
        f"over {lim.fiber} by {over:g} m",
        fix=fix,
    )]


def _loss(b: LossBudget) -> list[Finding]:
    lim = b.limit
    if lim is None:
        if b.pmd is None:
            return [Finding(
                "loss", "warning", None, (),
                f"no channel limit known for the PMDs of {b.name!r}; loss not checked "
                f"(known: {', '.join(applications().names())})",
            )]
        return []
    total = round(b.total_db, 6)
    excess = total - lim.max_il_db
    if excess <= 1e-9:
        return []
    typical = " (the limit is typical, not a standard's value)" if lim.status == "typical" else ""
    return [Finding(
        "loss", _severity(lim.status), None, (),
        f"insertion loss {total:.3f} dB exceeds the {lim.label('loss')} limit of "
        f"{lim.pmd} over {lim.fiber} by {excess:.3f} dB{typical}",
        fix=_loss_fix(b.parts, excess),
    )]


def _reflectance(b: LossBudget) -> list[Finding]:
    if b.pmd is None:
        return []
    table = application(b.pmd).reflectance
    if table is None:
        return []
    counted = [r for r in b.reflections if r.reflectance_db > table.counted_above_db]
    if not counted:
        return []
    n = len(counted)
    allowed = table.allowed_db(n)
    # the same rule as loss limits: a table from a standard (or derived from one) fails the
    # channel; a vendor or typical table warns. The message names the table's status.
    sev: Severity = "error" if is_standard(table.status) else "warning"
    typical_values = any(r.status == "typical" for r in counted)
    note = " (typical reflectance values involved)" if typical_values else ""
    if allowed is None:
        last = table.max_db_by_count[-1][0]
        return [Finding(
            "reflectance", sev, None, (),
            f"{n} discrete reflections above {table.counted_above_db:g} dB; the {b.pmd} table"
            f"{_tag(table.status)} covers at most {last}{note}",
            fix="use APC connectors or fewer connections",
        )]
    bad = [r for r in counted if r.reflectance_db > allowed + 1e-9]
    if not bad:
        return []
    worst = max(bad, key=lambda r: r.reflectance_db)
    return [Finding(
        "reflectance", sev, worst.at, (),
        f"{n} discrete reflections above {table.counted_above_db:g} dB allow at most "
        f"{allowed:g} dB each for {b.pmd}{_tag(table.status)}; "
        f"{_places([r.at for r in bad])} reflect{'s' if len(bad) == 1 else ''} up to "
        f"{worst.reflectance_db:g} dB{note}",
        fix=f"use parts reflecting at most {allowed:g} dB (APC) at {_places([r.at for r in bad])}",
    )]


def findings_for(ch: Channel, b: LossBudget) -> list[Finding]:
    """All loss findings of a channel whose budget is ``b`` (findings not yet filled in)."""
    out = _fiber_type(ch, b)
    if not any(f.code == "fiber_type" and f.severity == "error" for f in out):
        out += _loss(b)
        out += _reach(ch, b)
    out += _reflectance(b)
    return out
