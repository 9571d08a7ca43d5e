"""Spec -> fabric -> layout -> cabling -> verification -> summary: one call.

>>> from mpokit.plan.spec import ClusterSpec, SwitchSpec
>>> spec = ClusterSpec.model_validate({
...     "cluster": {"name": "x", "nodes": 31, "rails": 8, "nic_speed_gbps": 400},
...     "fabric": {"scalable_unit": 32,
...                "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}}})
>>> p = make_plan(spec)
>>> p.summary["switches"], p.summary["links"]["node_leaf"]
({'leaf': 8, 'spine': 4, 'core': 0}, 252)
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mpokit.errors import InputError
from mpokit.plan.cabling import Cabling, build_cabling
from mpokit.plan.campus import Campus, plan_campus
from mpokit.plan.catalog import PlanCatalog, plan_catalog
from mpokit.plan.fabric import LINK_CLASSES, Fabric, build_fabric
from mpokit.plan.layout import (
    NETWORK_TIERS,
    Layout,
    build_layout,
    default_ports_per_ru,
    tier_ports,
)
from mpokit.plan.racks import placed_devices, rack_space_note
from mpokit.plan.spec import ClusterSpec, SwitchSpec
from mpokit.plan.verify import check_design
from mpokit.standards.catalog import load_builtin

__all__ = ["Plan", "make_plan", "panel_density_used"]

Progress = Callable[[str], None]


@dataclass
class Plan:
    """A complete plan: the inputs, every derived table, and the summary."""

    spec: ClusterSpec
    fabric: Fabric
    layout: Layout
    cabling: Cabling
    summary: dict[str, Any]
    timings_s: dict[str, float] = field(default_factory=dict)
    catalog: PlanCatalog = field(default_factory=plan_catalog)  # the one the plan used
    campus: Campus | None = None  # the site layer (spec.site): routes, cold/hot budgets

    @property
    def ok(self) -> bool:
        """True when no finding of severity error was raised."""
        return not self.summary["errors"]


def _catalog(spec: ClusterSpec) -> PlanCatalog:
    """The built-in plan catalogue, extended by the spec's ``cabling.catalog`` file."""
    extra = spec.cabling.catalog
    if extra is None:
        return plan_catalog()
    if not Path(extra).is_file():
        raise InputError(f"plan catalogue file {extra!r} not found", field="cabling.catalog",
                         fix="give a path relative to the spec file, or an absolute one")
    cat = PlanCatalog()
    cat.load(*load_builtin("plan_catalog.yaml"))
    cat.extend(extra)
    return cat


_LAYOUT_PASSES = 4  # layout + cabling rounds at most (see make_plan)


def panel_density_used(fab: Fabric, lay: Layout, cab: Cabling,
                       ppr: dict[str, float]) -> dict[str, float]:
    """Ports per panel RU per tier to lay out with next: ``ppr``, lowered for every tier
    with a rack whose panels reach down into its switches, to what that rack used.

    Parameters
    ----------
    fab, lay, cab
        The fabric, the layout made with ``ppr`` and its cabling (the panels it placed).
    ppr
        Tier -> ports per panel RU the layout was made with.

    Returns
    -------
    dict[str, float]
        ``ppr`` itself when every rack's panels fit above its switches.

    Examples
    --------
    >>> spec = ClusterSpec.model_validate({
    ...     "cluster": {"name": "x", "nodes": 31, "rails": 8, "nic_speed_gbps": 400},
    ...     "fabric": {"scalable_unit": 32,
    ...                "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}}})
    >>> p = make_plan(spec)
    >>> ppr = {"leaf": 48.0, "spine": 48.0, "core": 48.0}
    >>> panel_density_used(p.fabric, p.layout, p.cabling, ppr) == ppr
    True
    """
    n = lay.n_racks
    used_ru = cab.rack_ru_used if cab.rack_ru_used.size == n else np.zeros(n, np.int64)
    top = np.zeros(n, dtype=np.int64)
    np.maximum.at(top, lay.dev_rack, lay.dev_ru + lay.dev_height_ru - 1)
    over = used_ru > lay.layout.rack_units - top
    out = dict(ppr)
    ports = tier_ports(fab)
    for tier, code in NETWORK_TIERS.items():
        racks = np.nonzero(over & (lay.rack_kind == code))[0]
        if not racks.size:
            continue
        role = fab.offset[tier], fab.offset[tier] + fab.n[tier]
        n_sw = np.bincount(lay.dev_rack[role[0]:role[1]], minlength=n)[racks]
        out[tier] = min(ppr[tier], float((n_sw * ports[tier] / used_ru[racks]).min()))
    return out


