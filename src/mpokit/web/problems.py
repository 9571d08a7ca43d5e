"""Errors as RFC 9457 problem details (``application/problem+json``), never a traceback.

Each problem has ``type``, ``title``, ``status`` and ``detail``; an input error adds
``errors``: one entry per error with ``file``, ``line``, ``field``, ``message`` and ``fix``,
so a client can point at the line to mend. Unexpected exceptions are logged on the server
and answered with a 500 problem that says nothing of the code.

Example:
    >>> from mpokit.errors import InputError
    >>> p = problem_for(InputError("bad value", file="ch.yaml", line=3, field="a", fix="use b"))
    >>> p["status"], p["errors"][0]["line"], p["errors"][0]["field"]
    (422, 3, 'a')
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mpokit.errors import CatalogError, DesignError, InputError, MpokitError

__all__ = ["PROBLEM_TYPE", "ProblemResponse", "install", "problem", "problem_for"]

log = logging.getLogger("mpokit.web")

#: Base of the problem ``type`` URIs (documented in docs/web.md).
PROBLEM_TYPE = "https://mpokit.dev/problems/"

_TITLES = {
    400: "Bad request", 401: "API token required", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 413: "Upload too large",
    415: "Unsupported media type", 422: "Invalid input", 429: "Too many requests",
    500: "Internal server error", 503: "Service unavailable",
}
_SLUGS = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 409: "conflict", 413: "too-large", 415: "unsupported-media",
    422: "invalid-input", 429: "too-many-requests", 500: "server-error", 503: "unavailable",
}


class ProblemResponse(JSONResponse):
    """A JSON response with the ``application/problem+json`` media type."""

    media_type = "application/problem+json"


def problem(status: int, detail: str, *, slug: str | None = None,
            **extra: Any) -> dict[str, Any]:
    """A problem-details body.

    Parameters
    ----------
    status
        The HTTP status.
    detail
        What went wrong and how to fix it, for people.
    slug
        The last part of the ``type`` URI; by default the status's.
    **extra
        Extension members (``errors``, ``job`` ...).

    Returns
    -------
    dict
        The body: ``type``, ``title``, ``status``, ``detail`` and the extensions.

    Examples
    --------
    >>> problem(404, "no plan 'x'")["type"]
    'https://mpokit.dev/problems/not-found'
    """
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + (slug or _SLUGS.get(status, "error")),
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    return body


def _input_entry(e: InputError) -> dict[str, Any]:
    return {"file": e.file, "line": e.line, "field": e.field, "message": e.message,
            "fix": e.fix}


def problem_for(exc: MpokitError) -> dict[str, Any]:
    """The problem details of a library error (422: the input cannot be used).

    Parameters
    ----------
    exc
        The error: an :class:`InputError` lists each error's file, line, field and fix; a
        :class:`CatalogError` its suggestions; a :class:`DesignError` its location.

    Returns
    -------
    dict
        The problem body.
    """
    if isinstance(exc, InputError):
        return problem(422, str(exc), slug="invalid-input",
                       errors=[_input_entry(e) for e in exc.all_errors()])
    if isinstance(exc, CatalogError):
        return problem(422, str(exc), slug="unknown-name", errors=[{
            "field": None, "message": str(exc), "suggestions": exc.suggestions}])
    if isinstance(exc, DesignError):
        field = ".".join(str(p) for p in exc.loc) or None
        return problem(422, str(exc), slug="impossible-design",
                       errors=[{"field": field, "message": str(exc)}])
    return problem(422, str(exc), slug="invalid-input")


def _loc(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:] or parts
    return ".".join(parts)


def install(app: FastAPI) -> None:
    """Register the problem handlers on ``app``.

    Parameters
    ----------
    app
        The application.
    """

    @app.exception_handler(MpokitError)
    async def _mpokit(request: Request, exc: MpokitError) -> ProblemResponse:
        return ProblemResponse(problem_for(exc), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> ProblemResponse:
        errors = [{"field": _loc(e.get("loc", ())), "message": str(e.get("msg", "")),
                   "line": None, "file": None, "fix": None} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return ProblemResponse(problem(422, detail or "invalid request", errors=errors),
                               status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> ProblemResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return ProblemResponse(problem(exc.status_code, detail), status_code=exc.status_code,
                               headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> ProblemResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return ProblemResponse(problem(500, "the server failed on this request; the error is "
                                            "in the server log"), status_code=500)
