"""Opening a store: URL resolution, SQLite WAL setup, migrations applied on open, and the
two kinds of transaction.

With no URL the store is a SQLite file in the user's data folder (``platformdirs``), so the
README's commands need no server. ``postgresql://`` URLs use psycopg 3. Opening a store
upgrades its schema to the newest Alembic revision shipped in ``mpokit/store/migrations``,
under a lock (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock) so that several
processes opening a new database at once do not race.

:meth:`Store.session` is a write transaction: on SQLite it takes the write lock at its start
(``BEGIN IMMEDIATE``), so writers queue one behind the other and never deadlock.
:meth:`Store.read` is a read-only snapshot that takes no write lock and does not wait for
writers: SQLite (WAL mode) begins it deferred with ``PRAGMA query_only`` on, PostgreSQL runs
it ``REPEATABLE READ, READ ONLY``. A write attempted in a read session raises.

Example:
    >>> import tempfile, pathlib
    >>> url = "sqlite:///" + str(pathlib.Path(tempfile.mkdtemp()) / "qc.db")
    >>> with open_store(url) as store:
    ...     store.dialect
    'sqlite'
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mpokit.errors import InputError

__all__ = ["Store", "default_url", "lock_timed_out", "open_store"]

_LOCK_KEY = 0x6D706F6B  # "mpok": the advisory lock id held while migrating PostgreSQL
_READ = "mpokit_read"  # execution option marking the engine of read-only sessions
_WAIT_MS = "mpokit_wait_ms"  # execution option: how long a writer waits for the lock
_BUSY_MS = 120_000  # how long a writer waits for another writer by default
#: the read session open in this context (store, session, thread), which a nested
#: ``Store.read`` joins; a context copied into another thread (``anyio.to_thread``) does not
#: join it: a session is not shared between threads
_PINNED: ContextVar[tuple[Store, Session, int] | None] = ContextVar("mpokit_store_read",
                                                                     default=None)


def default_url() -> str:
    """The embedded default: ``sqlite:///<user data dir>/mpokit/qc.db``.

    ``MPOKIT_DB`` overrides it (a URL), e.g. for a shared factory PostgreSQL.

    Returns
    -------
    str
        The database URL.
    """
    env = os.environ.get("MPOKIT_DB")
    if env:
        return env
    from platformdirs import user_data_dir

    return "sqlite:///" + str(Path(user_data_dir("mpokit")) / "qc.db")


def _normalise(url: str) -> str:
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:  # a bare path means a SQLite file
        return "sqlite:///" + str(Path(url).expanduser().resolve())
    return url


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        opts = conn.get_execution_options()
        read = bool(opts.get(_READ))
        info = conn.connection.info  # lives as long as the pooled sqlite3 connection
        if info.get("query_only") is not read:  # a pragma only when the kind changes
            conn.exec_driver_sql(f"PRAGMA query_only={int(read)}")
            info["query_only"] = read
        # a reader begins deferred: its snapshot starts at its first SELECT and WAL lets it
        # read while a writer holds the lock. A writer takes the lock at the start: two
        # writers never deadlock upgrading a read lock.
        if read:
            conn.exec_driver_sql("BEGIN")
        elif opts.get(_WAIT_MS) is None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:  # the lock is all this writer waits for: restore the timeout once it has it
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(opts[_WAIT_MS])}")
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            finally:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={_BUSY_MS}")


class Store:
    """An open store: an engine and a session factory. Use as a context manager."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        if engine.dialect.name == "postgresql":
            reader = engine.execution_options(isolation_level="REPEATABLE READ",
                                              postgresql_readonly=True)
        else:
            reader = engine.execution_options(**{_READ: True})
        self._readers = sessionmaker(reader, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, wait_s: float | None = None) -> Iterator[Session]:
        """A write session in one transaction: committed on success, rolled back on any error.

        On SQLite it holds the database's write lock from its start (other writers wait up
        to 120 s); readers in :meth:`read` do not wait for it. Use :meth:`read` for anything
        that only reads.

        Parameters
        ----------
        wait_s
            Wait at most this long for a lock another writer holds (SQLite's write lock,
            PostgreSQL row locks), then raise :class:`sqlalchemy.exc.OperationalError`;
            None waits up to 120 s on SQLite and without limit on PostgreSQL. For optional
            writes a reader makes, such as keeping a computed answer.

        Returns
        -------
        Iterator[Session]
            A context manager yielding the session.

        Examples
        --------
        >>> with store.session() as s:  # doctest: +SKIP
        ...     s.add(row)
        """
        if wait_s is None:
            with self._sessions() as s, s.begin():
                yield s
            return
        wait_ms = max(0, round(wait_s * 1000))
        if self.dialect == "sqlite":
            with self._sessions(bind=self.engine.execution_options(**{_WAIT_MS: wait_ms})
                                ) as s, s.begin():
                yield s
        else:
            with self._sessions() as s, s.begin():
                s.execute(text(f"SET LOCAL lock_timeout = {max(1, wait_ms)}"))  # 0 = no limit
                yield s

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session: one consistent snapshot, no write lock, no wait for writers.

        Every query of the session sees the store as it was at the session's first query;
        a writer's transaction that is open or commits meanwhile is not seen. A ``read()``
        of this store opened inside another (in the same thread) joins the outer one, so a
        report made of several store functions, wrapped in one ``read()``, sees one
        snapshot.

        Any write (an ``INSERT``, an ORM ``add`` flushed at the end) raises a
        :class:`sqlalchemy.exc.DBAPIError` (SQLite ``query_only``, PostgreSQL ``READ ONLY``):
        a caller that writes must use :meth:`session`.

        Returns
        -------
        Iterator[Session]
            A context manager yielding the session.

        Examples
        --------
        >>> with store.read() as s:  # doctest: +SKIP
        ...     n = s.scalar(select(func.count()).select_from(Assembly))
        """
        pinned = _PINNED.get()
        if pinned is not None and pinned[0] is self and pinned[2] == threading.get_ident():
            yield pinned[1]
            return
        with self._readers() as s, s.begin():
            token = _PINNED.set((self, s, threading.get_ident()))
            try:
                yield s
            finally:
                _PINNED.reset(token)

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def lock_timed_out(exc: OperationalError) -> bool:
    """True when ``exc`` is a :meth:`Store.session` with ``wait_s`` giving up on a lock.

    Parameters
    ----------
    exc
        The error raised inside or on entering the session.

    Returns
    -------
    bool
        SQLite's "database is locked" or PostgreSQL's ``lock_not_available`` (55P03).

    Examples
    --------
    >>> lock_timed_out(OperationalError("BEGIN", {}, Exception("disk I/O error")))
    False
    """
    if getattr(exc.orig, "sqlstate", None) == "55P03":
        return True
    return "database is locked" in str(exc.orig)


def _migrate(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location",
                        str(resources.files("mpokit.store").joinpath("migrations")))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_store(url: str | None = None) -> Store:
    """Open (creating and migrating if needed) the store at ``url``.

    Parameters
    ----------
    url
        A SQLAlchemy URL (``sqlite:///path.db``, ``postgresql://user@host/db``), a bare
        file path (SQLite), or None for :func:`default_url`.

    Returns
    -------
    Store
        An open store; close it (or use ``with``) when done.

    Raises
    ------
    InputError
        The URL is malformed or the database cannot be reached.
    """
    raw = url or default_url()
    try:
        full = _normalise(raw)
        u = make_url(full)
        if u.get_backend_name() == "sqlite" and u.database:
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(full, pool_pre_ping=True)
    except (ArgumentError, ValueError, OSError) as exc:
        raise InputError(f"cannot use database URL {raw!r}: {exc}", field="--db",
                         fix="give sqlite:///PATH.db or postgresql://USER@HOST/DB") from None
    except ImportError as exc:
        raise InputError(f"database driver missing: {exc}", field="--db",
                         fix="pip install 'mpokit[store]'") from None
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine)
    elif engine.dialect.name != "postgresql":
        raise InputError(f"unsupported database {engine.dialect.name!r}", field="--db",
                         fix="use SQLite or PostgreSQL")
    try:
        _migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise InputError(f"cannot open database {_redact(raw)}: {reason}", field="--db",
                         fix="check the URL, that the server runs and the file is writable"
                         ) from None
    except SQLAlchemyError as exc:
        engine.dispose()
        raise InputError(f"database {_redact(raw)} is not an mpokit store: {exc}", field="--db",
                         fix="point --db at an mpokit database or a new one") from None
    return Store(engine, raw)


def _redact(url: str) -> str:
    try:
        return make_url(_normalise(url)).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url