def make_plan(spec: ClusterSpec, progress: Progress | None = None) -> Plan:
    """Design, place, cable and verify ``spec``.

    Parameters
    ----------
    spec
        A validated cluster spec (:func:`load_spec`).
    progress
        Called with the name of each stage as it starts.

    Returns
    -------
    Plan
        Fabric, layout, cabling and the summary (with the verdicts of the checks).

    Raises
    ------
    DesignError
        The spec describes no buildable fabric.
    """
    step = progress or (lambda _s: None)
    t: dict[str, float] = {}
    t0 = time.perf_counter()
    step("fabric")
    cat = _catalog(spec)
    fab = build_fabric(spec, cat)
    t["fabric"] = time.perf_counter() - t0
    # The optics (so MPO panel or cassette enclosure) of a link follow from its length,
    # which follows from the layout: lay out with the spec's panel kind, cable, and where a
    # tier's racks got more panel RU than reserved (cassettes of duplex links, partly
    # filled units), lay out again at the density the cabling used. Racks only get fewer
    # switches each pass, so a few passes settle; a rack still overfull is a plan note.
    ppr = default_ports_per_ru(spec, cat)
    t["layout"] = t["cabling"] = 0.0
    for _ in range(_LAYOUT_PASSES):
        step("layout")
        t1 = time.perf_counter()
        lay = build_layout(spec, fab, cat, ppr)
        t["layout"] += time.perf_counter() - t1
        step("cabling")
        t1 = time.perf_counter()
        cab = build_cabling(spec, fab, lay, cat)
        t["cabling"] += time.perf_counter() - t1
        used = panel_density_used(fab, lay, cab, ppr)
        if used == ppr:
            break
        ppr = used
    step("verify")
    for d in cab.designs:
        check_design(d)
    t["verify"] = time.perf_counter() - t0 - sum(t.values())
    campus = None
    if spec.site is not None:
        step("campus")
        campus = plan_campus(spec, lay, cab)
        t["campus"] = time.perf_counter() - t0 - sum(t.values())
    summary = summarise(spec, fab, lay, cab)
    space = rack_space_note(placed_devices(fab, lay, cab, summary["switch_models"]),
                            spec.layout.rack_units)
    if space:  # a planner limit, said rather than drawn as an installable rack
        summary["notes"].append(space)
    if campus is not None:
        summary["campus"] = campus.summary()
        summary["errors"] += campus.failing
        for code, n in campus.channel_findings.items():
            summary["findings"][code] = summary["findings"].get(code, 0) + n
    return Plan(spec, fab, lay, cab, summary, t, cat, campus)


def switch_name(sw: SwitchSpec) -> str:
    """How a switch is named in the summary and the BOM: its model, else its ports.

    >>> switch_name(SwitchSpec(ports=64, port_speed_gbps=400))
    '64 x 400G switch'
    """
    return sw.model or f"{sw.ports} x {sw.port_speed_gbps}G switch"


def _switch_models(spec: ClusterSpec, fab: Fabric) -> dict[str, str]:
    """The switch (or OCS) of every tier that has devices."""
    f = spec.fabric
    out = {"leaf": switch_name(f.switch)}
    if fab.n["spine"]:
        out["spine"] = ((f.ocs.model or "OCS") if f.ocs is not None
                        else switch_name(f.spine_switch or f.switch))
    if fab.n["core"]:
        out["core"] = switch_name(f.core_switch or f.switch)
    return out


def summarise(spec: ClusterSpec, fab: Fabric, lay: Layout, cab: Cabling) -> dict[str, Any]:
    """The ``summary.json`` mapping (keys are a contract: docs/planner.md)."""
    cols = cab.cables.cols
    findings: Counter[str] = Counter()
    errors = 0
    checked = 0
    for d in cab.designs:
        res = d.result
        if res is None:
            continue
        if res.checked:
            checked += d.n_channels
        codes = {f["code"]: f["severity"] for f in res.findings}
        for code in codes:
            findings[code] += d.n_channels
        for code, (n, _) in res.loss_counts.items():
            findings[code] += n
        failing = res.channel_errors.copy() if res.channel_errors.size else np.zeros(
            d.n_channels, dtype=bool)
        if any(sev == "error" for sev in codes.values()):
            failing[:] = True
        if d.over_reach is not None and d.over_reach.any():
            # longer than every optic offered for it: a reach failure even where the
            # standard's reach would still hold; counted once per channel
            findings["reach"] += int((d.over_reach & ~failing).sum())
            failing |= d.over_reach
        errors += int(failing.sum())
    cables: Counter[str] = Counter()
    fibers_total = 0
    fiber_m = 0.0
    mt = 0
    parts = cab.parts
    if len(cab.cables):
        pc = np.bincount(cols["part"], minlength=len(parts))
        fm = np.bincount(cols["part"], weights=cols["length_m"], minlength=len(parts))
        legs = np.bincount(cols["part"], weights=cols["legs"], minlength=len(parts))
        for i, p in enumerate(parts):
            if not pc[i]:
                continue
            # fiber cables by connector and kind ("MPO-12 trunk"); copper by kind ("DAC")
            kind = p.kind.upper() if p.fiber == "copper" else f"{p.connector} {p.kind}"
            cables[kind] += int(pc[i])
            fibers_total += int(pc[i]) * p.fibers
            fiber_m += float(fm[i]) * p.fibers
            if p.connector.startswith("MPO"):
                mt += int(pc[i]) * 2 if p.kind == "cord" else 0
                mt += int(legs[i]) * 2 if p.kind == "trunk" else 0
            if p.kind == "breakout":
                mt += int(pc[i]) * 3  # trunk-end plug + two legs
    mt += sum(cab.cassettes.values())  # each cassette's internal MPO plug
    n_channels = sum(d.n_channels for d in cab.designs)
    return {
        "cluster": spec.cluster.name,
        "topology": fab.topology,
        "tiers": fab.tiers,
        "spine_kind": "ocs" if fab.spine_is_ocs else "switch",
        "scalable_units": fab.n_su,
        "nodes": fab.n["node"],
        "ufm_links": fab.n["ufm"],
        "planes": fab.planes,
        "switches": fab.counts(),
        "switch_models": _switch_models(spec, fab),
        "links": {c: fab.links[c].size for c in LINK_CLASSES},
        "channels": n_channels,
        "designs": len(cab.designs),
        "transceivers": dict(sorted(cab.transceivers.items())),
        "cables": dict(sorted(cables.items())),
        "fibers_total": fibers_total,
        "fiber_m_total": round(fiber_m, 1),
        "mt_ferrules": mt,
        "findings": dict(sorted(findings.items())),
        "errors": errors,
        "channels_checked": checked,
        "racks": lay.n_racks,
        "rack_units": spec.layout.rack_units,
        "notes": list(fab.notes) + list(cab.notes),
    }
