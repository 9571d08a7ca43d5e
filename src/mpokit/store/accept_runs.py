"""Acceptance runs kept in the store: a run's summary and every channel's status, with the
drill-down of the channels the caller chose to keep (migration 0005).

A run is written once (:func:`save_run`) and read back by id: its
summary (:func:`load_run`, :func:`list_runs`), a page of its channels in the order they were
saved, optionally of one status (:func:`run_channels`), and one channel with its stored
drill-down (:func:`stored_channel`). The store knows nothing of plans or results: the caller
(the web app's acceptance job) decides the order and which drill-downs to keep.

Saving is all or nothing for readers: the run row is written first with ``complete`` false,
the channels in transactions of :data:`_CHUNK` rows (so a 400,000-channel run never holds
SQLite's write lock for seconds), then ``complete`` is set; every read sees complete runs
only, and a failed save deletes what it wrote (what a killed process left half-written is
deleted by the next save, a day later at the earliest).

Example:
    >>> import tempfile, pathlib
    >>> from datetime import UTC, datetime, timedelta
    >>> from mpokit.store import open_store
    >>> url = "sqlite:///" + str(pathlib.Path(tempfile.mkdtemp()) / "qc.db")
    >>> run = RunSummary("r1", datetime.now(UTC), "channels.yaml", 0.0, False, 2,
    ...                  {"pass": 1, "polarity_mismatch": 1}, (), (), ("r.csv",), 1)
    >>> rows = [ChannelRow("y", "polarity_mismatch", 1, "map differs"),
    ...         ChannelRow("x", "pass", 0, "")]
    >>> with open_store(url) as st:
    ...     save_run(st, run, rows, {0: {"name": "y"}})
    ...     page, total = run_channels(st, "r1", status="pass")
    ...     [r.name for r in page], total, stored_channel(st, "r1", "y")[1]
    (['x'], 1, {'name': 'y'})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from mpokit.store.db import Store
from mpokit.store.models import Base

__all__ = ["AcceptChannel", "AcceptRunRow", "ChannelRow", "RunSummary", "delete_run",
           "list_runs", "load_run", "run_channels", "save_run", "stored_channel"]

_CHUNK = 5000  # channel rows per INSERT


class AcceptRunRow(Base):
    """One acceptance run's summary (migration 0005)."""

    __tablename__ = "accept_run"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    plan: Mapped[str] = mapped_column(String(500))
    tolerance_db: Mapped[float] = mapped_column(Float)
    ok: Mapped[bool] = mapped_column(Boolean)
    channels: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    notes: Mapped[list[str]] = mapped_column(JSON)
    unexpected: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    files: Mapped[list[str]] = mapped_column(JSON)
    details_kept: Mapped[int] = mapped_column(Integer)
    complete: Mapped[bool] = mapped_column(Boolean)


class AcceptChannel(Base):
    """One channel of a run: its status, finding count, first finding and, when kept, its
    drill-down as JSON."""

    __tablename__ = "accept_channel"
    run_id: Mapped[str] = mapped_column(ForeignKey("accept_run.id", ondelete="CASCADE"),
                                        primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(30))
    findings: Mapped[int] = mapped_column(Integer)
    first: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


@dataclass(frozen=True)
class RunSummary:
    """What a run found, as a whole.

    ``unexpected`` holds ``{"label", "did_you_mean"}`` dicts; ``details_kept`` is how many
    channels (the first ones saved) have their drill-down stored.
    """

    id: str
    created_at: datetime
    plan: str
    tolerance_db: float
    ok: bool
    channels: int
    counts: Mapping[str, int]
    notes: Sequence[str]
    unexpected: Sequence[Mapping[str, Any]]
    files: Sequence[str]
    details_kept: int

    def to_dict(self) -> dict[str, Any]:
        """JSON form.

        Returns
        -------
        dict[str, Any]
            Every field; ``created_at`` in ISO 8601.
        """
        return {"id": self.id, "created_at": self.created_at.isoformat(), "plan": self.plan,
                "tolerance_db": self.tolerance_db, "ok": self.ok, "channels": self.channels,
                "counts": dict(self.counts), "notes": list(self.notes),
                "unexpected": [dict(u) for u in self.unexpected], "files": list(self.files),
                "details_kept": self.details_kept}


@dataclass(frozen=True)
class ChannelRow:
    """One channel of a run: name, status, number of findings and the first one's text."""

    name: str
    status: str
    findings: int
    first: str


def _summary(r: AcceptRunRow) -> RunSummary:
    at = r.created_at  # SQLite hands back a naive datetime; the store writes UTC
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return RunSummary(r.id, at, r.plan, r.tolerance_db, r.ok, r.channels,
                      dict(r.counts), tuple(r.notes), tuple(r.unexpected), tuple(r.files),
                      r.details_kept)


