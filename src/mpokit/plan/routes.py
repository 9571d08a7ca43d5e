"""Cable construction for a route: the cheapest one that may legally and physically go there.

A :class:`Run` is a cable run over a route's segments carrying so many fibers. Each
construction of the catalogue is checked against every segment (:func:`check_run`):

* ``fire_rating`` -- the environment's requirement in the site's jurisdiction (NEC type
  by the substitution hierarchy, CPR Euroclass with its s/d/a classes);
* ``environment`` -- water blocking, rodent protection (armour), UV-resistant jacket,
  self-supporting for aerial spans;
* ``temperature`` -- service range inside the operating range, installation range inside
  the installation range;
* ``bend_radius`` -- the pathway's tightest bend against the loaded radius (pulled
  environments) or the unloaded one;
* ``pulling_tension`` -- for a pulled segment (one pull), the capstan estimate
  ``T = w g L mu e^(mu theta)`` (all bends taken at the far end: an upper bound) against
  the construction's maximum;
* ``duct_fill`` -- cable cross-sections (real outside diameters) against the conduit
  fill limit for that many cables (NEC Chapter 9 Table 1) or the tray fill limit.

:func:`choose_construction` returns the cheapest construction with no finding, or -- when
none serves the run, or the user pinned one that does not -- the findings, each naming
the segment (file:line:field) that causes it, with a fix. Findings are results.

>>> from mpokit.plan.site_spec import SegmentSpec
>>> from mpokit.standards.environments import environment_catalog
>>> run = Run("B1-B2", 2000, "OS2", (SegmentSpec(name="d", environment="duct",
...           length_m=300, duct_inner_diameter_mm=100),), ("seg d",))
>>> c = choose_construction(run, environment_catalog(), "NEC")
>>> c.construction.name, c.cables, c.ok
('RR-OSP-3456', 1, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from mpokit.plan.site_spec import SegmentSpec
from mpokit.standards.environments import (
    CableConstruction,
    Environment,
    EnvironmentCatalog,
    Jurisdiction,
)

__all__ = ["ROUTE_CODES", "RouteFinding", "Run", "RunChoice", "check_run",
           "choose_construction", "pulling_tension_n"]

ROUTE_CODES = ("fire_rating", "environment", "temperature", "bend_radius", "pulling_tension",
               "duct_fill", "construction")
"""Finding codes of the route checks."""

G_M_S2 = 9.80665


@dataclass(frozen=True)
class RouteFinding:
    """One problem of a run in one segment: where (file:line:field), why, and the fix."""

    code: str
    run: str
    at: str
    message: str
    fix: str | None = None
    severity: str = "error"

    def to_dict(self) -> dict[str, Any]:
        """The finding as a JSON record.

        Returns
        -------
        dict[str, Any]
            ``code``, ``severity``, ``run``, ``at``, ``message``, ``fix``.
        """
        return {"code": self.code, "severity": self.severity, "run": self.run, "at": self.at,
                "message": self.message, "fix": self.fix}

    def __str__(self) -> str:
        fix = f" (fix: {self.fix})" if self.fix else ""
        return f"{self.at}: {self.code}: {self.message}{fix}"


@dataclass(frozen=True)
class Run:
    """A cable run: fibers to carry over ordered segments.

    ``where`` holds each segment's location text (``file:line: site.routes[0]...``);
    ``pinned`` a construction the user chose (checked, never replaced).
    """

    name: str
    fibers: int
    fiber_type: str
    segments: tuple[SegmentSpec, ...]
    where: tuple[str, ...]
    pinned: str | None = None
    pinned_where: str = ""

    @property
    def length_m(self) -> float:
        """Length over all segments."""
        return float(sum(s.length_m for s in self.segments))


@dataclass(frozen=True)
class RunChoice:
    """The construction for a run (None when none can carry its fiber type) and findings."""

    run: Run
    construction: CableConstruction | None
    cables: int
    findings: tuple[RouteFinding, ...] = ()
    cost: float = math.inf
    considered: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when the construction serves every segment."""
        return self.construction is not None and not self.findings


