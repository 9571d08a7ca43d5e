"""Opening stores: migrations applied on open, bad URLs reported, reopening keeps data."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from mpokit.errors import InputError
from mpokit.store import open_store


def _head_revision() -> str:
    """The newest revision shipped in ``mpokit/store/migrations`` (one head, no branches)."""
    from importlib import resources

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location",
                        str(resources.files("mpokit.store").joinpath("migrations")))
    heads = ScriptDirectory.from_config(cfg).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    return str(heads[0])


def test_migration_chain_reaches_endface_tables() -> None:
    from importlib import resources

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location",
                        str(resources.files("mpokit.store").joinpath("migrations")))
    rev = ScriptDirectory.from_config(cfg).get_revision("0002")
    assert rev is not None and rev.down_revision == "0001"
    assert rev.path.endswith("0002_endface_inspection.py")


def test_open_creates_schema_at_head(db_url: str) -> None:
    with open_store(db_url) as st:
        tables = set(inspect(st.engine).get_table_names())
        with st.engine.connect() as c:
            rev = c.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert {"imported_file", "assembly", "measurement", "geometry_end", "inspection",
            "accept_run", "accept_channel", "lot_summary",
            "endface_image", "endface_fiber",
            "field_test", "field_result", "field_event", "installed_assembly"} <= tables
    assert rev == _head_revision()
    with open_store(db_url) as st:  # a second open is a no-op upgrade
        assert st.dialect in ("sqlite", "postgresql")


def test_sqlite_is_in_wal_mode(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "q.db")) as st, st.engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_unreachable_server_is_an_input_error() -> None:
    with pytest.raises(InputError, match="--db: cannot open database"):
        open_store("postgresql://nobody@127.0.0.1:1/none")


def test_garbage_url_is_an_input_error() -> None:
    with pytest.raises(InputError, match="--db"):
        open_store("mysql+nodriver://x/y")


def test_a_non_database_file_is_reported(tmp_path: Path) -> None:
    f = tmp_path / "notes.db"
    f.write_text("this is not a database\n" * 100)
    with pytest.raises(InputError, match=r"notes\.db"):
        open_store(str(f))
