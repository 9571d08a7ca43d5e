"""Field results in the store: tester rows, OTDR events and the as-built cords, traceable
from a rack and port back to the factory data of the cord plugged there.

Tables (migration ``0003``):

* ``installed_assembly``: one cable of the plan's cut sheet as built -- its cut-sheet label,
  both ends (rack, device or panel port) and the serial of the assembly installed;
* ``field_test``: one tested channel of one imported file (label, serial when known);
* ``field_result``: one fiber at one wavelength of a test (loss, length, far position);
* ``field_event``: one OTDR key event of a traced fiber.

Each import is one transaction keyed by the file's SHA-256 (origin ``field``), so a file is
imported once and a failed import leaves nothing. The store does not read plans (it sits
below :mod:`mpokit.accept`); callers hand it validated rows.

:func:`cord_at` answers "which certificate belongs to the cord in rack 1B09 port 17?".

Example:
    >>> import tempfile, pathlib
    >>> from mpokit.store import open_store
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with open_store(f"sqlite:///{d}/f.db") as st:
    ...     _ = import_installed(st, "asbuilt.csv", "ab12", [{"cable_label": "c1",
    ...         "serial": "S1", "a_rack": "1B09", "a_port": "17", "a_device": "node01",
    ...         "b_rack": "1B03", "b_port": "PP01-17", "b_device": None}])
    ...     [c.serial for c in cord_at(st, "1B09", "17")]
    ['S1']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, func, insert, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mpokit.store._write import ImportResult, _insert_ignore
from mpokit.store.db import Store
from mpokit.store.models import Assembly, Base, ImportedFile, Measurement

__all__ = ["CordRecord", "FieldEvent", "FieldResult", "FieldTest", "InstalledAssembly",
           "cord_at", "import_field_tests", "import_installed"]

ORIGIN = "field"
_CHUNK = 2000


class InstalledAssembly(Base):
    """A cut-sheet cable as built: where its ends are and which serial was installed."""

    __tablename__ = "installed_assembly"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("imported_file.id"), index=True)
    cable_label: Mapped[str] = mapped_column(String(300), index=True)
    serial: Mapped[str] = mapped_column(String(100), index=True)
    a_rack: Mapped[str | None] = mapped_column(String(50), index=True)
    a_port: Mapped[str | None] = mapped_column(String(50))
    a_device: Mapped[str | None] = mapped_column(String(100))
    b_rack: Mapped[str | None] = mapped_column(String(50), index=True)
    b_port: Mapped[str | None] = mapped_column(String(50))
    b_device: Mapped[str | None] = mapped_column(String(100))


class FieldTest(Base):
    """One tested channel of one imported file."""

    __tablename__ = "field_test"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("imported_file.id"), index=True)
    label: Mapped[str] = mapped_column(String(300), index=True)
    serial: Mapped[str | None] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # results | otdr
    status: Mapped[str | None] = mapped_column(String(30))


class FieldResult(Base):
    """One fiber of a test at one wavelength."""

    __tablename__ = "field_result"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    test_id: Mapped[int] = mapped_column(ForeignKey("field_test.id"), index=True)
    fiber: Mapped[int] = mapped_column(Integer)
    wavelength_nm: Mapped[float] = mapped_column(Float)
    loss_db: Mapped[float] = mapped_column(Float)
    length_m: Mapped[float | None] = mapped_column(Float)
    far_fiber: Mapped[int | None] = mapped_column(Integer)
    verdict: Mapped[bool | None] = mapped_column(Boolean)


class FieldEvent(Base):
    """One OTDR key event of a traced fiber."""

    __tablename__ = "field_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    test_id: Mapped[int] = mapped_column(ForeignKey("field_test.id"), index=True)
    fiber: Mapped[int] = mapped_column(Integer)
    wavelength_nm: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float)
    loss_db: Mapped[float] = mapped_column(Float)
    reflectance_db: Mapped[float | None] = mapped_column(Float)
    end: Mapped[bool] = mapped_column(Boolean)


def _file_row(s: Session, name: str, digest: str, kind: str, n: int) -> int | None:
    rec = [{"sha256": digest, "name": name, "kind": kind, "origin": ORIGIN, "rows": n,
            "imported_at": datetime.now(UTC)}]
    res = s.execute(_insert_ignore(s, ImportedFile.__table__, rec, ["sha256", "origin"])
                    .returning(ImportedFile.id))
    return res.scalar()


def import_installed(store: Store, name: str, digest: str,
                     rows: Sequence[dict[str, Any]]) -> ImportResult:
    """Record which serial was installed as which cut-sheet cable (one transaction).

    Parameters
    ----------
    store
        An open store.
    name
        The as-built file's name.
    digest
        Its SHA-256 (a file already imported is skipped).
    rows
        Validated rows: ``cable_label``, ``serial``, ``a_rack``, ``a_port``, ``a_device``,
        ``b_rack``, ``b_port``, ``b_device``.

    Returns
    -------
    ImportResult
        Rows added, or ``skipped``.
    """
    with store.session() as s:
        file_id = _file_row(s, name, digest, "as-built", len(rows))
        if file_id is None:
            return ImportResult(name, digest, "as-built", 0, True)
        for i in range(0, len(rows), _CHUNK):
            s.execute(insert(InstalledAssembly),
                      [dict(r) | {"file_id": file_id} for r in rows[i:i + _CHUNK]])
    return ImportResult(name, digest, "as-built", len(rows), False)


def import_field_tests(store: Store, name: str, digest: str, kind: str,
                       tests: Sequence[dict[str, Any]]) -> ImportResult:
    """Store one file's tests (one transaction): each with its fiber rows or events.

    Parameters
    ----------
    store
        An open store.
    name
        The file's name.
    digest
        Its SHA-256 (a file already imported is skipped).
    kind
        ``"results"`` (tester rows) or ``"otdr"`` (events).
    tests
        ``{"label", "serial", "status", "rows": [...]}`` per tested channel; rows hold the
        :class:`FieldResult` (or :class:`FieldEvent`) columns but ``test_id``.

    Returns
    -------
    ImportResult
        Rows added, or ``skipped``.
    """
    table: type[FieldResult] | type[FieldEvent] = FieldResult if kind == "results" else FieldEvent
    n = sum(len(t["rows"]) for t in tests)
    with store.session() as s:
        file_id = _file_row(s, name, digest, f"field-{kind}", n)
        if file_id is None:
            return ImportResult(name, digest, f"field-{kind}", 0, True)
        for i in range(0, len(tests), _CHUNK):
            chunk = tests[i:i + _CHUNK]
            ids = s.execute(insert(FieldTest).returning(FieldTest.id),
                            [{"file_id": file_id, "label": t["label"], "serial": t.get("serial"),
                              "kind": kind, "status": t.get("status")} for t in chunk]
                            ).scalars().all()
            rows = [r | {"test_id": tid} for t, tid in zip(chunk, ids, strict=True)
                    for r in t["rows"]]
            for j in range(0, len(rows), _CHUNK * 4):
                s.execute(insert(table), rows[j:j + _CHUNK * 4])
    return ImportResult(name, digest, f"field-{kind}", n, False)


@dataclass(frozen=True)
class CordRecord:
    """The cord at a rack and port: its cut-sheet cable, serial, factory data, field tests."""

    cable_label: str
    serial: str
    lot: str | None
    supplier: str | None
    factory_measurements: int
    field_tests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def certificate(self) -> str:
        """How to issue its factory certificate, or why none can be."""
        if self.factory_measurements:
            return f"mpokit qc certificate {self.serial} -o {self.serial}.pdf"
        return (f"none: the store holds no factory IL/RL data for serial {self.serial} "
                "(import the supplier's file with 'mpokit qc import')")

    def to_dict(self) -> dict[str, Any]:
        """JSON form.

        Returns
        -------
        dict[str, Any]
            Every field plus the certificate hint.
        """
        return {"cable_label": self.cable_label, "serial": self.serial, "lot": self.lot,
                "supplier": self.supplier, "factory_measurements": self.factory_measurements,
                "certificate": self.certificate, "field_tests": self.field_tests}


def _port_match(col: Any, port: str) -> Any:
    p = port.strip()
    alts = {p}
    if p.isdigit():  # "17" also finds panel port 17 (PPnn-17) and zero-padded forms
        alts |= {p.zfill(2)}
        return or_(col.in_(alts), col.like(f"PP%-{p.zfill(2)}"))
    return col.in_(alts)


def cord_at(store: Store, rack: str, port: str) -> list[CordRecord]:
    """Which installed cord sits at ``rack`` / ``port``, with its factory and field data.

    Parameters
    ----------
    store
        An open store.
    rack
        The rack's name as in the cut sheet (``1B09``).
    port
        A device port (``17``), a panel port (``PP05-17``), or a number that matches both.

    Returns
    -------
    list[CordRecord]
        Every cable with an end there (two when a panel port is also a device's port
        number); empty when the as-built records know none.
    """
    t = InstalledAssembly
    with store.read() as s:
        found = s.execute(select(t).where(or_(
            (t.a_rack == rack) & _port_match(t.a_port, port),
            (t.b_rack == rack) & _port_match(t.b_port, port))).order_by(t.id)).scalars().all()
        out = []
        seen: set[tuple[str, str]] = set()
        for row in found:
            if (row.cable_label, row.serial) in seen:
                continue
            seen.add((row.cable_label, row.serial))
            asm = s.get(Assembly, row.serial)
            n = s.execute(select(func.count()).select_from(Measurement)
                          .where(Measurement.serial == row.serial)).scalar_one()
            ends = [f"{d}:{p}" for d, p in ((row.a_device, row.a_port),
                                            (row.b_device, row.b_port)) if d]
            conds = [FieldTest.serial == row.serial]
            for e in ends:
                conds += [FieldTest.label.like(f"{e} to %"), FieldTest.label.like(f"% to {e}")]
            tests = s.execute(select(FieldTest, ImportedFile.name).join(
                ImportedFile, ImportedFile.id == FieldTest.file_id).where(or_(*conds))
                .order_by(FieldTest.id)).all()
            out.append(CordRecord(row.cable_label, row.serial, asm.lot if asm else None,
                                  asm.supplier if asm else None, int(n),
                                  [{"label": ft.label, "kind": ft.kind, "status": ft.status,
                                    "file": fname} for ft, fname in tests]))
        return out
