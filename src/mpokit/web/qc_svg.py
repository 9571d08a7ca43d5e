"""Server-side SVG charts of the QC, acceptance and plan pages (no front-end library).

Every histogram of the app is drawn by :func:`bars_svg` (counts over bin edges, an optional
limit line, bins below a value drawn as bad); :func:`histogram_svg` bins raw values for it.

Every function returns one ``<svg>`` string with escaped text, a ``role="img"`` and an
``aria-label`` so a screen reader names the chart, and ``data-*`` attributes the browser
tests read (one ``circle.point`` per control-chart point, one ``path.lane`` per fiber).

Example:
    >>> svg = histogram_svg([0.1, 0.12, 0.2], title="IL", unit="dB", limit=0.25)
    >>> svg.startswith("<svg") and 'class="bar"' in svg
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import numpy as np

__all__ = ["bars_svg", "control_chart_svg", "fiber_map_svg", "histogram_svg"]

_W, _H, _L, _R, _T, _B = 640, 220, 70, 16, 24, 40  # size and margins (px)
_BAR, _BAD = "#1864ab", "#c62828"  # also in qa.css; attributes let a saved SVG stand alone


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _axis(lo: float, hi: float, y_of: Any, unit: str) -> list[str]:
    out = []
    for v in np.linspace(lo, hi, 5):
        y = y_of(v)
        out.append(f'<line x1="{_L}" x2="{_W - _R}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                   f'<text x="{_L - 4}" y="{y + 3:.1f}" text-anchor="end">{_fmt(v)}</text>')
    out.append(f'<text x="10" y="{_T + (_H - _T - _B) / 2:.0f}" transform="rotate(-90 10 '
               f'{_T + (_H - _T - _B) / 2:.0f})" text-anchor="middle">{escape(unit)}</text>')
    return out


def histogram_svg(values: Sequence[float], *, title: str, unit: str, bins: int = 20,
                  limit: float | None = None, limit_label: str = "limit") -> str:
    """A histogram of ``values`` with an optional vertical limit line (binned here, drawn by
    :func:`bars_svg`).

    Parameters
    ----------
    values
        The measured values (non-finite ones are dropped).
    title, unit
        Chart title and the unit of the x axis.
    bins
        Number of bars.
    limit, limit_label
        A specification limit drawn as a red line, and its label.

    Returns
    -------
    str
        The SVG; a short note instead of bars when there is no finite value.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return bars_svg([], [], title=title, unit=unit)
    lo, hi = float(x.min()), float(x.max())
    if limit is not None and np.isfinite(limit):
        lo, hi = min(lo, limit), max(hi, limit)
    if hi <= lo:
        lo, hi = lo - 0.5 * (abs(lo) or 1.0) * 0.1, hi + 0.5 * (abs(hi) or 1.0) * 0.1
    counts, edges = np.histogram(x, bins=bins, range=(lo, hi))
    return bars_svg(counts.tolist(), edges.tolist(), title=title, unit=unit, limit=limit,
                    limit_label=limit_label)


