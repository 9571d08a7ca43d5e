"""Field test results (multi-fiber tester exports) as arrays: the generic CSV / JSON layout.

One row per fiber of a tested link and wavelength::

    label,fiber,wavelength_nm,loss_db,length_m,far_fiber,verdict
    node01:1 to leaf01:1,1,850,0.21,7.02,12,PASS

* ``label``: the channel's name in the plan (``channels.yaml``), e.g. ``node01:1 to leaf01:1``;
* ``fiber``: the position at end A (1-based, module view of end A's port, docs/frames.md);
* ``far_fiber``: the position at end B where that fiber arrives (module view of end B's port);
  empty, ``open`` or ``0`` when the tester found no continuity;
* ``loss_db``, ``length_m``: numbers; a cell may carry its unit (``7.02 m``, ``23 ft``,
  ``0.21 dB``); a header ``length_ft`` means feet. One column holding two units is refused;
* ``verdict``: the tester's own PASS / FAIL (optional, kept for the record);
* optional ``serial`` (the assembly tested, for factory -> field traceability), ``tested_at``
  and ``tester``.

A JSON file holds ``{"results": [{...one row...}, ...]}`` with the same keys.

Everything is validated before anything is used: a bad cell, a duplicate row (same label,
fiber and wavelength), mixed units -- an :class:`~mpokit.errors.InputError` naming the file,
line and column, every error of the file at once (up to ``MAX_REPORTED``).

>>> r = parse_results_text("label,fiber,wavelength_nm,loss_db,length_ft,far_fiber\\n"
...                        "x,1,850,0.2,23,12\\nx,12,850,0.3 dB,23 ft,open\\n", file="t.csv")
>>> r.labels, r.fiber.tolist(), r.far_fiber.tolist(), np.round(r.length_m, 2).tolist()
(('x',), [0, 11], [11, -1], [7.01, 7.01])
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from mpokit._files import read_input_bytes
from mpokit.accept.layout import Layout
from mpokit.errors import MAX_REPORTED, InputError, InputErrors

__all__ = ["FIELDS", "REQUIRED", "FieldResults", "concat_results", "parse_results_text",
           "read_results"]

REQUIRED = ("label", "fiber", "wavelength_nm", "loss_db", "far_fiber")
OPTIONAL = ("length_m", "verdict", "serial", "tested_at", "tester")
FIELDS = REQUIRED + OPTIONAL
OPEN = -1  # far_fiber of a fiber without continuity
FT_M = 0.3048
_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_CELL = re.compile(rf"^\s*(?P<num>{_NUM})\s*(?P<unit>[A-Za-z]*)\s*$")
_UNITS = {"length_m": {"": 1.0, "m": 1.0, "ft": FT_M, "km": 1000.0},
          "loss_db": {"": 1.0, "db": 1.0}, "wavelength_nm": {"": 1.0, "nm": 1.0}}
_OPEN_TEXT = ("", "open", "0", "-", "none")


@dataclass(frozen=True)
class FieldResults:
    """Rows of tester results; per-row numpy arrays in file order.

    Attributes
    ----------
    labels
        Each distinct label once, in order of first appearance.
    label_of
        ``(R,)`` int64 index into ``labels``.
    fiber, far_fiber
        ``(R,)`` int16, 0-based positions (``far_fiber`` -1: no continuity).
    wavelength_nm, loss_db, length_m
        ``(R,)`` float64 (``length_m`` NaN where not given).
    verdict
        ``(R,)`` int8: 1 PASS, 0 FAIL, -1 not given.
    serial
        ``(R,)`` object: the tested assembly's serial, or None.
    file_of, line
        ``(R,)``: index into ``files`` and the row's line (JSON: item index + 1).
    files
        The files the rows came from.
    """

    labels: tuple[str, ...]
    label_of: np.ndarray
    fiber: np.ndarray
    wavelength_nm: np.ndarray
    loss_db: np.ndarray
    length_m: np.ndarray
    far_fiber: np.ndarray
    verdict: np.ndarray
    serial: np.ndarray
    file_of: np.ndarray
    line: np.ndarray
    files: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.label_of.size)

    def where(self, row: int) -> tuple[str, int]:
        """The file and line of row ``row``.

        Parameters
        ----------
        row
            A row index.

        Returns
        -------
        tuple[str, int]
            File name and line number.
        """
        return self.files[int(self.file_of[row])], int(self.line[row])


def _fail(errors: list[InputError]) -> None:
    if errors:
        raise InputErrors.of(errors[:MAX_REPORTED], truncated=len(errors) > MAX_REPORTED)


def _is_number_type(col: pa.ChunkedArray | pa.Array) -> bool:
    return bool(pa.types.is_integer(col.type) or pa.types.is_floating(col.type))


def _mask(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A boolean compute result as a numpy array (nulls False)."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _bad_cells(col: pa.ChunkedArray | pa.Array, rows: np.ndarray, name: str, file: str,
               lines: np.ndarray, errors: list[InputError], what: str, fix: str) -> None:
    for i in rows[:MAX_REPORTED]:
        cell = col[int(i)].as_py()
        shown = "an empty cell" if cell in (None, "") else repr(cell)
        errors.append(InputError(f"{shown} is not {what}", file=file, line=int(lines[i]),
                                 field=name, fix=fix))


def _numbers(col: pa.ChunkedArray | pa.Array, name: str, unit_hint: str, file: str,
             lines: np.ndarray, errors: list[InputError]) -> np.ndarray:
    """A column of numbers (with optional unit suffixes when it is text) in canonical units."""
    allowed = _UNITS[name]
    hint = allowed[unit_hint] if unit_hint else 1.0
    if _is_number_type(col) or pa.types.is_null(col.type):
        vals = np.asarray(pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False),
                          dtype=float)
        return vals * hint  # empty cells are NaN: the range check names them
    col = pc.utf8_trim_whitespace(pc.fill_null(pc.cast(col, pa.string()), ""))
    n = len(col)
    parts = pc.extract_regex(col, rf"^(?P<num>{_NUM})\s*(?P<unit>[A-Za-z]*)$")
    ok = _mask(pc.is_valid(parts))
    empty = _mask(pc.equal(col, ""))
    _bad_cells(col, np.flatnonzero(~ok & ~empty), name, file, lines, errors, "a number",
               "write a plain number (a unit such as 'm' or 'dB' may follow)")
    out = np.full(n, np.nan)
    if n == 0 or not ok.any():
        return out
    nums = pc.struct_field(parts, "num")
    units = pc.utf8_lower(pc.struct_field(parts, "unit"))
    vals = np.asarray(pc.cast(pc.if_else(pa.array(ok), nums, "nan"), pa.float64())
                      .to_numpy(zero_copy_only=False))
    seen = [u for u in pc.unique(pc.filter(units, pa.array(ok))).to_pylist() if u is not None]
    masks = {u: _mask(pc.equal(units, u)) & ok for u in seen}
    for u in seen:
        if u not in allowed:
            i = int(np.flatnonzero(masks[u])[0])
            errors.append(InputError(f"unknown unit {u!r}", file=file, line=int(lines[i]),
                                     field=name,
                                     fix=f"use one of {sorted(k for k in allowed if k)}"))
    explicit = sorted((u for u in seen if u and u in allowed),
                      key=lambda u: int(np.flatnonzero(masks[u])[0]))
    kinds = {allowed[u] for u in explicit}
    if unit_hint and explicit:
        kinds.add(hint)
    if len(kinds) > 1:
        firsts = [f"'{u}' on line {int(lines[int(np.flatnonzero(masks[u])[0])])}"
                  for u in explicit]
        head = f" (header says {unit_hint})" if unit_hint else ""
        errors.append(InputError(f"mixed units in one column: {', '.join(firsts)}{head}",
                                 file=file, line=int(lines[int(np.flatnonzero(ok)[0])]),
                                 field=name, fix="export every value of the column in one "
                                                 "unit"))
        return out
    factor = np.full(n, hint)
    for u in explicit:
        factor[masks[u]] = allowed[u]
    out[ok] = vals[ok] * factor[ok]
    return out


def _positions(col: pa.ChunkedArray | pa.Array, name: str, file: str, lines: np.ndarray,
               errors: list[InputError], *, allow_open: bool) -> np.ndarray:
    fix = ("give the 1-based position on the MPO end face"
           + (" ('open' for no continuity)" if allow_open else ""))
    if pa.types.is_integer(col.type) or pa.types.is_null(col.type):
        v = np.asarray(pc.fill_null(pc.cast(col, pa.int64()), 0).to_numpy(
            zero_copy_only=False), dtype=np.int64)
        bad = (v < 0) | (v > 4096) | ((v == 0) & (not allow_open))
        _bad_cells(col, np.flatnonzero(bad), name, file, lines, errors, "a fiber position",
                   fix)
        out = (v - 1).astype(np.int16)
        out[(v <= 0) | bad] = OPEN
        return out
    txt = pc.utf8_lower(pc.utf8_trim_whitespace(pc.fill_null(pc.cast(col, pa.string()), "")))
    is_int = _mask(pc.match_substring_regex(txt, r"^\d{1,4}$"))
    is_open = _mask(pc.is_in(txt, value_set=pa.array(_OPEN_TEXT))) if allow_open else \
        np.zeros(len(txt), bool)
    out = np.full(len(txt), OPEN, dtype=np.int16)
    if is_int.any():
        v = np.asarray(pc.cast(pc.if_else(pa.array(is_int), txt, "0"), pa.int32())
                       .to_numpy(zero_copy_only=False))
        is_int &= v >= 1
        out[is_int] = (v[is_int] - 1).astype(np.int16)
    out[is_open] = OPEN
    _bad_cells(txt, np.flatnonzero(~is_int & ~is_open), name, file, lines, errors,
               "a fiber position", fix)
    return out


def _verdicts(col: pa.ChunkedArray | pa.Array | None, n: int, file: str, lines: np.ndarray,
              errors: list[InputError]) -> np.ndarray:
    out = np.full(n, -1, dtype=np.int8)
    if col is None:
        return out
    t = pc.utf8_upper(pc.utf8_trim_whitespace(pc.fill_null(pc.cast(col, pa.string()), "")))
    out[_mask(pc.is_in(t, value_set=pa.array(["PASS", "P", "OK"])))] = 1
    out[_mask(pc.is_in(t, value_set=pa.array(["FAIL", "F"])))] = 0
    bad = np.flatnonzero((out == -1) & ~_mask(pc.equal(t, "")))
    _bad_cells(t, bad, "verdict", file, lines, errors, "a verdict", "PASS, FAIL or empty")
    return out


def _header_map(names: Sequence[str], file: str, layout: Layout | None = None
                ) -> tuple[dict[str, str], dict[str, str]]:
    """mpokit field -> column name, and field -> the unit its header (or layout) gives."""
    cols: dict[str, str] = {}
    units: dict[str, str] = {}
    errors: list[InputError] = []
    renamed = {c.strip().lower(): f for f, c in layout.columns.items()} if layout else {}
    present = {n.strip().lower() for n in names}
    for f, c in (layout.columns.items() if layout else ()):
        if c.strip().lower() not in present:
            errors.append(InputError(f"the layout's column {c!r} (for {f}) is not in the file",
                                     file=file, line=1, field=c,
                                     fix="fix the layout's 'columns' or export that column"))
    for name in names:
        key = name.strip().lower()
        field, unit = key, ""
        if key in renamed:
            field = renamed[key]
            given = {str(k): str(v) for k, v in layout.units.items()} if layout else {}
            unit = given.get(field, "")
        elif renamed and key in FIELDS and key in renamed.values():
            continue  # the layout maps another column onto this field
        elif key == "length_ft":
            field, unit = "length_m", "ft"
        elif key == "length_m":
            unit = "m"
        if field not in FIELDS:
            continue  # other columns are kept out of the way, not refused
        if field in cols:
            errors.append(InputError(f"column {field!r} appears twice ({cols[field]!r}, "
                                     f"{name!r})", file=file, line=1, field=name,
                                     fix="keep one of them"))
        cols[field], units[field] = name, unit
    missing = [f for f in REQUIRED if f not in cols]
    if missing:
        errors.append(InputError(f"missing column(s) {', '.join(missing)}", file=file, line=1,
                                 fix="the generic layout needs " + ", ".join(REQUIRED)
                                     + " (docs/accept.md)"))
    _fail(errors)
    return cols, units


def _from_table(t: pa.Table, lines: np.ndarray, file: str,
                layout: Layout | None = None) -> FieldResults:
    if layout is not None:
        for f, v in layout.constants.items():
            t = t.append_column(f"\x00{f}", pa.array([v] * t.num_rows, pa.string()))
        layout = layout.model_copy(update={"columns": {
            **layout.columns, **{f: f"\x00{f}" for f in layout.constants}}})
    cols, units = _header_map(t.column_names, file, layout)
    errors: list[InputError] = []
    n = t.num_rows
    label_col = pc.utf8_trim_whitespace(pc.fill_null(pc.cast(t[cols["label"]], pa.string()),
                                                     ""))
    empty = np.flatnonzero(np.asarray(pc.equal(label_col, "").to_numpy(zero_copy_only=False)))
    for i in empty[:MAX_REPORTED]:
        errors.append(InputError("empty label", file=file, line=int(lines[i]), field="label",
                                 fix="give the channel's name as in channels.yaml"))
    enc = pc.dictionary_encode(label_col).combine_chunks() if isinstance(
        label_col, pa.ChunkedArray) else pc.dictionary_encode(label_col)
    labels = tuple(enc.dictionary.to_pylist())
    label_of = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    fiber = _positions(t[cols["fiber"]], "fiber", file, lines, errors, allow_open=False)
    far = _positions(t[cols["far_fiber"]], "far_fiber", file, lines, errors, allow_open=True)
    wl = _numbers(t[cols["wavelength_nm"]], "wavelength_nm", "", file, lines, errors)
    loss = _numbers(t[cols["loss_db"]], "loss_db", "", file, lines, errors)
    for name, arr, lo, hi in (("wavelength_nm", wl, 600.0, 1700.0), ("loss_db", loss, -1.0,
                                                                     60.0)):
        bad = np.flatnonzero(~((arr >= lo) & (arr <= hi)))
        for i in bad[:MAX_REPORTED]:
            if not any(e.line == int(lines[i]) and e.field == name for e in errors):
                errors.append(InputError(f"{arr[i]:g} is outside {lo:g}..{hi:g}"
                                         if not np.isnan(arr[i]) else "missing value",
                                         file=file, line=int(lines[i]), field=name,
                                         fix="export the measured value"))
    length = (_numbers(t[cols["length_m"]], "length_m", units.get("length_m", ""), file, lines,
                       errors) if "length_m" in cols else np.full(n, np.nan))
    verdict = _verdicts(t[cols["verdict"]] if "verdict" in cols else None, n, file, lines,
                        errors)
    serial = (np.asarray(pc.utf8_trim_whitespace(pc.cast(t[cols["serial"]], pa.string()))
                         .to_numpy(zero_copy_only=False), dtype=object)
              if "serial" in cols else np.full(n, None, dtype=object))
    serial[serial == ""] = None
    errors.sort(key=lambda e: (e.line or 0))
    _fail(errors)
    res = FieldResults(labels, label_of, fiber, wl, loss, length, far, verdict, serial,
                       np.zeros(n, dtype=np.int32), lines.astype(np.int64), (file,))
    _check_duplicates(res)
    return res


def _check_duplicates(r: FieldResults) -> None:
    """Two rows for the same label, fiber and wavelength: refuse, naming both lines."""
    if len(r) < 2:
        return
    wl = np.round(r.wavelength_nm).astype(np.int64)
    key = (r.label_of * 4096 + r.fiber.astype(np.int64)) * 4096 + wl
    order = np.argsort(key, kind="stable")
    k = key[order]
    dup = np.flatnonzero(k[1:] == k[:-1])
    errors = []
    for j in dup[:MAX_REPORTED]:
        a, b = int(order[j]), int(order[j + 1])
        fa, la = r.where(a)
        fb, lb = r.where(b)
        other = f"line {la}" if fa == fb else f"{fa}:{la}"
        errors.append(InputError(
            f"duplicate result for {r.labels[int(r.label_of[b])]!r} fiber "
            f"{int(r.fiber[b]) + 1} at {r.wavelength_nm[b]:g} nm (also {other})",
            file=fb, line=lb, field="label", fix="keep one test per fiber and wavelength "
                                                 "(delete the re-test you do not accept)"))
    _fail(errors)


def _malformed(data: bytes, file: str, msg: str) -> InputError:
    """Find the first row whose width differs from the header's (pyarrow does not say)."""
    import csv

    fix = "export the results as UTF-8 CSV with one header line"
    try:
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
        width = len(next(reader))
        for row in reader:
            if row and len(row) != width:
                return InputError(f"malformed CSV: expected {width} columns, got {len(row)}",
                                  file=file, line=reader.line_num, fix=fix)
    except (UnicodeDecodeError, csv.Error, StopIteration) as exc:
        msg = f"{msg} ({exc})" if not isinstance(exc, StopIteration) else msg
    return InputError(f"malformed CSV: {msg}", file=file, fix=fix)


