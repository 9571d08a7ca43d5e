"""Security: tokens, CSRF, upload limits, remote reads; bad requests change nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal

from mpokit.store.tokens import revoke_token
from mpokit.web.app import create_app
from mpokit.web.deps import Settings
from tests.store.helpers import OpenWrite, finished_while_open

from .conftest import Client

ROOT = Path(__file__).resolve().parents[2]
METHOD_B = (ROOT / "examples" / "channels" / "parallel-method-b.yaml").read_text()
SPEC = (ROOT / "examples" / "cluster" / "superpod-1su.yaml").read_text()


def _dump(settings: Settings) -> list[str]:
    path = settings.resolved_store_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as con:
        return list(con.iterdump())


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def test_bad_requests_leave_database_and_data_unchanged(
        client: Any, settings: Settings, auth: dict[str, str]) -> None:
    before, files_before = _dump(settings), _files(settings.resolved_data_dir)
    big = "x" * (settings.max_upload_bytes + 1)
    bad = [
        ("/api/v1/check", {"text": "a: [1,\n"}, auth, 422),  # malformed YAML
        ("/api/v1/check", {"text": ["not", "text"]}, auth, 422),  # wrong type
        ("/api/v1/check", {"text": big}, auth, 413),  # huge
        ("/api/v1/check", {"text": METHOD_B}, {}, 401),  # no token
        ("/api/v1/check", {"text": METHOD_B}, {"Authorization": "Bearer mpk_x"}, 403),
        ("/api/v1/plans", {"text": "cluster: {nodes: many}\n"}, auth, 422),
        ("/api/v1/plans", {"text": SPEC}, {}, 401),
        ("/api/v1/plans", {"text": SPEC, "colour": "red"}, auth, 422),
    ]
    for url, body, headers, status in bad:
        r = client.post(url, json=body, headers=headers)
        assert r.status_code == status, (url, body if len(str(body)) < 80 else "...", r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["status"] == status
    assert _dump(settings) == before
    assert _files(settings.resolved_data_dir) == files_before


def test_declared_oversize_body_is_refused_before_reading(client: Any, auth: dict[str, str],
                                                         settings: Settings) -> None:
    r = client.post("/api/v1/check", content=b"{}", headers={
        **auth, "content-type": "application/json",
        "content-length": str(settings.max_upload_bytes + 1)})
    assert r.status_code == 413 and "upload limit" in r.json()["detail"]


def test_streamed_oversize_body_is_refused(client: Any, auth: dict[str, str],
                                           settings: Settings) -> None:
    async def chunks() -> Any:
        for _ in range(settings.max_upload_bytes // 65536 + 2):
            yield b" " * 65536

    r = client.post("/api/v1/check", content=chunks(),
                    headers={**auth, "content-type": "application/json"})
    assert r.status_code == 413


def test_a_revoked_token_is_refused_at_the_next_request(client: Any, store: Any,
                                                       token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/check", json={"text": METHOD_B}, headers=headers).status_code \
        == 200
    revoke_token(store, "tests")  # as `mpokit token revoke` does, from another process
    r = client.post("/api/v1/check", json={"text": METHOD_B}, headers=headers)
    assert r.status_code == 403 and "revoked" in r.json()["detail"]


def test_token_checks_and_pages_do_not_wait_for_a_writer(
        client: Any, remote: Client, store: Any, auth: dict[str, str]) -> None:
    """An import (or a run being saved) holds the store's write lock: requests go on."""
    with OpenWrite(store) as w:
        codes = finished_while_open(w, lambda: [
            client.post("/api/v1/check", json={"text": METHOD_B}, headers=auth).status_code,
            remote.get("/api/v1/accept/runs", headers=auth).status_code,
            client.get("/accept").status_code, client.get("/api/v1/lots").status_code])
    assert codes == [200, 200, 200, 200]


@pytest.fixture
def remote(app: Any, portal: BlockingPortal) -> Iterator[Client]:
    """A client calling from another host (10.1.2.3)."""
    c = Client(app, portal)
    c.http._transport.client = ("10.1.2.3", 40000)  # type: ignore[attr-defined]
    yield c
    portal.call(c.http.aclose)


def test_remote_reads_need_a_token(remote: Client, token: str) -> None:
    assert remote.get("/api/v1/plans").status_code == 401
    assert remote.get("/channels").status_code == 401
    r = remote.get("/api/v1/plans", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


def test_open_reads_setting_lets_remote_clients_read(tmp_path: Path,
                                                     portal: BlockingPortal) -> None:
    app = create_app(Settings(store_url=f"sqlite:///{tmp_path / 'q.db'}", data_dir=tmp_path,
                              open_reads=True))
    c = Client(app, portal)
    c.http._transport.client = ("10.1.2.3", 40000)  # type: ignore[attr-defined]
    assert c.get("/api/v1/plans").status_code == 200
    assert c.post("/api/v1/check", json={"text": METHOD_B}).status_code == 401  # writes: no
    portal.call(c.http.aclose)
    app.state.jobs.shutdown()


def test_signin_sets_an_httponly_cookie_and_checks_csrf(client: Any, token: str) -> None:
    client.get("/signin")
    csrf = client.cookies.get("mpokit_csrf")
    assert csrf
    assert client.post("/signin", data={"token": token}).status_code == 403  # no CSRF
    r = client.post("/signin", data={"token": "mpk_wrong", "csrf": csrf})
    assert r.status_code == 403 and "unknown or revoked" in r.text
    r = client.post("/signin", data={"token": token, "csrf": csrf})
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "mpokit_token=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    # the cookie now authorises the form, with the CSRF token
    r = client.post("/channels", data={"text": METHOD_B, "csrf": csrf})
    assert r.status_code == 200 and 'class="lane ok"' in r.text
    # and an API write through the cookie needs the header
    assert client.post("/api/v1/check", json={"text": METHOD_B}).status_code == 403
    r = client.post("/api/v1/check", json={"text": METHOD_B}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200


def test_server_errors_are_generic_problems(app: Any, portal: BlockingPortal) -> None:
    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    c = Client(app, portal, raise_app_exceptions=False)
    r = c.get("/api/v1/boom")
    assert r.status_code == 500
    assert "secret" not in r.text and r.json()["type"].endswith("/server-error")
    portal.call(c.http.aclose)


def test_remote_clients_cannot_read_the_home_page_or_jobs(remote: Client) -> None:
    assert remote.get("/").status_code == 401
    assert remote.get("/api/v1/jobs/x").status_code == 401
    assert remote.get("/api/v1/health").status_code == 200  # liveness stays open
