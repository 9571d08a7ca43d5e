"""Plan view: upload a cluster spec, plan it in the background, browse and download it.

Each plan lives in ``<data dir>/plans/<id>/``: ``meta.json`` (state, name, error),
``spec.yaml`` (as uploaded), ``view.json`` (:func:`mpokit.web.planview.plan_view`) and
``out/`` (what ``mpokit plan`` writes, with its ``.mpokit-output.json`` manifest). Downloads
serve only names listed in that manifest, and plan ids are checked against a strict
pattern, so no client-given path ever reaches the file system.

API
    ``GET /api/v1/plans``; ``POST /api/v1/plans`` (token; 202 with the job);
    ``GET /api/v1/plans/{id}``; ``GET /api/v1/plans/{id}/cutsheet`` (search, filters, pages);
    ``GET /api/v1/plans/{id}/bom``; ``GET /api/v1/plans/{id}/files/{name}``.
Pages
    ``/plans`` (list, upload form), ``/plans/{id}`` (every section), ``/plans/{id}/racks``.
"""

from __future__ import annotations

import csv
import json
import re
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Depends,
    FastAPI,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    UploadFile,
)
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mpokit._files import atomic_write_text
from mpokit.errors import InputError, MpokitError
from mpokit.web.deps import Settings, TokenDep, require_read, templates
from mpokit.web.jobs import Job, Progress

__all__ = ["PlanRequest", "parse_upload", "router", "setup", "start_plan"]

router = APIRouter()

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
STAGES = ("parse", "fabric", "layout", "cabling", "verify", "campus", "cut sheet", "bom",
          "channels", "report", "view")
#: The bundled example cluster planned at first start.
EXAMPLE = "superpod-1su.yaml"


def _plans_dir(settings: Settings) -> Path:
    return settings.resolved_data_dir / "plans"


def _plan_dir(settings: Settings, plan_id: str) -> Path:
    if not _ID.match(plan_id):
        raise HTTPException(404, f"no plan {plan_id!r}")
    d = _plans_dir(settings) / plan_id
    if not (d / "meta.json").is_file():
        raise HTTPException(404, f"no plan {plan_id!r}; see /api/v1/plans")
    return d


def _meta(d: Path) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    return meta


def _write_meta(d: Path, meta: dict[str, Any]) -> None:
    atomic_write_text(d / "meta.json", json.dumps(meta, indent=1))


def parse_upload(text: str, file: str, max_nodes: int | None = None) -> Any:
    """Validate an uploaded cluster spec; refuse references to server files.

    Parameters
    ----------
    text
        The spec (YAML).
    file
        Its name, used in errors.
    max_nodes
        Refuse specs with more compute nodes (None: no bound).

    Returns
    -------
    ClusterSpec
        The validated spec.

    Raises
    ------
    InputError
        Malformed or invalid (names line and field), or naming a file on the server.
    """
    from mpokit._yaml import load_yaml
    from mpokit.plan.spec import parse_spec

    if not text.strip():
        raise InputError("the cluster spec is empty", file=file, field="text",
                         fix="upload a cluster spec (see examples/cluster)")
    data, lines = load_yaml(text, file=file)
    spec = parse_spec(data, lines)
    if max_nodes is not None and spec.cluster.nodes > max_nodes:
        raise InputError(f"{spec.cluster.nodes} nodes are over this server's limit of "
                         f"{max_nodes} for a plan made on the web", file=file,
                         line=lines.line_of(("cluster", "nodes")), field="cluster.nodes",
                         fix="plan it with 'mpokit plan', or start the server with a higher "
                         "--max-plan-nodes")
    refs = {"cabling.catalog": spec.cabling.catalog, "bom.prices": spec.bom.prices,
            "site.catalog": spec.site.catalog if spec.site is not None else None}
    for field, value in refs.items():
        if value is not None:
            raise InputError(f"an uploaded spec cannot name a file on the server ({value!r})",
                             file=file, line=lines.line_of(tuple(field.split("."))),
                             field=field, fix="remove it, or plan this spec with the CLI")
    return spec


def _run_plan(settings: Settings, d: Path, spec: Any, progress: Progress) -> dict[str, Any]:
    from mpokit.plan import make_plan, write_plan
    from mpokit.web.planview import plan_view

    def step(name: str) -> None:
        k = STAGES.index(name) if name in STAGES else 1
        progress(k / len(STAGES), name)

    plan = make_plan(spec, progress=step)
    write_plan(plan, d / "out", progress=step, force=False)
    step("view")
    view = plan_view(plan)
    atomic_write_text(d / "view.json", json.dumps(view, separators=(",", ":")))
    return {"errors": int(plan.summary.get("errors", 0))}


