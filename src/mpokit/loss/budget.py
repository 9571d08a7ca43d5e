"""Deterministic loss budgets: insertion loss, length, reflections and verdict per channel.

The channel runs MDI to MDI (IEEE 802.3 channel insertion loss): the two plug-to-
transceiver matings are not part of the loss (docs/loss.md). Every other mating, splice,
switch port pair and every metre of fiber is a :class:`Part` of the breakdown::

    total_db = sum(part.loss_db)  # matings (explicit, graded or default) + fiber

>>> from mpokit.connectivity.io import parse_channel
>>> from mpokit.connectivity.model import compile_channel
>>> spec = parse_channel({"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [
...     {"cord": {"connector": "MPO-12", "type": "B", "fiber": "OS2", "length_m": 100,
...               "attenuation_db_per_km": 0.5}},
...     {"adapter": {"type": "A", "loss_db": 0.35}},
...     {"cord": {"connector": "MPO-12", "type": "A", "fiber": "OS2", "length_m": 300,
...               "attenuation_db_per_km": 0.5}}]})
>>> b = budget(compile_channel(spec))
>>> round(b.total_db, 3), b.limit.max_il_db, round(b.margin_db, 3), b.length_m
(0.55, 3.0, 2.45, 400.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mpokit.connectivity.checks import Finding
from mpokit.connectivity.model import Channel, Mating
from mpokit.connectivity.spec import element_kind
from mpokit.errors import CatalogError, InputError
from mpokit.loss.breakdown import (
    CONNECTION_KINDS,
    EPS_DB,
    RUN_KINDS,
    Case,
    LossBudget,
    Part,
    Reflection,
)
from mpokit.loss.findings import findings_for
from mpokit.loss.grades import Grade, defaults, grade, grades, worse
from mpokit.loss.limits import Limit, application, applications, attenuation, fiber

__all__ = [
    "BatchBudget",
    "BudgetShape",
    "LossBudget",
    "Part",
    "Reflection",
    "budget",
    "budget_arrays",
    "budget_batch",
    "budget_for_check",
    "budget_shape",
]

# -- building the parts ---------------------------------------------------------------

def _element_kind(ch: Channel, at: int) -> str:
    if 0 <= at < len(ch.spec.path):
        el = ch.spec.path[at]
        return element_kind(el)
    return "element"


def _lookup(name: str, field: str) -> Grade:
    try:
        return grade(name)
    except CatalogError as exc:
        hint = f"did you mean {' or '.join(repr(s) for s in exc.suggestions)}?" if \
            exc.suggestions else f"known grades: {', '.join(grades().names())}"
        raise InputError(f"unknown grade {name!r}", field=field, fix=hint) from None


def _graded(at: int, kind: str, what: str, g: Grade, basis: str, conns: int, splices: int) -> Part:
    return Part(at, kind, what, g.worst_db, float(g.mean_db), basis, g.worst_status, g.name,
                conns, splices)


def _mating_part(ch: Channel, m: Mating) -> Part:
    """The loss of one (non-MDI) mating, by precedence: loss_db, grade, default."""
    conns = 1 if m.kind in CONNECTION_KINDS else 0
    splices = 1 if m.kind == "splice" else 0
    if m.kind == "cassette":
        what = f"cassette {m.adapter}, {m.near.connector.family} side"
    elif m.kind == "adapter":
        what = f"type {m.adapter} adapter ({m.near.connector.name})"
    elif m.kind == "ocs":
        what = "OCS port pair"
    else:
        what = "splice"
    if m.loss_db is not None:
        return Part(m.at, m.kind, what, float(m.loss_db), float(m.loss_db), "loss_db",
                    "explicit", None, conns, splices)
    if m.kind == "splice":
        g = _lookup(defaults().splice, "splice")
        return _graded(m.at, m.kind, what, g, f"default grade {g.name}", 0, 1)
    if m.kind == "ocs":
        model = getattr(ch.spec.path[m.at], "ocs").model  # noqa: B009
        if model and model in grades() and grade(model).kind == "ocs":
            g = grade(model)
            return _graded(m.at, m.kind, what, g, f"grade {g.name}", 1, 0)
        g = _lookup(defaults().ocs, "ocs")
        return _graded(m.at, m.kind, what, g, f"default grade {g.name}", 1, 0)
    if m.grade is not None:  # the adapter's own grade names the mated pair
        g = _lookup(m.grade, f"path[{m.at}].adapter.grade")
        return _graded(m.at, m.kind, what, g, f"grade {g.name}", conns, 0)
    named = []
    for face in (m.near, m.far):
        if face.grade is not None:
            named.append(_lookup(face.grade, f"path[{face.owner}].{_element_kind(ch, face.owner)}"
                                             ".grade").name)
    if named:
        g = worse(*named)
        return _graded(m.at, m.kind, what, g, f"grade {g.name}", conns, 0)
    g = _lookup(defaults().connection, "connection")
    return _graded(m.at, m.kind, what, g, f"default grade {g.name}", conns, 0)


def _run_part(run: Any, wavelength_nm: float) -> Part:
    what = f"{run.fiber} {run.kind}, {run.length_m:g} m"
    if run.attenuation_db_per_km is not None:
        a, basis, status = float(run.attenuation_db_per_km), "attenuation_db_per_km", "explicit"
    else:
        try:
            att = attenuation(run.fiber, wavelength_nm)
        except InputError:  # wrong media for the PMD: the fiber_type finding says so
            att = min(fiber(run.fiber).attenuation, key=lambda x: abs(x.wavelength_nm -
                                                                      wavelength_nm))
        a, basis, status = att.db_per_km, f"{run.fiber} at {att.wavelength_nm:g} nm", att.status
    loss = run.length_m / 1000.0 * a
    return Part(run.at, run.kind, what, loss, loss, basis, status, None, 0, 0,
                float(run.length_m), a)


def _mating_parts(ch: Channel) -> list[Part]:
    parts: list[Part] = []
    seen_cassettes: set[int] = set()
    seen_ocs: set[int] = set()
    for m in ch.matings:
        if m.kind == "mdi":
            continue
        if m.kind == "ocs":
            if m.at in seen_ocs:
                continue  # an OCS circuit is one part: its loss covers both ports
            seen_ocs.add(m.at)
        if m.kind == "cassette" and m.loss_db is not None:
            if m.at in seen_cassettes:
                continue  # a cassette with loss_db is one part (both of its matings)
            seen_cassettes.add(m.at)
            parts.append(Part(m.at, "cassette", f"cassette {m.adapter}", float(m.loss_db),
                              float(m.loss_db), "loss_db", "explicit", None, 2, 0))
            continue
        parts.append(_mating_part(ch, m))
    return parts


def _reflections(ch: Channel, media: str, count_mdi: bool) -> list[Reflection]:
    d = defaults()
    out: list[Reflection] = []
    seen_ocs: set[int] = set()
    for m in ch.matings:
        if m.kind == "mdi" and not count_mdi:
            continue
        if m.kind == "ocs":
            if m.at in seen_ocs:
                continue  # one reflectance figure per OCS circuit
            seen_ocs.add(m.at)
        if m.reflectance_db is not None:
            out.append(Reflection(m.at, m.kind, float(m.reflectance_db), "explicit"))
        elif m.kind == "splice":
            out.append(Reflection(m.at, m.kind, d.splice_reflectance_db, d.reflectance_status))
        elif m.kind == "ocs":
            out.append(Reflection(m.at, m.kind, d.ocs_reflectance_db, d.reflectance_status))
        else:
            r = d.reflectance_for(m.near.polish, media)
            if r is not None:
                out.append(Reflection(m.at, m.kind, r.reflectance_db, r.status))
    return out


def _limit(ch: Channel, fiber_name: str) -> Limit | None:
    """The stricter limit of the two ends' PMDs (usually the same PMD)."""
    from mpokit.loss.limits import channel_limit

    found = []
    for end in (ch.a, ch.b):
        pmd = end.transceiver.pmd
        if pmd in applications():
            lim = channel_limit(pmd, fiber_name)
            if lim is not None:
                found.append(lim)
    if not found:
        return None
    best = min(found, key=lambda x: (x.max_il_db, x.reach_m))
    reach = min(x.reach_m for x in found)
    if reach < best.reach_m:
        other = min(found, key=lambda x: x.reach_m)
        return Limit(best.pmd, best.fiber, best.max_il_db, reach, best.connection_allowance_db,
                     best.status, other.reach_status, best.source, best.via_fiber,
                     reach_informative=other.reach_informative)
    return best


