"""Plan outputs: cut sheet (CSV + Parquet), devices.csv, BOM, channels.yaml, summary, report.

Everything is written into a temporary folder next to OUTDIR and swapped into place at the
end (:func:`mpokit._files.output_dir`), so a failed run never leaves half-written outputs
and a folder mpokit did not write is never replaced.

Cable labels follow TIA-606 style: ``<rack>.U<ru>:<port>/<rack>.U<ru>:<port>``, where a
panel port is ``PP<panel>-<port>`` and a trunk spans a port range (``PP01-01..12``).

>>> generate_channel_lines_header()
'channels:\\n'
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mpokit._files import output_dir
from mpokit.errors import InputError
from mpokit.plan.bom import bom_rows, write_bom_workbook
from mpokit.plan.cabling import Design
from mpokit.plan.fabric import LINK_CLASSES
from mpokit.plan.planner import Plan
from mpokit.plan.racks import placed_devices

__all__ = [
    "bom_rows",
    "cutsheet_columns",
    "cutsheet_table",
    "device_columns",
    "generate_channel_lines_header",
    "generate_channels",
    "skipped_outputs",
    "tester_limits_columns",
    "tester_limits_table",
    "write_csv",
    "write_plan",
]


def _device_names(plan: Plan) -> np.ndarray:
    names = plan.fabric.names(np.arange(plan.fabric.n_devices))
    return np.concatenate([names, np.array([""], dtype=object)])  # index -1 -> ""


def _str(a: np.ndarray) -> np.ndarray:
    return np.asarray([str(x) for x in np.asarray(a).tolist()], dtype=object)


def _pad(a: np.ndarray, width: int = 2) -> np.ndarray:
    return np.asarray([str(x).rjust(width, "0") for x in np.asarray(a).tolist()], dtype=object)


def _join(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise concatenation of string arrays and constants (object arrays)."""
    out: Any = ""
    for p in parts:
        out = out + p  # numpy adds object arrays element by element; str + array broadcasts
    return np.asarray(out, dtype=object)


def _end_text(panel: np.ndarray, port: np.ndarray, hi: np.ndarray,
              panel_hi: np.ndarray) -> np.ndarray:
    """``PP02-17``, ``PP02-01..12`` or ``PP05-25..PP06-16`` (a range over two panels) for
    panel ends; the port number (or range) for device ends."""
    dev_port = _str(port)
    pp = _join("PP", _pad(panel), "-", _pad(port))
    same_panel = _join(pp, "..", _pad(hi))
    pp_hi = _join("PP", _pad(np.maximum(panel_hi, 0)), "-", _pad(hi))
    two_panels = _join(pp, "..", pp_hi)
    rng = np.where((panel_hi >= 0) & (panel_hi != panel), two_panels, same_panel)
    panel_txt = np.where(hi >= 0, rng, pp)
    dev_txt = np.where(hi >= 0, _join(dev_port, "..", _str(hi)), dev_port)
    return np.where(panel >= 0, panel_txt, dev_txt)


def cutsheet_columns(plan: Plan) -> dict[str, np.ndarray]:
    """One row per physical cable with both ends and its label, as named columns.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    dict[str, numpy.ndarray]
        Column name -> values (strings as object arrays, None where a cell is empty).
    """
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
    a_rack = racks[cols["a_rack"]]
    b_rack = racks[cols["b_rack"]]
    a_ru = _join(a_rack, ".U", _pad(np.maximum(cols["a_ru"], 0)))
    b_ru = _join(b_rack, ".U", _pad(np.maximum(cols["b_ru"], 0)))
    none = np.array(None, dtype=object)
    n = len(plan.cabling.cables)
    return {
        "cable_id": np.arange(1, n + 1),
        "label": _join(a_ru, ":", a_end, "/", b_ru, ":", b_end),
        "kind": kind,
        "part": desc,
        "connector": conn,
        "fiber": fiber,
        "fibers": fibers,
        "legs": cols["legs"],
        "length_m": cols["length_m"],
        "link_class": np.asarray(LINK_CLASSES, dtype=object)[cols["cls"]],
        "a_rack": a_rack,
        "a_ru": cols["a_ru"],
        "a_device": np.where(cols["a_panel"] >= 0, none, names[cols["a_dev"]]),
        "a_port": a_end,
        "b_rack": b_rack,
        "b_ru": cols["b_ru"],
        "b_device": np.where(cols["b_panel"] >= 0, none, names[cols["b_dev"]]),
        "b_port": b_end,
        "b2_device": np.where(cols["b2_dev"] >= 0, names[cols["b2_dev"]], none),
        "b2_port": np.where(cols["b2_port"] >= 0, cols["b2_port"], none),
    }


def device_columns(plan: Plan) -> dict[str, np.ndarray]:
    """Every device and panel of the plan with its rack, lowest rack unit and height.

    Parameters
    ----------
    plan
        A made plan.

    Returns
    -------
    dict[str, numpy.ndarray]
        The columns of ``devices.csv``
        (:func:`mpokit.plan.racks.placed_devices`).

    Examples
    --------
    >>> from mpokit.plan import ClusterSpec, make_plan
    >>> spec = ClusterSpec.model_validate({
    ...     "cluster": {"name": "x", "nodes": 4, "rails": 2, "nic_speed_gbps": 400},
    ...     "fabric": {"scalable_unit": 4,
    ...                "switch": {"ports": 8, "port_speed_gbps": 400, "cages": 8, "ru": 2}}})
    >>> cols = device_columns(make_plan(spec))
    >>> [(str(d), int(u), int(h)) for d, u, h in zip(cols["device"], cols["ru"],
    ...  cols["height_ru"]) if d in ("node01", "leaf01")]
    [('leaf01', 41, 2), ('node01', 1, 8)]
    """
    return placed_devices(plan.fabric, plan.layout, plan.cabling,
                          plan.summary.get("switch_models", {}))


