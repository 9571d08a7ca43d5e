"""Acceptance pages and API: reconcile field results and OTDR traces with a plan in the
background, then drill from a failing link to its maps, OTDR events and element at fault.

API (JSON; errors are RFC 9457 problem details):

* ``POST /api/v1/accept/runs`` (token, multipart) -- ``plan`` (a channel file, or the
  ``channels.yaml`` a plan wrote) or ``plan_name`` (a plan of the Plans page, kept in
  ``<data dir>/plans/NAME/out``), ``results``
  (tester exports, .csv/.json, generic layout), ``traces`` (.sor), ``tolerance_db``;
  answers 202 with the job to poll (``GET /api/v1/jobs/{id}``);
* ``GET /api/v1/accept/runs`` -- the stored runs, newest first;
* ``GET /api/v1/accept/runs/{id}`` -- counts per status and a page of channels;
* ``GET /api/v1/accept/runs/{id}/channels/{name}`` -- one channel's drill-down.

Pages: ``/accept`` (form and recent runs), ``/accept/runs/{id}``,
``/accept/runs/{id}/channels/{name}``. A finished run is written to the store
(:func:`mpokit.web.accept_data.save_acceptance`) and every page and API answer reads it from
there, so runs survive a restart; only a run still in progress (or failed) is known by its
in-memory job.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mpokit.errors import InputError, MpokitError
from mpokit.web import accept_data
from mpokit.web.accept_data import (
    RESULT_SUFFIXES,
    SOR_SUFFIXES,
    recent_runs,
    run_acceptance,
    save_acceptance,
    stored_channel_detail,
    stored_result_page,
)
from mpokit.web.deps import StoreDep, TokenDep, require_read, store_of, templates
from mpokit.web.jobs import new_job_id
from mpokit.web.qa_uploads import safe_name, staged
from mpokit.web.qc_svg import fiber_map_svg

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(require_read)])

PLAN_SUFFIXES = (".yaml", ".yml", ".json")
_PLAN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _plans_root(request: Request) -> Path:
    return Path(request.app.state.settings.resolved_data_dir) / "plans"


def _plan_folder(root: Path, name: str) -> Path | None:
    """The folder holding a saved plan's ``channels.yaml``: ``NAME/out`` (the Plans page
    writes there) or ``NAME``; None when neither has one."""
    for d in (root / name / "out", root / name):
        if (d / "channels.yaml").is_file():
            return d
    return None


def _saved_plans(request: Request) -> list[str]:
    root = _plans_root(request)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if _PLAN_NAME.match(p.name) and _plan_folder(root, p.name) is not None)


async def _read(upload: UploadFile | None) -> tuple[str, bytes] | None:
    if upload is None or not upload.filename:
        return None
    return upload.filename, await upload.read()


def _plan_source(request: Request, plan: tuple[str, bytes] | None,
                 plan_name: str) -> tuple[str, bytes] | Path:
    """The uploaded plan, or the saved plan's folder; checked before any work is queued."""
    if plan is not None and plan_name:
        raise InputError("give either an uploaded plan or a saved plan's name, not both",
                         field="plan_name", fix="clear one of the two")
    if plan is not None:
        safe_name(plan[0], PLAN_SUFFIXES, field="plan")
        return plan
    if not plan_name:
        raise InputError("no plan given", field="plan",
                         fix="upload the plan's channels.yaml (or a channel file), or pick a "
                             "saved plan")
    if not _PLAN_NAME.match(plan_name) or plan_name not in _saved_plans(request):
        raise InputError(f"no saved plan {plan_name!r}", field="plan_name",
                         fix="pick one of: " + (", ".join(_saved_plans(request)) or "(none)"))
    folder = _plan_folder(_plans_root(request), plan_name)
    assert folder is not None  # listed by _saved_plans
    return folder