@dataclass(frozen=True)
class BudgetShape:
    """What a channel's budget takes from its ends and matings, not from its run lengths.

    Channels that differ only in ``length_m`` (one design, other lengths) share it: see
    :func:`budget_shape` and the ``shape`` argument of :func:`budget`.
    """

    pmd: str | None
    fiber: str | None
    wavelength_nm: float
    fibers: int
    limit: Limit | None
    reflections: tuple[Reflection, ...]
    mating_parts: tuple[Part, ...]


def budget_shape(ch: Channel) -> BudgetShape:
    """The length-independent half of the budget of ``ch``.

    Parameters
    ----------
    ch
        A compiled channel.

    Returns
    -------
    BudgetShape
        Application, limiting fiber, limit, reflections and the matings' parts; valid for
        every channel that differs from ``ch`` only in run lengths.
    """
    t = ch.a.transceiver
    pmd = t.pmd if t.pmd in applications() else (
        ch.b.transceiver.pmd if ch.b.transceiver.pmd in applications() else None)
    media = t.media
    wavelength = application(pmd).wavelength_nm if pmd else (850.0 if media == "MM" else 1310.0)
    same_media = [r.fiber for r in ch.runs if fiber(r.fiber).media == media]
    limiting = min(same_media, key=lambda f: fiber(f).rank) if same_media else None
    limit = _limit(ch, limiting) if limiting else None
    table = application(pmd).reflectance if pmd else None
    refl = _reflections(ch, media, bool(table and table.count_mdi))
    lanes = min(ch.a.transceiver.lanes, ch.b.transceiver.lanes)
    return BudgetShape(pmd, limiting, float(wavelength), 2 * lanes, limit, tuple(refl),
                       tuple(_mating_parts(ch)))


