"""SVG drawings of the web pages: lanes through a channel, loss waterfall, plan figures.

Pure functions from results to SVG text (escaped; presentation attributes only, no inline
styles, so the drawings pass the app's Content-Security-Policy and stand alone when saved).

* :func:`lanes_svg` -- every Tx lane of both directions face by face through the channel:
  **one ``<path class="lane">`` per lane**, Tx-side lanes warm, arrival at a receiver cool,
  a lane that reaches no receiver dashed red; the failing elements framed in red.
* :func:`waterfall_svg` -- the loss budget element by element, up to the total, against the
  limit (labelled with its status: a typical or vendor value is never drawn as a standard's).

Histograms (the plan page's loss margins, the QC distributions) are drawn by one function,
:func:`mpokit.web.qc_svg.bars_svg`.

Example:
    >>> from mpokit.connectivity.io import parse_channel
    >>> from mpokit.verify import check_channel
    >>> r = check_channel(parse_channel({"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [
    ...     {"cord": {"connector": "MPO-12", "type": "A", "fiber": "OS2", "length_m": 3}}]}))
    >>> svg = lanes_svg(r, fault_at={0})
    >>> svg.count('class="lane '), 'data-fault="true"' in svg
    (8, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from mpokit.connectivity.checks import ChannelResult
from mpokit.connectivity.trace import Trace, trace

__all__ = ["TX_COLOURS", "lanes_svg", "waterfall_svg"]

#: Lane colours by direction (Tx of end A, Tx of end B); receivers are drawn in RX_COLOUR.
TX_COLOURS = {"a->b": "#d9480f", "b->a": "#7048e8"}
RX_COLOUR = "#1864ab"
FAIL_COLOUR = "#c62828"
_MUTED = "#8c959f"


def _e(v: object) -> str:
    return escape(str(v), quote=True)


def _label_of(at: int, breakdown: dict[int, str], kinds: Sequence[str]) -> str:
    kind = kinds[at] if at < len(kinds) else "element"
    what = breakdown.get(at)
    return f"path[{at}] {what or kind}"


def lanes_svg(result: ChannelResult, *, fault_at: Iterable[int] = (),
              traces: tuple[Trace, Trace] | None = None) -> str:
    """Every lane of a checked channel travelling through each element, as SVG.

    Parameters
    ----------
    result
        The channel's verdict (:func:`mpokit.verify.check_channel`).
    fault_at
        Indices of the path elements to highlight as failing.
    traces
        The channel's ``(a->b, b->a)`` traces; computed from the result when omitted.

    Returns
    -------
    str
        An ``<svg>`` element: a band of elements (end A, path[0] ... end B) and one panel per
        direction, one ``<path class="lane ...">`` per lane with ``data-lane`` and
        ``data-status``.
    """
    from mpokit.connectivity.spec import element_kind

    fwd, back = traces or trace(result.channel)
    faults = {int(i) for i in fault_at}
    spec = result.channel.spec
    kinds = [element_kind(el) for el in spec.path]
    loss = result.extra.get("loss") or {}
    what = {int(str(b["at"])[5:-1]): str(b.get("what", "")) for b in loss.get("breakdown", [])
            if str(b.get("at", "")).startswith("path[")}
    status = {(ln.direction, ln.lane): ln.status for ln in result.lanes}
    n_cols = max(len(fwd.rows), len(back.rows), 2)
    row_h, left, right = 13, 70, 90
    col_w = max(92.0, 1000.0 / (n_cols - 1))
    width = int(left + (n_cols - 1) * col_w + right)
    positions = [p for t in (fwd, back) for r in t.rows for p in r.positions if p]
    top_pos = max([*positions, 2])
    band_h = 58
    panel_h = (top_pos - 1) * row_h + 52
    height = band_h + 2 * panel_h + 26
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="lanes" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-labelledby="lanes-title" font-size="11">',
           f'<title id="lanes-title">Lanes of {_e(result.name)}: '
           f'{"pass" if result.ok else "FAIL"}</title>']

    def x_of(j: int, n: int, reverse: bool) -> float:
        k = n - 1 - j if reverse else j
        return left + k * (n_cols - 1) * col_w / max(n - 1, 1)

    # the element band: end A, each path element (over the columns it owns), end B
    n_f = len(fwd.rows)
    spans: dict[int, list[float]] = {}
    for j, row in enumerate(fwd.rows):
        if row.at is not None and not row.face.startswith("end"):
            spans.setdefault(row.at, []).append(x_of(j, n_f, False))
    boxes: list[tuple[str, str, float, float, bool]] = [
        ("end A", str(spec.end("a").transceiver), left - 36, left + 36, False)]
    for at in range(len(kinds)):
        xs = spans.get(at) or [left + (at + 1) * (n_cols - 1) * col_w / (len(kinds) + 1)]
        boxes.append((f"path[{at}]", _label_of(at, what, kinds).split(" ", 1)[1],
                      min(xs) - 14 - (28 if len(xs) == 1 else 0),
                      max(xs) + 14 + (28 if len(xs) == 1 else 0), at in faults))
    boxes.append(("end B", str(spec.end("b").transceiver), width - right - 36,
                  width - right + 36, False))
    for i, (name, label, x0, x1, fault) in enumerate(boxes):
        y = 6 + (i % 2) * 4
        colour = FAIL_COLOUR if fault else "#57606a"
        out.append(
            f'<g class="element{" fault" if fault else ""}" data-element="{_e(name)}" '
            f'data-fault="{"true" if fault else "false"}">'
            f'<rect x="{x0:.1f}" y="{y}" width="{x1 - x0:.1f}" height="40" rx="4" '
            f'fill="{"#ffebee" if fault else "#f6f8fa"}" stroke="{colour}" '
            f'stroke-width="{3 if fault else 1}"/>'
            f'<text x="{(x0 + x1) / 2:.1f}" y="{y + 16}" text-anchor="middle" '
            f'font-weight="600" fill="{colour}">{_e(name)}{" ✗" if fault else ""}</text>'
            f'<text x="{(x0 + x1) / 2:.1f}" y="{y + 31}" text-anchor="middle" '
            f'font-size="9" fill="#57606a">{_e(label[:24])}</text>'
            f'<title>{_e(name)}: {_e(label)}{" (failing element)" if fault else ""}</title></g>')

    for panel, (t, reverse) in enumerate(((fwd, False), (back, True))):
        y0 = band_h + panel * panel_h + 28
        n = len(t.rows)
        src, dst = ("A", "B") if not reverse else ("B", "A")
        out.append(f'<g class="panel" data-direction="{t.direction}">'
                   f'<text x="4" y="{y0 - 12}" font-weight="600">{t.direction}: Tx of end '
                   f'{src} to end {dst}</text>')
        for p in range(1, top_pos + 1):  # position rows
            y = y0 + (p - 1) * row_h
            out.append(f'<text x="{left - 40}" y="{y + 4}" font-size="9" fill="{_MUTED}" '
                       f'text-anchor="end">{p}</text>')
        for j, row in enumerate(t.rows):  # one vertical guide per face
            x = x_of(j, n, reverse)
            fault = row.at is not None and row.at in faults and not row.face.startswith("end")
            out.append(f'<line x1="{x:.1f}" y1="{y0 - 6}" x2="{x:.1f}" '
                       f'y2="{y0 + (top_pos - 1) * row_h + 6}" '
                       f'stroke="{FAIL_COLOUR if fault else "#d0d7de"}" '
                       f'stroke-width="{2 if fault else 1}"><title>{_e(row.face)}</title></line>')
        for k, lane in enumerate(t.lanes):
            pts = []
            for j, row in enumerate(t.rows):
                pos = row.positions[k]
                if not pos:
                    break
                pts.append((x_of(j, n, reverse), y0 + (pos - 1) * row_h))
            st = status.get((t.direction, k), "ok")
            good = st == "ok"
            colour = TX_COLOURS[t.direction] if good else FAIL_COLOUR
            arrives = t.arrives[k] if k < len(t.arrives) else "-"
            dash = "" if good else ' stroke-dasharray="5 3"'
            d = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}"
                         for i, (x, y) in enumerate(pts)) or f"M{left},{y0}"
            out.append(
                f'<path class="lane {"ok" if good else "bad"}" data-lane="{t.direction}:{k}" '
                f'data-status="{_e(st)}" d="{d}" fill="none" stroke="{colour}" '
                f'stroke-width="2"{dash}>'
                f'<title>{t.direction} {_e(lane)} -> {_e(arrives)} ({_e(st)})</title></path>')
            if pts:
                sx, sy = pts[0]
                ex, ey = pts[-1]
                sign, s_anchor, e_anchor = (-1, "end", "start") if not reverse else (
                    1, "start", "end")
                end_colour = RX_COLOUR if arrives.startswith("Rx") and good else FAIL_COLOUR
                lost = "✗ " if len(pts) < n else ""
                out.append(f'<text x="{sx + 6 * sign:.1f}" y="{sy + 4:.1f}" font-size="9" '
                           f'text-anchor="{s_anchor}" fill="{TX_COLOURS[t.direction]}">'
                           f'{_e(lane)}</text>'
                           f'<text x="{ex - 6 * sign:.1f}" y="{ey + 4:.1f}" font-size="9" '
                           f'text-anchor="{e_anchor}" fill="{end_colour}">{lost}{_e(arrives)}'
                           '</text>')
        out.append("</g>")
    y = height - 8
    out.append(f'<g class="legend" font-size="10"><line x1="4" y1="{y - 4}" x2="24" '
               f'y2="{y - 4}" stroke="{TX_COLOURS["a->b"]}" stroke-width="2"/>'
               f'<text x="28" y="{y}">Tx of end A</text>'
               f'<line x1="110" y1="{y - 4}" x2="130" y2="{y - 4}" '
               f'stroke="{TX_COLOURS["b->a"]}" stroke-width="2"/>'
               f'<text x="134" y="{y}">Tx of end B</text>'
               f'<text x="216" y="{y}" fill="{RX_COLOUR}">Rx: reaches a receiver</text>'
               f'<line x1="350" y1="{y - 4}" x2="370" y2="{y - 4}" stroke="{FAIL_COLOUR}" '
               f'stroke-width="2" stroke-dasharray="5 3"/>'
               f'<text x="374" y="{y}">lane that fails</text>'
               f'<text x="470" y="{y}" fill="{_MUTED}">rows: fiber position on each face '
               f'(1-based)</text></g>')
    out.append("</svg>")
    return "".join(out)


def waterfall_svg(loss: dict[str, Any], *, width: int = 720, height: int = 260) -> str:
    """The loss budget as a waterfall: each element's loss stacked up to the total.

    Parameters
    ----------
    loss
        The channel's loss record (``ChannelResult.extra["loss"]``: ``breakdown``,
        ``total_db``, ``limit_db``, ``limit_status``, ``margin_db``).
    width, height
        Size in px.

    Returns
    -------
    str
        An ``<svg>``: one ``<rect class="step">`` per element, a total bar and the limit
        line; empty text when the record has no breakdown.

    Examples
    --------
    >>> svg = waterfall_svg({"breakdown": [{"at": "path[0]", "what": "cord", "loss_db": 0.5}],
    ...                      "total_db": 0.5, "limit_db": 1.9, "limit_status": "typical"})
    >>> svg.count('class="step"'), "typical" in svg
    (1, True)
    """
    steps = [(str(b.get("at") or ""), str(b.get("what") or b.get("kind") or ""),
              float(b.get("loss_db") or 0.0), str(b.get("status") or ""))
             for b in loss.get("breakdown", [])]
    if not steps:
        return ""
    total = float(loss.get("total_db") or sum(s[2] for s in steps))
    rest = total - sum(s[2] for s in steps)
    if abs(rest) > 5e-4:
        steps.append(("", "other (penalties, allowances)", rest, ""))
    limit = loss.get("limit_db")
    top = max(total, float(limit) if limit is not None else 0.0, 0.1) * 1.12
    left, bottom, top_pad = 48, 62, 14
    plot_h = height - bottom - top_pad
    n = len(steps) + 1
    bw = (width - left - 10) / n

    def y(v: float) -> float:
        return top_pad + plot_h * (1 - v / top)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="waterfall" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" role="img" font-size="10" '
           f'aria-label="Loss waterfall: {total:.2f} dB total">']
    for k in range(6):  # grid
        v = top * k / 5
        out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                   f'stroke="#eaeef2"/><text x="{left - 4}" y="{y(v) + 3:.1f}" '
                   f'text-anchor="end" fill="{_MUTED}">{v:.2f}</text>')
    acc = 0.0
    for i, (at, what, db, status) in enumerate(steps):
        lo, hi = sorted((acc, acc + db))
        x = left + i * bw + 3
        fill = "#4c8bd6" if "cord" in what or "trunk" in what or "fiber" in what else "#e8a33d"
        out.append(f'<rect class="step" x="{x:.1f}" y="{y(hi):.1f}" width="{bw - 6:.1f}" '
                   f'height="{max(y(lo) - y(hi), 0.8):.1f}" fill="{fill}"><title>{_e(at)} '
                   f'{_e(what)}: {db:.3f} dB{f" ({_e(status)})" if status else ""}</title></rect>'
                   f'<text x="{x + (bw - 6) / 2:.1f}" y="{height - bottom + 14}" '
                   f'text-anchor="middle">{_e(at or "other")}</text>'
                   f'<text x="{x + (bw - 6) / 2:.1f}" y="{height - bottom + 26}" '
                   f'text-anchor="middle" fill="{_MUTED}">{db:.2f}</text>')
        acc += db
    x = left + len(steps) * bw + 3
    over = limit is not None and total > float(limit)
    out.append(f'<rect class="total" x="{x:.1f}" y="{y(total):.1f}" width="{bw - 6:.1f}" '
               f'height="{y(0) - y(total):.1f}" fill="{FAIL_COLOUR if over else "#2f6f3e"}">'
               f'<title>total {total:.3f} dB</title></rect>'
               f'<text x="{x + (bw - 6) / 2:.1f}" y="{height - bottom + 14}" '
               f'text-anchor="middle" font-weight="600">total</text>'
               f'<text x="{x + (bw - 6) / 2:.1f}" y="{height - bottom + 26}" '
               f'text-anchor="middle">{total:.2f}</text>')
    if limit is not None:
        ly = y(float(limit))
        status = loss.get("limit_status") or ""
        out.append(f'<line class="limit" x1="{left}" x2="{width - 10}" y1="{ly:.1f}" '
                   f'y2="{ly:.1f}" stroke="{FAIL_COLOUR}" stroke-dasharray="6 3"/>'
                   f'<text x="{left + 4}" y="{ly - 4:.1f}" fill="{FAIL_COLOUR}">limit '
                   f'{float(limit):.2f} dB{f" ({_e(status)})" if status else ""}</text>')
    out.append(f'<text x="{left}" y="{height - 8}" fill="{_MUTED}">dB, cumulative; blue: '
               'fiber, amber: connections and splices</text></svg>')
    return "".join(out)
