"""Per-ferrule HTML report: numbers, verdict, a false-colour height map and a fiber-height bar
chart, in one self-contained file (PNGs embedded as base64). Needs matplotlib (Agg backend,
imported only when a report is made).

Example:
    >>> import tempfile, pathlib
    >>> from mpokit.qc.simulate import simulate_mt
    >>> from mpokit.qc.analyze import analyze_scan
    >>> scan, _ = simulate_mt(fibers=8, seed=2)
    >>> html = generate_report(analyze_scan(scan), scan)
    >>> html.startswith("<!DOCTYPE html>") and "data:image/png;base64," in html
    True
"""

from __future__ import annotations

import base64
import html
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mpokit.errors import InputError
from mpokit.qc.analyze import Outcome, QcFailure, QcResult
from mpokit.qc.io import Scan, _atomic_write
from mpokit.qc.lot import LotSummary, ParameterStats
from mpokit.qc.mt import MtGeometry
from mpokit.qc.profiles import unit_of

__all__ = ["generate_index", "generate_report", "write_index", "write_report"]


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise InputError("reports need matplotlib", fix="pip install 'mpokit[qc]'") from exc
    return plt


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _map_png(result: QcResult, scan: Scan) -> str:
    plt = _pyplot()
    z = scan.height_nm
    g = result.geometry
    ny, nx = z.shape
    p = scan.pixel_um
    x = np.arange(nx) * p
    y = np.arange(ny) * p
    if isinstance(g, MtGeometry):
        z0, sx, sy = g.plane_nm
        shown = z - (z0 + sx * x[None, :] + sy * y[:, None])
        label = "height above reference plane (nm)"
    else:
        shown = z - np.nanmedian(z)
        label = "height (nm, median removed)"
    finite = shown[np.isfinite(shown)]
    lo, hi = (np.percentile(finite, [1, 99]) if finite.size else (0.0, 1.0))
    fig, ax = plt.subplots(figsize=(min(12.0, 3 + 9 * nx / max(nx, ny)), 4.0))
    im = ax.imshow(shown, origin="upper", cmap="viridis", vmin=lo, vmax=hi,
                   extent=(0, nx * p, ny * p, 0), interpolation="nearest")
    fig.colorbar(im, ax=ax, label=label)
    if isinstance(g, MtGeometry):
        ax.plot(g.x_um, g.y_um, "r+", ms=8)
        for i in range(g.fibers):
            ax.annotate(str(i + 1), (g.x_um[i], g.y_um[i] - 75), color="w", ha="center",
                        fontsize=7)
    else:
        ax.plot([g.fiber_x_um], [g.fiber_y_um], "r+", ms=10, label="fiber centre")
        ax.plot([g.apex_x_um], [g.apex_y_um], "wx", ms=8, label="apex")
        ax.legend(loc="upper right", fontsize=7)
    ax.set_xlabel("x (um)")
    ax.set_ylabel("y (um)")
    out = _png(fig)
    plt.close(fig)
    return out


def _bars_png(result: QcResult) -> str | None:
    g = result.geometry
    if not isinstance(g, MtGeometry) or g.fibers == 0:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(4.0, 0.35 * g.fibers + 2), 3.0))
    idx = np.arange(1, g.fibers + 1)
    failed: set[int] = set()
    for c in result.checks:
        if c.parameter == "height_nm":
            failed = set(c.failed)
    colours = ["#c0392b" if i in failed else "#2e86c1" for i in idx]
    ax.bar(idx, g.height_nm, color=colours)
    for c in result.checks:
        if c.parameter == "height_nm":
            for bound in (c.limit.min, c.limit.max):
                if bound is not None:
                    ax.axhline(bound, color="grey", ls="--", lw=1)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xticks(idx)
    ax.set_xlabel("fiber")
    ax.set_ylabel("height (nm)")
    out = _png(fig)
    plt.close(fig)
    return out


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float | np.floating):
        return "-" if not np.isfinite(v) else f"{float(v):.4g}"
    return html.escape(str(v))


_VERDICT_COLOUR = {"pass": "#1e8449", "fail": "#c0392b", "unmeasurable": "#b9770e",
                   "unreadable": "#7f8c8d"}
