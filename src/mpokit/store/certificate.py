"""Per-assembly certificates: HTML (Jinja2) and PDF (WeasyPrint).

A certificate holds the serial (also as a QR code, made with segno), lot and supplier, the
verdict and IEC grade against a limit profile, the IL/RL table per end, fiber and wavelength,
the geometry summary per end and a height map of the fibers, and the newest end-face
inspection of each end (verdict, action and scratch/defect counts per zone for every fiber;
:mod:`mpokit.store.endface`). The certificate's verdict is the worst of the IL/RL verdict
and the end-face verdicts: a failing or unjudgeable end face never leaves a PASS.

Example:
    >>> import tempfile, pathlib
    >>> from mpokit.store import open_store, import_file
    >>> from mpokit.store.grading import get_profile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "r.csv").write_text("serial,end,fiber,wavelength_nm,il_db,rl_db,station,"
    ...     "timestamp\\nS1,A,1,1310,0.12,62.0,st1,\\n")
    >>> with open_store(f"sqlite:///{d}/q.db") as st:
    ...     _ = import_file(st, d / "r.csv")
    ...     html = certificate_html(st, "S1", get_profile("iec-B-2"))
    >>> "S1" in html and "PASS" in html
    True
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select

from mpokit._files import atomic_write
from mpokit.errors import InputError
from mpokit.store.assess import AssemblyData, grade_assembly, load_assemblies
from mpokit.store.db import Store
from mpokit.store.grading import LimitProfile
from mpokit.store.models import Measurement

__all__ = ["certificate_html", "height_map_svg", "write_certificate"]

_PARAMS = (("height_diff_nm", "coplanarity, max - min height (nm)"),
           ("adjacent_diff_nm", "adjacent fiber difference (nm)"),
           ("minus_coplanarity_nm", "minus coplanarity (nm)"),
           ("angle_x_deg", "end-face angle x (deg)"), ("angle_y_deg", "end-face angle y (deg)"),
           ("radius_mm", "radius of curvature (mm)"), ("apex_offset_um", "apex offset (um)"),
           ("fiber_height_nm", "fiber height (nm)"))


def height_map_svg(fibers: list[dict[str, Any]]) -> str:
    """An SVG of fiber heights: circles at the fibers' positions (or in a row), coloured from
    blue (lowest) to red (highest), labelled in nm.

    >>> "<svg" in height_map_svg([{"fiber": 1, "x_um": 0.0, "y_um": 0.0, "height_nm": 50.0}])
    True
    """
    pts = [f for f in fibers if f.get("height_nm") is not None]
    if not pts:
        return ""
    have_xy = all(f.get("x_um") is not None and f.get("y_um") is not None for f in pts)
    xs = np.array([f["x_um"] if have_xy else 250.0 * i for i, f in enumerate(pts)], float)
    ys = np.array([f["y_um"] if have_xy else 0.0 for f in pts], float)
    h = np.array([f["height_nm"] for f in pts], float)
    span = max(float(np.ptp(xs)), 1.0)
    scale = 620.0 / (span + 500.0)
    cx = 40 + (xs - xs.min()) * scale
    cy = 40 + (ys.max() - ys) * scale
    width, height = float(cx.max() + 60), float(cy.max() + 60)
    lo, hi = float(h.min()), float(h.max())
    t = (h - lo) / (hi - lo) if hi > lo else np.full(h.size, 0.5)
    r = max(8.0, min(18.0, 110.0 * scale))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
             f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">']
    for x, y, v, k, f in zip(cx, cy, h, t, pts, strict=True):
        colour = f"rgb({int(255 * k)},{int(80 * (1 - abs(2 * k - 1)))},{int(255 * (1 - k))})"
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}"/>'
                     f'<text x="{x:.1f}" y="{y + r + 10:.1f}" font-size="8" '
                     f'text-anchor="middle">{f["fiber"]}: {v:.0f}</text>')
    parts.append(f'<text x="4" y="{height - 4:.0f}" font-size="8">fiber: height nm '
                 f"(blue {lo:.0f} .. red {hi:.0f})</text></svg>")
    return "".join(parts)


def _qr_data_uri(serial: str) -> str:
    import segno

    return str(segno.make(serial, error="m").svg_data_uri(scale=4))


def _context(store: Store, d: AssemblyData, profile: LimitProfile) -> dict[str, Any]:
    from mpokit import __version__

    g = grade_assembly(d, profile)
    verdict_of = dict(zip(zip(g.ends, g.fibers, strict=True), g.fiber_verdicts, strict=True))
    wls = sorted(set(d.wavelength_nm.tolist()))
    cells: dict[tuple[str, int], dict[float, tuple[str, str]]] = {}
    for e, f, wl, il, rl in zip(d.end.tolist(), d.fiber.tolist(), d.wavelength_nm.tolist(),
                                d.il_db.tolist(), d.rl_db.tolist(), strict=True):
        cells.setdefault((e, f), {})[wl] = (f"{il:.2f}", "-" if np.isnan(rl) else f"{rl:.1f}")
    rows = [{"end": e, "fiber": f, "verdict": verdict_of.get((e, f), "?"),
             "cells": [cells[(e, f)].get(wl, ("-", "-")) for wl in wls]}
            for e, f in sorted(cells)]
    geometry = []
    for ge in d.geometry:
        params = [(label, f"{ge['parameters'][k]:.3g}") for k, label in _PARAMS
                  if (ge["parameters"] or {}).get(k) is not None]
        geometry.append({"end": ge["end"], "profile": ge["profile"], "ok": ge["ok"],
                         "failed_checks": ge["failed_checks"], "params": params,
                         "map": height_map_svg(ge["fibers"])})
    from mpokit.store.endface import latest_inspections

    endface = latest_inspections(store, d.serial)
    verdicts = {g.verdict, *(e["verdict"] for e in endface)}
    verdict = "fail" if "fail" in verdicts else (
        "unmeasurable" if "unmeasurable" in verdicts else g.verdict)
    with store.read() as s:
        files = s.scalar(select(func.count(func.distinct(Measurement.file_id)))
                         .where(Measurement.serial == d.serial,
                                Measurement.origin == "supplier")) or 0
    return {"serial": d.serial, "lot": d.lot, "supplier": d.supplier,
            "stations": list(d.stations), "profile": profile, "grade": g.grade,
            "verdict": verdict, "ilrl_verdict": g.verdict,
            "endface": endface, "wavelengths": wls, "rows": rows, "geometry": geometry,
            "qr": _qr_data_uri(d.serial), "files": files, "version": __version__,
            "issued": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def _render(store: Store, serial: str, profile: LimitProfile) -> tuple[str, str]:
    from jinja2 import Environment, PackageLoader, select_autoescape

    with store.read():  # results, end faces and file count from one snapshot
        found = load_assemblies(store, [serial], with_geometry=True)
        if not found:
            raise InputError(f"serial {serial!r} has no IL/RL results in the store",
                             field="SERIAL",
                             fix="import its station file first (mpokit qc import)")
        ctx = _context(store, found[0], profile)
    env = Environment(loader=PackageLoader("mpokit.store", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("certificate.html.j2").render(**ctx), str(ctx["verdict"])


def certificate_html(store: Store, serial: str, profile: LimitProfile) -> str:
    """The certificate of ``serial`` as a standalone HTML page.

    Parameters:
        store: the open store.
        serial: the assembly serial.
        profile: the limits to grade against.

    Returns:
        HTML text (the QR code and height maps are inline SVG).

    Raises:
        InputError: the serial has no IL/RL results in the store.
    """
    return _render(store, serial, profile)[0]


def write_certificate(store: Store, serial: str, profile: LimitProfile,
                      path: str | os.PathLike[str]) -> str:
    """Write the certificate to ``path`` (``.html`` or ``.pdf``) atomically.

    Returns:
        The verdict (``pass``, ``fail`` or ``unmeasurable``).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise InputError(f"unknown certificate format {suffix!r}", field="-o",
                         fix="name the output FILE.pdf or FILE.html")
    html, verdict = _render(store, serial, profile)
    if suffix == ".pdf":
        try:
            from weasyprint import HTML
        except (ImportError, OSError) as exc:
            raise InputError(f"PDF output needs WeasyPrint and its libraries: {exc}",
                             field="-o", fix="pip install 'mpokit[store]' and install "
                             "libpango (Debian: libpango-1.0-0 libpangoft2-1.0-0)") from None
        atomic_write(p, lambda tmp: HTML(string=html).write_pdf(str(tmp)))
    else:
        atomic_write(p, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return verdict
