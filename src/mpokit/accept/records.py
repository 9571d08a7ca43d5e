"""Field records into the store: tester results, OTDR traces and the as-built cords.

* :func:`store_results` -- one results file's tests (grouped per label, with the status the
  reconciliation gave) in one transaction;
* :func:`store_traces` -- OTDR events, one transaction per ``.sor`` file;
* :func:`read_as_built` / :func:`store_as_built` -- a CSV ``cable_label,serial`` naming the
  serial installed as each cut-sheet cable; the ends come from the plan's ``cutsheet.csv``.
  A label the cut sheet does not have, or a cable listed twice, is refused with its line.

Nothing is half-imported: a file is validated whole before its transaction starts.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "cutsheet.csv").write_text("label,a_rack,a_port,a_device,b_rack,b_port,b_device"
...     "\\nc1,1B09,17,node01,1B03,PP01-17,\\n")
>>> _ = (d / "asbuilt.csv").write_text("cable_label,serial\\nc9,S1\\n")
>>> read_as_built(d / "asbuilt.csv", d)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
mpokit.errors.InputError: .../asbuilt.csv:2: cable_label: 'c9' is not a cable of the plan's ...
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mpokit._files import read_input_bytes
from mpokit.accept.otdr import OtdrTrace
from mpokit.accept.reconcile import STATUSES, AcceptResult
from mpokit.accept.results import FieldResults
from mpokit.errors import MAX_REPORTED, InputError, InputErrors
from mpokit.store.db import Store
from mpokit.store.field import import_field_tests, import_installed
from mpokit.store.importer import ImportResult

__all__ = ["read_as_built", "store_as_built", "store_results", "store_traces"]

_END_COLS = ("a_rack", "a_port", "a_device", "b_rack", "b_port", "b_device")


def _digest(path: str) -> str:
    return hashlib.sha256(read_input_bytes(path)).hexdigest()


def _status_of(res: AcceptResult, label: str, index: dict[str, int]) -> str:
    c = index.get(label)
    return "unexpected" if c is None else STATUSES[int(res.status[c])]


def store_results(store: Store, results: FieldResults, res: AcceptResult) -> list[ImportResult]:
    """Store every file of ``results``, each in one transaction, tests grouped per label.

    Parameters
    ----------
    store
        An open store.
    results
        The rows read (one or several files).
    res
        Their reconciliation (each test keeps its channel's status).

    Returns
    -------
    list[ImportResult]
        One per file (``skipped`` when already imported).
    """
    index = res.plan.index()
    out = []
    for k, name in enumerate(results.files):
        rows = np.flatnonzero(results.file_of == k)
        order = rows[np.argsort(results.label_of[rows], kind="stable")]
        labs = results.label_of[order]
        cuts = np.flatnonzero(np.diff(labs)) + 1
        tests: list[dict[str, Any]] = []
        for grp in np.split(order, cuts) if order.size else []:
            label = results.labels[int(results.label_of[grp[0]])]
            serials = [s for s in results.serial[grp].tolist() if s]
            tests.append({"label": label, "serial": serials[0] if serials else None,
                          "status": _status_of(res, label, index), "rows": [
                              {"fiber": int(results.fiber[r]) + 1,
                               "wavelength_nm": float(results.wavelength_nm[r]),
                               "loss_db": float(results.loss_db[r]),
                               "length_m": None if np.isnan(results.length_m[r])
                               else float(results.length_m[r]),
                               "far_fiber": None if results.far_fiber[r] < 0
                               else int(results.far_fiber[r]) + 1,
                               "verdict": None if results.verdict[r] < 0
                               else bool(results.verdict[r])} for r in grp.tolist()]})
        out.append(import_field_tests(store, name, _digest(name), "results", tests))
    return out


def store_traces(store: Store, traces: Sequence[OtdrTrace], res: AcceptResult
                 ) -> list[ImportResult]:
    """Store each trace's events in its own transaction.

    Parameters
    ----------
    store
        An open store.
    traces
        Parsed traces (their files are hashed for idempotent imports).
    res
        The reconciliation (each trace keeps its channel's status).

    Returns
    -------
    list[ImportResult]
        One per trace file.
    """
    index = res.plan.index()
    out = []
    for t in traces:
        rows = [{"fiber": t.fiber + 1, "wavelength_nm": t.wavelength_nm,
                 "distance_m": e.distance_m, "loss_db": e.loss_db,
                 "reflectance_db": e.reflectance_db, "end": e.end} for e in t.events]
        out.append(import_field_tests(store, t.file, _digest(t.file), "otdr", [
            {"label": t.label, "serial": None, "status": _status_of(res, t.label, index),
             "rows": rows}]))
    return out


def _csv(path: Path) -> list[tuple[int, dict[str, str]]]:
    text = read_input_bytes(path).decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return [(reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k})
            for row in reader]


def read_as_built(path: str | os.PathLike[str], plan: str | os.PathLike[str]
                  ) -> list[dict[str, Any]]:
    """Read an as-built CSV (``cable_label,serial``) against the plan's cut sheet.

    Parameters
    ----------
    path
        The as-built file.
    plan
        The plan folder (its ``cutsheet.csv`` gives both ends of every cable).

    Returns
    -------
    list[dict[str, Any]]
        One row per installed cable with its ends and serial.

    Raises
    ------
    InputError
        Missing columns, an unknown cable label, a cable listed twice, an empty serial.
    """
    p, cut = Path(path), Path(plan) / "cutsheet.csv"
    if not cut.is_file():
        raise InputError("no cutsheet.csv in the plan folder", file=str(plan),
                         fix="give the folder 'mpokit plan' wrote")
    ends = {r["label"]: r for _, r in _csv(cut)}
    rows = _csv(p)
    if rows and not {"cable_label", "serial"} <= set(rows[0][1]):
        raise InputError("needs the columns cable_label and serial", file=str(p), line=1,
                         fix="export 'cable_label,serial' (the cut sheet's label column)")
    errors: list[InputError] = []
    seen: dict[str, int] = {}
    out = []
    for line, r in rows:
        lab, serial = r.get("cable_label", ""), r.get("serial", "")
        if lab not in ends:
            errors.append(InputError(f"{lab!r} is not a cable of the plan's cut sheet",
                                     file=str(p), line=line, field="cable_label",
                                     fix="copy the label from cutsheet.csv"))
            continue
        if lab in seen:
            errors.append(InputError(f"cable {lab!r} listed twice (also line {seen[lab]})",
                                     file=str(p), line=line, field="cable_label",
                                     fix="keep the serial actually installed"))
            continue
        if not serial:
            errors.append(InputError("empty serial", file=str(p), line=line, field="serial",
                                     fix="give the assembly's serial from its label"))
            continue
        seen[lab] = line
        e = ends[lab]
        out.append({"cable_label": lab, "serial": serial,
                    **{c: (e.get(c) or None) for c in _END_COLS}})
    if errors:
        raise InputErrors.of(errors[:MAX_REPORTED], truncated=len(errors) > MAX_REPORTED)
    return out


def store_as_built(store: Store, path: str | os.PathLike[str],
                   plan: str | os.PathLike[str]) -> ImportResult:
    """Validate an as-built file against the plan and store it in one transaction.

    Parameters
    ----------
    store
        An open store.
    path
        The as-built CSV.
    plan
        The plan folder.

    Returns
    -------
    ImportResult
        Rows added, or ``skipped``.
    """
    rows = read_as_built(path, plan)
    return import_installed(store, str(path), _digest(str(path)), rows)