_STYLE = """body{font-family:sans-serif;margin:2em} table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:2px 8px;text-align:right} td.l,th.l{text-align:left}
td.src{text-align:left;font-size:80%;color:#555} .bad{color:#c0392b;font-weight:bold}
.verdict{font-size:150%;font-weight:bold}"""


def _parameter_table(result: QcResult) -> str:
    """One table: every parameter once, with its unit, limit (with unit) and verdict."""
    checks = {c.parameter: c for c in result.checks}
    values: dict[str, Any] = dict(result.parameters())
    names = list(values) + [n for n in checks if n not in values]
    rows = []
    for name in names:
        unit = unit_of(name)
        c = checks.get(name)
        value = c.value if c is not None and name not in values else values.get(name)
        if c is None:
            rows.append(f"<tr><td class='l'>{name}</td><td>{_fmt(value)} {unit}</td>"
                        "<td>-</td><td></td><td>-</td><td></td><td></td></tr>")
            continue
        where = c.location if not c.ok or name not in values else ""
        if c.failed:
            where = "fibers " + ", ".join(str(i) for i in c.failed)
        verdict = "pass" if c.ok else "FAIL"
        rows.append(
            f"<tr><td class='l'>{name}</td><td>{_fmt(value)} {unit}</td>"
            f"<td>{html.escape(c.limit.text(unit))}</td><td>{html.escape(where)}</td>"
            f"<td class='{'' if c.ok else 'bad'}'>{verdict}</td><td>{c.limit.status}</td>"
            f"<td class='src'>{html.escape(c.limit.source)}</td></tr>")
    return ("<table><tr><th class='l'>parameter</th><th>value</th><th>limit</th><th>where</th>"
            "<th>verdict</th><th>status</th><th class='l'>source</th></tr>"
            + "".join(rows) + "</table>")


