"""End-face inspection results in the store, beside geometry and IL/RL (migration 0002).

One ``EndfaceImage`` row per inspected image of an assembly's end (its connector class,
ferrule, verdict and why), one ``EndfaceFiber`` row per fiber (verdict, action and the
counts per IEC 61300-3-35 zone). Results come from :func:`mpokit.qc.inspect.inspect_image`
(``InspectResult.to_dict()``, the objects of ``mpokit qc inspect --json``); each batch is
imported in one transaction and recorded as an ``ImportedFile`` whose SHA-256 is that of
the batch's canonical JSON, so importing the same results again adds nothing.

The newest inspection of each end counts on the certificate (a re-inspection after cleaning
replaces the earlier one); older ones stay in the store as history.

Example:
    >>> import tempfile, pathlib
    >>> from mpokit.store import open_store
    >>> from mpokit.qc.inspect import inspect_image, simulate_inspection
    >>> img, _ = simulate_inspection(layout="single", seed=1)
    >>> res = inspect_image(img, "sm-pc", file="S1_A.png").to_dict()
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with open_store(f"sqlite:///{d}/q.db") as st:
    ...     first = import_inspections(st, [("S1", "A", res)])
    ...     again = import_inspections(st, [("S1", "A", res)])
    ...     ends = latest_inspections(st, "S1")
    >>> first.rows, again.skipped, ends[0]["verdict"], ends[0]["fibers"][0]["zones"]["A"]
    (1, True, 'pass', (0, 0))
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from mpokit.errors import InputError
from mpokit.store._write import ImportResult, Origin, _insert_ignore, _upsert_assemblies
from mpokit.store.db import Store
from mpokit.store.models import Base, ImportedFile

__all__ = ["EndfaceFiber", "EndfaceImage", "import_inspection_output", "import_inspections",
           "inspection_results", "latest_inspections", "serial_end_from_name"]

VERDICTS = ("pass", "fail", "unmeasurable")
_NAME = re.compile(r"^(?P<serial>.+)[_-](?P<end>[A-Za-z0-9]{1,3})$")


class EndfaceImage(Base):
    """One inspected end-face image of an assembly's end."""

    __tablename__ = "endface_image"
    __table_args__ = (UniqueConstraint("file_id", "serial", "end", "image",
                                       name="uq_endface_image"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("imported_file.id"), index=True)
    serial: Mapped[str] = mapped_column(String(100), index=True)
    end: Mapped[str] = mapped_column(String(20))
    image: Mapped[str] = mapped_column(String(500))
    connector_class: Mapped[str] = mapped_column(String(40))
    ferrule: Mapped[str] = mapped_column(String(10))
    verdict: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    pixel_um: Mapped[float] = mapped_column(Float)
    rules_source: Mapped[str] = mapped_column(String(500))
    rules_status: Mapped[str] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(20))
    inspected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EndfaceFiber(Base):
    """The inspection of one fiber of an image: verdict, action, counts per zone.

    ``zones`` maps a zone name to ``{"scratches", "defects", "max_scratch_um",
    "max_defect_um", "graded", "in_view", "ok"}``.
    """

    __tablename__ = "endface_fiber"
    __table_args__ = (UniqueConstraint("image_id", "fiber", name="uq_endface_fiber"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("endface_image.id"), index=True)
    fiber: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(200))
    zones: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON)
    violations: Mapped[list[str]] = mapped_column(JSON)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    cladding_diameter_um: Mapped[float | None] = mapped_column(Float)


def serial_end_from_name(file: str) -> tuple[str, str] | None:
    """Serial and end from an image name ``SERIAL_END.ext`` (or ``SERIAL-END``), else None.

    Parameters
    ----------
    file
        The image's path or name.

    Returns
    -------
    tuple[str, str] | None
        ``(serial, end)``, or None when the name has no end suffix.

    Examples
    --------
    >>> serial_end_from_name("scope/MPO-0042_B.tif")
    ('MPO-0042', 'B')
    >>> serial_end_from_name("face.png") is None
    True
    """
    m = _NAME.match(Path(file).stem)
    return (m["serial"], m["end"]) if m else None


def _fiber_rows(res: dict[str, Any], where: str) -> list[dict[str, Any]]:
    rows = []
    for j, f in enumerate(res.get("fibers") or []):
        try:
            zones = {z["zone"]: {k: z[k] for k in ("scratches", "defects", "max_scratch_um",
                                                   "max_defect_um", "graded", "in_view", "ok")}
                     for z in f["zones"]}
            viol = [f"zone {v['zone']}: {v['kind']} {v['found']} found, rule '{v['rule']}'"
                    for v in f.get("violations", [])]
            rows.append({"fiber": int(f["fiber"]), "verdict": str(f["verdict"]),
                         "action": str(f["action"])[:200], "zones": zones,
                         "violations": viol, "reasons": [str(r) for r in f.get("reasons", [])],
                         "cladding_diameter_um": f.get("cladding_diameter_um")})
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not an inspection result ({exc!r} missing or wrong)",
                             field=f"{where}.fibers[{j}]",
                             fix="give the output of 'mpokit qc inspect --json'") from None
        if rows[-1]["verdict"] not in VERDICTS:
            raise InputError(f"unknown verdict {rows[-1]['verdict']!r}",
                             field=f"{where}.fibers[{j}].verdict")
    return rows