def pulling_tension_n(c: CableConstruction, length_m: float, friction: float,
                      bends_deg: float) -> float:
    """Estimated tension of one pull (capstan equation, bends at the far end).

    Parameters
    ----------
    c
        The construction (its weight).
    length_m
        Length of the pull.
    friction
        Cable-to-pathway coefficient of friction.
    bends_deg
        Sum of the bend angles along the pull.

    Returns
    -------
    float
        Tension in newtons: ``w g L mu e^(mu theta)``.

    Examples
    --------
    >>> from mpokit.standards.environments import environment_catalog
    >>> c = environment_catalog().constructions.get("RR-OSP-1728")
    >>> round(pulling_tension_n(c, 1000, 0.35, 0))
    1373
    """
    w = c.weight_kg_per_m * G_M_S2
    return w * length_m * friction * math.exp(friction * math.radians(bends_deg))


def _temp(seg: SegmentSpec, env: Environment) -> tuple[float, float]:
    return seg.temperature_c if seg.temperature_c is not None else env.temperature_c


def check_run(run: Run, c: CableConstruction, cat: EnvironmentCatalog,
              jurisdiction: Jurisdiction) -> tuple[int, list[RouteFinding]]:
    """How many cables of ``c`` the run needs, and every segment it cannot serve.

    Parameters
    ----------
    run
        The run.
    c
        A construction.
    cat
        The environment catalogue.
    jurisdiction
        ``"NEC"`` or ``"CPR"``.

    Returns
    -------
    tuple[int, list[RouteFinding]]
        Cable count and findings (empty: ``c`` serves the run).
    """
    n = max(1, math.ceil(run.fibers / c.fibers))
    out: list[RouteFinding] = []

    def add(code: str, i: int, msg: str, fix: str) -> None:
        out.append(RouteFinding(code, run.name, run.where[i], msg, fix))

    for i, seg in enumerate(run.segments):
        env = cat.environments.get(seg.environment)
        what = f"segment {seg.name!r} ({env.name})"
        need = env.fire.get(jurisdiction)
        have = c.nec if jurisdiction == "NEC" else c.cpr
        if not cat.satisfies(jurisdiction, have, need):
            add("fire_rating", i, f"{what} needs {jurisdiction} {need}; {c.name} is "
                f"{have or 'not fire-rated'}",
                f"a construction rated {need} or better, or a transition splice "
                "('transition: true' on the segment after the outdoor part) so that each "
                "part gets its own cable")
        lacks = [w for w, needed, has in (
            ("water blocking", env.water, c.water_blocked),
            ("rodent protection (armour)", env.rodents, c.rodent_resistant),
            ("a UV-resistant jacket", env.uv, c.uv_resistant),
            ("a self-supporting design", env.self_supporting, c.self_supporting)) if needed
            and not has]
        if lacks:
            add("environment", i, f"{what} needs {', '.join(lacks)}; {c.name} has not",
                "an outside-plant construction made for this environment")
        lo, hi = _temp(seg, env)
        olo, ohi = c.operating_temperature_c
        if lo < olo or hi > ohi:
            add("temperature", i, f"{what} sees {lo:g}..{hi:g} C; {c.name} operates in "
                f"{olo:g}..{ohi:g} C", "a construction rated for the range, or a pathway "
                "kept within it (deeper duct, conditioned riser)")
        if seg.install_temperature_c is not None:
            ilo, ihi = seg.install_temperature_c
            clo, chi = c.installation_temperature_c
            if ilo < clo or ihi > chi:
                add("temperature", i, f"{what} is installed at {ilo:g}..{ihi:g} C; {c.name} "
                    f"may be installed at {clo:g}..{chi:g} C",
                    "install in the construction's range (season, warming the reel)")
        if seg.min_bend_radius_mm is not None:
            radius = c.bend_radius_loaded_mm if env.pulled else c.bend_radius_unloaded_mm
            if seg.min_bend_radius_mm < radius:
                kind = "loaded (pulled)" if env.pulled else "unloaded"
                add("bend_radius", i, f"{what} bends at {seg.min_bend_radius_mm:g} mm; "
                    f"{c.name} needs {radius:g} mm {kind}",
                    f"sweeps of at least {radius:g} mm radius, or a thinner construction")
        if env.pulled:
            mu = seg.friction if seg.friction is not None else env.pull_friction
            t = pulling_tension_n(c, seg.length_m, mu, seg.bends_deg)
            if t > c.max_pulling_tension_n:
                pulls = math.ceil(t / c.max_pulling_tension_n)
                add("pulling_tension", i, f"{what}: pulling {seg.length_m:g} m with "
                    f"{seg.bends_deg:g} deg of bends takes about {t:,.0f} N; {c.name} is "
                    f"rated {c.max_pulling_tension_n:,.0f} N",
                    f"split the pull into {pulls} or more (pull boxes / mid-point "
                    "figure-eight), lubricate, or fewer bends per pull")
        _fill(run, c, n, i, seg, cat, what, add)
    return n, out


