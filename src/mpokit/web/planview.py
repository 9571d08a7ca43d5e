"""What the plan pages show, built once from a :class:`~mpokit.plan.Plan` and kept as JSON.

:func:`plan_view` turns a finished plan into a JSON-able view (summary, fabric tiers per
plane, racks on the floor, trunk routes, rack elevations with every device and panel port,
findings, designs, margin histogram); the SVG functions draw it. The view is saved beside
the plan's output folder, so the pages work after a restart without re-planning.

Example:
    >>> from mpokit.plan import ClusterSpec, make_plan
    >>> p = make_plan(ClusterSpec.model_validate({"cluster": {"name": "x", "nodes": 31,
    ...     "rails": 8, "nic_speed_gbps": 400}, "fabric": {"scalable_unit": 32,
    ...     "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}}}))
    >>> v = plan_view(p)
    >>> len(v["racks"]) == p.layout.n_racks, floor_svg(v).count('class="rack-name"')
    (True, 10)
"""

from __future__ import annotations

import math
from collections import defaultdict
from html import escape
from typing import Any

import numpy as np

from mpokit.plan import Plan

__all__ = ["KIND_NAMES", "elevation_svg", "fabric_svg", "floor_svg", "plan_view"]

#: Rack roles by ``Layout.rack_kind``.
KIND_NAMES = {0: "compute", 1: "leaf", 2: "spine", 3: "core"}
_KIND_FILL = {"compute": "#9ab8dd", "leaf": "#3b7dd8", "spine": "#d8873b", "core": "#8a3bd8"}
_ROLE_FILL = {"node": "#cfe0f5", "leaf": "#3b7dd8", "spine": "#d8873b", "core": "#8a3bd8",
              "ocs": "#8a3bd8", "panel": "#e9ecef", "ufm": "#a5d8a5"}
_TIERS = ("node", "leaf", "spine", "core")


def _e(v: object) -> str:
    return escape(str(v), quote=True)


def _margins(plan: Plan, bins: int = 30) -> dict[str, Any]:
    parts = [np.asarray(d.loss_margin_db, dtype=float) for d in plan.cabling.designs
             if d.loss_margin_db is not None]
    values = np.concatenate(parts) if parts else np.zeros(0)
    finite = values[np.isfinite(values)]
    out: dict[str, Any] = {"count": int(values.size), "unmeasurable": int(values.size
                                                                           - finite.size)}
    if finite.size:
        counts, edges = np.histogram(finite, bins=bins)
        out.update(min_db=round(float(finite.min()), 3), max_db=round(float(finite.max()), 3),
                   below_zero=int((finite < 0).sum()), counts=counts.tolist(),
                   edges=[round(float(e), 4) for e in edges])
    return out


