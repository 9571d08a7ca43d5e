"""The campus layer: buildings, routes between them, their cables, splices and budgets.

Given a plan and its spec's ``site:`` section (:mod:`mpokit.plan.site_spec`), every link
whose ends stand in halls of different buildings runs over the route joining them:

* each route gets a high-fiber-count trunk: the cheapest construction that serves every
  segment (:func:`~mpokit.plan.routes.choose_construction`), cut into reel pieces (a reel
  joint is a splice point in a closure), terminated in an ODF at each end (spliced to MPO
  pigtails, or pre-terminated MPO);
* each building's halls get the construction their pathway environment asks for;
* every channel gets a cold-case and a hot-case budget
  (:func:`~mpokit.loss.temperature.cold_hot_margins`): its plan margin, minus -- for a
  channel crossing a route -- the route's fiber, its splices and the two ODF connections
  (worst-case grades), minus the attenuation change of each segment's construction. A
  route also adds its length to the channel's reach.

Channels the campus layer makes fail are added to the plan's errors; findings of routes
and halls are results (``summary.json`` ``campus``), never exceptions.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np

from mpokit.errors import InputError
from mpokit.loss import defaults, grade
from mpokit.loss.budget import RUN_KINDS
from mpokit.loss.temperature import CaseMargins, cold_hot_margins, segment_change_db_per_km
from mpokit.plan.routes import RouteFinding, Run, RunChoice, choose_construction
from mpokit.plan.site_spec import RouteSpec, SegmentSpec, SiteSpec, check_site_names
from mpokit.standards import connector
from mpokit.standards.environments import (
    CableConstruction,
    Enclosure,
    EnvironmentCatalog,
    environment_catalog,
)

if TYPE_CHECKING:
    from mpokit.plan.cables import Cabling, Design
    from mpokit.plan.layout import Layout
    from mpokit.plan.spec import ClusterSpec

__all__ = ["OSP_SERVICE_LOOP_M", "Campus", "RouteResult", "plan_campus"]

OSP_SERVICE_LOOP_M = 15.0
"""Slack coiled at each cable end and splice point (typical outside-plant practice)."""

ODF_CONNECTIONS = 2
"""Mated connections a route adds per fiber: the ODF adapter in each building."""


@dataclass(frozen=True)
class Section:
    """A stretch of a route laid in one construction (between transition splices)."""

    choice: RunChoice
    first: int  # index of its first segment in the route
    cable_length_m: float
    pieces: int  # reel pieces per cable (joints between them are splice points)
    reel_m: float

    @property
    def fibers_total(self) -> int:
        """Fibers in the cables laid (cables x construction fibers)."""
        c = self.choice.construction
        return self.choice.cables * c.fibers if c else 0

    def to_dict(self) -> dict[str, Any]:
        """The section's entry in ``summary.json``.

        Returns
        -------
        dict[str, Any]
            Segments, construction with its status, cables, lengths and reels.
        """
        c = self.choice.construction
        return {"segments": [seg.name for seg in self.choice.run.segments],
                "construction": c.name if c else None,
                "construction_status": c.status if c else None, "ok": self.choice.ok,
                "cables": self.choice.cables, "fibers_total": self.fibers_total,
                "cable_length_m": round(self.cable_length_m, 1), "reel_pieces": self.pieces,
                "reel_m": self.reel_m}


@dataclass(frozen=True)
class RouteResult:
    """One trunk run over a route (one per fiber type carried), in one or more sections."""

    route: RouteSpec
    fiber_type: str
    sections: tuple[Section, ...]
    channels: int
    fibers_used: int
    splice_points: int
    splices_per_fiber: int
    fixed_db: float  # splices + ODF connections, worst case, per fiber
    enclosures: dict[str, int]
    splices_total: int
    worst_cold_margin_db: float = math.nan
    worst_hot_margin_db: float = math.nan

    @property
    def ok(self) -> bool:
        """Every section has a construction serving all its segments."""
        return all(sec.choice.ok for sec in self.sections)

    @property
    def findings(self) -> list[RouteFinding]:
        """The findings of every section."""
        return [f for sec in self.sections for f in sec.choice.findings]

    def construction_of(self, segment: int) -> CableConstruction | None:
        """The construction laid in the route's segment number ``segment``.

        Parameters
        ----------
        segment
            Index of the segment in the route.

        Returns
        -------
        CableConstruction or None
            None when the section has no construction for the fiber type.
        """
        sec = [x for x in self.sections if x.first <= segment][-1]
        return sec.choice.construction

    def to_dict(self) -> dict[str, Any]:
        """The route's entry in ``summary.json``.

        Returns
        -------
        dict[str, Any]
            Sections, counts, splices, loss and worst margins.
        """
        names = [sec.choice.construction.name if sec.choice.construction else "none"
                 for sec in self.sections]
        return {
            "route": self.route.name, "between": list(self.route.between),
            "fiber": self.fiber_type, "construction": " + ".join(names), "ok": self.ok,
            "channels": self.channels, "fibers_used": self.fibers_used,
            "length_m": round(self.route.length_m, 1), "termination": self.route.termination,
            "sections": [sec.to_dict() for sec in self.sections],
            "splice_points": self.splice_points, "splices_per_fiber": self.splices_per_fiber,
            "splices_total": self.splices_total,
            "splice_and_odf_db": round(self.fixed_db, 3), "enclosures": self.enclosures,
            "worst_cold_margin_db": _r(self.worst_cold_margin_db),
            "worst_hot_margin_db": _r(self.worst_hot_margin_db),
        }


def _r(v: float) -> float | None:
    return None if math.isnan(v) else round(v, 3)


@dataclass
class Campus:
    """Routes, hall constructions, findings and per-design cold/hot margins."""

    site: SiteSpec
    routes: list[RouteResult]
    halls: dict[str, RunChoice]
    findings: list[RouteFinding]
    channel_findings: dict[str, int] = field(default_factory=dict)
    failing: int = 0  # channels the campus layer makes fail (beyond the plan's own)
    unused_routes: list[str] = field(default_factory=list)  # no link crosses them: unchecked
    cases: list[CaseMargins | None] = field(default_factory=list)  # per design

    @property
    def ok(self) -> bool:
        """No finding of the routes or halls, and no channel failing a case."""
        return not self.findings and not any(self.channel_findings.values())

    def summary(self) -> dict[str, Any]:
        """The ``campus`` entry of ``summary.json``.

        Returns
        -------
        dict[str, Any]
            Jurisdiction, routes, halls, findings and channel counts.
        """
        return {
            "jurisdiction": self.site.jurisdiction,
            "routes": [r.to_dict() for r in self.routes],
            "halls": {b: {"construction": c.construction.name if c.construction else None,
                          "environment": c.run.segments[0].environment, "ok": c.ok}
                      for b, c in self.halls.items()},
            "findings": [f.to_dict() for f in self.findings],
            "channel_findings": dict(sorted(self.channel_findings.items())),
            "failing_channels": self.failing,
            "unused_routes": self.unused_routes,
        }

    def failure_lines(self) -> list[str]:
        """Console lines for every route or hall finding and failing channel count.

        Returns
        -------
        list[str]
            ``"x <file>:<line>: <field>: <code>: ..."`` and ``"x <code>: <n> channel(s)"``.
        """
        out = [f"x {f}" for f in self.findings]
        out += [f"x {code}: {n} channel(s) (campus layer, see summary.json 'campus')"
                for code, n in sorted(self.channel_findings.items())]
        return out

    def html(self) -> str:
        """The campus section of ``report.html``.

        Returns
        -------
        str
            HTML: routes with their sections, hall constructions and findings.
        """
        def table(rows: list[tuple[Any, ...]], head: tuple[str, ...]) -> str:
            h = "".join(f"<th>{escape(str(x))}</th>" for x in head)
            body = "".join("<tr>" + "".join(f"<td>{escape(str(x))}</td>" for x in r)
                           + "</tr>" for r in rows)
            return f"<table><tr>{h}</tr>{body}</table>"

        routes = []
        for r in self.routes:
            d = r.to_dict()
            for sec in d["sections"]:
                routes.append((d["route"], d["fiber"], ", ".join(sec["segments"]),
                               f"{sec['cables']} x {sec['construction']} "
                               f"({sec['construction_status']})", sec["cable_length_m"],
                               sec["reel_pieces"], d["splices_per_fiber"],
                               d["worst_cold_margin_db"], d["worst_hot_margin_db"],
                               "pass" if sec["ok"] else "FAIL"))
        halls = [(b, h.run.segments[0].environment,
                  h.construction.name if h.construction else "none", "pass" if h.ok else "FAIL")
                 for b, h in self.halls.items()]
        parts = [f"<h2>Campus ({escape(self.site.jurisdiction)})</h2>",
                 table(routes, ("route", "fiber", "segments", "construction", "cable m",
                                "pieces", "splices/fiber", "worst cold margin (dB)",
                                "worst hot margin (dB)", "verdict")),
                 table(halls, ("halls", "environment", "construction", "verdict"))]
        if self.findings or self.channel_findings:
            parts.append("<ul>" + "".join(f"<li>{escape(line[2:])}</li>"
                                          for line in self.failure_lines()) + "</ul>")
        return "\n".join(parts)

    def bom_rows(self, cat: EnvironmentCatalog | None = None) -> list[dict[str, Any]]:
        """BOM lines: trunk reels, splice closures, ODFs and fusion splices.

        Parameters
        ----------
        cat
            The environment catalogue (for enclosure descriptions).

        Returns
        -------
        list[dict[str, Any]]
            Rows with ``category``, ``item``, ``length_m``, ``quantity``, ``unit``.
        """
        rows: list[dict[str, Any]] = []
        for r in self.routes:
            for sec in r.sections:
                c = sec.choice.construction
                if c is None:
                    continue
                cut_m = float(math.ceil(sec.cable_length_m / sec.pieces))  # cut to length
                ends = (", factory MPO-12 ends" if r.route.termination == "pre-terminated"
                        and sec.pieces == 1 and len(r.sections) == 1 else "")
                rows.append({"category": "campus_cable",
                             "item": f"{c.name} ({c.description}){ends} on {sec.reel_m:g} m "
                                     "reels",
                             "length_m": cut_m, "quantity": sec.pieces * sec.choice.cables,
                             "unit": "ea"})
            for name, q in sorted(r.enclosures.items()):
                kind = "odf" if name.startswith("ODF") else "splice_enclosure"
                rows.append({"category": kind, "item": f"{name} ({r.route.name})",
                             "length_m": "", "quantity": q, "unit": "ea"})
            if r.route.termination == "spliced" and r.sections:
                ft = (r.sections[0].fibers_total, r.sections[-1].fibers_total)
                rows.append({"category": "pigtail", "item": f"MPO-12 pigtail, 12 fibers, "
                             f"{r.fiber_type} ({r.route.name} ODFs)", "length_m": "",
                             "quantity": sum(math.ceil(f / 12) for f in ft), "unit": "ea"})
            if r.splices_total:
                rows.append({"category": "fusion_splice", "item": f"fusion splices "
                             f"({r.route.name})", "length_m": "",
                             "quantity": r.splices_total, "unit": "ea"})
        return rows

    def cutsheet_rows(self) -> list[dict[str, Any]]:
        """One row per reel piece of every trunk: label, from, to, length, construction.

        Returns
        -------
        list[dict[str, Any]]
            The campus cut sheet (``campus_cutsheet.csv``).
        """
        rows: list[dict[str, Any]] = []
        for r in self.routes:
            a, b = r.route.between
            n = len(r.sections)
            for si, sec in enumerate(r.sections):
                c = sec.choice.construction
                if c is None:
                    continue
                start = f"{a} ODF" if si == 0 else f"{r.route.name} TS{si}"
                end = f"{b} ODF" if si == n - 1 else f"{r.route.name} TS{si + 1}"
                joints = [f"{r.route.name} S{si + 1} SP{k + 1}" for k in range(sec.pieces - 1)]
                stops = [start, *joints, end]
                piece = sec.cable_length_m / sec.pieces
                for k in range(sec.choice.cables):
                    for j in range(sec.pieces):
                        rows.append({
                            "label": f"{r.route.name}-{r.fiber_type}-S{si + 1}-C{k + 1:02d}"
                                     f"-P{j + 1}",
                            "route": r.route.name, "section": si + 1, "construction": c.name,
                            "fibers": c.fibers, "from": stops[j], "to": stops[j + 1],
                            "length_m": round(piece, 1), "reel_m": sec.reel_m,
                            "termination": r.route.termination, "status": c.status})
        return rows


def _worst(prev: float, margins: np.ndarray) -> float:
    """The lowest margin so far; nan (unmeasurable) once any channel has no bound."""
    if math.isnan(prev) or np.isnan(margins).any():
        return math.nan
    return min(prev, float(margins.min(initial=math.inf)))


def _worst_grade_db(name: str) -> float:
    return float(grade(name).worst_db)


def _design_fiber(d: Design) -> tuple[str | None, int]:
    """The design's fiber type and fibers per channel (its plug's fiber count)."""
    for _, body, _ in d.elements:
        if "connector" in body and "fiber" in body:
            return str(body["fiber"]), int(connector(str(body["connector"])).fibers)
    return None, 0


def _buildings(site: SiteSpec, lay: Layout) -> np.ndarray:
    """Building index of every layout hall; every hall must be in one building."""
    n_halls = int(lay.rack_hall.max()) + 1 if lay.rack_hall.size else 1
    hall_b = np.full(n_halls, -1, dtype=np.int64)
    for i, b in enumerate(site.buildings):
        for j, h in enumerate(b.halls):
            if h > n_halls:
                raise InputError(
                    f"building {b.name!r} lists hall {h}; the layout has {n_halls} hall(s)",
                    file=site.lines.file, line=site.lines.line_of(("site", "buildings", i,
                                                                   "halls", j)),
                    field=f"site.buildings[{i}].halls[{j}]",
                    fix="hall numbers follow layout.rows_per_hall (rack names 1A05 are hall 1)")
            hall_b[h - 1] = i
    missing = np.nonzero(hall_b < 0)[0]
    if missing.size:
        raise InputError(f"hall {int(missing[0]) + 1} of the layout is in no building",
                         file=site.lines.file, line=site.lines.line_of(("site", "buildings")),
                         field="site.buildings", fix="add it to a building's halls")
    return hall_b


def _sections(route: RouteSpec) -> list[tuple[int, int]]:
    """(first, end) segment indices of each stretch between transition splices."""
    starts = [0] + [j for j, seg in enumerate(route.segments) if j and seg.transition]
    return list(zip(starts, [*starts[1:], len(route.segments)], strict=True))


def _section(route: RouteSpec, ri: int, ftype: str, need: int, first: int, end: int,
             site: SiteSpec, cat: EnvironmentCatalog, slack_percent: float,
             extra_points: int) -> Section:
    segs = tuple(route.segments[first:end])
    where = tuple(site.where("routes", ri, "segments", j) for j in range(first, end))
    base = route.name if ftype == "OS2" else f"{route.name} {ftype}"
    if len(segs) < len(route.segments):  # one of several sections: name its segments
        span = segs[0].name if len(segs) == 1 else f"{segs[0].name}..{segs[-1].name}"
        base = f"{base} [{span}]"
    run = Run(base, need, ftype, segs, where, route.construction,
              site.where("routes", ri, "construction"))
    choice = choose_construction(run, cat, site.jurisdiction)
    length = sum(seg.length_m for seg in segs) * (1 + slack_percent / 100) + \
        OSP_SERVICE_LOOP_M * (2 + extra_points)
    c = choice.construction
    if c is None:
        return Section(choice, first, length, 1, 0.0)
    pieces = max(1, math.ceil(length / c.max_reel_m))
    reel = next(r for r in c.reel_lengths_m if r >= length / pieces - 1e-9)
    return Section(choice, first, length, pieces, float(reel))


def _route_result(route: RouteSpec, ri: int, ftype: str, channels: int, fibers: int,
                  site: SiteSpec, cat: EnvironmentCatalog, slack_percent: float,
                  splice_db: float, conn_db: float) -> RouteResult:
    need = math.ceil(fibers * (1 + route.spare_percent / 100))
    spans = _sections(route)
    sections = tuple(
        _section(route, ri, ftype, need, first, end, site, cat, slack_percent,
                 route.splice_points if k == 0 else 0)
        for k, (first, end) in enumerate(spans))
    joints = sum(sec.pieces - 1 for sec in sections)
    points = joints + (len(sections) - 1) + route.splice_points
    ends = 2 if route.termination == "spliced" else 0
    per_fiber = points + ends
    ft = [sec.fibers_total for sec in sections]
    total = (sum((sec.pieces - 1) * sec.fibers_total for sec in sections)
             + sum(min(x, y) for x, y in itertools.pairwise(ft))
             + route.splice_points * max(ft) + (ft[0] + ft[-1] if ends else 0))
    enclosures: dict[str, int] = {}
    closure = _largest(cat, "splice-enclosure")
    if points and closure is not None:
        enclosures[closure.name] = points * math.ceil(max(ft) / closure.capacity_fibers)
    odf = _largest(cat, "odf" if route.termination == "spliced" else "odf-mpo")
    if odf is not None and max(ft):
        enclosures[odf.name] = (math.ceil(ft[0] / odf.capacity_fibers)
                                + math.ceil(ft[-1] / odf.capacity_fibers))
    fixed = per_fiber * splice_db + ODF_CONNECTIONS * conn_db
    return RouteResult(route, ftype, sections, channels, fibers, points, per_fiber, fixed,
                       enclosures, total)


def _largest(cat: EnvironmentCatalog, kind: str) -> Enclosure | None:
    found = [e for e in cat.enclosures if e.kind == kind]
    return max(found, key=lambda e: e.capacity_fibers) if found else None


def _hall_choice(site: SiteSpec, i: int, fibers: int, ftype: str, length_m: float,
                 cat: EnvironmentCatalog) -> RunChoice:
    b = site.buildings[i]
    seg = SegmentSpec(name=f"{b.name} halls", environment=b.hall_environment,
                      length_m=max(length_m, 1.0), temperature_c=b.hall_temperature_c)
    run = Run(f"{b.name} halls {ftype}", fibers, ftype, (seg,),
              (site.where("buildings", i, "hall_environment"),))
    return choose_construction(run, cat, site.jurisdiction)


def _rates(c: CableConstruction | None, seg: SegmentSpec, cat: EnvironmentCatalog
           ) -> tuple[float, float]:
    if c is None:
        return math.nan, math.nan
    env = cat.environments.get(seg.environment)
    lo, hi = seg.temperature_c if seg.temperature_c is not None else env.temperature_c
    return segment_change_db_per_km(c, lo, hi)


def plan_campus(spec: ClusterSpec, lay: Layout, cab: Cabling) -> Campus:
    """Routes, constructions, splices and cold/hot budgets of a planned cluster.

    Parameters
    ----------
    spec
        The spec, with a ``site:`` section.
    lay
        The layout (which hall every device stands in).
    cab
        The cabling, its designs verified (their plan margins are the starting point).

    Returns
    -------
    Campus
        Per-route results, hall constructions, findings and channel counts.

    Raises
    ------
    InputError
        Unknown environment or construction names, halls outside the layout or in no
        building, or links between two buildings that no route joins.
    """
    site = spec.site
    assert site is not None
    cat = environment_catalog(site.catalog)
    check_site_names(site, cat)
    hall_b = _buildings(site, lay)
    nb = len(site.buildings)
    dev_b = hall_b[lay.rack_hall[lay.dev_rack]] if lay.dev_rack.size else np.zeros(0, np.int64)
    rmat = np.full((nb, nb), -1, dtype=np.int64)
    names = [b.name for b in site.buildings]
    for ri, route in enumerate(site.routes):
        ia, ib = names.index(route.between[0]), names.index(route.between[1])
        rmat[ia, ib] = rmat[ib, ia] = ri
    splice_db = _worst_grade_db(defaults().splice)
    conn_db = _worst_grade_db(spec.cabling.connector_grade or defaults().connection)

    # which channels cross which route; fibers per route and fiber type
    per_design: list[tuple[np.ndarray, np.ndarray, np.ndarray, str | None]] = []
    load: dict[tuple[int, str], list[int]] = {}
    hall_len: dict[tuple[int, str], float] = {}
    for d in cab.designs:
        ftype, fpc = _design_fiber(d)
        a, b = dev_b[d.a_dev], dev_b[d.b_dev]
        r = np.where(a == b, -1, rmat[a, b])
        lost = (a != b) & (r < 0)
        if lost.any():
            k = int(np.argmax(lost))
            raise InputError(
                f"{int(lost.sum())} {d.cls} links join buildings {names[a[k]]} and "
                f"{names[b[k]]}, but no route does", file=site.lines.file,
                line=site.lines.line_of(("site", "routes")), field="site.routes",
                fix=f"add a route with between: [{names[a[k]]}, {names[b[k]]}]")
        per_design.append((a, b, r, ftype))
        if ftype is None:
            continue
        for ri in np.unique(r[r >= 0]).tolist():
            n = int((r == ri).sum())
            acc = load.setdefault((ri, ftype), [0, 0])
            acc[0] += n
            acc[1] += n * fpc
        longest = float(d.lengths.sum(axis=1).max(initial=0.0))
        for bi in np.unique(np.concatenate([a, b])).tolist():
            hall_len[(bi, ftype)] = max(hall_len.get((bi, ftype), 0.0), longest)

    slack = spec.layout.slack_percent
    results = {key: _route_result(site.routes[key[0]], key[0], key[1], n, f, site, cat, slack,
                                  splice_db, conn_db) for key, (n, f) in sorted(load.items())}
    trunk_fibers = {p.fiber: p.fibers for p in cab.parts if p.kind == "trunk"}
    halls = {f"{names[bi]} {ft}": _hall_choice(site, bi, trunk_fibers.get(ft, 24), ft, ln, cat)
             for (bi, ft), ln in sorted(hall_len.items())}
    findings = [f for res in results.values() for f in res.findings]
    findings += [f for h in halls.values() for f in h.findings]

    campus = Campus(site, list(results.values()), halls, findings)
    used = {ri for ri, _ in load}
    campus.unused_routes = [r.name for ri, r in enumerate(site.routes) if ri not in used]
    _budgets(campus, cab, per_design, results, halls, names, cat)
    return campus


def _budgets(campus: Campus, cab: Cabling,
             per_design: list[tuple[np.ndarray, np.ndarray, np.ndarray, str | None]],
             results: dict[tuple[int, str], RouteResult], halls: dict[str, RunChoice],
             names: list[str], cat: EnvironmentCatalog) -> None:
    """Cold/hot margins and campus reach of every channel, design by design."""
    site = campus.site
    seg_of: list[tuple[int, int, SegmentSpec]] = [
        (ri, j, s) for ri, r in enumerate(site.routes) for j, s in enumerate(r.segments)]
    n_routes = len(site.routes)
    seg_len = np.zeros((n_routes + 1, len(seg_of)))  # last row: no route
    for k, (ri, _, s) in enumerate(seg_of):
        seg_len[ri, k] = s.length_m
    route_len = np.append([r.length_m for r in site.routes], 0.0)
    counts: dict[str, int] = {}
    worst: dict[tuple[int, str], list[float]] = {}
    for d, (a, b, r, ftype) in zip(cab.designs, per_design, strict=True):
        res = d.result
        if ftype is None or res is None or res.budget is None or d.loss_margin_db is None:
            campus.cases.append(None)
            continue
        ref = res.budget
        db_km = max((p.db_per_km or 0.0) for p in ref.parts if p.kind in RUN_KINDS)
        fixed = np.zeros(n_routes + 1)
        rates_c = np.zeros(len(seg_of))
        rates_h = np.zeros(len(seg_of))
        bad_route = np.zeros(n_routes + 1, dtype=bool)
        for k, (ri, j, s) in enumerate(seg_of):
            rr = results.get((ri, ftype))
            rates_c[k], rates_h[k] = _rates(rr.construction_of(j) if rr else None, s, cat)
        for ri in range(n_routes):
            rr = results.get((ri, ftype))
            if rr is not None:
                fixed[ri] = rr.fixed_db + route_len[ri] / 1000 * db_km
                bad_route[ri] = not rr.ok
        hall_c = np.zeros(len(names))
        hall_h = np.zeros(len(names))
        bad_hall = np.zeros(len(names), dtype=bool)
        for bi, bname in enumerate(names):
            h = halls.get(f"{bname} {ftype}")
            if h is not None:
                seg = h.run.segments[0]
                hall_c[bi], hall_h[bi] = _rates(h.construction, seg, cat)
                bad_hall[bi] = not h.ok
        ri_ch = np.where(r < 0, n_routes, r)
        in_len = res.batch.length_m if res.batch is not None else d.lengths.sum(axis=1)
        lengths = np.concatenate([in_len[:, None], seg_len[ri_ch]], axis=1)
        rc = np.concatenate([np.maximum(hall_c[a], hall_c[b])[:, None],
                             np.broadcast_to(rates_c, (len(a), len(seg_of)))], axis=1)
        rh = np.concatenate([np.maximum(hall_h[a], hall_h[b])[:, None],
                             np.broadcast_to(rates_h, (len(a), len(seg_of)))], axis=1)
        cases = cold_hot_margins(d.loss_margin_db, fixed[ri_ch], lengths, rc, rh)
        campus.cases.append(cases)
        lim = ref.limit
        reach = lim.reach_m if lim is not None and not lim.reach_informative else np.inf
        over = (r >= 0) & (in_len + route_len[ri_ch] > reach + 1e-9)
        route_bad = bad_route[ri_ch] | bad_hall[a] | bad_hall[b]
        unmeasurable = cases.unmeasurable
        masks = {"loss_cold": ~unmeasurable & (cases.cold_margin_db < -1e-9),
                 "loss_hot": ~unmeasurable & (cases.hot_margin_db < -1e-9),
                 "temperature_unmeasurable": unmeasurable, "campus_reach": over,
                 "route": route_bad}
        fail = np.zeros(len(a), dtype=bool)
        for code, m in masks.items():
            counts[code] = counts.get(code, 0) + int(m.sum())
            fail |= m
        base = res.channel_errors.copy() if res.channel_errors.size else np.zeros(len(a), bool)
        if any(f["severity"] == "error" for f in res.findings):
            base[:] = True
        if d.over_reach is not None:
            base |= d.over_reach
        campus.failing += int((fail & ~base).sum())
        for ri in np.unique(r[r >= 0]).tolist():
            sel = r == ri
            w = worst.setdefault((ri, ftype), [math.inf, math.inf])
            w[0] = _worst(w[0], cases.cold_margin_db[sel])
            w[1] = _worst(w[1], cases.hot_margin_db[sel])
    for key, (wc, wh) in worst.items():
        rr = results[key]
        i = campus.routes.index(rr)
        campus.routes[i] = replace(rr, worst_cold_margin_db=wc, worst_hot_margin_db=wh)
    campus.channel_findings = {k: v for k, v in counts.items() if v}