def _load_plan(source: tuple[str, bytes] | Path) -> Any:
    from mpokit.accept import read_plan

    if isinstance(source, Path):
        return read_plan(source)
    with staged([source], PLAN_SUFFIXES, field="plan") as (path,):
        return read_plan(path)


async def _submit(request: Request, plan: UploadFile | None, plan_name: str,
                  results: list[UploadFile], traces: list[UploadFile],
                  tolerance_db: float) -> Any:
    tables = [x for x in [await _read(u) for u in results] if x is not None]
    sors = [x for x in [await _read(u) for u in traces] if x is not None]
    for name, _ in tables:
        safe_name(name, RESULT_SUFFIXES, field="results")
    for name, _ in sors:
        safe_name(name, SOR_SUFFIXES, field="traces")
    if not tables and not sors:
        raise InputError("no results or traces uploaded", field="results",
                         fix="upload the tester's export (.csv/.json) and/or .sor traces")
    source = _plan_source(request, await _read(plan), plan_name.strip())
    label = source.parent.name if isinstance(source, Path) and source.name == "out" else (
        source.name if isinstance(source, Path) else source[0])
    app, run_id = request.app, new_job_id()

    def work(progress: Any) -> dict[str, Any]:
        progress(0.0, "reading the plan")
        run = run_acceptance(_load_plan(source), tables, sors, tolerance_db=tolerance_db,
                             progress=progress)
        progress(0.96, "saving to the store")
        info = save_acceptance(store_of(app), run_id, run, plan=label,
                               tolerance_db=tolerance_db, progress=progress)
        return info.to_dict()

    job = request.app.state.jobs.submit("accept", work, job_id=run_id)
    job.link = f"/accept/runs/{job.id}"
    return job


def _pending(request: Request, run_id: str) -> Any:
    """The run's job while it is queued, running or failed; None once done or forgotten
    (the store has the run then)."""
    job = request.app.state.jobs.get(run_id)
    if job is None or job.kind != "accept" or job.state == "done":
        return None
    return job


def _check_done(request: Request, run_id: str) -> None:
    job = _pending(request, run_id)
    if job is None:
        return
    if job.state == "failed":
        raise HTTPException(422, (job.error or {}).get("detail", "the run failed"))
    raise HTTPException(409, f"run {run_id} is still {job.state}; poll "
                             f"/api/v1/jobs/{run_id} until it is done")


def _not_found(run_id: str) -> HTTPException:
    return HTTPException(404, f"no acceptance run {run_id!r}")


# ----------------------------------------------------------------------------- API

Uploads = Annotated[list[UploadFile], File(description="Files (repeat the field).")]


@router.post("/api/v1/accept/runs", tags=["accept"], status_code=202)
async def api_submit(request: Request, _token: TokenDep,
                     results: Uploads = [],  # noqa: B006 - FastAPI copies defaults
                     traces: Uploads = [],  # noqa: B006
                     plan: Annotated[UploadFile | None, File()] = None,
                     plan_name: Annotated[str, Form(max_length=100)] = "",
                     tolerance_db: Annotated[float, Form(ge=0, le=10)] = 0.0
                     ) -> dict[str, Any]:
    """Start a reconciliation in the background (202). File names and kinds are checked
    here; the plan and every row are read by the job, which reports bad input as a problem
    in its ``error`` (``GET /api/v1/jobs/{id}``)."""
    job = await _submit(request, plan, plan_name, results, traces, tolerance_db)
    return {"run": job.id, "job": f"/api/v1/jobs/{job.id}",
            "result": f"/api/v1/accept/runs/{job.id}", "page": job.link}