#: Columns of integers that may hold empty cells.
_NULLABLE_INT = ("b2_port",)


def _arrow(cols: dict[str, Any]) -> Any:
    """The columns as a pyarrow Table (strings typed as strings, even when all empty)."""
    pa = _pyarrow("the Parquet cut sheet")
    out = {}
    for k, v in cols.items():
        a = np.asarray(v) if not isinstance(v, list) else v
        if k in _NULLABLE_INT:
            out[k] = pa.array(a, pa.int64())
        elif isinstance(a, np.ndarray) and a.dtype == object:
            out[k] = pa.array(a, pa.string())
        else:
            out[k] = pa.array(a)
    return pa.table(out)


def cutsheet_table(plan: Plan) -> Any:
    """The cut sheet (:func:`cutsheet_columns`) as a ``pyarrow.Table``.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    pyarrow.Table
        One row per cable.

    Raises
    ------
    InputError
        pyarrow is not installed (it comes with ``pip install 'mpokit[plan]'``).
    """
    return _arrow(cutsheet_columns(plan))


def _pyarrow(what: str) -> Any:
    """pyarrow, or an input error naming the extra that brings it."""
    try:
        import pyarrow
    except ImportError:
        raise InputError(f"{what} needs pyarrow", fix="pip install 'mpokit[plan]'") from None
    return pyarrow


def _have(module: str) -> bool:
    """``module`` can be imported (an optional extra is installed)."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def skipped_outputs() -> list[str]:
    """The plan outputs this installation cannot write, each with the extra that brings it.

    Returns
    -------
    list[str]
        One note per output left out (empty with ``pip install 'mpokit[plan]'``).
    """
    out = []
    if not _have("pyarrow"):
        out.append("cutsheet.parquet not written: Parquet needs pyarrow "
                   "(pip install 'mpokit[plan]')")
    if not _have("openpyxl"):
        out.append("bom.xlsx not written: the Excel BOM needs openpyxl "
                   "(pip install 'mpokit[plan]')")
    return out


def _csv_cell(v: Any) -> str:
    """One cell as pyarrow's CSV writer writes it: strings quoted, numbers bare, None empty."""
    if v is None:
        return ""
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"'
    if isinstance(v, float):
        return repr(v).removesuffix(".0") if v == v else ""
    return str(v)


def write_csv(cols: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write named columns as CSV: with pyarrow's writer when it is installed, else Python's.

    Parameters
    ----------
    cols
        Column name -> values (numpy arrays or lists of equal length).
    path
        The file to write.
    """
    if _have("pyarrow"):
        import pyarrow.csv as pacsv

        pacsv.write_csv(_arrow(cols), os.fspath(path))
        return
    names = list(cols)
    values = [np.asarray(v, dtype=object).tolist() if not isinstance(v, list) else v
              for v in cols.values()]
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(_csv_cell(n) for n in names) + "\n")
        for row in zip(*values, strict=True):
            f.write(",".join(map(_csv_cell, row)) + "\n")


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


def tester_limits_columns(plan: Plan) -> dict[str, list[Any]]:
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
        r = d.result
        if d.n_channels == 0 or r is None or r.batch is None or r.channel is None \
                or r.budget is None:
            continue
        ch, ref, worst = r.channel, r.budget, r.batch
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
    return cols


def tester_limits_table(plan: Plan) -> Any:
    """:func:`tester_limits_columns` as a ``pyarrow.Table`` (needs the ``plan`` extra).

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    pyarrow.Table
        One row per channel.
    """
    return _arrow(tester_limits_columns(plan))


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
        cut = cutsheet_columns(plan)
        write_csv(cut, tmp / "cutsheet.csv")
        if _have("pyarrow"):  # else skipped_outputs() says what is missing
            import pyarrow.parquet as pq

            pq.write_table(_arrow(cut), tmp / "cutsheet.parquet")
        del cut
        write_csv(device_columns(plan), tmp / "devices.csv")
        step("bom")
        bom = bom_rows(plan)
        keys = list(bom[0]) if bom else []
        write_csv({k: [str(r[k]) for r in bom] for k in keys}, tmp / "bom.csv")
        if _have("openpyxl"):
            write_bom_workbook(bom, tmp / "bom.xlsx")
        if channels:
            step("channels")
            (tmp / "channels.yaml").write_text(generate_channels(plan), encoding="utf-8")
            write_csv(tester_limits_columns(plan), tmp / "tester_limits.csv")
        step("report")
        (tmp / "summary.json").write_text(json.dumps(plan.summary, indent=2) + "\n",
                                          encoding="utf-8")
        (tmp / "report.html").write_text(generate_report(plan), encoding="utf-8")
        if plan.campus is not None:
            rows = plan.campus.cutsheet_rows()
            if rows:
                write_csv({k: [r[k] for r in rows] for k in rows[0]},
                          tmp / "campus_cutsheet.csv")
        if extra is not None:
            extra(tmp)
    return out