def _parse_csv(data: bytes, file: str, layout: Layout | None = None) -> FieldResults:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    small = data[:4096].strip() if len(data) <= 4096 else b"x\nx"  # (no 177 MB copies)
    if not small:
        raise InputError("empty file", file=file, line=1,
                         fix="export the results with a header line (docs/accept.md)")
    if b"\n" not in small:  # a header and no rows
        import csv

        head = next(csv.reader([data.decode("utf-8", "replace")]))
        empty = pa.table({h: pa.array([], pa.string()) for h in dict.fromkeys(head)})
        return _from_table(empty, np.zeros(0, dtype=np.int64), file, layout)
    try:
        t = pacsv.read_csv(io.BytesIO(data), read_options=pacsv.ReadOptions(block_size=1 << 24),
                           convert_options=pacsv.ConvertOptions(
                               column_types={k: pa.string() for k in (
                                   "label", "serial", "verdict", "tester", "tested_at")},
                               strings_can_be_null=False,
                               auto_dict_encode=False),
                           parse_options=pacsv.ParseOptions(newlines_in_values=False))
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise _malformed(data, file, str(exc).split("\n")[0]) from None
    # pyarrow infers each column's type: plain numbers stay numbers (the fast path), a column
    # with units or words in it is text and parsed cell by cell (still as array work)
    lines = np.arange(2, t.num_rows + 2, dtype=np.int64)
    return _from_table(t, lines, file, layout)