def _check_verdict(res: Any, where: str) -> None:
    if not isinstance(res, dict) or res.get("verdict") not in VERDICTS:
        raise InputError("not an inspection result (no verdict)", field=where,
                         fix="give the output of 'mpokit qc inspect --json'")


def _image_row(serial: str, end: str, res: Any, where: str) -> dict[str, Any]:
    """The ``EndfaceImage`` values (and ``fibers`` rows) of one result, checked."""
    if not str(serial).strip() or not str(end).strip():
        raise InputError("empty serial or end", field=where,
                         fix="name the image SERIAL_END.png or give --serial and --end")
    _check_verdict(res, where)
    return {
        "serial": str(serial).strip(), "end": str(end).strip(),
        "image": str(res.get("file") or "")[-500:],
        "connector_class": str(res.get("connector_class") or ""),
        "ferrule": str(res.get("ferrule") or ""), "verdict": res["verdict"],
        "reasons": [str(r) for r in res.get("reasons", [])],
        "pixel_um": float(res.get("pixel_um") or 0.0),
        "rules_source": str((res.get("rules") or {}).get("source", ""))[:500],
        "rules_status": str((res.get("rules") or {}).get("status", ""))[:20],
        "fibers": _fiber_rows(res, where)}


def import_inspections(
    store: Store,
    items: Sequence[tuple[str, str, dict[str, Any]]],
    *,
    name: str = "qc-inspect",
    origin: Origin = "supplier",
    lot: str | None = None,
    supplier: str | None = None,
) -> ImportResult:
    """Import inspection results, one transaction for all; a repeat of the same is a no-op.

    Parameters
    ----------
    store
        The open store.
    items
        ``(serial, end, result)`` per image; ``result`` is ``InspectResult.to_dict()``.
    name
        Name recorded for the batch.
    origin
        ``supplier`` or ``incoming``.
    lot, supplier
        Set on the assemblies (never erase a lot or supplier already known).

    Returns
    -------
    ImportResult
        ``rows`` = images imported; ``skipped`` when these results were imported before.

    Raises
    ------
    InputError
        A serial or end is empty, or a result is not an inspection result (nothing is
        written).
    """
    images = [_image_row(serial, end, res, f"results[{i}]")
              for i, (serial, end, res) in enumerate(items)]
    if not images:
        raise InputError("no inspection results to import", field="results")
    return _store_images(store, items, images, name, origin, lot, supplier)


def _store_images(store: Store, items: Sequence[tuple[str, str, dict[str, Any]]],
                  images: list[dict[str, Any]], name: str, origin: Origin,
                  lot: str | None, supplier: str | None) -> ImportResult:
    """Write checked ``images`` in one transaction, keyed by the hash of ``items``."""
    # the image's folder does not change the results: hash them by the file's name
    canon = [[s, e, {**r, "file": Path(str(r.get("file") or "")).name}] for s, e, r in items]
    text = json.dumps(canon, sort_keys=True, default=str).encode()
    digest = hashlib.sha256(text).hexdigest()
    now = datetime.now(UTC)
    with store.session() as s:
        record = [{"sha256": digest, "name": name[:500], "kind": "endface", "origin": origin,
                   "rows": len(images), "imported_at": now}]
        file_id = s.execute(_insert_ignore(s, ImportedFile.__table__, record,
                                           ["sha256", "origin"])
                            .returning(ImportedFile.id)).scalar()
        if file_id is None:
            return ImportResult(name, digest, "endface", 0, True)
        _upsert_assemblies(s, images, lot, supplier)
        for im in images:
            row = EndfaceImage(file_id=file_id, origin=origin, inspected_at=now,
                               **{k: v for k, v in im.items() if k != "fibers"})
            s.add(row)
            s.flush()
            s.add_all(EndfaceFiber(image_id=row.id, **f) for f in im["fibers"])
    return ImportResult(name, digest, "endface", len(images), False)


