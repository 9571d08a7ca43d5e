"""``mpokit token create|list|revoke`` and ``mpokit serve``'s input errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mpokit.cli import app
from mpokit.store import open_store
from mpokit.store.tokens import verify_token

runner = CliRunner()


def test_token_lifecycle(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'qc.db'}"
    r = runner.invoke(app, ["token", "create", "laptop", "--store", db])
    assert r.exit_code == 0, r.output
    text = r.stdout.strip().splitlines()[0]
    assert text.startswith("mpk_") and len(text) > 40
    with open_store(db) as s:
        assert verify_token(s, text) is not None
        # only the hash is stored: the token text appears nowhere in the database
    assert text.encode() not in (tmp_path / "qc.db").read_bytes()
    r = runner.invoke(app, ["token", "list", "--store", db, "--json"])
    rows = json.loads(r.stdout)
    assert [(x["name"], x["revoked_at"]) for x in rows] == [("laptop", None)]
    assert runner.invoke(app, ["token", "revoke", "laptop", "--store", db]).exit_code == 0
    with open_store(db) as s:
        assert verify_token(s, text) is None
    r = runner.invoke(app, ["token", "revoke", "laptop", "--store", db])
    assert r.exit_code == 1 and "no active token" in r.output


def test_token_name_must_not_be_empty(tmp_path: Path) -> None:
    r = runner.invoke(app, ["token", "create", "  ", "--store", str(tmp_path / "q.db")])
    assert r.exit_code == 1 and "name" in r.output


def test_serve_with_a_bad_store_url_is_an_input_error() -> None:
    r = runner.invoke(app, ["serve", "--store", "mysql://nobody@nowhere/db"])
    assert r.exit_code == 1 and "error:" in r.output