def _parse_json(data: bytes, file: str, layout: Layout | None = None) -> FieldResults:
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"not JSON: {exc}", file=file, line=line,
                         fix='give {"results": [{"label": ..., "fiber": ...}, ...]}') from None
    rows = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InputError("expected an object with a list of row objects under 'results'",
                         file=file, field="results",
                         fix='give {"results": [{"label": ..., "fiber": ...}, ...]}')
    keys: list[str] = []
    for r in rows:
        for k in r:
            if k not in keys:
                keys.append(k)
    t = pa.table({k: pa.array(["" if r.get(k) is None else str(r.get(k)) for r in rows],
                              pa.string()) for k in keys}) if rows else pa.table(
        {k: pa.array([], pa.string()) for k in REQUIRED})
    return _from_table(t, np.arange(1, len(rows) + 1, dtype=np.int64), file, layout)


def parse_results_text(text: str | bytes, *, file: str = "<results>",
                       fmt: str | None = None, layout: Layout | None = None) -> FieldResults:
    """Parse one results file's content (CSV, or JSON when ``fmt="json"`` or it starts ``{``).

    Parameters
    ----------
    text
        The file's content.
    file
        The name errors give.
    fmt
        ``"csv"``, ``"json"`` or None (guess).
    layout
        A tester export's column mapping (:mod:`mpokit.accept.layout`); None: generic.

    Returns
    -------
    FieldResults
        The validated rows.

    Raises
    ------
    InputError
        Every bad cell, duplicate or missing column, with file, line and field.

    Examples
    --------
    >>> parse_results_text('{"results": [{"label": "x", "fiber": 1, "wavelength_nm": 850,'
    ...                    ' "loss_db": 0.2, "far_fiber": 12}]}').far_fiber.tolist()
    [11]
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    if fmt is None:
        fmt = "json" if data.lstrip()[:1] == b"{" else "csv"
    return _parse_json(data, file, layout) if fmt == "json" else _parse_csv(data, file, layout)


def read_results(path: str | os.PathLike[str], layout: Layout | None = None) -> FieldResults:
    """Read one results file (``.csv`` or ``.json``).

    Parameters
    ----------
    path
        The file.
    layout
        A tester export's column mapping; None: the generic layout.

    Returns
    -------
    FieldResults
        Its validated rows.

    Raises
    ------
    InputError
        Unreadable file or bad content (file, line, field, fix).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = p.write_text("label,fiber,wavelength_nm,loss_db,far_fiber\\nx,1,850,0.2,12\\n")
    >>> len(read_results(p))
    1
    """
    p = Path(path)
    data = read_input_bytes(p)
    return parse_results_text(data, file=str(p), layout=layout,
                              fmt="json" if p.suffix.lower() == ".json" else None)


def concat_results(parts: Sequence[FieldResults]) -> FieldResults:
    """Several files' rows as one set (labels merged; duplicates across files refused).

    Parameters
    ----------
    parts
        Results of single files.

    Returns
    -------
    FieldResults
        All rows, file by file.

    Raises
    ------
    InputError
        The same label, fiber and wavelength in two files.

    Examples
    --------
    >>> a = parse_results_text("label,fiber,wavelength_nm,loss_db,far_fiber\\nx,1,850,0.2,12")
    >>> b = parse_results_text("label,fiber,wavelength_nm,loss_db,far_fiber\\ny,1,850,0.2,12")
    >>> concat_results([a, b]).labels
    ('x', 'y')
    """
    if len(parts) == 1:
        return parts[0]
    index: dict[str, int] = {}
    label_of = []
    files: list[str] = []
    file_of = []
    for p in parts:
        remap = np.fromiter((index.setdefault(lab, len(index)) for lab in p.labels),
                            dtype=np.int64, count=len(p.labels))
        label_of.append(remap[p.label_of])
        file_of.append(p.file_of + len(files))
        files += p.files

    def cat(name: str) -> Any:
        return np.concatenate([getattr(p, name) for p in parts]) if parts else np.zeros(0)

    res = FieldResults(tuple(index), np.concatenate(label_of) if parts else np.zeros(0, np.int64),
                       cat("fiber"), cat("wavelength_nm"), cat("loss_db"), cat("length_m"),
                       cat("far_fiber"), cat("verdict"), cat("serial"),
                       np.concatenate(file_of) if parts else np.zeros(0, np.int32),
                       cat("line"), tuple(files))
    _check_duplicates(res)
    return res