def start_plan(request_app: FastAPI, text: str, file: str) -> tuple[str, Job]:
    """Validate a spec, create its plan folder and plan it in the background.

    Parameters
    ----------
    request_app
        The app (its settings and job registry).
    text, file
        The spec and its name.

    Returns
    -------
    tuple[str, Job]
        The plan id and the job planning it.

    Raises
    ------
    InputError
        The spec is invalid: nothing is created.
    """
    settings: Settings = request_app.state.settings
    spec = parse_upload(text, file, settings.max_plan_nodes)  # before anything is written
    name = spec.cluster.name
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "plan"
    plan_id = f"{slug}-{uuid.uuid4().hex[:8]}"
    d = _plans_dir(settings) / plan_id
    d.mkdir(parents=True)
    atomic_write_text(d / "spec.yaml", text)
    meta = {"id": plan_id, "name": name, "file": file, "state": "running", "job": None,
            "created_at": datetime.now(UTC).isoformat(), "error": None}

    def done(job: Job) -> None:
        m = {**meta, "job": job.id, "state": job.state, "error": job.error,
             "finished_at": datetime.now(UTC).isoformat(),
             "errors": (job.result or {}).get("errors")}
        _write_meta(d, m)

    job = request_app.state.jobs.submit("plan", lambda progress: _run_plan(
        settings, d, spec, progress), on_done=done)
    job.link = f"/plans/{plan_id}"
    meta["job"] = job.id
    _write_meta(d, meta)
    return plan_id, job


def setup(app: FastAPI) -> None:
    """Startup: mark plans a restart interrupted; plan the bundled example when none exist.

    Parameters
    ----------
    app
        The app.
    """

    def startup(app: FastAPI) -> None:
        settings: Settings = app.state.settings
        root = _plans_dir(settings)
        metas = []
        if root.is_dir():
            for d in sorted(root.iterdir()):
                if (d / "meta.json").is_file():
                    m = _meta(d)
                    if m.get("state") in ("running", "queued"):
                        m["state"] = "failed"
                        m["error"] = {"detail": "interrupted by a server restart; upload the "
                                                "spec again"}
                        _write_meta(d, m)
                    metas.append(m)
        if settings.plan_example and not metas:
            text = resources.files("mpokit.web").joinpath("examples", "cluster",
                                                          EXAMPLE).read_text(encoding="utf-8")
            start_plan(app, text, EXAMPLE)

    app.state.startup.append(startup)
    app.state.latest_plan = _latest


def _latest(app: FastAPI) -> dict[str, Any] | None:
    """The newest finished (else newest) plan with its fabric and floor drawings."""
    from mpokit.web.planview import fabric_svg

    plans = _all_plans(app.state.settings)
    if not plans:
        return None
    meta = next((p for p in plans if p.get("state") == "done"), plans[0])
    d = _plans_dir(app.state.settings) / meta["id"]
    view = _view(d) if meta.get("state") == "done" else None
    return {"plan": meta, "summary": view["summary"] if view else None,
            "fabric_svg": fabric_svg(view) if view else ""}


def _all_plans(settings: Settings) -> list[dict[str, Any]]:
    root = _plans_dir(settings)
    if not root.is_dir():
        return []
    out = [_meta(d) for d in root.iterdir() if (d / "meta.json").is_file()]
    return sorted(out, key=lambda m: m.get("created_at", ""), reverse=True)


@lru_cache(maxsize=8)
def _load_view(path: str, mtime: float) -> dict[str, Any]:
    view: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return view


def _view(d: Path) -> dict[str, Any] | None:
    f = d / "view.json"
    return _load_view(str(f), f.stat().st_mtime) if f.is_file() else None