def bars_svg(counts: Sequence[int], edges: Sequence[float], *, title: str, unit: str,
             limit: float | None = None, limit_label: str = "limit",
             bad_below: float | None = None) -> str:
    """A histogram from counts per bin: the one function that draws every histogram.

    Parameters
    ----------
    counts
        Count per bin.
    edges
        Bin edges, ascending (``len(counts) + 1``).
    title, unit
        Chart title and the unit of the x axis.
    limit, limit_label
        A limit drawn as a red vertical line (inside the edges), and its label.
    bad_below
        Bins whose upper edge is at or below this value are drawn red, class ``bar bad``
        (a negative loss margin); None: none.

    Returns
    -------
    str
        The SVG: one ``rect.bar`` per non-empty bin; a short note when there are no values.

    Example
    -------
    >>> bars_svg([1, 0, 3], [-1.0, 0.0, 1.0, 2.0], title="margin", unit="dB",
    ...          bad_below=0.0).count('class="bar')
    2
    """
    n = int(sum(counts))
    label = f"{title}: histogram of {n} values ({unit})"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart histogram" role="img" '
            f'aria-label="{escape(label)}" viewBox="0 0 {_W} {_H}" width="{_W}" '
            f'height="{_H}" font-size="10" data-n="{n}"><title>{escape(label)}</title>')
    if n == 0 or len(edges) != len(counts) + 1:
        return head + f'<text x="{_L}" y="{_H / 2:.0f}">{escape(title)}: no values</text></svg>'
    lo, hi = float(edges[0]), float(edges[-1])
    top = max(int(max(counts)), 1)
    pw, ph = _W - _L - _R, _H - _T - _B

    def x_of(v: float) -> float:
        return _L + (v - lo) / (hi - lo) * pw

    def y_of(c: float) -> float:
        return _T + ph - c / top * ph

    parts = [head, f'<text x="{_L}" y="14" class="title">{escape(title)} (n = {n})</text>']
    parts += _axis(0, top, y_of, "count")
    for c, a, b in zip(counts, edges[:-1], edges[1:], strict=True):
        if c:
            bad = bad_below is not None and b <= bad_below
            parts.append(f'<rect class="bar{" bad" if bad else ""}" x="{x_of(a):.1f}" '
                         f'y="{y_of(c):.1f}" width="{max(x_of(b) - x_of(a) - 1, 1):.1f}" '
                         f'height="{_T + ph - y_of(c):.1f}" '
                         f'fill="{_BAD if bad else _BAR}"><title>{_fmt(a)}..{_fmt(b)} '
                         f"{escape(unit)}: {c}</title></rect>")
    for v in (lo, hi):
        parts.append(f'<text x="{x_of(v):.1f}" y="{_H - _B + 14}" text-anchor="middle">'
                     f"{_fmt(v)}</text>")
    parts.append(f'<text x="{_L + pw / 2:.0f}" y="{_H - 6}" text-anchor="middle">'
                 f"{escape(unit)}</text>")
    if limit is not None and np.isfinite(limit) and lo <= limit <= hi:
        lx = x_of(limit)
        right = lx > _L + pw / 2  # label on the side with room
        parts.append(f'<line class="limit" x1="{lx:.1f}" x2="{lx:.1f}" y1="{_T}" '
                     f'y2="{_T + ph}" stroke="{_BAD}"/><text class="limit" '
                     f'x="{lx - 3 if right else lx + 3:.1f}" y="{_T + 10}" '
                     f'text-anchor="{"end" if right else "start"}" fill="{_BAD}">'
                     f"{escape(limit_label)} {_fmt(limit)}</text>")
    return "".join(parts) + "</svg>"


