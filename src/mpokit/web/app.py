"""The FastAPI application: routers of each page module, problems, limits, headers.

:func:`create_app` includes the ``router`` of every module in :data:`ROUTERS` that exists
(each page module owns its API routes under ``/api/v1/...`` and its pages under ``/...``).

Example:
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> app = create_app(Settings(store_url=f"sqlite:///{tmp}/qc.db", data_dir=tmp))
    >>> "/api/v1/health" in app.openapi()["paths"]
    True
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mpokit import __version__
from mpokit.store.tokens import verify_token
from mpokit.web import problems
from mpokit.web.deps import (
    CSRF_COOKIE,
    TOKEN_COOKIE,
    Settings,
    StoreDep,
    check_csrf,
    require_read,
    templates,
)
from mpokit.web.jobs import JobRegistry

__all__ = ["ROUTERS", "create_app", "router"]

#: The page modules whose ``router`` the app includes, when the module exists.
ROUTERS = ("mpokit.web.channels", "mpokit.web.plans", "mpokit.web.qc", "mpokit.web.accept")

router = APIRouter()


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``limit`` bytes with a 413 problem.

    A declared ``Content-Length`` over the limit is refused before the body is read; a
    chunked body is counted as it arrives and refused when it passes the limit.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, send)
            return
        seen = 0
        exceeded = started = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:  # the app sees a client that went away
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's own answer to the cut body is replaced by the 413
            started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._refuse(scope, send)

    def _detail(self) -> str:
        return (f"the request body is over the upload limit of {self.limit} bytes "
                "(mpokit serve --max-upload-mb raises it)")

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = problems.ProblemResponse(problems.problem(413, self._detail()), status_code=413)
        await body(scope, _drain, send)


async def _drain() -> Message:
    return {"type": "http.disconnect"}


_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


async def _headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]
                   ) -> Response:
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.media_type == "text/html" or response.headers.get(
            "content-type", "").startswith("text/html"):
        response.headers.setdefault("Content-Security-Policy", _CSP)
    csrf = getattr(request.state, "csrf", None)
    if csrf and CSRF_COOKIE not in request.cookies:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=False, samesite="strict",
                            secure=request.url.scheme == "https")
    return response


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the web app.

    Parameters
    ----------
    settings
        How it runs; None is :class:`Settings` defaults (the CLI's embedded store).

    Returns
    -------
    FastAPI
        The app: API under ``/api/v1``, pages under ``/``, static files under ``/static``.
    """
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for hook in app.state.startup:
            hook(app)
        yield
        app.state.jobs.shutdown()
        if app.state.store is not None:
            app.state.store.close()

    app = FastAPI(title="mpokit", version=__version__, lifespan=lifespan,
                  description="MPO fiber plants: check channels, browse plans, QC lots and "
                  "acceptance. Errors are RFC 9457 problem details.",
                  openapi_url="/openapi.json", docs_url="/api/docs", redoc_url=None)
    app.state.settings = settings
    app.state.store = None
    app.state.store_lock = threading.Lock()
    app.state.jobs = JobRegistry(workers=settings.workers)
    app.state.latest_plan = None  # callable(app) -> the newest plan's page data, or None
    app.state.startup = []  # callables(app) run at startup, e.g. planning the example
    problems.install(app)
    app.middleware("http")(_headers)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    app.mount("/static", StaticFiles(directory=str(resources.files("mpokit.web")
                                                   .joinpath("static"))), name="static")
    app.include_router(router)
    for name in ROUTERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        app.include_router(module.router)
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(app)
    return app


@router.get("/api/v1/health", tags=["meta"])
def health() -> dict[str, Any]:
    """Liveness: the version and ``ok``."""
    return {"ok": True, "version": __version__}


@router.get("/api/v1/jobs/{job_id}", tags=["jobs"], dependencies=[Depends(require_read)])
def job_status(job_id: str, request: Request) -> dict[str, Any]:
    """A background job's state and progress (0..1); poll until ``done`` or ``failed``."""
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id!r} (jobs are forgotten when the server "
                                 "restarts)")
    body: dict[str, Any] = job.to_json()
    return body


@router.get("/", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(require_read)])
def home(request: Request) -> Response:
    """The start page: the newest plan (the bundled example on a fresh machine), links."""
    latest = None
    plans = request.app.state.latest_plan  # set by mpokit.web.plans when it is included
    if plans is not None:
        latest = plans(request.app)
    return templates.TemplateResponse(request, "home.html", {"title": "mpokit",
                                                             "latest": latest})


@router.get("/signin", response_class=HTMLResponse, include_in_schema=False)
def signin_page(request: Request) -> Response:
    """Sign in with an API token (kept in an HTTP-only cookie for this browser)."""
    return templates.TemplateResponse(request, "signin.html", {"title": "Sign in"})


@router.post("/signin", include_in_schema=False)
def signin(request: Request, store: StoreDep, token: str = Form(...),
           csrf: str = Form("")) -> Response:
    """Check the token and keep it in a cookie; back to the start page."""
    check_csrf(request, csrf)
    if verify_token(store, token.strip()) is None:
        return templates.TemplateResponse(
            request, "signin.html", {"title": "Sign in",
                                     "error": "unknown or revoked token"}, status_code=403)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(TOKEN_COOKIE, token.strip(), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.post("/signout", include_in_schema=False)
def signout(request: Request, csrf: str = Form("")) -> Response:
    """Forget the token cookie."""
    check_csrf(request, csrf)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(TOKEN_COOKIE)
    return response
