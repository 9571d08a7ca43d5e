"""Store fixtures: every ``db_url`` test runs on SQLite and on a real PostgreSQL server.

The PostgreSQL server is a throwaway cluster made with Debian's ``initdb``/``pg_ctl``
(package ``postgresql``, installed by ``.ci/run``) in a temporary folder on a free port,
run as the ``postgres`` user when the tests run as root. Each test gets a new database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mpokit.store.testing import PgCluster, pg_bindir


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    bindir = pg_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries missing: .ci/run must install 'postgresql'")
        pytest.skip("PostgreSQL not installed (apt-get install postgresql)")
    cluster = PgCluster(bindir)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of a new, empty database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'qc.db'}"
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()