def budget(ch: Channel, shape: BudgetShape | None = None) -> LossBudget:
    """The deterministic loss budget of a compiled channel, with its findings.

    Parameters
    ----------
    ch
        A compiled channel (:func:`mpokit.connectivity.compile_channel`).
    shape
        ``budget_shape(c)`` of a channel ``c`` that differs from ``ch`` only in run lengths
        (computed from ``ch`` when None); the result is the same either way.

    Returns
    -------
    LossBudget
        Every part's loss (worst case and nominal), the application's limit and reach, and
        the findings ``loss``, ``reach``, ``fiber_type``, ``reflectance``.
    """
    s = shape if shape is not None else budget_shape(ch)
    parts = [*s.mating_parts, *(_run_part(r, s.wavelength_nm) for r in ch.runs)]
    parts.sort(key=lambda p: p.at)
    b = LossBudget(ch.name, s.pmd, s.fiber, s.wavelength_nm, s.fibers, tuple(parts), s.limit,
                   s.reflections)
    return LossBudget(b.name, b.pmd, b.fiber, b.wavelength_nm, b.fibers, b.parts, b.limit,
                      b.reflections, tuple(findings_for(ch, b)))


def budget_for_check(
    channel: Channel, shape: BudgetShape | None = None
) -> tuple[dict[str, Any], list[Finding]]:
    """The ``"loss"`` JSON object and the loss findings of one channel (for ``mpokit check``).

    Finding codes: ``loss``, ``reach``, ``fiber_type``, ``reflectance``.

    Parameters
    ----------
    channel
        A compiled channel.
    shape
        As in :func:`budget`.

    Returns
    -------
    tuple[dict[str, Any], list[Finding]]
        The ``"loss"`` object (:meth:`LossBudget.to_dict`) and the loss findings.
    """
    b = budget(channel, shape)
    return b.to_dict(), list(b.findings)