def control_chart_svg(chart: dict[str, Any], *, title: str, unit: str) -> str:
    """An X-bar, R or EWMA control chart from :meth:`ControlChart.to_dict`.

    Points outside their limits are drawn red with class ``ooc``.

    Parameters
    ----------
    chart
        ``{"kind", "center", "points": [{"name", "value", "lcl", "ucl"}], ...}``.
    title, unit
        Chart title and the unit of the y axis.

    Returns
    -------
    str
        The SVG: centre line, stepped limits, one ``circle.point`` per subgroup.
    """
    pts = chart["points"]
    n = len(pts)
    label = f"{title}: {n} subgroups, centre {_fmt(chart['center'])} {unit}"
    vals = [p[k] for p in pts for k in ("value", "lcl", "ucl")]
    lo, hi = min(vals), max(vals)
    pad = (hi - lo) * 0.08 or 0.01
    # a chart of non-negative values (ranges, R chart) gets no axis below zero
    lo, hi = (lo - pad if lo < 0 else max(lo - pad, 0.0)), hi + pad
    pw, ph = _W - _L - _R, _H - _T - _B

    def x_of(i: float) -> float:
        return _L + (i + 0.5) / n * pw

    def y_of(v: float) -> float:
        return _T + (hi - v) / (hi - lo) * ph

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart control" role="img" '
             f'aria-label="{escape(label)}" viewBox="0 0 {_W} {_H}" '
             f'data-kind="{escape(chart["kind"])}" data-n="{n}"><title>{escape(label)}</title>',
             f'<text x="{_L}" y="14" class="title">{escape(title)}</text>']
    parts += _axis(lo, hi, y_of, unit)
    cy = y_of(chart["center"])
    parts.append(f'<line class="center" x1="{_L}" x2="{_W - _R}" y1="{cy:.1f}" y2="{cy:.1f}"/>')
    for key in ("ucl", "lcl"):
        d = "M" + " L".join(f"{x_of(i - 0.5):.1f},{y_of(p[key]):.1f} "
                            f"{x_of(i + 0.5):.1f},{y_of(p[key]):.1f}" for i, p in enumerate(pts))
        parts.append(f'<path class="limit {key}" d="{d}" fill="none"/>')
    line = " L".join(f"{x_of(i):.1f},{y_of(p['value']):.1f}" for i, p in enumerate(pts))
    parts.append(f'<path class="series" d="M{line}" fill="none"/>')
    for i, p in enumerate(pts):
        bad = p["value"] > p["ucl"] or p["value"] < p["lcl"]
        parts.append(f'<circle class="point{" ooc" if bad else ""}" cx="{x_of(i):.1f}" '
                     f'cy="{y_of(p["value"]):.1f}" r="3.5" data-name="{escape(str(p["name"]))}">'
                     f"<title>{escape(str(p['name']))}: {_fmt(p['value'])} {escape(unit)} "
                     f"(limits {_fmt(p['lcl'])}..{_fmt(p['ucl'])})</title></circle>")
    step = max(1, n // 12)
    for i in range(0, n, step):
        parts.append(f'<text x="{x_of(i):.1f}" y="{_H - _B + 14}" text-anchor="middle" '
                     f'class="tick">{escape(str(pts[i]["name"]))[:14]}</text>')
    return "".join(parts) + "</svg>"


def fiber_map_svg(measured: Sequence[int | None], designed: Sequence[int | None], *,
                  title: str) -> str:
    """End-A positions joined to the end-B positions they reach: designed (grey, dashed)
    and measured (blue, red where it differs; ``None`` = open, no continuity).

    Parameters
    ----------
    measured, designed
        Per end-A position (0-based index), the 1-based end-B position or None.
    title
        The chart's accessible name.

    Returns
    -------
    str
        The SVG with one ``path.lane`` per measured fiber (``data-ok`` true/false).

    Example
    -------
    >>> fiber_map_svg([12, 11, None], [12, 11, 10], title="x").count('class="lane')
    3
    """
    n = max(len(measured), len(designed), 1)
    width = max(n, max((v for v in [*measured, *designed] if v), default=1))
    gap = min(44.0, (_W - 2 * _L) / max(width - 1, 1))
    top, bottom = 46.0, 196.0

    def px(pos: int) -> float:
        return _L + (pos - 1) * gap

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart fibermap" role="img" '
             f'aria-label="{escape(title)}" viewBox="0 0 {_W} 230"><title>{escape(title)}</title>',
             f'<text x="8" y="{top - 16:.0f}">end A</text>'
             f'<text x="8" y="{bottom + 26:.0f}">end B</text>']
    for p in range(1, width + 1):
        parts.append(f'<circle class="port" cx="{px(p):.1f}" cy="{top - 10:.0f}" r="7"/>'
                     f'<text x="{px(p):.1f}" y="{top - 7:.0f}" text-anchor="middle" '
                     f'class="portno">{p}</text>'
                     f'<circle class="port" cx="{px(p):.1f}" cy="{bottom + 10:.0f}" r="7"/>'
                     f'<text x="{px(p):.1f}" y="{bottom + 13:.0f}" text-anchor="middle" '
                     f'class="portno">{p}</text>')
    for i, d in enumerate(designed):
        if d is not None:
            parts.append(f'<path class="designed" d="M{px(i + 1):.1f},{top:.0f} '
                         f'L{px(d):.1f},{bottom:.0f}"/>')
    for i, m in enumerate(measured):
        want = designed[i] if i < len(designed) else None
        ok = m == want
        if m is None:
            parts.append(f'<path class="lane open" data-ok="false" data-fiber="{i + 1}" '
                         f'd="M{px(i + 1):.1f},{top:.0f} l0,30"><title>fiber {i + 1}: open'
                         "</title></path>")
            continue
        parts.append(f'<path class="lane{"" if ok else " bad"}" data-ok="{str(ok).lower()}" '
                     f'data-fiber="{i + 1}" d="M{px(i + 1):.1f},{top:.0f} '
                     f'L{px(m):.1f},{bottom:.0f}"><title>fiber {i + 1} arrives at {m}'
                     f"{'' if ok else f' (designed {want})'}</title></path>")
    return "".join(parts) + "</svg>"