def _fill(run: Run, c: CableConstruction, n: int, i: int, seg: SegmentSpec,
          cat: EnvironmentCatalog, what: str, add: Any) -> None:
    area = n * math.pi / 4 * c.outside_diameter_mm ** 2
    if seg.duct_inner_diameter_mm is not None:
        lim = cat.fill_limit("conduit", n + (1 if seg.occupied_percent > 0 else 0))
        fill = seg.occupied_percent + 100 * area / (math.pi / 4 * seg.duct_inner_diameter_mm ** 2)
        pathway = f"a {seg.duct_inner_diameter_mm:g} mm duct"
    elif seg.tray_width_mm is not None and seg.tray_depth_mm is not None:
        lim = cat.fill_limit("tray", n)
        fill = seg.occupied_percent + 100 * area / (seg.tray_width_mm * seg.tray_depth_mm)
        pathway = f"a {seg.tray_width_mm:g} x {seg.tray_depth_mm:g} mm tray"
    else:
        return
    if fill > lim.limit_percent + 1e-9:
        tag = "" if lim.status == "verified" else f" ({lim.status})"
        add("duct_fill", i, f"{what}: {n} x {c.name} ({c.outside_diameter_mm:g} mm) fill "
            f"{pathway} to {fill:.0f} %, above {lim.limit_percent:g} %{tag} for {n} cable(s)",
            "a larger or second duct, or fewer higher-count cables")


def choose_construction(run: Run, cat: EnvironmentCatalog,
                        jurisdiction: Jurisdiction) -> RunChoice:
    """The cheapest construction that serves every segment of ``run``.

    Parameters
    ----------
    run
        The run (a pinned construction is checked, never replaced).
    cat
        The environment catalogue.
    jurisdiction
        ``"NEC"`` or ``"CPR"``.

    Returns
    -------
    RunChoice
        The choice; when nothing serves, the closest construction (fewest findings, then
        cheapest) with its findings.
    """
    if run.pinned is not None:
        c = cat.constructions.get(run.pinned)
        n, found = check_run(run, c, cat, jurisdiction)
        if run.fiber_type not in c.fiber_types:
            found.insert(0, RouteFinding(
                "construction", run.name, run.pinned_where,
                f"{c.name} carries {', '.join(c.fiber_types)}, not {run.fiber_type}",
                "a construction with the links' fiber type"))
        return RunChoice(run, c, n, tuple(found), n * run.length_m * c.price_per_m, (c.name,))
    fit = [c for c in cat.constructions if run.fiber_type in c.fiber_types]
    if not fit:
        return RunChoice(run, None, 0, (RouteFinding(
            "construction", run.name, run.where[0],
            f"no construction in the catalogue carries {run.fiber_type} fiber",
            "single-mode (optics: SM) for links between buildings, or add a construction "
            "(site.catalog)"),))
    scored = []
    for c in fit:
        n, found = check_run(run, c, cat, jurisdiction)
        scored.append((len(found), n * run.length_m * c.price_per_m, n, c.name, c, found))
    scored.sort(key=lambda s: s[:4])
    nf, cost, n, _, c, found = scored[0]
    names = tuple(s[3] for s in scored)
    if nf:
        found = [RouteFinding(f.code, f.run, f.at, f"no construction serves this run "
                              f"(closest: {c.name}): {f.message}", f.fix) for f in found]
    return RunChoice(run, c, n, tuple(found), cost, names)