def _elevations(plan: Plan) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Per rack: devices top-down with their ports (used ones marked), each with its
    lowest unit ``ru`` and height ``u`` in RU (the plant's device type); and the trunks."""
    from mpokit.integrations.plant import plant_from_plan

    plant = plant_from_plan(plan)
    types = {t.model: t for t in plant.device_types}
    used: dict[str, set[str]] = defaultdict(set)
    trunks: dict[tuple[str, str], dict[str, Any]] = {}
    racks_of = {d.name: d.rack for d in plant.devices}
    for c in plant.cables:
        for ref in (*c.a, *c.b):
            used[ref.device].add(ref.name)
        if c.kind == "trunk" and c.a and c.b:
            ra, rb = racks_of.get(c.a[0].device), racks_of.get(c.b[0].device)
            if ra and rb and ra != rb:
                key = (min(ra, rb), max(ra, rb))
                t = trunks.setdefault(key, {"a_rack": key[0], "b_rack": key[1], "legs": 0,
                                            "cables": set(), "length_m": 0.0})
                t["legs"] += 1
                t["cables"].add(c.cable_id or c.label)
                t["length_m"] = max(t["length_m"], float(c.length_m))
    per_rack: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in plant.devices:
        dt = types[d.device_type]
        ports = list(dt.interfaces) or [f for f, _, _ in dt.front_ports]
        per_rack[d.rack].append({
            "name": d.name, "role": d.role, "model": dt.model, "ru": d.ru,
            "u": dt.u_height, "ports": ports,
            "used": sorted(p for p in ports if p in used[d.name]),
        })
    for devs in per_rack.values():
        devs.sort(key=lambda x: -(x["ru"] or 0))
    routes = [{**t, "cables": len(t["cables"]), "length_m": round(t["length_m"], 1)}
              for t in trunks.values()]
    return dict(per_rack), routes


def _example_yaml(design: Any, k: int) -> str:
    """One channel of a design as a channel file: the one with the least margin."""
    import yaml

    i = 0
    m = design.loss_margin_db
    if m is not None and np.size(m) and np.isfinite(m).any():
        i = int(np.nanargmin(np.where(np.isfinite(m), m, np.nan)))
    spec = design.spec(i, name=f"{design.cls} design {k}, channel {i} (least margin)")
    data = spec.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return str(yaml.safe_dump(data, sort_keys=False))


def _design_row(d: Any, k: int) -> dict[str, Any]:
    """A channel design's row: what it joins, how many channels, worst margin, verdict."""
    m = d.loss_margin_db
    worst = (round(float(np.nanmin(m)), 3) if m is not None and np.size(m)
             and np.isfinite(m).any() else None)
    return {
        "link_class": d.cls, "mode": str(d.mode), "optic": d.optic.name if d.optic else "",
        "a": d.a_model, "b": d.b_model, "channels": int(d.n_channels),
        "path": " ".join(kind for kind, _, _ in d.elements), "worst_margin_db": worst,
        "ok": bool(d.result is None or (d.result.ok and not d.result.channel_errors.any())),
        "example": _example_yaml(d, k),
    }


def plan_view(plan: Plan) -> dict[str, Any]:
    """The JSON view of a finished plan.

    Parameters
    ----------
    plan
        A planned and checked cluster (:func:`mpokit.plan.make_plan`).

    Returns
    -------
    dict
        ``summary``, ``fabric`` (tiers, planes, per-plane counts, link counts), ``racks``
        (name, role, position in m), ``rack_units``, ``elevations`` (rack -> devices with
        ports), ``trunks`` (rack pairs with legs), ``findings``, ``designs`` (each with an
        ``example``: its least-margin channel as a channel file), ``density``,
        ``margins`` (histogram; ``unmeasurable`` counts channels without a margin).
    """
    from mpokit.plan.report import density, plan_findings

    lay, fab = plan.layout, plan.fabric
    names = lay.rack_names()
    racks = [{"name": str(names[i]), "kind": KIND_NAMES.get(int(lay.rack_kind[i]), "other"),
              "x_m": round(float(lay.rack_x[i]), 3), "y_m": round(float(lay.rack_y[i]), 3),
              "hall": int(lay.rack_hall[i])} for i in range(lay.n_racks)]
    per_plane: dict[str, list[int]] = {}
    for tier in ("leaf", "spine", "core"):
        n = int(fab.n.get(tier, 0))
        if not n:
            continue
        if fab.dev_plane is not None and fab.planes > 1:
            off = int(fab.offset[tier])
            planes = np.asarray(fab.dev_plane[off:off + n])
            per_plane[tier] = [int((planes == k).sum()) for k in range(fab.planes)]
        else:
            per_plane[tier] = [n]
    elevations, trunks = _elevations(plan)
    findings = [{"code": c, "severity": s, "link_class": cls, "mode": m, "channels": n,
                 "message": msg, "fix": fix} for c, s, cls, m, n, msg, fix in plan_findings(plan)]
    designs = [_design_row(d, k) for k, d in enumerate(plan.cabling.designs)]
    return {
        "summary": plan.summary,
        "fabric": {"topology": plan.summary.get("topology"), "tiers": int(fab.tiers),
                   "planes": int(fab.planes), "nodes": int(fab.n.get("node", 0)),
                   "per_plane": per_plane, "links": plan.summary.get("links", {}),
                   "models": plan.summary.get("switch_models", {})},
        "racks": racks,
        "rack_w_m": float(lay.layout.rack_width_m), "rack_d_m": float(lay.layout.rack_depth_m),
        "rack_units": int(lay.layout.rack_units),
        "elevations": elevations,
        "trunks": trunks,
        "findings": findings,
        "designs": designs,
        "density": density(plan),
        "margins": _margins(plan),
    }


def fabric_svg(view: dict[str, Any], width: int = 900) -> str:
    """The fabric as tiers of boxes (one per switch, grouped by plane) and link counts.

    Parameters
    ----------
    view
        A :func:`plan_view`.
    width
        Width in px.

    Returns
    -------
    str
        An ``<svg>`` with one ``<g class="tier" data-tier=...>`` per tier.
    """
    fab = view["fabric"]
    tiers: list[tuple[str, list[int]]] = [(t, fab["per_plane"][t]) for t in
                                          ("core", "spine", "leaf") if t in fab["per_plane"]]
    tiers.append(("node", [fab["nodes"]]))
    band = 82
    height = band * len(tiers) + 20
    links = fab["links"]
    link_of = {("spine", "core"): links.get("spine_core", 0),
               ("leaf", "spine"): links.get("leaf_spine", 0),
               ("node", "leaf"): links.get("node_leaf", 0)}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="fabric" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" font-size="11" role="img" '
           f'aria-label="Fabric: {len(tiers)} tiers, {fab["planes"]} plane(s)">']
    left = 110
    for row, (tier, planes) in enumerate(tiers):
        y = 14 + row * band
        total = sum(planes)
        model = fab["models"].get(tier, "")
        out.append(f'<g class="tier" data-tier="{tier}" data-count="{total}">'
                   f'<text x="6" y="{y + 18}" font-weight="600">{tier}</text>'
                   f'<text x="6" y="{y + 32}" fill="#57606a">{total} {_e(model)}</text>')
        span = (width - left - 10) / len(planes)
        for k, n in enumerate(planes):
            x0 = left + k * span
            shown = min(n, max(int((span - 8) // 12), 1))
            step = (span - 8) / max(shown, 1)
            for i in range(shown):
                out.append(f'<rect x="{x0 + i * step:.1f}" y="{y + 6}" '
                           f'width="{max(min(step - 2, 24), 2):.1f}" height="26" '
                           f'fill="{_ROLE_FILL.get(tier, "#ccc")}" stroke="#57606a" '
                           'stroke-width="0.5"/>')
            label = f"plane {k + 1}: {n}" if len(planes) > 1 else f"{n}"
            more = f" (first {shown} drawn)" if shown < n else ""
            out.append(f'<text x="{x0:.1f}" y="{y + 46}" fill="#57606a">{label}{more}</text>')
        out.append("</g>")
        if row + 1 < len(tiers):
            below = tiers[row + 1][0]
            n_links = link_of.get((below, tier), 0)
            ym = y + band - 14
            out.append(f'<g class="links" data-links="{below}-{tier}">'
                       f'<line x1="{left + 20}" x2="{width - 30}" y1="{ym}" y2="{ym}" '
                       f'stroke="#8c959f" stroke-dasharray="2 3"/>'
                       f'<text x="{width / 2:.0f}" y="{ym - 3}" text-anchor="middle">'
                       f'{n_links} {below}-{tier} links</text></g>')
    out.append("</svg>")
    return "".join(out)


def floor_svg(view: dict[str, Any], width: int = 960) -> str:
    """The floor plan: every rack at its position with its name, trunk routes between them.

    Parameters
    ----------
    view
        A :func:`plan_view`.
    width
        Width in px.

    Returns
    -------
    str
        An ``<svg>``: per rack a ``<g class="rack" data-rack=NAME>`` holding its rectangle
        and a ``<text class="rack-name">``; per rack pair joined by trunks a
        ``<polyline class="route">`` (right-angle route, as cables run in trays).
    """
    racks = view["racks"]
    if not racks:
        return ""
    w, dp = view["rack_w_m"], view["rack_d_m"]
    xs = [r["x_m"] for r in racks]
    ys = [r["y_m"] for r in racks]
    x0, y0 = min(xs), min(ys)
    span_x = max(xs) - x0 + w
    span_y = max(ys) - y0 + dp
    scale = min((width - 40) / max(span_x, 1e-9), 520 / max(span_y, 1e-9), 90.0)
    height = int(span_y * scale) + 70
    font = max(6.0, min(11.0, w * scale / 3.2))
    pos = {r["name"]: (20 + (r["x_m"] - x0) * scale, 20 + (r["y_m"] - y0) * scale)
           for r in racks}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="floor" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="Floor plan: {len(racks)} racks" font-size="{font:.1f}">']
    cw, ch = w * scale, dp * scale
    for t in view["trunks"]:
        if t["a_rack"] not in pos or t["b_rack"] not in pos:
            continue
        (xa, ya), (xb, yb) = pos[t["a_rack"]], pos[t["b_rack"]]
        xa, ya, xb, yb = xa + cw / 2, ya + ch / 2, xb + cw / 2, yb + ch / 2
        out.append(f'<polyline class="route" points="{xa:.1f},{ya:.1f} {xb:.1f},{ya:.1f} '
                   f'{xb:.1f},{yb:.1f}" fill="none" stroke="#d9480f" stroke-opacity="0.6" '
                   f'stroke-width="{min(1 + math.log2(1 + t["cables"]), 6):.1f}">'
                   f'<title>{_e(t["a_rack"])} – {_e(t["b_rack"])}: {t["cables"]} trunk(s), '
                   f'{t["legs"]} legs, up to {t["length_m"]} m</title></polyline>')
    for r in racks:
        x, y = pos[r["name"]]
        out.append(f'<g class="rack" data-rack="{_e(r["name"])}" data-kind="{r["kind"]}">'
                   f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(cw - 1, 2):.1f}" '
                   f'height="{max(ch, 2):.1f}" fill="{_KIND_FILL.get(r["kind"], "#ccc")}" '
                   f'stroke="#57606a" stroke-width="0.5"><title>{_e(r["name"])}: {r["kind"]}'
                   f'</title></rect><text class="rack-name" x="{x + cw / 2:.1f}" '
                   f'y="{y + ch / 2 + font / 3:.1f}" text-anchor="middle">{_e(r["name"])}'
                   '</text></g>')
    lx = 20
    for kind, fill in _KIND_FILL.items():
        if any(r["kind"] == kind for r in racks):
            out.append(f'<rect x="{lx}" y="{height - 26}" width="12" height="12" '
                       f'fill="{fill}"/><text x="{lx + 16}" y="{height - 16}" '
                       f'font-size="11">{kind}</text>')
            lx += 90
    out.append(f'<line x1="{lx}" x2="{lx + 20}" y1="{height - 20}" y2="{height - 20}" '
               f'stroke="#d9480f" stroke-width="2"/><text x="{lx + 24}" y="{height - 16}" '
               f'font-size="11">trunk route</text></svg>')
    return "".join(out)


def elevation_svg(rack: str, devices: list[dict[str, Any]], rack_units: int = 48) -> str:
    """One rack's elevation: each device at its RU, panels with every port (used filled).

    Parameters
    ----------
    rack
        The rack's name.
    devices
        ``view["elevations"][rack]``.
    rack_units
        The rack's height in RU.

    Returns
    -------
    str
        An ``<svg class="elevation" data-rack=NAME>``: per device a ``<g class="device">``
        (``data-ru``: its lowest unit, ``data-height-ru``) drawn over all its units, as the
        plan's devices table gives them; per panel port a ``<rect class="port">``
        (``data-used``).
    """
    u_h, width = 14, 300
    height = rack_units * u_h + 34
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="elevation" data-rack="{_e(rack)}" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-size="9" '
           f'role="img" aria-label="Rack {_e(rack)} elevation">'
           f'<text class="rack-name" x="{width / 2}" y="12" text-anchor="middle" '
           f'font-size="12" font-weight="600">{_e(rack)}</text>'
           f'<rect x="24" y="18" width="{width - 30}" height="{rack_units * u_h}" fill="#fff" '
           'stroke="#1b1f24"/>']
    for u in range(1, rack_units + 1, 4):
        out.append(f'<text x="20" y="{18 + (rack_units - u) * u_h + 10}" text-anchor="end" '
                   f'fill="#8c959f">{u}</text>')
    for d in devices:
        if d["ru"] is None:
            continue
        top_u = d["ru"] + d["u"] - 1
        y = 18 + (rack_units - top_u) * u_h
        h = d["u"] * u_h
        used = set(d["used"])
        units = f"U{d['ru']}" if d["u"] == 1 else f"U{d['ru']}-U{top_u} ({d['u']} RU)"
        out.append(f'<g class="device" data-device="{_e(d["name"])}" data-role="{d["role"]}" '
                   f'data-ru="{d["ru"]}" data-height-ru="{d["u"]}">'
                   f'<rect x="26" y="{y + 0.5}" width="{width - 34}" height="{h - 1}" '
                   f'fill="{_ROLE_FILL.get(d["role"], "#e9ecef")}" stroke="#57606a" '
                   f'stroke-width="0.5"><title>{_e(d["name"])} ({_e(d["model"])}), {units}'
                   f': {len(used)} of {len(d["ports"])} ports used</title></rect>')
        if d["role"] == "panel":
            n = len(d["ports"])
            pw = (width - 110) / max(n, 1)
            for i, p in enumerate(d["ports"]):
                on = p in used
                out.append(f'<rect class="port" data-port="{_e(p)}" '
                           f'data-used="{"true" if on else "false"}" x="{100 + i * pw:.1f}" '
                           f'y="{y + 3}" width="{max(pw - 0.8, 0.6):.1f}" height="{h - 6}" '
                           f'fill="{"#1a7f37" if on else "#fff"}" stroke="#57606a" '
                           f'stroke-width="0.3"><title>{_e(d["name"])} {_e(p)}'
                           f'{" (cabled)" if on else " (free)"}</title></rect>')
            out.append(f'<text x="30" y="{y + h / 2 + 3}">{_e(d["name"].split("-")[-1])}'
                       '</text>')
        else:
            out.append(f'<text x="30" y="{y + h / 2 + 3}">{_e(d["name"])} · '
                       f'{len(used)}/{len(d["ports"])} ports</text>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