def _files(d: Path) -> list[str]:
    try:
        manifest = json.loads((d / "out" / ".mpokit-output.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    files = manifest.get("files", []) if isinstance(manifest, dict) else []
    return sorted(f for f in files if isinstance(f, str) and "/" not in f and f != "..")


@lru_cache(maxsize=8)
def _csv_rows(path: str, mtime: float) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _table(d: Path, name: str) -> tuple[list[str], list[dict[str, str]]]:
    f = d / "out" / name
    if name not in _files(d) or not f.is_file():
        raise HTTPException(404, f"this plan has no {name} (not planned yet, or failed)")
    return _csv_rows(str(f), f.stat().st_mtime)


def _settings(request: Request) -> Settings:
    s: Settings = request.app.state.settings
    return s


def _plan_json(request: Request, plan_id: str) -> dict[str, Any]:
    d = _plan_dir(_settings(request), plan_id)
    meta = _meta(d)
    job = request.app.state.jobs.get(meta.get("job") or "")
    if job is not None and meta.get("state") == "running":
        meta["progress"] = job.progress
        meta["message"] = job.message
    return {**meta, "files": _files(d), "view": _view(d) if meta["state"] == "done" else None}


class PlanRequest(BaseModel):
    """The body of ``POST /api/v1/plans``."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The cluster spec (YAML) as text.",
                      max_length=64 * 1024 * 1024)
    file: str = Field("cluster.yaml", min_length=1, max_length=200,
                      description="The name errors give for the text.")


@router.get("/api/v1/plans", tags=["plans"], dependencies=[Depends(require_read)])
def list_plans(request: Request) -> dict[str, Any]:
    """Every plan made in the app, newest first (id, name, state)."""
    return {"plans": _all_plans(_settings(request))}


@router.post("/api/v1/plans", tags=["plans"], status_code=202,
             responses={401: {"description": "no token"}, 413: {"description": "too large"},
                        422: {"description": "invalid spec (problem details)"}})
def create_plan(body: PlanRequest, request: Request, token: TokenDep) -> dict[str, Any]:
    """Plan a cluster spec in the background; poll ``job`` (or the plan) for progress."""
    plan_id, job = start_plan(request.app, body.text, body.file)
    return {"id": plan_id, "job": job.to_json(), "links": {
        "plan": f"/api/v1/plans/{plan_id}", "job": f"/api/v1/jobs/{job.id}",
        "page": f"/plans/{plan_id}"}}


@router.get("/api/v1/plans/{plan_id}", tags=["plans"], dependencies=[Depends(require_read)])
def get_plan(plan_id: str, request: Request) -> dict[str, Any]:
    """A plan: state (and progress), output files and, when done, its view (summary,
    fabric, racks, elevations, trunks, findings, designs, density, margins)."""
    return _plan_json(request, plan_id)


def _filtered(rows: list[dict[str, str]], q: str, filters: dict[str, str]
              ) -> list[dict[str, str]]:
    ql = q.strip().lower()
    out = []
    for r in rows:
        if any(v and r.get(k, "") != v for k, v in filters.items()):
            continue
        if ql and not any(ql in str(v).lower() for v in r.values()):
            continue
        out.append(r)
    return out


@router.get("/api/v1/plans/{plan_id}/cutsheet", tags=["plans"],
            dependencies=[Depends(require_read)])
def cutsheet(plan_id: str, request: Request,
             q: Annotated[str, Query(max_length=200, description="Text in any column")] = "",
             kind: Annotated[str, Query(max_length=50)] = "",
             link_class: Annotated[str, Query(max_length=50)] = "",
             rack: Annotated[str, Query(max_length=50, description="Either end's rack")] = "",
             offset: Annotated[int, Query(ge=0)] = 0,
             limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> dict[str, Any]:
    """The cut sheet, searched and filtered, one page of rows."""
    d = _plan_dir(_settings(request), plan_id)
    columns, rows = _table(d, "cutsheet.csv")
    hits = _filtered(rows, q, {"kind": kind, "link_class": link_class})
    if rack:
        hits = [r for r in hits if rack in (r.get("a_rack"), r.get("b_rack"))]
    return {"columns": columns, "total": len(rows), "matched": len(hits), "offset": offset,
            "rows": hits[offset:offset + limit],
            "choices": {"kind": sorted({r["kind"] for r in rows}),
                        "link_class": sorted({r["link_class"] for r in rows})}}


@router.get("/api/v1/plans/{plan_id}/bom", tags=["plans"], dependencies=[Depends(require_read)])
def bom(plan_id: str, request: Request) -> dict[str, Any]:
    """The bill of materials: one row per item, with prices when the spec gave them."""
    d = _plan_dir(_settings(request), plan_id)
    columns, rows = _table(d, "bom.csv")
    return {"columns": columns, "rows": rows}


@router.get("/api/v1/plans/{plan_id}/files/{name}", tags=["plans"],
            dependencies=[Depends(require_read)], response_class=FileResponse)
def download(plan_id: str, name: str, request: Request) -> FileResponse:
    """One output file of the plan (only names its output manifest lists)."""
    d = _plan_dir(_settings(request), plan_id)
    if name not in _files(d):
        raise HTTPException(404, f"plan {plan_id!r} has no output file {name!r}")
    return FileResponse(d / "out" / name, filename=name,
                        content_disposition_type="attachment")


# ---- pages ---------------------------------------------------------------------------------

@router.get("/plans", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(require_read)])
def plans_page(request: Request) -> Response:
    """The plans: list and upload form."""
    return templates.TemplateResponse(request, "plans.html", {
        "title": "Plans", "plans": _all_plans(_settings(request)), "problem": None})


@router.post("/plans", include_in_schema=False)
async def plans_post(request: Request, token: TokenDep,
                     file: Annotated[UploadFile | None, File()] = None,
                     text: Annotated[str, Form()] = "") -> Response:
    """Upload a spec from the form; on to its page (which shows the progress)."""
    from mpokit.web.problems import problem_for

    name = "cluster.yaml"
    if file is not None and file.filename:
        raw = await file.read()
        name = file.filename.replace("/", "_")[:200]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = "\x00"
    try:
        if "\x00" in text:
            raise InputError("the file is not UTF-8 text", file=name,
                             fix="upload a YAML cluster spec")
        plan_id, _ = start_plan(request.app, text, name)
    except MpokitError as exc:
        return templates.TemplateResponse(request, "plans.html", {
            "title": "Plans", "plans": _all_plans(_settings(request)),
            "problem": problem_for(exc)}, status_code=422)
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


@router.get("/plans/{plan_id}", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(require_read)])
def plan_page(request: Request, plan_id: str, q: str = "", kind: str = "",
              link_class: str = "", rack: str = "", offset: int = 0) -> Response:
    """One plan: summary, fabric, floor, racks, BOM, cut sheet, findings, margins, files."""
    from mpokit.web.planview import fabric_svg, floor_svg
    from mpokit.web.qc_svg import bars_svg

    data = _plan_json(request, plan_id)
    ctx: dict[str, Any] = {"title": f"Plan {data['name']}", "plan": data, "view": None}
    view = data.get("view")
    if view is not None:
        m = view["margins"]
        cut = cutsheet(plan_id, request, q=q[:200], kind=kind[:50], link_class=link_class[:50],
                       rack=rack[:50], offset=max(offset, 0), limit=500)
        ctx.update(view=view, fabric_svg=fabric_svg(view), floor_svg=floor_svg(view),
                   margin_svg=bars_svg(m.get("counts", []), m.get("edges", []),
                                       title="Loss margin per channel", unit="dB",
                                       bad_below=0.0),
                   bom=bom(plan_id, request), cut=cut,
                   query={"q": q, "kind": kind, "link_class": link_class, "rack": rack})
    return templates.TemplateResponse(request, "plan.html", ctx)


@router.get("/plans/{plan_id}/racks", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(require_read)])
def racks_page(request: Request, plan_id: str, rack: str = "", page: int = 0) -> Response:
    """Rack elevations: every device and panel, every panel port (cabled or free)."""
    from mpokit.web.planview import elevation_svg

    data = _plan_json(request, plan_id)
    view = data.get("view")
    if view is None:
        raise HTTPException(404, f"plan {plan_id!r} has no racks yet ({data['state']})")
    names = [r["name"] for r in view["racks"]]
    chosen = [rack] if rack in names else names[page * 12:(page + 1) * 12]
    svgs = [elevation_svg(n, view["elevations"].get(n, []), view["rack_units"])
            for n in chosen]
    return templates.TemplateResponse(request, "racks.html", {
        "title": f"Racks of {data['name']}", "plan": data, "names": names, "svgs": svgs,
        "rack": rack, "page": page, "pages": (len(names) + 11) // 12})




@router.get("/plans/{plan_id}/designs/{k}", response_class=HTMLResponse,
            include_in_schema=False, dependencies=[Depends(require_read)])
def design_page(request: Request, plan_id: str, k: int) -> Response:
    """One channel design of the plan drawn in the channel view (its least-margin channel)."""
    from mpokit.web.channels import render_channel_page

    data = _plan_json(request, plan_id)
    view = data.get("view")
    if view is None or not 0 <= k < len(view["designs"]):
        raise HTTPException(404, f"plan {plan_id!r} has no design {k}")
    return render_channel_page(request, text=view["designs"][k]["example"],
                               file=f"{data['name']} design {k}")