@router.get("/api/v1/accept/runs", tags=["accept"])
def api_runs(store: StoreDep, offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
             limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> dict[str, Any]:
    """The stored runs, newest first: id, time, plan, tolerance, verdict, counts per status,
    notes, unexpected labels and files (``total`` counts them all)."""
    return recent_runs(store, limit=limit, offset=offset)


@router.get("/api/v1/accept/runs/{run_id}", tags=["accept"])
def api_run(run_id: str, request: Request, store: StoreDep, status: str | None = None,
            offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
            limit: Annotated[int, Query(ge=1, le=10_000)] = 500) -> dict[str, Any]:
    """Counts per status, notes, unexpected labels and a page of channels (findings first)."""
    _check_done(request, run_id)
    data = stored_result_page(store, run_id, status=status, offset=offset, limit=limit)
    if data is None:
        raise _not_found(run_id)
    return data


@router.get("/api/v1/accept/runs/{run_id}/channels/{name:path}", tags=["accept"])
def api_channel(run_id: str, name: str, request: Request, store: StoreDep) -> dict[str, Any]:
    """One channel: status, findings, measured and designed maps, its path with the element
    at fault, and its OTDR events (``kept: false`` and only status and first finding for
    channels beyond the first 10,000 of a run, findings first)."""
    return _channel(request, store, run_id, name)


def _channel(request: Request, store: Any, run_id: str, name: str) -> dict[str, Any]:
    _check_done(request, run_id)
    try:
        d = stored_channel_detail(store, run_id, name)
    except InputError as exc:
        if exc.field == "name":
            raise HTTPException(404, str(exc)) from None
        raise
    if d is None:
        raise _not_found(run_id)
    return d


# ----------------------------------------------------------------------------- pages


@router.get("/accept", response_class=HTMLResponse, include_in_schema=False)
def page_form(request: Request, store: StoreDep) -> Response:
    """The upload form and the recent runs."""
    return _form_page(request, store)


def _form_page(request: Request, store: Any, error: MpokitError | None = None,
               status_code: int = 200) -> Response:
    return templates.TemplateResponse(request, "accept_form.html", {
        "title": "Acceptance", "plans": _saved_plans(request), "error": error,
        "recent": recent_runs(store)}, status_code=status_code)


@router.post("/accept", include_in_schema=False)
async def form_submit(request: Request, _token: TokenDep, store: StoreDep,
                      results: Uploads = [],  # noqa: B006
                      traces: Uploads = [],  # noqa: B006
                      plan: Annotated[UploadFile | None, File()] = None,
                      plan_name: Annotated[str, Form(max_length=100)] = "",
                      tolerance_db: Annotated[float, Form(ge=0, le=10)] = 0.0) -> Response:
    """Start a run from the form; on to its page (which shows progress)."""
    try:
        job = await _submit(request, plan, plan_name, results, traces, tolerance_db)
    except MpokitError as exc:
        return _form_page(request, store, exc, 422)
    return RedirectResponse(job.link, status_code=303)


@router.get("/accept/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
def page_run(run_id: str, request: Request, store: StoreDep,
             status: str | None = None) -> Response:
    """A run: progress while it runs, then counts and the channels with findings."""
    job = _pending(request, run_id)
    data = None
    if job is None:
        data = stored_result_page(store, run_id, status=status)
        if data is None:
            raise _not_found(run_id)
    return templates.TemplateResponse(request, "accept_run.html", {
        "title": f"Acceptance run {run_id}", "job": job, "data": data, "status": status,
        "run_id": run_id})


@router.get("/accept/runs/{run_id}/channels/{name:path}", response_class=HTMLResponse,
            include_in_schema=False)
def page_channel(run_id: str, name: str, request: Request, store: StoreDep) -> Response:
    """One channel's drill-down."""
    d = _channel(request, store, run_id, name)
    svg = fiber_map_svg(d["measured_map"], d["designed_map"],
                        title=f"{name}: measured map (solid) over the designed map (dashed)"
                        ) if d.get("kept", True) else ""
    return templates.TemplateResponse(request, "accept_channel.html", {
        "title": name, "d": d, "svg": svg, "run_id": run_id,
        "max_details": accept_data.MAX_DETAILS})

