"""Settings and the dependencies routes share: the store, tokens, templates and CSRF.

Reads are open to loopback clients; every write or upload depends on :func:`require_token`
(``Authorization: Bearer <token>``, or the ``mpokit_token`` cookie a browser gets from the
sign-in page). Cookie-authenticated writes must also carry the CSRF token (form field
``csrf`` or header ``X-CSRF-Token``) that matches the ``mpokit_csrf`` cookie: a page on
another site can make the browser send the cookie but cannot read it to copy it.

Example:
    >>> Settings().host
    '127.0.0.1'
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from mpokit.store import Store, default_url, open_store
from mpokit.store.tokens import TokenInfo, verify_token

__all__ = [
    "CSRF_COOKIE",
    "TOKEN_COOKIE",
    "Settings",
    "StoreDep",
    "TokenDep",
    "csrf_token",
    "default_data_dir",
    "get_settings",
    "get_store",
    "require_read",
    "require_token",
    "store_of",
    "templates",
]

TOKEN_COOKIE = "mpokit_token"
CSRF_COOKIE = "mpokit_csrf"


def default_data_dir() -> Path:
    """The folder the web app keeps plans and uploads in: ``<user data dir>/mpokit/web``.

    Returns
    -------
    Path
        The folder (not created here).
    """
    from platformdirs import user_data_dir

    return Path(user_data_dir("mpokit")) / "web"


class Settings(BaseModel):
    """How the web app runs. Immutable; ``mpokit serve`` builds it from its options.

    Parameters
    ----------
    store_url
        Database URL; None is the embedded SQLite store the CLI uses (``$MPOKIT_DB`` or the
        user's data folder).
    data_dir
        Folder for plans and uploads; None is :func:`default_data_dir`.
    host, port
        Where ``mpokit serve`` binds (loopback by default).
    max_upload_bytes
        Largest request body accepted; larger ones get a 413 problem.
    open_reads
        True: anyone who can reach the server may read; False: only loopback clients read
        without a token.
    plan_example
        Plan the bundled example cluster at first start when the data folder has no plan.
    max_plan_nodes
        Largest cluster (compute nodes) a plan upload may ask for; bigger ones are planned
        with ``mpokit plan``, not on the web server.
    workers
        Background jobs that run at once (plans); more wait in the queue.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    store_url: str | None = None
    data_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    max_upload_bytes: int = Field(4 * 1024 * 1024, gt=0)
    open_reads: bool = False
    plan_example: bool = False
    max_plan_nodes: int = Field(20_000, ge=1)
    workers: int = Field(2, ge=1, le=32)

    @cached_property
    def resolved_store_url(self) -> str:
        """The store URL in use (the default resolved)."""
        return self.store_url or default_url()

    @cached_property
    def resolved_data_dir(self) -> Path:
        """The data folder in use (the default resolved)."""
        return self.data_dir or default_data_dir()


def get_settings(request: Request) -> Settings:
    """The app's settings (a dependency).

    Parameters
    ----------
    request
        The request.

    Returns
    -------
    Settings
        The settings the app was created with.
    """
    settings: Settings = request.app.state.settings
    return settings


def store_of(app: Any) -> Store:
    """The open store of ``app``, opened at first use and shared by every request.

    Parameters
    ----------
    app
        The application (:func:`mpokit.web.app.create_app`).

    Returns
    -------
    Store
        The store (one engine and connection pool per app).
    """
    state = app.state
    with state.store_lock:
        if state.store is None:
            state.store = open_store(state.settings.resolved_store_url)
        store: Store = state.store
    return store


async def get_store(request: Request) -> Store:
    """The app's open store (a dependency; see :func:`store_of`).

    Async so that a request does not hop to a worker thread just to read an attribute; the
    one-time open (with its migrations) runs on the event loop once.

    Parameters
    ----------
    request
        The request.

    Returns
    -------
    Store
        The app's store.
    """
    return store_of(request.app)


StoreDep = Annotated[Store, Depends(get_store)]


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def _is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("testclient", "localhost")


async def require_token(request: Request, store: StoreDep) -> TokenInfo:
    """Dependency of every write and upload: a valid token, plus CSRF for cookie sign-in.

    Parameters
    ----------
    request
        The request (header ``Authorization: Bearer mpk_...`` or the ``mpokit_token`` cookie).
    store
        The store holding the token hashes.

    Returns
    -------
    TokenInfo
        The token used.

    Raises
    ------
    HTTPException
        401 without a token, 403 with an unknown or revoked token or a missing CSRF token.
    """
    text = _bearer(request)
    via_cookie = False
    if text is None:
        text = request.cookies.get(TOKEN_COOKIE)
        via_cookie = text is not None
    if not text:
        raise HTTPException(401, "this request changes data and needs an API token: send "
                                 "'Authorization: Bearer <token>' (create one with "
                                 "'mpokit token create NAME')",
                            headers={"WWW-Authenticate": "Bearer"})
    # a read session (no write lock, no wait for writers), asked on every request so that a
    # revoked token stops working at once; in a worker thread, off the event loop
    info = await run_in_threadpool(verify_token, store, text)
    if info is None:
        raise HTTPException(403, "the API token is unknown or revoked (see 'mpokit token list')")
    if via_cookie:
        submitted = request.headers.get("x-csrf-token")
        ctype = request.headers.get("content-type", "")
        if submitted is None and ctype.startswith(("multipart/form-data",
                                                   "application/x-www-form-urlencoded")):
            field = (await request.form()).get("csrf")
            submitted = field if isinstance(field, str) else None
        check_csrf(request, submitted)
    return info


TokenDep = Annotated[TokenInfo, Depends(require_token)]

def require_read(request: Request, store: StoreDep) -> None:
    """Dependency of reads: open on loopback (or with ``open_reads``), else a token.

    Parameters
    ----------
    request
        The request.
    store
        The store holding the token hashes.

    Raises
    ------
    HTTPException
        401/403 for a remote client without a valid token.
    """
    if request.app.state.settings.open_reads or _is_loopback(request):
        return
    text = _bearer(request) or request.cookies.get(TOKEN_COOKIE)
    if not text:
        raise HTTPException(401, "reads from other hosts need an API token",
                            headers={"WWW-Authenticate": "Bearer"})
    if verify_token(store, text) is None:
        raise HTTPException(403, "the API token is unknown or revoked")


def csrf_token(request: Request) -> str:
    """The CSRF token for forms on this page (the ``mpokit_csrf`` cookie's value).

    Templates put it in a hidden ``csrf`` field; :func:`mpokit.web.app.create_app` sets the
    cookie on every page response that lacks it.

    Parameters
    ----------
    request
        The request being rendered.

    Returns
    -------
    str
        The token (a new one when the browser sent none).
    """
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf", None)
    if not token:
        token = secrets.token_urlsafe(24)
        request.state.csrf = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a cookie-authenticated write whose CSRF token does not match the cookie.

    Parameters
    ----------
    request
        The request.
    submitted
        The token from the form field or the ``X-CSRF-Token`` header.

    Raises
    ------
    HTTPException
        403 when the token is missing or differs.
    """
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and submit "
                                 "the form again")


def _make_templates() -> Jinja2Templates:
    env = Environment(loader=PackageLoader("mpokit.web", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    templates = Jinja2Templates(env=env)
    env.globals["csrf_token"] = csrf_token
    return templates


#: The page templates (``mpokit/web/templates``), autoescaped.
templates = _make_templates()