def generate_report(result: QcResult, scan: Scan) -> str:
    """The HTML text of the report of one ferrule."""
    verdict = result.verdict
    colour = _VERDICT_COLOUR[verdict]
    failed_fibers: set[int] = {i for c in result.checks for i in c.failed}
    fibers = result.fibers() if not result.reasons else []
    fiber_rows = "".join(
        f"<tr class='{'bad' if f['index'] in failed_fibers else ''}'>"
        + "".join(f"<td>{_fmt(f[k])}</td>" for k in
                  ("index", "row", "x_um", "y_um", "height_nm", "tip_radius_mm",
                   "core_dip_nm")) + "</tr>" for f in fibers)
    fiber_table = (
        "<h2>Fibers</h2><table><tr><th>#</th><th>row</th><th>x (um)</th><th>y (um)</th>"
        "<th>height (nm)</th><th>tip radius (mm)</th><th>core dip (nm)</th></tr>"
        f"{fiber_rows}</table>" if fibers else "")
    bars = _bars_png(result) if fibers else None
    bar_html = f"<h2>Fiber heights</h2><img src='data:image/png;base64,{bars}'>" if bars else ""
    if result.reasons:
        body = ("<h2>Why no numbers</h2><ul>"
                + "".join(f"<li>{html.escape(r)}</li>" for r in result.reasons)
                + "</ul><p>The data cannot support a measurement; this is neither a pass nor "
                "a fail. Re-scan the ferrule.</p>")
    else:
        body = f"<h2>Geometry and checks</h2>{_parameter_table(result)}"
    title = html.escape(result.serial or Path(result.file).name or "ferrule")
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>mpokit QC {title}</title>
<style>{_STYLE}</style>
</head><body>
<h1>End-face geometry: {title}</h1>
<p>file {html.escape(result.file)} &middot; kind {result.kind} &middot; profile
{html.escape(result.profile)} &middot; fixture {result.fixture_angle_deg:g}&deg; &middot;
noise {result.geometry.noise_nm:.2f} nm RMS</p>
<p class="verdict" style="color:{colour}">{verdict.upper()}</p>
{body}
{fiber_table}
<h2>Height map</h2><img src='data:image/png;base64,{_map_png(result, scan)}'>
{bar_html}
<p style="color:#777;font-size:80%">Definitions: docs/qc.md. Limits with status
'typical' are placeholders, not standard values.</p>
</body></html>
"""


def _histogram_png(stat: ParameterStats) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(3.6, 2.2))
    vals = np.asarray(stat.values)
    ax.hist(vals, bins=min(30, max(5, vals.size // 3)), color="#2e86c1")
    for bound in (stat.limit.min, stat.limit.max):
        if bound is not None:
            ax.axvline(bound, color="#c0392b", ls="--", lw=1)
    ax.set_xlabel(f"{stat.parameter} ({stat.unit})" if stat.unit else stat.parameter,
                  fontsize=8)
    ax.tick_params(labelsize=7)
    out = _png(fig)
    plt.close(fig)
    return out


def generate_index(outcomes: Sequence[Outcome], lot: LotSummary,
                   report_names: Sequence[str | None]) -> str:
    """The lot's index page: headline, per-parameter statistics with histograms, and one
    row per ferrule linking its report (failing fibers named and highlighted)."""
    stat_rows = "".join(
        f"<tr><td class='l'>{s.parameter}</td><td>{html.escape(s.limit.text(s.unit))}</td>"
        f"<td>{s.ferrules}</td><td class='{'' if s.passed == s.ferrules else 'bad'}'>"
        f"{_fmt(s.yield_pct)} %</td><td>{_fmt(s.mean)} {s.unit}</td><td>{_fmt(s.sd)} {s.unit}"
        f"</td><td>{_fmt(s.cpk)}</td><td>"
        + (f"<img src='data:image/png;base64,{_histogram_png(s)}'>" if len(s.values) > 1
           else "") + "</td></tr>" for s in lot.parameters)
    rows = []
    for o, name in zip(outcomes, report_names, strict=True):
        verdict = o.verdict
        link = (f"<a href='{html.escape(name)}'>{html.escape(Path(o.file).name)}</a>"
                if name and isinstance(o, QcResult) else html.escape(Path(o.file).name))
        if isinstance(o, QcFailure):
            detail = html.escape(o.message)
        elif o.reasons:
            detail = html.escape("; ".join(o.reasons))
        else:
            detail = ", ".join(
                f"<span class='bad'>{c.parameter}"
                + (f" (fibers {', '.join(map(str, c.failed))})" if c.failed else "")
                + "</span>" for c in o.checks if not c.ok)
        serial = html.escape(o.serial) if isinstance(o, QcResult) else ""
        rows.append(f"<tr><td class='l'>{link}</td><td class='l'>{serial}</td>"
                    f"<td style='color:{_VERDICT_COLOUR[verdict]}'>{verdict}</td>"
                    f"<td class='l'>{detail}</td></tr>")
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>mpokit QC lot</title><style>{_STYLE}</style>
</head><body>
<h1>End-face geometry: lot of {lot.total}</h1>
<p class="verdict">{html.escape(lot.headline())}</p>
<h2>Parameters</h2>
<table><tr><th class='l'>parameter</th><th>limit</th><th>ferrules</th><th>yield</th>
<th>mean</th><th>SD</th><th>Cpk</th><th>histogram (limits dashed)</th></tr>{stat_rows}</table>
<h2>Ferrules</h2>
<table><tr><th class='l'>file (report)</th><th class='l'>serial</th><th>verdict</th>
<th class='l'>failed checks / reason</th></tr>{''.join(rows)}</table>
<p style="color:#777;font-size:80%">Yield counts ferrules; mean, SD and Cpk of per-fiber
parameters pool every fiber. Unmeasurable and unreadable scans are not in the statistics.
Definitions: docs/qc.md.</p>
</body></html>
"""


def write_index(outcomes: Sequence[Outcome], lot: LotSummary,
                report_names: Sequence[str | None], path: str | os.PathLike[str]) -> Path:
    """Write the lot index atomically; returns the path."""
    text = generate_index(outcomes, lot, report_names)
    out = Path(path)
    _atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return out


def write_report(result: QcResult, scan: Scan, path: str | os.PathLike[str]) -> Path:
    """Write the report atomically; returns the path."""
    text = generate_report(result, scan)
    out = Path(path)
    _atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return out
