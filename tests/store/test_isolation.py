"""Reads and writes isolated, on SQLite and PostgreSQL: a read never waits for a writer.

::

    writer thread:  BEGIN (write lock) -- INSERT W1 -- ...... (held open) ...... COMMIT
    reader:                              read() -- sees the store without W1 -- done
                                                    (the writer is still open here) ^

Timeouts only guard against a hang: the assertion is the order of events (the reader
finished while the writer's transaction was still open), not a duration.
"""

from __future__ import annotations

import contextvars
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from mpokit.store import Store, import_file, open_store
from mpokit.store.accept_runs import (
    ChannelRow,
    RunSummary,
    list_runs,
    load_run,
    run_channels,
    save_run,
    stored_channel,
)
from mpokit.store.analysis import statistics
from mpokit.store.assess import load_assemblies
from mpokit.store.certificate import certificate_html
from mpokit.store.db import lock_timed_out
from mpokit.store.endface import latest_inspections
from mpokit.store.field import cord_at
from mpokit.store.grading import get_profile
from mpokit.store.importer import imported_files
from mpokit.store.inspection import scorecard, switching_state
from mpokit.store.lots import LotSummary, lot_inspections, lot_list, lot_report
from mpokit.store.models import Assembly
from mpokit.store.tokens import create_token, list_tokens, verify_token
from tests.store.helpers import GUARD_S, OpenWrite, finished_while_open, ilrl_csv


def _serials(store: Store) -> set[str]:
    with store.read() as s:
        return set(s.scalars(select(Assembly.serial)))


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    """A store with lot L1 of supplier acme (A1..A3), a token, a saved run, a cached list."""
    with open_store(db_url) as st:
        import_file(st, ilrl_csv(tmp_path / "l1.csv", ["A1", "A2", "A3"], seed=1), lot="L1",
                    supplier="acme")
        create_token(st, "reader")
        save_run(st, RunSummary("r1", datetime(2026, 12, 1, tzinfo=UTC), "p", 0.25, True, 1,
                                {"pass": 1}, (), (), (), 0),
                 [ChannelRow("C1", "pass", 0, "")], {})
        lot_list(st, get_profile("iec-B-2"), matings=200)  # a later call with these is a hit
        yield st


def test_a_reader_sees_the_state_before_an_open_write(store: Store) -> None:
    with OpenWrite(store) as w:
        seen = finished_while_open(w, lambda: _serials(store))
    assert seen == {"A1", "A2", "A3"}
    assert _serials(store) == {"A1", "A2", "A3", "W1"}  # committed when released


def test_a_read_session_is_one_snapshot(store: Store) -> None:
    """A writer commits between two queries of one read session: the second doesn't see it."""
    count = select(func.count()).select_from(Assembly)
    with store.read() as s:
        before = s.scalar(count)
        with OpenWrite(store):
            pass  # begins, inserts W1 and commits while the read session is open
        assert s.scalar(count) == before == 3
        # a function reading inside (its own store.read()) joins the open read: same snapshot
        assert _serials(store) == {"A1", "A2", "A3"}
        with store.read() as inner:
            assert inner is s
        other = contextvars.copy_context()  # as anyio.to_thread hands it to a worker thread
        box: list[Any] = []
        t = threading.Thread(target=other.run, args=(lambda: box.append(_serials(store)),))
        t.start()
        t.join(GUARD_S)
        assert box == [{"A1", "A2", "A3", "W1"}]  # its own session, not the outer snapshot
    with store.read() as s:
        assert s.scalar(count) == 4


def test_every_store_read_runs_while_a_writer_holds_its_transaction(store: Store) -> None:
    """Every public read of the store is a read session (a misclassified one would wait)."""
    prof = get_profile("iec-B-2")
    token = create_token(store, "other")[0]
    reads: list[Callable[[], Any]] = [
        lambda: verify_token(store, token), lambda: list_tokens(store),
        lambda: list_runs(store), lambda: load_run(store, "r1"),
        lambda: run_channels(store, "r1"), lambda: stored_channel(store, "r1", "C1"),
        lambda: imported_files(store), lambda: load_assemblies(store),
        lambda: latest_inspections(store, "A1"), lambda: cord_at(store, "R1", "1"),
        lambda: lot_inspections(store, "L1"), lambda: switching_state(store, "acme"),
        lambda: scorecard(store, "acme", prof), lambda: lot_report(store, "L1", prof),
        lambda: lot_list(store, prof, matings=200),
        lambda: lot_list(store, get_profile("iec-C-3"), matings=200),  # computed, not kept
        lambda: statistics(store, prof, matings=200),
        lambda: certificate_html(store, "A1", prof)]
    with OpenWrite(store) as w:
        out = finished_while_open(w, lambda: [f() for f in reads])
    with store.read() as s:  # SQLite: computed while the write lock was held, so not kept
        kept = s.scalar(select(func.count()).select_from(LotSummary))
    assert kept == (1 if store.dialect == "sqlite" else 2)
    assert out[0] is not None and out[0].name == "other"
    assert [r["lot"] for r in out[14]["lots"]] == ["L1"]  # the list cached before W1
    assert [r["lot"] for r in out[15]["lots"]] == ["L1"]
    assert "A1" in out[17]


def test_a_read_session_refuses_writes(store: Store) -> None:
    with pytest.raises(DBAPIError, match=r"readonly|read-only"), store.read() as s:
        s.execute(insert(Assembly).values(serial="X1"))
    with pytest.raises(DBAPIError, match=r"readonly|read-only"), store.read() as s:
        s.add(Assembly(serial="X2"))  # flushed when the session ends
    assert _serials(store) == {"A1", "A2", "A3"}
    with store.session() as s:  # the same pooled connections write again afterwards
        s.add(Assembly(serial="X3"))
    assert "X3" in _serials(store)


def test_a_write_that_may_not_wait_gives_up_and_leaves_the_default(store: Store) -> None:
    # SQLite waits for the write lock, PostgreSQL for the lock on the uncommitted row W1
    with OpenWrite(store), pytest.raises(OperationalError) as caught, \
            store.session(wait_s=0.05) as s:
        s.execute(insert(Assembly).values(serial="W1"))
    assert lock_timed_out(caught.value)
    with store.session() as s:  # the pooled connection waits as long as before again
        if store.dialect == "sqlite":
            assert s.scalar(text("PRAGMA busy_timeout")) == 120_000
        else:
            assert s.scalar(text("SHOW lock_timeout")) == "0"
    assert "W1" in _serials(store)


def test_sqlite_writers_still_take_the_write_lock_at_their_start(store: Store) -> None:
    """A write session begins IMMEDIATE and holds the lock: no other writer can begin."""
    if store.dialect != "sqlite":
        pytest.skip("PostgreSQL writers are serialised by row locks, not one database lock")
    begins: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda c, cur, sql, *a: begins.append(sql) if sql.startswith("BEGIN") else None)
    with store.session() as s:
        s.scalar(select(func.count()).select_from(Assembly))
    with store.read() as s:
        s.scalar(select(func.count()).select_from(Assembly))
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]
    with OpenWrite(store):
        raw = store.engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA busy_timeout=50")
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                raw.driver_connection.execute("BEGIN IMMEDIATE")
        finally:
            raw.invalidate()  # not back into the pool with the short timeout
