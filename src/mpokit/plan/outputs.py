"""Plan outputs: cut sheet (CSV + Parquet), BOM, channels.yaml, summary.json, report.

Everything is written into a temporary folder next to OUTDIR and swapped into place at the
end (:func:`mpokit._files.output_dir`), so a failed run never leaves half-written outputs
and a folder mpokit did not write is never replaced.

Cable labels follow TIA-606 style: ``<rack>.U<ru>:<port>/<rack>.U<ru>:<port>``, where a
panel port is ``PP<panel>-<port>`` and a trunk spans a port range (``PP01-01..12``).

>>> generate_channel_lines_header()
'channels:\\n'
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from mpokit._files import output_dir
from mpokit.plan.bom import bom_rows, write_bom_workbook
from mpokit.plan.cabling import Design
from mpokit.plan.fabric import LINK_CLASSES
from mpokit.plan.planner import Plan

__all__ = [
    "bom_rows",
    "cutsheet_table",
    "generate_channel_lines_header",
    "generate_channels",
    "tester_limits_table",
    "write_plan",
]


def _device_names(plan: Plan) -> np.ndarray:
    names = plan.fabric.names(np.arange(plan.fabric.n_devices))
    return np.concatenate([names, np.array([""], dtype=object)])  # index -1 -> ""


def _str(a: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(a), pa.string())


def _pad(a: np.ndarray, width: int = 2) -> pa.Array:
    return pc.utf8_lpad(_str(a), width=width, padding="0")


def _end_text(panel: np.ndarray, port: np.ndarray, hi: np.ndarray,
              panel_hi: np.ndarray) -> pa.Array:
    """``PP02-17``, ``PP02-01..12`` or ``PP05-25..PP06-16`` (a range over two panels) for
    panel ends; the port number (or range) for device ends."""
    dev_port = _str(port)
    pp = pc.binary_join_element_wise("PP", _pad(panel), "-", _pad(port), "")
    same_panel = pc.binary_join_element_wise(pp, "..", _pad(hi), "")
    pp_hi = pc.binary_join_element_wise("PP", _pad(np.maximum(panel_hi, 0)), "-", _pad(hi), "")
    two_panels = pc.binary_join_element_wise(pp, "..", pp_hi, "")
    rng = pc.if_else(pa.array((panel_hi >= 0) & (panel_hi != panel)), two_panels, same_panel)
    panel_txt = pc.if_else(pa.array(hi >= 0), rng, pp)
    dev_rng = pc.binary_join_element_wise(dev_port, "..", _str(hi), "")
    dev_txt = pc.if_else(pa.array(hi >= 0), dev_rng, dev_port)
    return pc.if_else(pa.array(panel >= 0), panel_txt, dev_txt)


def cutsheet_table(plan: Plan) -> pa.Table:
    """One row per physical cable with both ends and its label."""
    cols = plan.cabling.cables.cols
    names = _device_names(plan)
    racks = np.asarray(plan.layout.rack_names(), dtype=object)
    parts = plan.cabling.parts
    part = cols["part"]
    kind = np.asarray([p.kind for p in parts] or [""], dtype=object)[part]
    desc = np.asarray([p.description for p in parts] or [""], dtype=object)[part]
    fibers = np.asarray([p.fibers for p in parts] or [0], dtype=np.int64)[part]
    conn = np.asarray([p.connector for p in parts] or [""], dtype=object)[part]
    fiber = np.asarray([p.fiber for p in parts] or [""], dtype=object)[part]
    a_end = _end_text(cols["a_panel"], cols["a_port"], cols["a_port_hi"], cols["a_panel_hi"])
    b_end = _end_text(cols["b_panel"], cols["b_port"], cols["b_port_hi"], cols["b_panel_hi"])
    a_rack = pa.array(racks[cols["a_rack"]], pa.string())
    b_rack = pa.array(racks[cols["b_rack"]], pa.string())
    a_ru = pc.binary_join_element_wise(a_rack, ".U", _pad(np.maximum(cols["a_ru"], 0)), "")
    b_ru = pc.binary_join_element_wise(b_rack, ".U", _pad(np.maximum(cols["b_ru"], 0)), "")
    label = pc.binary_join_element_wise(a_ru, ":", a_end, "/", b_ru, ":", b_end, "")
    none = np.array(None, dtype=object)
    a_dev_name = np.where(cols["a_panel"] >= 0, none, names[cols["a_dev"]])
    b_dev_name = np.where(cols["b_panel"] >= 0, none, names[cols["b_dev"]])
    b2 = np.where(cols["b2_dev"] >= 0, names[cols["b2_dev"]], np.array(None, dtype=object))
    n = len(plan.cabling.cables)
    return pa.table({
        "cable_id": pa.array(np.arange(1, n + 1)),
        "label": label,
        "kind": pa.array(kind, pa.string()),
        "part": pa.array(desc, pa.string()),
        "connector": pa.array(conn, pa.string()),
        "fiber": pa.array(fiber, pa.string()),
        "fibers": pa.array(fibers),
        "legs": pa.array(cols["legs"]),
        "length_m": pa.array(cols["length_m"]),
        "link_class": pa.array(np.asarray(LINK_CLASSES, dtype=object)[cols["cls"]], pa.string()),
        "a_rack": a_rack,
        "a_ru": pa.array(cols["a_ru"]),
        "a_device": pa.array(a_dev_name, pa.string()),
        "a_port": a_end,
        "b_rack": b_rack,
        "b_ru": pa.array(cols["b_ru"]),
        "b_device": pa.array(b_dev_name, pa.string()),
        "b_port": b_end,
        "b2_device": pa.array(b2, pa.string()),
        "b2_port": pa.array(np.where(cols["b2_port"] >= 0, cols["b2_port"], none), pa.int64()),
    })


def generate_channel_lines_header() -> str:
    """First line of channels.yaml."""
    return "channels:\n"


def _flow(body: dict[str, Any]) -> str:
    parts = []
    for k, v in body.items():
        if isinstance(v, list | tuple):
            v = "[" + ", ".join(str(x) for x in v) + "]"
        parts.append(f"{k}: {v}")
    return "{" + ", ".join(parts) + "}"


def _end_yaml(model: str, port: int) -> str:
    return model if port == 0 else f"{{transceiver: {model}, port: {port}}}"


def _design_template(d: Design) -> str:
    lines = ['  - name: "%s"', f"    a: {_end_yaml(d.a_model, d.a_port)}",
             f"    b: {_end_yaml(d.b_model, d.b_port)}", "    path:"]
    for kind, body, slot in d.elements:
        b = {k: v for k, v in body.items()}
        text = _flow(b)
        if slot is not None:
            text = text[:-1] + (", " if b else "") + "length_m: %g}"
        lines.append(f"      - {kind}: {text}")
    return "\n".join(lines) + "\n"


def generate_channels(plan: Plan) -> str:
    """The channel file text: every channel, templated per design.

    Parameters
    ----------
    plan
        A made plan.

    Returns
    -------
    str
        The YAML text of ``channels.yaml``: every channel of the plan.
    """
    out = [generate_channel_lines_header()]
    for d in plan.cabling.designs:
        tpl = _design_template(d)
        lengths = [d.lengths[:, j].tolist() for j in range(d.lengths.shape[1])]
        cols = [_channel_names(plan, d), *lengths]
        out.append("".join(tpl % row for row in zip(*cols, strict=True)))
    return "".join(out)


def _channel_names(plan: Plan, d: Design) -> list[str]:
    names = _device_names(plan)
    return [f"{a}:{p} to {b}:{q}" for a, p, b, q in
            zip(names[d.a_dev].tolist(), d.a_dport.tolist(), names[d.b_dev].tolist(),
                d.b_dport.tolist(), strict=True)]


def _polarity_text(ch: Any) -> str:
    """Where each Tx lane arrives, module-view positions: ``a>b 1>12 2>11 ...; b>a ...``."""
    from mpokit.connectivity.trace import trace

    parts = []
    for t in trace(ch):
        pairs = " ".join(f"{r0}>{r1 if r1 else '-'}" for r0, r1 in
                         zip(t.rows[0].positions, t.rows[-1].positions, strict=True)
                         if r1 != 0)  # lanes of other breakout legs are not in this link
        parts.append(f"{t.direction.replace('->', '>')} {pairs}")
    return "; ".join(parts)


def tester_limits_table(plan: Plan) -> pa.Table:
    """Per-channel limits for field certification, one row per channel of the plan.

    ``limit_db`` is the application's channel limit (with its status), ``designed_db`` the
    worst-case loss mpokit computed for that channel (``nominal_db`` with mean part
    losses), ``length_m`` the designed fiber length, and ``polarity`` the module-view
    position each Tx lane must arrive at (as ``mpokit limits`` gives per lane).
    """
    from mpokit.loss import budget_batch

    cols: dict[str, list[Any]] = {k: [] for k in (
        "channel", "link_class", "pmd", "fiber", "wavelength_nm", "limit_db", "limit_status",
        "designed_db", "nominal_db", "margin_db", "length_m", "reach_m", "connections",
        "polarity")}
    for d in plan.cabling.designs:
        # the checks already compiled each design and budgeted every channel; a design
        # that could not be built has no limits to test against (it is a finding)
        if d.n_channels == 0 or d.result is None or d.result.batch is None:
            continue
        ch, ref, worst = d.result.channel, d.result.budget, d.result.batch
        nominal = budget_batch(ch, d.run_lengths(), case="nominal")
        n = d.n_channels
        lim = ref.limit
        cols["channel"] += _channel_names(plan, d)
        cols["link_class"] += [d.cls] * n
        cols["pmd"] += [ref.pmd or ""] * n
        cols["fiber"] += [lim.fiber if lim else ""] * n
        cols["wavelength_nm"] += [ref.wavelength_nm] * n
        cols["limit_db"] += [lim.max_il_db if lim else None] * n
        cols["limit_status"] += [lim.status if lim else ""] * n
        cols["designed_db"] += np.round(worst.total_db, 3).tolist()
        cols["nominal_db"] += np.round(nominal.total_db, 3).tolist()
        cols["margin_db"] += np.round(worst.margin_db, 3).tolist()
        cols["length_m"] += np.round(worst.length_m, 2).tolist()
        cols["reach_m"] += [lim.reach_m if lim else None] * n
        cols["connections"] += [ref.connections] * n
        cols["polarity"] += [_polarity_text(ch)] * n
    return pa.table(cols)


def write_plan(plan: Plan, outdir: str | os.PathLike[str], *, channels: bool = True,
               progress: Callable[[str], None] | None = None, force: bool = False,
               extra: Callable[[Path], None] | None = None) -> Path:
    """Write every output into ``outdir`` at once; returns the folder.

    Parameters
    ----------
    plan
        The plan to write.
    outdir
        A new folder, an empty one, or an earlier mpokit output (see
        :func:`mpokit._files.output_dir`); anything else is refused.
    channels
        Also write ``channels.yaml`` and ``tester_limits.csv``.
    progress
        Called with the name of each stage.
    force
        Write beside files mpokit did not write (never over them).
    extra
        Called with the folder being filled, to add more outputs in the same swap.

    Returns
    -------
    Path
        ``outdir``.

    Raises
    ------
    InputError
        The folder cannot be written, or holds files mpokit did not write.
    """
    from mpokit.plan.report import generate_report

    step = progress or (lambda _s: None)
    out = Path(outdir)
    with output_dir(out, force=force) as tmp:
        step("cut sheet")
        table = cutsheet_table(plan)
        pacsv.write_csv(table, str(tmp / "cutsheet.csv"))
        pq.write_table(table, tmp / "cutsheet.parquet")
        step("bom")
        bom = bom_rows(plan)
        pacsv.write_csv(pa.Table.from_pylist(
            [{k: str(v) for k, v in r.items()} for r in bom]), str(tmp / "bom.csv"))
        write_bom_workbook(bom, tmp / "bom.xlsx")
        if channels:
            step("channels")
            (tmp / "channels.yaml").write_text(generate_channels(plan), encoding="utf-8")
            pacsv.write_csv(tester_limits_table(plan), str(tmp / "tester_limits.csv"))
        step("report")
        (tmp / "summary.json").write_text(json.dumps(plan.summary, indent=2) + "\n",
                                          encoding="utf-8")
        (tmp / "report.html").write_text(generate_report(plan), encoding="utf-8")
        if plan.campus is not None:
            rows = plan.campus.cutsheet_rows()
            if rows:
                pacsv.write_csv(pa.Table.from_pylist(rows), str(tmp / "campus_cutsheet.csv"))
        if extra is not None:
            extra(tmp)
    return out
