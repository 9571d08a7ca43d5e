"""The lot list kept in the store between imports (migration 0006), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from mpokit.store import import_file, open_store
from mpokit.store.grading import get_profile
from mpokit.store.lots import lot_list
from tests.store.helpers import ilrl_csv


class Statements:
    """Counts the SQL statements an engine runs (a listener, not a stand-in)."""

    def __init__(self, engine: Any) -> None:
        self.sql: list[str] = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.sql.append(statement)

    def queries(self) -> list[str]:
        return [q for q in self.sql if q.lstrip().upper().startswith("SELECT")]


def test_lot_list_is_one_query_until_the_next_import(db_url: str, tmp_path: Path) -> None:
    prof = get_profile("iec-B-2")
    with open_store(db_url) as st:
        import_file(st, ilrl_csv(tmp_path / "l1.csv", ["A1", "A2", "A3"], seed=1), lot="L1",
                    supplier="acme")
        first = lot_list(st, prof, matings=500)
        assert [x["lot"] for x in first["lots"]] == ["L1"]
        seen = Statements(st.engine)
        again = lot_list(st, prof, matings=500)
        assert again == first and len(seen.queries()) == 1
        # other settings are another entry, computed once
        other = lot_list(st, get_profile("iec-C-3"), matings=500)
        assert other["profile"] == "iec-C-3" and other["computed_at"] != first["computed_at"]
        # an import changes the data: the next call computes the list afresh
        import_file(st, ilrl_csv(tmp_path / "l2.csv", ["B1", "B2"], seed=2), lot="L2",
                    supplier="bolt")
        fresh = lot_list(st, prof, matings=500)
        assert [x["lot"] for x in fresh["lots"]] == ["L1", "L2"]
        assert fresh["lots"][1]["suppliers"] == ["bolt"] and fresh["charts"] is not None
    with open_store(db_url) as st:  # kept in the store: a new process gets it in one query
        seen = Statements(st.engine)
        assert lot_list(st, prof, matings=500) == fresh and len(seen.queries()) == 1


def test_the_same_bytes_again_keep_the_list(db_url: str, tmp_path: Path) -> None:
    prof = get_profile("iec-B-2")
    with open_store(db_url) as st:
        f = ilrl_csv(tmp_path / "l1.csv", ["A1", "A2"], seed=1)
        import_file(st, f, lot="L1")
        first = lot_list(st, prof, matings=500)
        assert import_file(st, f, lot="L1").skipped  # nothing imported, nothing changed
        assert lot_list(st, prof, matings=500)["computed_at"] == first["computed_at"]
