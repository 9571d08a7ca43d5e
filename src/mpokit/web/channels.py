"""Channel view: check a pasted or uploaded channel file; lanes, loss waterfall, trace.

API
    ``POST /api/v1/check`` (token) -- ``{"text": "...", "file": "ch.yaml"}`` -> every
    channel's verdict as ``mpokit check --json`` gives it, plus each channel's trace (and,
    with ``drawings: true``, the SVG drawings the page shows).
    ``GET /api/v1/examples/channels`` and ``GET /api/v1/examples/channels/{name}`` -- the
    bundled example channels.
Pages
    ``GET /channels`` (``?example=NAME&channel=I``) and ``POST /channels`` (form: ``text`` or
    ``file``, ``channel``, ``csrf``; signed in).

One library call per request: :func:`check_text` (parse + :func:`mpokit.verify.check_set`).
"""

from __future__ import annotations

import os
from importlib import resources
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mpokit.errors import DesignError, InputError, MpokitError
from mpokit.verify import SetResult
from mpokit.web.deps import TokenDep, require_read, templates
from mpokit.web.draw import lanes_svg, waterfall_svg

__all__ = ["CheckRequest", "check_text", "example_names", "render_channel_page", "router",
           "view_of"]

router = APIRouter()

#: The most channels whose full record a check answer lists (the counts cover all).
MAX_LISTED = 2000


def example_names() -> list[str]:
    """The bundled example channel files (``mpokit/web/examples/channels``), sorted.

    Returns
    -------
    list[str]
        File names such as ``parallel-method-b.yaml``.
    """
    folder = resources.files("mpokit.web").joinpath("examples", "channels")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))


def _example_text(name: str) -> str:
    if name not in example_names():  # only listed names: no path from the client is opened
        raise HTTPException(404, f"no example channel {name!r}; see /api/v1/examples/channels")
    return resources.files("mpokit.web").joinpath("examples", "channels", name).read_text(
        encoding="utf-8")


def check_text(text: str, file: str = "channel.yaml") -> SetResult:
    """Parse a channel file's text (YAML or JSON) and check every channel.

    Parameters
    ----------
    text
        The file's content.
    file
        The name errors give for it.

    Returns
    -------
    SetResult
        Every channel's verdict (each distinct design checked once).

    Raises
    ------
    InputError
        The text is empty, malformed or not a valid channel file; names line and field.

    Examples
    --------
    >>> res = check_text("a: 400GBASE-DR4\\nb: 400GBASE-DR4\\npath:\\n"
    ...                  "  - cord: {connector: MPO-12, type: B, fiber: OS2, length_m: 3}\\n")
    >>> len(res), bool(res.ok[0])
    (1, True)
    """
    from mpokit._yaml import load_yaml
    from mpokit.connectivity.io import parse_channel_set
    from mpokit.verify import check_set

    if not text.strip():
        raise InputError("the channel file is empty", file=file, field="text",
                         fix="paste a channel file or pick an example")
    data, lines = load_yaml(text, file=file)
    channels = parse_channel_set(data, lines)
    try:
        return check_set(channels)
    except DesignError as exc:
        loc = exc.loc
        if loc[:1] == ("channels",) and ("channels",) not in lines.by_path:
            loc = loc[2:]
        msg = str(exc).removeprefix("channels[0]: ") if loc != exc.loc else str(exc)
        raise InputError(msg, file=file, line=lines.line_of(loc) if loc else None) from None


def _faults(result: Any) -> list[int]:
    """The path elements to highlight: where error findings sit and what their fix swaps."""
    at: set[int] = set()
    for f in result.findings:
        if f.severity != "error":
            continue
        if f.at is not None:
            at.add(int(f.at))
        for p in f.patch:
            if isinstance(p.get("at"), int):
                at.add(int(p["at"]))
    return sorted(at)


def view_of(res: SetResult, index: int, *, drawings: bool = True) -> dict[str, Any]:
    """Everything the page shows of channel ``index``: record, faults, trace, drawings.

    Parameters
    ----------
    res
        The checked file.
    index
        The channel (0-based).
    drawings
        Add the SVG drawings (``lanes_svg``, ``waterfall_svg``).

    Returns
    -------
    dict
        ``record`` (the ``mpokit check --json`` object), ``fault_at``, ``fixes``, ``trace``
        (both directions) and optionally ``lanes_svg`` / ``waterfall_svg``.
    """
    from mpokit.connectivity.trace import trace

    r = res.result(index)
    fwd, back = trace(r.channel)
    faults = _faults(r)
    view: dict[str, Any] = {
        "index": index,
        "record": r.to_dict(),
        "fault_at": faults,
        "fixes": sorted({f.fix for f in r.findings if f.fix}),
        "trace": [fwd.to_dict(), back.to_dict()],
    }
    if drawings:
        view["lanes_svg"] = lanes_svg(r, fault_at=faults, traces=(fwd, back))
        view["waterfall_svg"] = waterfall_svg(r.extra.get("loss") or {})
    return view


def _answer(res: SetResult, file: str, drawings: bool) -> dict[str, Any]:
    from mpokit.verify.output import lane_count

    n = len(res)
    ok = res.ok
    channels = []
    for i in range(min(n, MAX_LISTED)):
        r = res.result(i)
        good, total = lane_count(r.lanes)
        channels.append({"index": i, "name": r.name, "ok": bool(ok[i]), "lanes_ok": good,
                         "lanes": total, "design": int(res.channels.design_of[i])})
    first_bad = next((i for i in range(n) if not ok[i]), 0)
    return {
        "file": file, "ok": bool(ok.all()), "channels": n, "passed": int(ok.sum()),
        "designs": len(res.designs), "listed": channels,
        "detail": view_of(res, first_bad, drawings=drawings),
    }


