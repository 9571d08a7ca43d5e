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
from pathlib import Path
from typing import Any

import numpy as np

from mpokit.errors import InputError
from mpokit.qc.analyze import QcResult
from mpokit.qc.io import Scan, _atomic_write
from mpokit.qc.mt import MtGeometry

__all__ = ["generate_report", "write_report"]


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
    if isinstance(v, float):
        return f"{v:.4g}"
    return html.escape(str(v))


def generate_report(result: QcResult, scan: Scan) -> str:
    """The HTML text of the report of one ferrule."""
    verdict = "PASS" if result.ok else "FAIL"
    colour = "#1e8449" if result.ok else "#c0392b"
    rows = "".join(
        f"<tr><td>{html.escape(c.parameter)}</td><td>{_fmt(c.value)}</td>"
        f"<td>{html.escape(c.limit.text())}</td><td>{html.escape(c.location)}</td>"
        f"<td style='color:{'#1e8449' if c.ok else '#c0392b'}'>{'pass' if c.ok else 'FAIL'}</td>"
        f"<td>{c.limit.status}</td><td class='src'>{html.escape(c.limit.source)}</td></tr>"
        for c in result.checks)
    params = "".join(f"<tr><td>{k}</td><td>{_fmt(v)}</td></tr>"
                     for k, v in result.parameters().items())
    fibers = result.fibers()
    fiber_rows = "".join(
        "<tr>" + "".join(f"<td>{_fmt(f[k])}</td>" for k in
                         ("index", "row", "x_um", "y_um", "height_nm", "tip_radius_mm",
                          "core_dip_nm")) + "</tr>" for f in fibers)
    fiber_table = (
        "<h2>Fibers</h2><table><tr><th>#</th><th>row</th><th>x (um)</th><th>y (um)</th>"
        "<th>height (nm)</th><th>tip radius (mm)</th><th>core dip (nm)</th></tr>"
        f"{fiber_rows}</table>" if fibers else "")
    bars = _bars_png(result)
    bar_html = f"<h2>Fiber heights</h2><img src='data:image/png;base64,{bars}'>" if bars else ""
    title = html.escape(result.serial or Path(result.file).name or "ferrule")
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>mpokit QC {title}</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 8px;text-align:right}} td.src{{text-align:left;
font-size:80%;color:#555}} .verdict{{font-size:150%;font-weight:bold;color:{colour}}}</style>
</head><body>
<h1>End-face geometry: {title}</h1>
<p>file {html.escape(result.file)} &middot; kind {result.kind} &middot; profile
{html.escape(result.profile)} &middot; fixture {result.fixture_angle_deg:g}&deg; &middot;
noise {result.geometry.noise_nm:.2f} nm RMS</p>
<p class="verdict">{verdict}</p>
<h2>Parameters</h2><table>{params}</table>
<h2>Checks</h2><table><tr><th>parameter</th><th>value</th><th>limit</th><th>where</th>
<th>verdict</th><th>status</th><th>source</th></tr>{rows}</table>
{fiber_table}
<h2>Height map</h2><img src='data:image/png;base64,{_map_png(result, scan)}'>
{bar_html}
<p style="color:#777;font-size:80%">Definitions: docs/qc.md. Limits with status
'typical' are placeholders, not standard values.</p>
</body></html>
"""


def write_report(result: QcResult, scan: Scan, path: str | os.PathLike[str]) -> Path:
    """Write the report atomically; returns the path."""
    text = generate_report(result, scan)
    out = Path(path)
    _atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return out
