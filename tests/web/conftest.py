"""Fixtures of the web tests (listed in docs/web.md, "for page authors").

* ``settings`` -- :class:`Settings` on a temporary SQLite store and data folder.
* ``app`` -- the app built from ``settings``; ``client`` -- an httpx client over
  ``httpx.ASGITransport`` (in-process, loopback client address), synchronous to use.
* ``store`` -- the app's open store; ``token`` -- a valid API token text; ``auth`` -- the
  ``Authorization`` header carrying it.
* ``live_server`` -- the app under uvicorn in a thread on a free loopback port (its URL);
  ``page`` -- a Playwright page in Debian's ``/usr/bin/chromium``; ``shot(page, name)``
  saves a screenshot under the artifacts folder (``$MPOKIT_TEST_ARTIFACTS`` or
  ``test-artifacts/web``).
"""

from __future__ import annotations

import functools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from mpokit.store import Store
from mpokit.store.tokens import create_token
from mpokit.web.app import create_app
from mpokit.web.deps import Settings, store_of

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("MPOKIT_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "web"


class Client:
    """A synchronous face on ``httpx.AsyncClient(transport=httpx.ASGITransport(app))``.

    Calls run on an event loop in a helper thread (an anyio blocking portal), so tests stay
    plain functions. Methods mirror httpx: ``get``, ``post``, ``put``, ``delete``,
    ``request``; cookies persist across calls like a browser's.
    """

    def __init__(self, app: Any, portal: BlockingPortal, *,
                 raise_app_exceptions: bool = True) -> None:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50123),
                                        raise_app_exceptions=raise_app_exceptions)
        self.http = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        self.portal = portal

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        return self.portal.call(functools.partial(self.http.request, method, url, **kw))

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def put(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("PUT", url, **kw)

    def delete(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", url, **kw)

    @property
    def cookies(self) -> httpx.Cookies:
        return self.http.cookies


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store_url=f"sqlite:///{tmp_path / 'qc.db'}", data_dir=tmp_path / "web")


@pytest.fixture
def app(settings: Settings) -> Iterator[Any]:
    app = create_app(settings)
    yield app
    app.state.jobs.shutdown()
    if app.state.store is not None:
        app.state.store.close()


@pytest.fixture
def portal() -> Iterator[BlockingPortal]:
    with start_blocking_portal() as portal:
        yield portal


@pytest.fixture
def client(app: Any, portal: BlockingPortal) -> Iterator[Client]:
    c = Client(app, portal)
    yield c
    portal.call(c.http.aclose)


@pytest.fixture
def store(app: Any) -> Store:
    return store_of(app)


@pytest.fixture
def token(store: Store) -> str:
    text, _ = create_token(store, "tests")
    return text


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port; yields its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Chromium from Debian (``/usr/bin/chromium``), headless; skipped when absent unless
    ``MPOKIT_REQUIRE_BROWSER`` is set (CI sets it: there a missing browser fails)."""
    if not CHROMIUM.exists():
        if os.environ.get("MPOKIT_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                               args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh page (own cookies) whose relative URLs resolve against ``live_server``."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


@pytest.fixture
def shot() -> Callable[[Any, str], Path]:
    """``shot(page, name)``: a full-page PNG under the artifacts folder; returns its path."""

    def save(pg: Any, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return save
