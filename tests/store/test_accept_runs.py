"""Acceptance runs in the store (migration 0005), on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from mpokit.store import open_store
from mpokit.store.accept_runs import (
    ChannelRow,
    RunSummary,
    delete_run,
    list_runs,
    load_run,
    run_channels,
    save_run,
    stored_channel,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _run(run_id: str, channels: int, *, at: datetime = T0) -> RunSummary:
    return RunSummary(run_id, at, "fabric/out", 0.25, False, channels,
                      {"pass": channels - 3, "polarity_mismatch": 2, "not_tested": 1},
                      ("no trace for 3 channels",),
                      ({"label": "spne-1", "did_you_mean": ["spine-1"]},), ("r.csv", "t.sor"),
                      2)


def _rows(channels: int) -> list[ChannelRow]:
    """Two polarity mismatches first, then one untested, then passes (12,001 > 2 chunks)."""
    head = [ChannelRow("L-2", "polarity_mismatch", 2, "measured map differs: 1>12 ..."),
            ChannelRow("L-7 ü", "polarity_mismatch", 1, "Type A cord where B was designed"),
            ChannelRow("L-9", "not_tested", 0, "")]
    return head + [ChannelRow(f"P-{i}", "pass", 0, "") for i in range(channels - 3)]


DETAIL = {"name": "L-2", "designed_map": [12, 11, None], "measured_map": [1, None, 3],
          "path": [{"index": 0, "kind": "cord", "fields": {"type": "B"}, "fault": True}],
          "events": [{"distance_m": 12.5, "loss_db": 0.731, "reflectance_db": None}]}


def test_run_round_trip_pages_and_reopen(db_url: str) -> None:
    n = 12_001
    with open_store(db_url) as st:
        save_run(st, _run("r1", n), _rows(n), {0: DETAIL, 1: {"name": "L-7 ü"}})
        save_run(st, _run("r0", 5, at=T0 - timedelta(hours=1)), _rows(5), {})
    with open_store(db_url) as st:  # a new connection pool: the runs are on disk
        runs, total = list_runs(st)
        assert total == 2 and [r.id for r in runs] == ["r1", "r0"]  # newest first
        r1 = load_run(st, "r1")
        assert r1 is not None and r1.to_dict() == _run("r1", n).to_dict()
        assert load_run(st, "nope") is None
        page, total = run_channels(st, "r1", limit=4)
        assert total == n and [c.name for c in page] == ["L-2", "L-7 ü", "L-9", "P-0"]
        page, total = run_channels(st, "r1", status="pass", offset=11_990, limit=50)
        assert total == n - 3 and [c.name for c in page][-1] == f"P-{n - 4}"
        assert len(page) == n - 3 - 11_990
        bad, total = run_channels(st, "r1", status="polarity_mismatch")
        assert total == 2 and bad[0] == ChannelRow("L-2", "polarity_mismatch", 2,
                                                   "measured map differs: 1>12 ...")
        found = stored_channel(st, "r1", "L-2")
        assert found is not None and found[1] == DETAIL
        found = stored_channel(st, "r1", "P-17")
        assert found is not None and found == (ChannelRow("P-17", "pass", 0, ""), None)
        assert stored_channel(st, "r1", "L-404") is None
        assert stored_channel(st, "r0", "L-2") is not None  # runs do not mix
        assert stored_channel(st, "r0", "L-2")[1] is None  # type: ignore[index]


def test_saving_is_all_or_nothing_and_delete_removes_channels(db_url: str) -> None:
    with open_store(db_url) as st:
        save_run(st, _run("r1", 10), _rows(10), {})
        with pytest.raises(IntegrityError):
            save_run(st, _run("r1", 20), _rows(20), {})  # same id: refused whole
        assert run_channels(st, "r1")[1] == 10
        broken = [*_rows(7_000), ChannelRow("X", None, 0, "")]  # type: ignore[arg-type]
        with pytest.raises(IntegrityError):  # the last chunk fails: nothing of r2 remains
            save_run(st, _run("r2", len(broken)), broken, {})
        assert load_run(st, "r2") is None and run_channels(st, "r2")[1] == 0
        assert delete_run(st, "r1") and not delete_run(st, "r1")
        assert load_run(st, "r1") is None and run_channels(st, "r1")[1] == 0
        assert list_runs(st) == ([], 0)


class ReadsMidway(list[ChannelRow]):
    """Channel rows that, when the second chunk is taken, read the store as a page would
    (another transaction, while the save is under way)."""

    def __init__(self, rows: list[ChannelRow], read: Any) -> None:
        super().__init__(rows)
        self.read, self.seen = read, []

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice) and key.start:
            self.seen.append(self.read())
        return super().__getitem__(key)


def test_readers_see_no_half_saved_run(db_url: str) -> None:
    with open_store(db_url) as st:
        rows = ReadsMidway(_rows(12_001), lambda: (list_runs(st), load_run(st, "r1"),
                                                   run_channels(st, "r1")[1]))
        save_run(st, _run("r1", 12_001), rows, {})
        assert rows.seen == [(([], 0), None, 0)] * 2  # two later chunks, nothing visible yet
        assert run_channels(st, "r1")[1] == 12_001 and list_runs(st)[1] == 1


def test_a_half_written_run_left_by_a_killed_process_is_cleared(db_url: str) -> None:
    from sqlalchemy import func, select

    from mpokit.store.accept_runs import AcceptChannel, AcceptRunRow

    with open_store(db_url) as st:
        with st.session() as s:  # what a process killed mid-save leaves
            s.add(AcceptRunRow(id="dead", created_at=T0 - timedelta(days=2), plan="p",
                               tolerance_db=0.0, ok=True, channels=5, counts={}, notes=[],
                               unexpected=[], files=[], details_kept=0, complete=False))
            s.flush()
            s.add(AcceptChannel(run_id="dead", position=0, name="a", status="pass",
                                findings=0, first=""))
        assert load_run(st, "dead") is None and run_channels(st, "dead")[1] == 0
        save_run(st, _run("r1", 4), _rows(4), {})
        with st.session() as s:
            assert s.scalar(select(func.count()).select_from(AcceptChannel)) == 4
            assert s.scalar(select(func.count()).select_from(AcceptRunRow)) == 1