# -- array forms ------------------------------------------------------------------------

@dataclass(frozen=True)
class BatchBudget:
    """Budgets of many links of one design: arrays of shape (n_links,)."""

    total_db: np.ndarray
    margin_db: np.ndarray
    length_m: np.ndarray
    ok: np.ndarray  # loss within the limit, length within the reach, right fiber media


def budget_arrays(
    mating_db: np.ndarray,
    lengths_m: np.ndarray,
    db_per_km: np.ndarray | float,
    limit_db: np.ndarray | float,
    reach_m: np.ndarray | float = np.inf,
) -> BatchBudget:
    """Budgets in array form: ``mating_db`` (n, matings), ``lengths_m`` (n, runs).

    ``db_per_km`` broadcasts against ``lengths_m`` (one value per run, or per link and run).

    Parameters
    ----------
    mating_db
        Shape (n, matings): the loss of each mating of each link.
    lengths_m
        Shape (n, runs): the length of each fiber run of each link.
    db_per_km
        Cabled attenuation, broadcast against ``lengths_m``.
    limit_db
        The channel insertion-loss limit, per link or one for all.
    reach_m
        The application's reach, per link or one for all.

    Returns
    -------
    BatchBudget
        Total loss, margin, length and pass/fail per link.

    Examples
    --------
    >>> r = budget_arrays(np.array([[0.5, 0.5]]), np.array([[100.0, 50.0]]), 3.0, 1.9, 100)
    >>> r.total_db.round(3).tolist(), r.ok.tolist()
    ([1.45], [False])
    """
    mating_db = np.asarray(mating_db, dtype=float)
    lengths_m = np.asarray(lengths_m, dtype=float)
    total = mating_db.sum(axis=1) + (lengths_m * np.asarray(db_per_km)).sum(axis=1) / 1000.0
    length = lengths_m.sum(axis=1)
    margin = np.asarray(limit_db, dtype=float) - total
    ok = (margin >= -EPS_DB) & (length <= np.asarray(reach_m) + EPS_DB)
    return BatchBudget(total, margin, length, ok)


def budget_batch(design: Channel, lengths_m: np.ndarray, case: Case = "worst") -> BatchBudget:
    """Budgets of many links built like ``design`` but with other run lengths.

    ``lengths_m`` has shape (n_links, len(design.runs)), runs in path order. Matings keep
    the design's losses; fiber loss scales with length.

    Parameters
    ----------
    design
        A compiled channel whose matings and limit every link shares.
    lengths_m
        Shape (n_links, len(design.runs)).
    case
        ``"worst"`` or ``"nominal"`` per-mating loss.

    Returns
    -------
    BatchBudget
        Total loss, margin, length and pass/fail per link.
    """
    b = budget(design)
    lengths_m = np.asarray(lengths_m, dtype=float)
    runs = [p for p in b.parts if p.kind in RUN_KINDS]
    if lengths_m.ndim != 2 or lengths_m.shape[1] != len(runs):
        raise InputError(
            f"lengths_m must have shape (n_links, {len(runs)}), got {lengths_m.shape}",
            field="lengths_m",
        )
    fixed = sum(p.value(case) for p in b.parts if p.kind not in RUN_KINDS)
    att = np.array([p.db_per_km or 0.0 for p in runs])
    limit = b.limit.max_il_db if b.limit else np.inf
    reach = b.limit.reach_m if b.limit and not b.limit.reach_informative else np.inf
    out = budget_arrays(np.full((len(lengths_m), 1), fixed), lengths_m, att, limit, reach)
    if any(f.code == "fiber_type" and f.severity == "error" for f in b.findings):
        return BatchBudget(out.total_db, out.margin_db, out.length_m,
                           np.zeros_like(out.ok))
    return out
