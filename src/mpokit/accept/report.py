"""Acceptance output: streamed JSON, human lines, the HTML report (Jinja2, escaped).

The JSON is ``{"ok", "summary", "channels": [...], "unexpected": [...], "notes": [...]}``;
every channel of the plan is one object ``{"name", "status"}`` plus ``findings`` when it
has any. It is written in chunks, as ``mpokit check --json`` is, without building one big
string.

>>> import io, json
>>> from mpokit.connectivity import ChannelSet, parse_channels
>>> from mpokit.accept.design import plan_designs
>>> from mpokit.accept.results import parse_results_text
>>> from mpokit.accept.reconcile import reconcile
>>> plan = plan_designs(ChannelSet.from_specs(parse_channels({"channels": [{"name": "x",
...     "a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [{"cord": {"connector": "MPO-12",
...     "type": "B", "fiber": "OM4", "length_m": 7}}]}]})))
>>> res = reconcile(plan, parse_results_text("label,fiber,wavelength_nm,loss_db,far_fiber\\n"
...     + "".join(f"x,{p},850,0.3,{13 - p}\\n" for p in range(1, 13))))
>>> buf = io.StringIO(); write_json(buf, res)
>>> json.loads(buf.getvalue())["channels"]
[{'name': 'x', 'status': 'pass'}]
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from mpokit._files import output_dir
from mpokit.accept.reconcile import PASS, STATUSES, AcceptResult

__all__ = ["generate_html", "summary", "write_json", "write_report"]

_CHUNK = 1 << 22
HTML_ROWS = 2000


def summary(res: AcceptResult) -> dict[str, Any]:
    """Counts per status and the verdict.

    Parameters
    ----------
    res
        A reconciliation.

    Returns
    -------
    dict[str, Any]
        ``channels``, ``counts`` and ``ok``.

    Examples
    --------
    >>> from mpokit.connectivity import ChannelSet, parse_channels
    >>> from mpokit.accept.design import plan_designs
    >>> from mpokit.accept.results import parse_results_text
    >>> from mpokit.accept.reconcile import reconcile
    >>> plan = plan_designs(ChannelSet.from_specs(parse_channels({"channels": [{"name": "x",
    ...     "a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [{"cord": {"connector":
    ...     "MPO-12", "type": "B", "fiber": "OM4", "length_m": 7}}]}]})))
    >>> summary(reconcile(plan, parse_results_text("label,fiber,wavelength_nm,loss_db,"
    ...     "far_fiber\\ny,1,850,0.3,12")))["counts"]["not_tested"]
    1
    """
    return {"channels": len(res.plan.channels), "counts": res.counts(), "ok": res.ok}


def _name(res: AcceptResult, i: int) -> str:
    n = res.plan.channels.names[i]
    return n if n else f"channel {i + 1}"


def write_json(stream: TextIO, res: AcceptResult) -> None:
    """Write the reconciliation as JSON, channel by channel, in chunks.

    Parameters
    ----------
    stream
        Where to write (text).
    res
        A reconciliation.
    """
    dumps = json.dumps
    head = {"ok": res.ok, "summary": summary(res)}
    buf = [dumps(head, indent=2)[:-2] + ',\n  "channels": [']
    size = 0
    sep = "\n    "
    status = np.asarray(STATUSES)[res.status].tolist()
    pass_tail = ', "status": "pass"}'
    for i, name in enumerate(res.plan.channels.names):
        n = dumps(name if name else f"channel {i + 1}")
        if res.status[i] == PASS and i not in res.findings:
            piece = f'{sep}{{"name": {n}{pass_tail}'
        else:
            body: dict[str, Any] = {"name": name, "status": status[i]}
            if i in res.findings:
                body["findings"] = [f.to_dict() for f in res.findings[i]]
            piece = sep + dumps(body)
        buf.append(piece)
        sep = ",\n    "
        size += len(piece)
        if size > _CHUNK:
            stream.write("".join(buf))
            buf.clear()
            size = 0
    tail = {"unexpected": [{"label": lab, "did_you_mean": list(s)} for lab, s in res.unexpected],
            "notes": list(res.notes)}
    buf.append("\n  ],\n" + dumps(tail, indent=2)[2:])
    buf.append("\n")
    stream.write("".join(buf))


def _rows(res: AcceptResult) -> tuple[list[dict[str, Any]], int]:
    order = sorted(res.findings, key=lambda i: (int(res.status[i]), i))
    rows = []
    for i in order[:HTML_ROWS]:
        fs = res.findings[i]
        det = next((f.details for f in fs if "measured_map" in f.details), {})
        rows.append({"name": _name(res, i), "status": STATUSES[int(res.status[i])],
                     "findings": fs, "measured": det.get("measured_map", ""),
                     "designed": det.get("designed_map", "")})
    nt = np.flatnonzero(res.status == STATUSES.index("not_tested"))
    room = max(0, HTML_ROWS - len(rows))
    rows += [{"name": _name(res, int(i)), "status": "not_tested", "findings": [],
              "measured": "", "designed": ""} for i in nt[:room]]
    more = len(order) + nt.size - len(rows)
    return rows, more


def generate_html(res: AcceptResult, *, plan: str = "", files: tuple[str, ...] = (),
                  traces: int = 0) -> str:
    """The acceptance report as one HTML page (every value escaped).

    Parameters
    ----------
    res
        A reconciliation.
    plan
        The plan's name or folder, for the title.
    files
        The results files read.
    traces
        How many OTDR traces were read.

    Returns
    -------
    str
        The page.

    Examples
    --------
    >>> from mpokit.connectivity import ChannelSet, parse_channels
    >>> from mpokit.accept.design import plan_designs
    >>> from mpokit.accept.results import parse_results_text
    >>> from mpokit.accept.reconcile import reconcile
    >>> plan = plan_designs(ChannelSet.from_specs(parse_channels({"channels": [{"name": "x",
    ...     "a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [{"cord": {"connector":
    ...     "MPO-12", "type": "B", "fiber": "OM4", "length_m": 7}}]}]})))
    >>> html = generate_html(reconcile(plan, parse_results_text("label,fiber,wavelength_nm,"
    ...     "loss_db,far_fiber\\n<b>,1,850,0.3,12")), plan="p")
    >>> "&lt;b&gt;" in html and "<b>" not in html
    True
    """
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("mpokit.accept", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    rows, more = _rows(res)
    return env.get_template("report.html.j2").render(
        plan=plan, n_channels=len(res.plan.channels), files=files, traces=traces,
        ok=res.ok, counts=res.counts(), notes=res.notes, rows=rows, more=more,
        unexpected=res.unexpected)


def write_report(res: AcceptResult, outdir: str | os.PathLike[str], *, plan: str = "",
                 files: tuple[str, ...] = (), traces: int = 0) -> Path:
    """Write ``report.html`` and ``acceptance.json`` into ``outdir`` at once.

    Parameters
    ----------
    res
        A reconciliation.
    outdir
        A new or empty folder, or an earlier mpokit output.
    plan, files, traces
        As for :func:`generate_html`.

    Returns
    -------
    Path
        ``outdir``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mpokit.connectivity import ChannelSet, parse_channels
    >>> from mpokit.accept.design import plan_designs
    >>> from mpokit.accept.results import parse_results_text
    >>> from mpokit.accept.reconcile import reconcile
    >>> plan = plan_designs(ChannelSet.from_specs(parse_channels({"channels": [{"name": "x",
    ...     "a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [{"cord": {"connector":
    ...     "MPO-12", "type": "B", "fiber": "OM4", "length_m": 7}}]}]})))
    >>> r = reconcile(plan, parse_results_text("label,fiber,wavelength_nm,loss_db,far_fiber"))
    >>> out = write_report(r, pathlib.Path(tempfile.mkdtemp()) / "rep")
    >>> sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    ['acceptance.json', 'report.html']
    """
    out = Path(outdir)
    with output_dir(out) as tmp:
        (tmp / "report.html").write_text(generate_html(res, plan=plan, files=files,
                                                       traces=traces), encoding="utf-8")
        with (tmp / "acceptance.json").open("w", encoding="utf-8") as f:
            write_json(f, res)
    return out
