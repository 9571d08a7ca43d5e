"""Import station results into the store: one transaction per file, idempotent, concurrent-safe.

A file is parsed and validated completely before the database is touched; a bad row rejects
the whole file with an :class:`~mpokit.errors.InputError` naming its line and column. The
file's SHA-256 (with its origin) is recorded in the same transaction as its rows, so
importing it again adds nothing, and two processes importing the same file at once add it
once (the unique key on the hash decides). A process killed mid-import leaves nothing: its
transaction never commits.

Supported inputs: IL/RL CSV or Excel (``.csv``, ``.xlsx``; generic layout or a mapping, see
:mod:`mpokit.store.layouts`), geometry results (``qc geometry --json`` output, or the
``qc batch`` summary CSV, recognised by its ``height_diff_nm`` column) and end-face
inspections (``qc inspect --json`` output, recognised by its ``connector_class``; see
:mod:`mpokit.store.endface`).

Example:
    >>> import tempfile, pathlib
    >>> from mpokit.store import open_store
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "r.csv").write_text("serial,end,fiber,wavelength_nm,il_db,rl_db,station,"
    ...     "timestamp\\nS1,A,1,1310,0.12,62.0,st1,2026-01-05T10:00:00\\n")
    >>> with open_store(f"sqlite:///{d}/q.db") as st:
    ...     first, again = import_file(st, d / "r.csv"), import_file(st, d / "r.csv")
    >>> first.rows, again.skipped
    (1, True)
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from mpokit.errors import InputError
from mpokit.store._write import ImportResult, Origin, _insert_ignore, _upsert_assemblies
from mpokit.store.db import Store
from mpokit.store.endface import import_inspection_output, inspection_results
from mpokit.store.layouts import FIELDS, GENERIC, REQUIRED_FIELDS, Mapping
from mpokit.store.models import (
    GeometryEnd,
    GeometryFiber,
    ImportedFile,
)

__all__ = ["ImportResult", "import_file", "import_geometry_results", "imported_files",
           "parse_ilrl_rows"]

WAVELENGTH_RANGE_NM = (600.0, 1700.0)
IL_RANGE_DB = (-0.5, 60.0)
RL_RANGE_DB = (0.0, 100.0)
_GEOMETRY_PARAMS = ("angle_x_deg", "angle_y_deg", "height_min_nm", "height_max_nm",
                    "height_diff_nm", "adjacent_diff_nm", "minus_coplanarity_nm",
                    "tip_radius_min_mm", "core_dip_max_nm", "radius_mm", "apex_offset_um",
                    "fiber_height_nm")


# ---------------------------------------------------------------- reading tables


def _csv_rows(data: bytes, file: str) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=file,
                         fix="export the station file as UTF-8 CSV") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=file, line=reader.line_num) from None


def _xlsx_rows(data: bytes, file: str) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on a damaged workbook
        raise InputError(f"cannot read Excel workbook: {exc}", file=file,
                         fix="save it again as .xlsx, or export CSV") from None
    ws = wb.worksheets[0]
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = ["" if v is None else (v.isoformat() if isinstance(v, datetime) else str(v))
                 for v in row]
        while cells and cells[-1] == "":
            cells.pop()
        yield i, cells
    wb.close()


def _float(text: str, field: str, lo: float, hi: float, file: str, line: int) -> float:
    try:
        v = float(text)
    except ValueError:
        raise InputError(f"{text!r} is not a number", file=file, line=line, field=field,
                         fix="write a plain decimal number such as 0.25") from None
    if not math.isfinite(v) or not lo <= v <= hi:
        raise InputError(f"{v:g} is outside {lo:g}..{hi:g}", file=file, line=line, field=field,
                         fix="check the column mapping and the unit")
    return v


def _timestamp(text: str, file: str, line: int) -> datetime | None:
    if not text:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not an ISO 8601 time", file=file, line=line,
                         field="timestamp", fix="write e.g. 2026-01-05T10:00:00Z") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def parse_ilrl_rows(
    rows: Iterator[tuple[int, list[str]]], mapping: Mapping = GENERIC, *, file: str = "<data>"
) -> list[dict[str, Any]]:
    """Validate IL/RL table rows (header first) into measurement dicts.

    Parameters:
        rows: ``(line number, cells)`` pairs, the header row first.
        mapping: the column mapping (generic layout by default).
        file: the file name for error messages.

    Returns:
        One dict per measurement with the keys of :data:`~mpokit.store.layouts.FIELDS`.

    Raises:
        InputError: naming the line and column of the first bad cell, an unknown or
        missing column, a duplicate key, or a truncated row.

    Example:
        >>> parse_ilrl_rows(iter([(1, ["serial", "end", "fiber", "wavelength_nm", "il_db",
        ...     "station"]), (2, ["S1", "A", "3", "1550", "0.2", "st"])]))[0]["fiber"]
        3
    """
    try:
        _, header = next(rows)
    except StopIteration:
        raise InputError("the file is empty", file=file, line=1,
                         fix="export the results with a header row") from None
    header = [h.strip() for h in header]
    by_column = {mapping.column_for(f): f for f in FIELDS if f not in mapping.constants}
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in by_column:
            if by_column[name] in index:
                raise InputError(f"column {name!r} appears twice", file=file, line=1)
            index[by_column[name]] = i
        elif name not in mapping.ignore and name:
            raise InputError(
                f"unknown column {name!r}", file=file, line=1,
                fix="use the generic columns " + ", ".join(FIELDS)
                + ", or give a mapping file (--mapping) that maps or ignores it")
    missing = [f for f in REQUIRED_FIELDS if f not in index and f not in mapping.constants]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=file, line=1,
                         fix="add them, or map them in a mapping file (--mapping)")
    width = len(header)
    out: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, int, float], int] = {}
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != width:
            raise InputError(f"{len(cells)} fields where the header has {width}", file=file,
                             line=line, fix="the file may be truncated or a value holds a comma"
                             "; re-export it")
        v: dict[str, str] = {f: cells[i].strip() for f, i in index.items()}
        v.update({str(k): c for k, c in mapping.constants.items()})
        for f in ("serial", "end", "station"):
            if not v[f]:
                raise InputError("empty value", file=file, line=line, field=f)
        try:
            fiber = int(float(v["fiber"]))
        except ValueError:
            raise InputError(f"{v['fiber']!r} is not a fiber number", file=file, line=line,
                             field="fiber") from None
        if not 1 <= fiber <= 1000 or float(v["fiber"]) != fiber:
            raise InputError(f"fiber {v['fiber']} is not a position 1..1000", file=file,
                             line=line, field="fiber")
        wl = _float(v["wavelength_nm"], "wavelength_nm", *WAVELENGTH_RANGE_NM, file, line)
        rec = {
            "serial": v["serial"], "end": v["end"], "fiber": fiber, "wavelength_nm": wl,
            "il_db": _float(v["il_db"], "il_db", *IL_RANGE_DB, file, line),
            "rl_db": (_float(v["rl_db"], "rl_db", *RL_RANGE_DB, file, line)
                      if v.get("rl_db") else None),
            "station": v["station"],
            "measured_at": _timestamp(v.get("timestamp", ""), file, line),
            "lot": v.get("lot") or None, "supplier": v.get("supplier") or None,
        }
        key = (v["serial"], v["end"], fiber, wl)
        if key in seen:
            raise InputError(
                f"duplicate measurement of {key[0]} end {key[1]} fiber {fiber} at {wl:g} nm "
                f"(first on line {seen[key]})", file=file, line=line,
                fix="keep one row per serial, end, fiber and wavelength in a file")
        seen[key] = line
        out.append(rec)
    if not out:
        raise InputError("no data rows", file=file, line=2, fix="the export is empty")
    return out


# ---------------------------------------------------------------- geometry results


def _num(v: Any) -> float | None:
    if v is None or v == "":
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _json(data: bytes, file: str) -> Any:
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"not valid JSON: {exc}", file=file, line=line,
                         fix="give the output of 'mpokit qc geometry --json' or "
                         "'mpokit qc inspect --json'") from None


def _geometry_from_json(doc: Any, file: str, end: str) -> list[dict[str, Any]]:
    results = doc.get("results") if isinstance(doc, dict) and "results" in doc else doc
    if isinstance(results, dict):
        results = [results]
    if not isinstance(results, list):
        raise InputError("expected {'results': [...]} from 'qc geometry --json'", file=file)
    out = []
    for i, r in enumerate(results):
        where = f"results[{i}]"
        if not isinstance(r, dict):
            raise InputError("not an object", file=file, field=where)
        if r.get("ok") is False and "error" in r:
            continue  # an unreadable scan: nothing was measured
        serial = str(r.get("serial") or "")
        if not serial:
            raise InputError("no serial", file=file, field=f"{where}.serial",
                             fix="give the scans a serial (scan header) before importing")
        fibers = []
        for j, fb in enumerate(r.get("fibers") or []):
            if not isinstance(fb, dict) or "index" not in fb:
                raise InputError("fiber row without 'index'", file=file,
                                 field=f"{where}.fibers[{j}]")
            fibers.append({"fiber": int(fb["index"]), "row": int(fb.get("row", 1)),
                           "x_um": _num(fb.get("x_um")), "y_um": _num(fb.get("y_um")),
                           "height_nm": _num(fb.get("height_nm"))})
        failed = " ".join(c.get("parameter", "") for c in r.get("checks", [])
                          if isinstance(c, dict) and not c.get("ok", True))
        out.append({"serial": serial, "end": str(r.get("end") or end),
                    "profile": str(r.get("profile") or ""), "ok": bool(r.get("ok")),
                    "parameters": {k: _num(r.get(k)) for k in _GEOMETRY_PARAMS},
                    "failed_checks": failed, "fibers": fibers})
    return out


def _geometry_from_csv(data: bytes, file: str, end: str) -> list[dict[str, Any]]:
    rows = _csv_rows(data, file)
    _, header = next(rows)
    out = []
    for line, cells in rows:
        if not any(cells):
            continue
        if len(cells) != len(header):
            raise InputError(f"{len(cells)} fields where the header has {len(header)}",
                             file=file, line=line, fix="the file may be truncated")
        r = dict(zip(header, cells, strict=True))
        if r.get("error"):
            continue
        if not r.get("serial"):
            raise InputError("no serial", file=file, line=line, field="serial")
        out.append({"serial": r["serial"], "end": r.get("end") or end,
                    "profile": r.get("profile", ""), "ok": r.get("ok") == "True",
                    "parameters": {k: _num(r.get(k)) for k in _GEOMETRY_PARAMS},
                    "failed_checks": r.get("failed_checks", ""), "fibers": []})
    return out


# ---------------------------------------------------------------- writing


def import_file(
    store: Store,
    path: str | os.PathLike[str],
    *,
    mapping: Mapping | None = None,
    origin: Origin = "supplier",
    lot: str | None = None,
    supplier: str | None = None,
    end: str = "A",
) -> ImportResult:
    """Import one station file into ``store`` in one transaction.

    Parameters
    ----------
    store
        The open store.
    path
        A ``.csv``/``.xlsx`` IL/RL export, a ``qc geometry --json`` or ``qc inspect
        --json`` file, or a ``qc batch`` summary CSV.
    mapping
        Column mapping for IL/RL files (generic layout when None).
    origin
        ``"supplier"`` for the maker's data, ``"incoming"`` for a buyer's
        re-measurement.
    lot, supplier
        Set on every assembly in the file (override the file's columns).
    end
        The ferrule end for geometry results that do not name one.

    Returns
    -------
    ImportResult
        ``skipped`` when the same bytes were imported before.

    Raises
    ------
    InputError
        The file cannot be read or a row is bad (nothing is written).
    """
    p = Path(path)
    file = str(p)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=file) from None
    digest = hashlib.sha256(data).hexdigest()
    suffix = p.suffix.lower()
    kind: str
    geometry: list[dict[str, Any]] = []
    recs: list[dict[str, Any]] = []
    if suffix == ".json":
        doc = _json(data, file)
        inspected = inspection_results(doc)
        if inspected is not None:
            return import_inspection_output(store, inspected, file=file, name=p.name,
                                            origin=origin, lot=lot, supplier=supplier)
        kind, geometry = "geometry", _geometry_from_json(doc, file, end)
    elif suffix in (".csv", ".txt") and b"height_diff_nm" in data.split(b"\n", 1)[0]:
        kind, geometry = "geometry", _geometry_from_csv(data, file, end)
    elif suffix in (".csv", ".txt"):
        kind, recs = "ilrl", parse_ilrl_rows(_csv_rows(data, file), mapping or GENERIC,
                                             file=file)
    elif suffix in (".xlsx", ".xlsm"):
        kind, recs = "ilrl", parse_ilrl_rows(_xlsx_rows(data, file), mapping or GENERIC,
                                             file=file)
    else:
        raise InputError(f"unknown file type {suffix!r}", file=file,
                         fix="import .csv, .xlsx (IL/RL) or .json (qc geometry --json, "
                         "qc inspect --json)")
    return _write(store, file, p.name, digest, kind, origin, recs, geometry, lot, supplier)


_MEASUREMENT_COLUMNS = ("file_id", "serial", "end", "fiber", "wavelength_nm", "il_db", "rl_db",
                        "station", "measured_at", "origin")


def _bulk_measurements(session: Session, file_id: int, origin: str,
                       recs: list[dict[str, Any]]) -> None:
    """Insert measurement rows at driver speed (COPY on PostgreSQL, executemany on SQLite),
    inside the session's transaction."""
    conn = session.connection()
    cols = ", ".join(f'"{c}"' for c in _MEASUREMENT_COLUMNS)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur, cur.copy(f"COPY measurement ({cols}) FROM STDIN") as cp:
            for r in recs:
                cp.write_row((file_id, r["serial"], r["end"], r["fiber"], r["wavelength_nm"],
                              r["il_db"], r["rl_db"], r["station"], r["measured_at"], origin))
        return
    # SQLite: the text form SQLAlchemy's DateTime reads back (UTC, no offset)
    def ts(t: datetime | None) -> str | None:
        return None if t is None else t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    marks = ", ".join("?" * len(_MEASUREMENT_COLUMNS))
    conn.exec_driver_sql(
        f"INSERT INTO measurement ({cols}) VALUES ({marks})",
        [(file_id, r["serial"], r["end"], r["fiber"], r["wavelength_nm"], r["il_db"],
          r["rl_db"], r["station"], ts(r["measured_at"]), origin) for r in recs])


def _write(store: Store, file: str, name: str, digest: str, kind: str, origin: str,
           recs: list[dict[str, Any]], geometry: list[dict[str, Any]], lot: str | None,
           supplier: str | None) -> ImportResult:
    n = len(recs) + len(geometry)
    with store.session() as s:
        record = [{"sha256": digest, "name": name, "kind": kind, "origin": origin, "rows": n,
                   "imported_at": datetime.now(UTC)}]
        res = s.execute(_insert_ignore(s, ImportedFile.__table__, record, ["sha256", "origin"])
                        .returning(ImportedFile.id))
        file_id = res.scalar()
        if file_id is None:
            return ImportResult(file, digest, kind, 0, True)
        _upsert_assemblies(s, recs or geometry, lot, supplier)
        if recs:
            _bulk_measurements(s, file_id, origin, recs)
        for g in geometry:
            end_id = s.execute(insert(GeometryEnd).returning(GeometryEnd.id), [{
                "file_id": file_id, **{k: g[k] for k in ("serial", "end", "profile", "ok",
                                                          "parameters", "failed_checks")}}]
            ).scalar_one()
            if g["fibers"]:
                s.execute(insert(GeometryFiber), [f | {"end_id": end_id} for f in g["fibers"]])
    return ImportResult(file, digest, kind, n, False)


def import_geometry_results(store: Store, results: Sequence[dict[str, Any]], *,
                            name: str = "qc-batch", end: str = "A", origin: Origin = "supplier",
                            lot: str | None = None, supplier: str | None = None
                            ) -> ImportResult:
    """Import ``qc geometry`` result dicts (``QcResult.to_dict()``) in one transaction.

    The hash of their canonical JSON makes a repeated import of the same results a no-op.
    """
    text = json.dumps({"results": list(results)}, sort_keys=True, default=str).encode()
    digest = hashlib.sha256(text).hexdigest()
    geometry = _geometry_from_json(_json(text, name), name, end)
    return _write(store, name, name, digest, "geometry", origin, [], geometry, lot, supplier)


def imported_files(store: Store) -> list[ImportedFile]:
    """Every imported file, oldest first."""
    with store.read() as s:
        return list(s.scalars(select(ImportedFile).order_by(ImportedFile.id)))