def save_run(store: Store, run: RunSummary, rows: Sequence[ChannelRow],
             details: Mapping[int, dict[str, Any]]) -> None:
    """Write a run and its channels; readers see all of it or none of it (module docstring).

    Parameters
    ----------
    store
        The open store.
    run
        The summary; ``run.id`` must be new.
    rows
        Every channel, in the order pages list them (their position is their index here).
    details
        Position -> the drill-down to keep for that channel (JSON-ready).

    Example
    -------
    See the module docstring.
    """
    stale = datetime.now(UTC) - timedelta(days=1)
    with store.session() as s:
        for old in s.scalars(select(AcceptRunRow.id).where(AcceptRunRow.complete.is_(False),
                                                          AcceptRunRow.created_at < stale)):
            s.execute(delete(AcceptChannel).where(AcceptChannel.run_id == old))
            s.execute(delete(AcceptRunRow).where(AcceptRunRow.id == old))
    with store.session() as s:
        s.add(AcceptRunRow(id=run.id, created_at=run.created_at, plan=run.plan[:500],
                           tolerance_db=run.tolerance_db, ok=run.ok, channels=run.channels,
                           counts=dict(run.counts), notes=list(run.notes),
                           unexpected=[dict(u) for u in run.unexpected],
                           files=list(run.files), details_kept=run.details_kept,
                           complete=False))
    try:
        for start in range(0, len(rows), _CHUNK):
            with store.session() as s:
                s.execute(insert(AcceptChannel), [
                    {"run_id": run.id, "position": k, "name": r.name[:500],
                     "status": r.status, "findings": r.findings, "first": r.first,
                     "detail": details.get(k)}
                    for k, r in enumerate(rows[start:start + _CHUNK], start)])
        with store.session() as s:
            s.execute(update(AcceptRunRow).where(AcceptRunRow.id == run.id)
                      .values(complete=True))
    except BaseException:
        delete_run(store, run.id)
        raise


def _complete() -> Any:
    return select(AcceptRunRow.id).where(AcceptRunRow.complete.is_(True))


def load_run(store: Store, run_id: str) -> RunSummary | None:
    """The summary of run ``run_id``, or None when the store has no such run.

    Parameters
    ----------
    store
        The open store.
    run_id
        The run's id.

    Returns
    -------
    RunSummary | None
        The summary.
    """
    with store.read() as s:
        row = s.get(AcceptRunRow, run_id)
        return None if row is None or not row.complete else _summary(row)


def list_runs(store: Store, *, limit: int = 50, offset: int = 0) -> tuple[list[RunSummary], int]:
    """Runs, newest first, and how many the store holds.

    Parameters
    ----------
    store
        The open store.
    limit, offset
        The page.

    Returns
    -------
    tuple[list[RunSummary], int]
        The page of summaries and the total count.
    """
    with store.read() as s:
        done = AcceptRunRow.complete.is_(True)
        rows = s.scalars(select(AcceptRunRow).where(done)
                         .order_by(AcceptRunRow.created_at.desc(), AcceptRunRow.id)
                         .offset(offset).limit(limit))
        page = [_summary(r) for r in rows]
        total = s.scalar(select(func.count()).select_from(AcceptRunRow).where(done)) or 0
    return page, int(total)


def run_channels(store: Store, run_id: str, *, status: str | None = None, offset: int = 0,
                 limit: int = 500) -> tuple[list[ChannelRow], int]:
    """A page of a run's channels in saved order, optionally only those of one status.

    Parameters
    ----------
    store
        The open store.
    run_id
        The run's id.
    status
        Only this status (any when None).
    offset, limit
        The page.

    Returns
    -------
    tuple[list[ChannelRow], int]
        The page and how many channels match.
    """
    where = [AcceptChannel.run_id == run_id, AcceptChannel.run_id.in_(_complete())]
    if status is not None:
        where.append(AcceptChannel.status == status)
    with store.read() as s:
        rows = s.execute(select(AcceptChannel.name, AcceptChannel.status,
                                AcceptChannel.findings, AcceptChannel.first)
                         .where(*where).order_by(AcceptChannel.position)
                         .offset(offset).limit(limit))
        page = [ChannelRow(*r) for r in rows]
        total = s.scalar(select(func.count()).select_from(AcceptChannel).where(*where)) or 0
    return page, int(total)


def stored_channel(store: Store, run_id: str, name: str
                   ) -> tuple[ChannelRow, dict[str, Any] | None] | None:
    """One channel of a run and its stored drill-down (None when it was not kept).

    Parameters
    ----------
    store
        The open store.
    run_id
        The run's id.
    name
        The channel's name.

    Returns
    -------
    tuple[ChannelRow, dict | None] | None
        The channel and its drill-down; None when the run has no such channel.
    """
    with store.read() as s:
        row = s.scalars(select(AcceptChannel).where(AcceptChannel.run_id == run_id,
                                                    AcceptChannel.name == name,
                                                    AcceptChannel.run_id.in_(_complete()))
                        .order_by(AcceptChannel.position).limit(1)).first()
        if row is None:
            return None
        return ChannelRow(row.name, row.status, row.findings, row.first), row.detail


def delete_run(store: Store, run_id: str) -> bool:
    """Delete a run and its channels.

    Parameters
    ----------
    store
        The open store.
    run_id
        The run's id.

    Returns
    -------
    bool
        True when the run existed.
    """
    with store.session() as s:
        s.execute(delete(AcceptChannel).where(AcceptChannel.run_id == run_id))
        gone = s.execute(delete(AcceptRunRow).where(AcceptRunRow.id == run_id))
        return bool(getattr(gone, "rowcount", 0))
