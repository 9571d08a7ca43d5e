"""Pieces every store import shares: its result, the origins, and the conflict-aware inserts.

Station files (:mod:`mpokit.store.importer`), end-face inspections
(:mod:`mpokit.store.endface`) and field records (:mod:`mpokit.store.field`) each write in one
transaction keyed by a SHA-256; these helpers are the part they have in common.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mpokit.store.models import Assembly

__all__ = ["ImportResult", "Origin"]

Origin = Literal["supplier", "incoming"]


@dataclass(frozen=True)
class ImportResult:
    """What one import did: rows added, or ``skipped`` when the file was already imported."""

    file: str
    sha256: str
    kind: str
    rows: int
    skipped: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON form.

        Returns
        -------
        dict[str, Any]
            Every field of the result.
        """
        return {"file": self.file, "sha256": self.sha256, "kind": self.kind,
                "rows": self.rows, "skipped": self.skipped}


def _insert(session: Session, table: Any, values: Sequence[dict[str, Any]]) -> Any:
    mod = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return mod.insert(table).values(values)


def _insert_ignore(session: Session, table: Any, values: Sequence[dict[str, Any]],
                   keys: list[str]) -> Any:
    return _insert(session, table, values).on_conflict_do_nothing(index_elements=keys)


def _upsert_assemblies(session: Session, recs: Sequence[dict[str, Any]],
                       lot: str | None, supplier: str | None) -> None:
    assemblies: dict[str, dict[str, Any]] = {}
    for r in recs:
        a = assemblies.setdefault(r["serial"], {"serial": r["serial"], "lot": None,
                                                "supplier": None})
        a["lot"] = lot or r.get("lot") or a["lot"]
        a["supplier"] = supplier or r.get("supplier") or a["supplier"]
    rows = sorted(assemblies.values(), key=lambda a: a["serial"])  # one lock order for all
    for i in range(0, len(rows), 300):
        stmt = _insert(session, Assembly.__table__, rows[i:i + 300])
        # a later file may name the lot or supplier; it never erases them
        session.execute(stmt.on_conflict_do_update(index_elements=["serial"], set_={
            "lot": func.coalesce(stmt.excluded.lot, Assembly.lot),
            "supplier": func.coalesce(stmt.excluded.supplier, Assembly.supplier)}))