def inspection_results(doc: object) -> list[Any] | None:
    """The results of a ``qc inspect --json`` document, or None when ``doc`` is not one.

    Accepts the ``{"ok", "results": [...]}`` of ``qc inspect --json``, a list of results,
    or one result (the ``<image>.json`` of ``qc inspect --report``). A document is taken for
    inspection output when a result names its ``connector_class`` or is an unreadable image
    (``"verdict": "error"``); ``qc geometry --json`` results have neither.

    Parameters
    ----------
    doc
        The parsed JSON.

    Returns
    -------
    list[Any] | None
        The results, in file order, or None.

    Examples
    --------
    >>> inspection_results({"ok": True, "results": [{"verdict": "pass",
    ...                                              "connector_class": "sm-pc"}]})
    [{'verdict': 'pass', 'connector_class': 'sm-pc'}]
    >>> inspection_results({"results": [{"serial": "S1", "profile": "iec-61755-3-31"}]})
    """
    results = doc.get("results") if isinstance(doc, dict) and "results" in doc else doc
    if isinstance(results, dict):
        results = [results]
    if not isinstance(results, list):
        return None
    if any(isinstance(r, dict) and ("connector_class" in r or r.get("verdict") == "error")
           for r in results):
        return results
    return None


def import_inspection_output(
    store: Store,
    results: Sequence[Any],
    *,
    file: str,
    name: str | None = None,
    origin: Origin = "supplier",
    lot: str | None = None,
    supplier: str | None = None,
) -> ImportResult:
    """Import the results of a ``qc inspect --json`` file (see :func:`inspection_results`).

    Each image's assembly is named by the image ``SERIAL_END.ext`` (as ``qc inspect
    --store`` does without ``--serial``/``--end``); unreadable images are left out, since
    nothing was inspected. The same results imported by ``qc inspect --store`` or from this
    file before are skipped.

    Parameters
    ----------
    store
        The open store.
    results
        The results, as :func:`inspection_results` returns them.
    file
        The JSON file, for error messages and the result.
    name
        Name recorded for the batch (default: the file's name).
    origin, lot, supplier
        As for :func:`import_inspections`.

    Returns
    -------
    ImportResult
        ``rows`` = images imported, ``file`` = ``file``.

    Raises
    ------
    InputError
        A result is not an inspection result, an image's name carries no serial and end,
        or no image was readable (file and ``results[i]`` named; nothing is written).
    """
    items, images = [], []
    try:
        for i, res in enumerate(results):
            where = f"results[{i}]"
            if isinstance(res, dict) and res.get("verdict") == "error":
                continue  # an unreadable image: nothing was inspected
            _check_verdict(res, where)
            image = str(res.get("file") or "")
            owner = serial_end_from_name(image) if image else None
            if owner is None:
                raise InputError(f"no assembly serial and end in the image name {image!r}",
                                 field=f"{where}.file",
                                 fix="name the images SERIAL_END.png (e.g. MPO-0042_A.png) "
                                 "and inspect again, or import with 'mpokit qc inspect "
                                 "--store URL --serial S --end E'")
            images.append(_image_row(*owner, res, where))
            items.append((*owner, res))
        if not images:
            raise InputError("no inspected image to import (every image was unreadable)",
                             field="results", fix="inspect readable images, then import")
    except InputError as exc:
        raise exc.located(file=file) from None
    r = _store_images(store, items, images, name or Path(file).name, origin, lot, supplier)
    return replace(r, file=file)


def latest_inspections(store: Store, serial: str, origin: Origin = "supplier"
                       ) -> list[dict[str, Any]]:
    """The newest inspection of each end of ``serial`` (ends in name order).

    Parameters
    ----------
    store
        The open store.
    serial
        The assembly serial.
    origin
        Whose inspections: ``supplier`` or ``incoming``.

    Returns
    -------
    list[dict[str, Any]]
        Per end: ``end``, ``image``, ``connector_class``, ``ferrule``, ``verdict``,
        ``reasons``, ``rules_status``, ``zone_names`` and ``fibers`` (``fiber``,
        ``verdict``, ``action``, ``zones`` = name -> (scratches, defects), ``violations``,
        ``reasons``).
    """
    with store.read() as s:
        imgs = list(s.scalars(select(EndfaceImage).where(
            EndfaceImage.serial == serial, EndfaceImage.origin == origin)
            .order_by(EndfaceImage.id)))
        newest: dict[str, EndfaceImage] = {}
        for im in imgs:
            newest[im.end] = im  # ordered by id: the last one wins
        out = []
        for end in sorted(newest):
            im = newest[end]
            fibers = list(s.scalars(select(EndfaceFiber).where(EndfaceFiber.image_id == im.id)
                                    .order_by(EndfaceFiber.fiber)))
            names: list[str] = []
            for f in fibers:
                names += [z for z in f.zones if z not in names]
            out.append({
                "end": end, "image": im.image, "connector_class": im.connector_class,
                "ferrule": im.ferrule, "verdict": im.verdict, "reasons": list(im.reasons),
                "rules_status": im.rules_status, "inspected_at": im.inspected_at,
                "zone_names": names,
                "fibers": [{"fiber": f.fiber, "verdict": f.verdict, "action": f.action,
                            "zones": {z: (int(c["scratches"]), int(c["defects"]))
                                      for z, c in f.zones.items()},
                            "violations": list(f.violations), "reasons": list(f.reasons)}
                           for f in fibers]})
    return out
