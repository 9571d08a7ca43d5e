"""The human report (one self-contained HTML page) and the density figures.

Density: panel RU per rack, fibers terminated per panel RU, and the fill of each row's
overhead tray (sum of the cross-sections of the inter-rack cables that leave the row's
racks, over the tray's width x depth). The loss-margin histogram is an inline SVG.

>>> svg_histogram(np.array([1.0, 1.5, 2.0]), bins=2).startswith("<svg")
True
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np

from mpokit.plan.planner import Plan

__all__ = [
    "density",
    "failure_lines",
    "generate_report",
    "plan_findings",
    "svg_floor",
    "svg_histogram",
]


def density(plan: Plan) -> dict[str, Any]:
    """Panel RU per rack, fibers per panel RU and tray fill (percent)."""
    cab, lay = plan.cabling, plan.layout
    panels = np.zeros(lay.n_racks, dtype=np.int64)
    ru_per = {p.name: p.ru for p in plan.catalog.panels}
    for model, per_rack in cab.rack_panels.items():
        panels += per_rack * ru_per.get(model, 1)
    with_panels = panels[panels > 0]
    cols = cab.cables.cols
    parts = cab.parts
    fibers = np.asarray([p.fibers for p in parts] or [0])[cols["part"]]
    is_trunk = np.asarray([p.kind == "trunk" for p in parts] or [False])[cols["part"]]
    ends = np.where(cols["b_panel"] >= 0, 2, 1)
    fibers_at_panels = int((fibers * ends)[is_trunk].sum())
    diam = np.asarray([p.diameter_mm for p in parts] or [0.0])[cols["part"]]
    area = math.pi / 4 * (diam / 1000.0) ** 2
    inter = cols["a_rack"] != cols["b_rack"]
    row_id = lay.rack_hall * 10_000 + lay.rack_row
    fill_area: dict[int, float] = {}
    if inter.any():
        ra, rb = row_id[cols["a_rack"][inter]], row_id[cols["b_rack"][inter]]
        ar = area[inter]
        both = np.concatenate([ra, rb[ra != rb]])
        w = np.concatenate([ar, ar[ra != rb]])
        uniq, inv = np.unique(both, return_inverse=True)
        sums = np.bincount(inv, weights=w)
        fill_area = dict(zip(uniq.tolist(), sums.tolist(), strict=True))
    spec = plan.spec.layout
    tray = spec.tray_width_m * spec.tray_depth_m
    fills = {k: 100 * v / tray for k, v in fill_area.items()}
    worst = max(fills.values(), default=0.0)
    return {
        "panel_ru_total": int(panels.sum()),
        "panel_ru_per_rack_max": int(with_panels.max()) if with_panels.size else 0,
        "panel_ru_per_rack_mean": round(float(with_panels.mean()), 2) if with_panels.size else 0,
        "fibers_per_panel_ru": round(fibers_at_panels / panels.sum(), 1) if panels.sum() else 0,
        "tray_fill_percent_max": round(worst, 1),
        "tray_fill_limit_percent": spec.tray_fill_limit_percent,
        "rows_over_fill_limit": sum(1 for v in fills.values()
                                    if v > spec.tray_fill_limit_percent),
    }


def plan_findings(plan: Plan) -> list[tuple[str, str, str, str, int, str, str]]:
    """Every finding of the plan's designs, one row per (design, finding).

    Parameters
    ----------
    plan
        A checked plan.

    Returns
    -------
    list of tuple
        ``(code, severity, link class, mode, channels, message, fix)``; errors first.
    """
    rows: list[tuple[str, str, str, str, int, str, str]] = []
    for d in plan.cabling.designs:
        if d.result is None:
            continue
        for f in d.result.findings:
            rows.append((f["code"], f["severity"], d.cls, str(d.mode), d.n_channels,
                         f["message"], f.get("fix") or ""))
        for code, (n, sev) in d.result.loss_counts.items():
            worst = (f"; worst margin {float(d.loss_margin_db.min()):.2f} dB"
                     if d.loss_margin_db is not None and d.loss_margin_db.size else "")
            rows.append((code, sev, d.cls, str(d.mode), n,
                         f"{n} of {d.n_channels} channels of this design are over the "
                         f"{code} limit{worst}", "shorter routes, better connector grades, "
                         "or a longer-reach optic"))
    if plan.cabling.reach_exceeded:
        rows.append(("reach", "error", "", "", plan.cabling.reach_exceeded,
                     f"{plan.cabling.reach_exceeded} links are longer than the reach of every "
                     "optic the catalogue offers for them", "shorten the routes (layout) or "
                     "add a longer-reach optic (cabling.catalog)"))
    return sorted(rows, key=lambda r: r[1] != "error")


def failure_lines(plan: Plan, limit: int = 20) -> list[str]:
    """The plan's error findings as console lines (at most ``limit``, then a count).

    Parameters
    ----------
    plan
        A checked plan.
    limit
        How many findings to list.

    Returns
    -------
    list of str
        ``"x <code>: <class> <mode>, <n> channel(s): <message> (fix: ...)"`` lines.
    """
    errors = [r for r in plan_findings(plan) if r[1] == "error"]
    out = []
    for code, _, cls, mode, n, message, fix in errors[:limit]:
        where = f"{cls} {mode}, " if cls else ""
        out.append(f"x {code}: {where}{n} channel(s): {message}"
                   + (f" (fix: {fix})" if fix else ""))
    if len(errors) > limit:
        out.append(f"... and {len(errors) - limit} more: see report.html")
    if plan.campus is not None:  # routes, halls and cold/hot budgets (plan.campus)
        out += plan.campus.failure_lines()
    return out


def svg_histogram(values: np.ndarray, bins: int = 30, width: int = 640, height: int = 220,
                  unit: str = "dB") -> str:
    """A histogram of ``values`` as inline SVG: axes, ticks, counts; bins below 0 in red."""
    if values.size == 0:
        return "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'></svg>"
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-6:
        lo, hi = lo - 0.05, hi + 0.05
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    left, bottom, top_pad = 48, 34, 10
    pw, ph = width - left - 10, height - bottom - top_pad
    top = max(int(counts.max()), 1)
    bw = pw / bins
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
           "font-family='sans-serif' font-size='11'>"]
    for i, c in enumerate(counts.tolist()):
        h = ph * c / top
        colour = "#d83b3b" if edges[i + 1] <= 0 else "#3b7dd8"
        out.append(f"<rect x='{left + i * bw:.1f}' y='{top_pad + ph - h:.1f}' "
                   f"width='{max(bw - 1, 1):.1f}' height='{h:.1f}' fill='{colour}'>"
                   f"<title>{edges[i]:.2f} to {edges[i + 1]:.2f} {unit}: {c} channels</title>"
                   "</rect>")
    y0 = top_pad + ph
    out.append(f"<line x1='{left}' y1='{y0}' x2='{left + pw}' y2='{y0}' stroke='#333'/>")
    out.append(f"<line x1='{left}' y1='{top_pad}' x2='{left}' y2='{y0}' stroke='#333'/>")
    for t in np.linspace(lo, hi, 5):
        x = left + pw * (t - lo) / (hi - lo)
        out.append(f"<line x1='{x:.1f}' y1='{y0}' x2='{x:.1f}' y2='{y0 + 4}' stroke='#333'/>"
                   f"<text x='{x:.1f}' y='{y0 + 16}' text-anchor='middle'>{t:.2f}</text>")
    for t in (0, top):
        y = y0 - ph * t / top
        out.append(f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end'>{t}</text>")
    out.append(f"<text x='{left + pw / 2:.1f}' y='{height - 2}' text-anchor='middle'>"
               f"loss margin ({unit}); left of 0 fails</text>")
    out.append(f"<text x='12' y='{top_pad + ph / 2:.1f}' text-anchor='middle' "
               f"transform='rotate(-90 12 {top_pad + ph / 2:.1f})'>channels</text>")
    if lo < 0 < hi:
        x = left + pw * (0 - lo) / (hi - lo)
        out.append(f"<line x1='{x:.1f}' y1='{top_pad}' x2='{x:.1f}' y2='{y0}' "
                   "stroke='#d83b3b' stroke-dasharray='4 3'/>")
    out.append("</svg>")
    return "".join(out)


def svg_floor(lay: Any, width: int = 900) -> str:
    """The floor plan as inline SVG: every rack at its coordinates, coloured by role.

    >>> from mpokit.plan import ClusterSpec, make_plan
    >>> p = make_plan(ClusterSpec.model_validate({"cluster": {"name": "x", "nodes": 31,
    ...     "rails": 8, "nic_speed_gbps": 400}, "fabric": {"scalable_unit": 32,
    ...     "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}}}))
    >>> svg_floor(p.layout).count("<rect") >= p.layout.n_racks
    True
    """
    if lay.n_racks == 0:
        return ""
    colours = {0: "#9ab8dd", 1: "#3b7dd8", 2: "#d8873b", 3: "#8a3bd8"}
    labels = {0: "compute", 1: "leaf", 2: "spine", 3: "core"}
    w_m, d_m = lay.layout.rack_width_m, lay.layout.rack_depth_m
    x0, y0 = float(lay.rack_x.min()), float(lay.rack_y.min())
    span_x = float(lay.rack_x.max()) - x0 + w_m
    span_y = float(lay.rack_y.max()) - y0 + d_m
    scale = min((width - 20) / max(span_x, 1e-9), 360 / max(span_y, 1e-9))
    height = int(span_y * scale) + 50
    names = lay.rack_names()
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
           "font-family='sans-serif' font-size='10'>"]
    for i in range(lay.n_racks):
        k = int(lay.rack_kind[i])
        x = 10 + (float(lay.rack_x[i]) - x0) * scale
        y = 10 + (float(lay.rack_y[i]) - y0) * scale
        out.append(f"<rect x='{x:.1f}' y='{y:.1f}' width='{max(w_m * scale - 1, 2):.1f}' "
                   f"height='{max(d_m * scale, 2):.1f}' fill='{colours.get(k, '#ccc')}'>"
                   f"<title>{html.escape(str(names[i]))}: {labels.get(k, '?')}</title></rect>")
    lx = 10
    for k, name in labels.items():
        if (lay.rack_kind == k).any():
            out.append(f"<rect x='{lx}' y='{height - 22}' width='12' height='12' "
                       f"fill='{colours[k]}'/><text x='{lx + 16}' y='{height - 12}'>{name}</text>")
            lx += 90
    out.append(f"<text x='{lx}' y='{height - 12}'>1 m = {scale:.1f} px; hover a rack for its "
               "name</text></svg>")
    return "".join(out)


def _table(rows: list[tuple[Any, ...]], head: tuple[str, ...]) -> str:
    h = "".join(f"<th>{html.escape(str(x))}</th>" for x in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(x))}</td>" for x in r) + "</tr>"
                   for r in rows)
    return f"<table><tr>{h}</tr>{body}</table>"


def _verdict(d: Any) -> str:
    """pass / warning / FAIL for a design (FAIL when any of its channels has an error)."""
    r = d.result
    if r is None:
        return "pass"
    if not r.ok or r.channel_errors.any():
        return "FAIL"
    warned = any(f["severity"] == "warning" for f in r.findings) or any(
        sev == "warning" for _, sev in r.loss_counts.values())
    return "warning" if warned else "pass"


def generate_report(plan: Plan) -> str:
    """The HTML report text."""
    s = plan.summary
    dens = density(plan)
    margins = [d.loss_margin_db for d in plan.cabling.designs if d.loss_margin_db is not None]
    if margins:
        hist = svg_histogram(np.concatenate(margins))
    else:
        hist = ("<p>No loss budget was reported by the channel checks (mpokit.loss not "
                "installed yet); margins are not available.</p>")
    findings = plan_findings(plan)
    designs = [(d.cls, d.mode, d.optic.name if d.optic else "", d.a_model, d.b_model,
                d.n_channels, " ".join(k for k, _, _ in d.elements),
                f"{float(d.loss_margin_db.min()):.2f}"
                if d.loss_margin_db is not None and d.loss_margin_db.size else "",
                _verdict(d))
               for d in plan.cabling.designs]
    css = ("body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:"
           "collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
           "th{background:#eee}")
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>mpokit plan: "
        f"{html.escape(s['cluster'])}</title><style>{css}</style></head><body>",
        f"<h1>Cluster plan: {html.escape(s['cluster'])}</h1>",
        f"<p>{s['topology']}, {s['tiers']} tiers, {s.get('planes', 1)} plane(s), "
        f"{s['scalable_units']} scalable unit(s), "
        f"{s['nodes']} nodes, {s['racks']} racks. {s['channels']} channels in "
        f"{s['designs']} designs; {s['channels_checked']} checked; "
        f"<b>{s['errors']}</b> channel(s) with errors.</p>",
        "<h2>Switches and links</h2>",
        _table([(k, s.get("switch_models", {}).get(k, ""), v)
                for k, v in s["switches"].items()], ("tier", "model", "switches")),
        _table([(k, v) for k, v in s["links"].items()], ("class", "links")),
        "<h2>Transceivers and cables</h2>",
        _table(list(s["transceivers"].items()), ("model", "count")),
        _table(list(s["cables"].items()), ("cable", "count")),
        f"<p>Fibers: {s['fibers_total']} ({s['fiber_m_total']} fiber-metres); "
        f"MT ferrules: {s['mt_ferrules']}.</p>",
        "<h2>Floor plan</h2>", svg_floor(plan.layout),
        "<h2>Density</h2>", _table(list(dens.items()), ("figure", "value")),
        "<h2>Loss margin</h2>", hist,
        "<h2>Channel designs</h2>",
        _table(designs, ("class", "mode", "optics", "end A", "end B", "channels", "path",
                         "worst margin (dB)", "verdict")),
        "<h2>Findings</h2>",
        _table(findings, ("code", "severity", "class", "mode", "channels", "message", "fix"))
        if findings else "<p>None.</p>",
    ]
    if plan.campus is not None:
        parts.append(plan.campus.html())
    if s["notes"]:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>"
                                                   for n in s["notes"]) + "</ul>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