class CheckRequest(BaseModel):
    """The body of ``POST /api/v1/check``."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The channel file (YAML or JSON), as text.",
                      max_length=64 * 1024 * 1024)
    file: str = Field("channel.yaml", min_length=1, max_length=200,
                      description="The name errors give for the text.")
    channel: int | None = Field(None, ge=0, description="The channel whose detail (trace, "
                                "drawings) is returned; default: the first failing one.")
    drawings: bool = Field(False, description="Add the SVG drawings of the detail channel.")


@router.post("/api/v1/check", tags=["channels"],
             responses={401: {"description": "no token"}, 403: {"description": "bad token"},
                        413: {"description": "upload too large"},
                        422: {"description": "invalid channel file (problem details)"}})
async def check(body: CheckRequest, token: TokenDep) -> dict[str, Any]:
    """Check every channel of a channel file: verdicts, lanes, findings with fixes, loss.

    The answer has the counts, one short record per channel (``listed``, at most 2000) and
    the ``detail`` of one channel (its full record, trace, faulty elements and, with
    ``drawings``, the SVGs).
    """
    return await anyio.to_thread.run_sync(_check_answer, body, limiter=_limiter())


def _limiter() -> anyio.CapacityLimiter:
    """Checks are CPU work under the GIL: a few at a time, the rest wait their turn in order
    (dozens of threads sharing the GIL would only stretch every answer)."""
    global _LIMITER
    if _LIMITER is None:
        _LIMITER = anyio.CapacityLimiter(max(2, min(os.cpu_count() or 2, 4)))
    return _LIMITER


_LIMITER: anyio.CapacityLimiter | None = None


def _check_answer(body: CheckRequest) -> dict[str, Any]:
    res = check_text(body.text, body.file)
    answer = _answer(res, body.file, body.drawings)
    if body.channel is not None:
        if body.channel >= len(res):
            raise InputError(f"channel {body.channel} does not exist; the file has "
                             f"{len(res)}", field="channel", fix=f"use 0..{len(res) - 1}")
        answer["detail"] = view_of(res, body.channel, drawings=body.drawings)
    return answer


@router.get("/api/v1/examples/channels", tags=["channels"],
            dependencies=[Depends(require_read)])
def list_examples() -> dict[str, list[str]]:
    """The bundled example channel files."""
    return {"examples": example_names()}


@router.get("/api/v1/examples/channels/{name}", tags=["channels"],
            response_class=PlainTextResponse, dependencies=[Depends(require_read)])
def get_example(name: str) -> PlainTextResponse:
    """One bundled example channel file, as YAML text."""
    return PlainTextResponse(_example_text(name), media_type="application/yaml")


def render_channel_page(request: Request, *, text: str = "", file: str = "channel.yaml",
                        channel: int | None = None, status: int = 200,
                        submitted: bool = False) -> Response:
    """The channel page checking ``text`` (empty: just the form).

    Parameters
    ----------
    request
        The request being answered.
    text
        A channel file's text.
    file
        Its name, shown and used in errors.
    channel
        The channel to draw (default: the first failing one).
    status
        HTTP status of the page (422 when the text cannot be checked).
    submitted
        The user submitted the form: an empty text is an error, not a blank page.

    Returns
    -------
    Response
        The rendered page.
    """
    ctx: dict[str, Any] = {"title": "Channels", "examples": example_names(), "text": text,
                           "file": file, "answer": None, "problem": None}
    if text or submitted:
        try:
            res = check_text(text, file)
            answer = _answer(res, file, drawings=True)
            if channel is not None and 0 <= channel < len(res):
                answer["detail"] = view_of(res, channel)
            ctx["answer"] = answer
        except MpokitError as exc:
            from mpokit.web.problems import problem_for

            ctx["problem"] = problem_for(exc)
            status = 422
    return templates.TemplateResponse(request, "channels.html", ctx, status_code=status)


@router.get("/channels", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(require_read)])
def channels_page(request: Request, example: str | None = None,
                  channel: int | None = None) -> Response:
    """The channel page; ``?example=NAME`` checks a bundled example."""
    if example is None:
        return render_channel_page(request)
    return render_channel_page(request, text=_example_text(example), file=example,
                               channel=channel)


@router.post("/channels", response_class=HTMLResponse, include_in_schema=False)
async def channels_post(
    request: Request, token: TokenDep,
    text: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
    channel: Annotated[int | None, Form()] = None,
) -> Response:
    """Check a pasted or uploaded channel file (the form of the channel page)."""
    name = "channel.yaml"
    if file is not None and file.filename:
        raw = await file.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _bad_upload(request, file.filename)
        name = file.filename.replace("/", "_")[:200]
    return render_channel_page(request, text=text, file=name, channel=channel, submitted=True)


def _bad_upload(request: Request, filename: str) -> Response:
    from mpokit.web.problems import problem_for

    ctx = {"title": "Channels", "examples": example_names(), "text": "", "file": filename,
           "answer": None, "problem": problem_for(InputError(
               "the file is not UTF-8 text", file=filename, fix="upload a YAML or JSON "
               "channel file"))}
    return templates.TemplateResponse(request, "channels.html", ctx, status_code=422)


