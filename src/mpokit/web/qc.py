"""QC pages and API: lots (yield, distributions, control charts, end-face inspections),
assembly certificates, station-file imports and ISO 2859-1 incoming inspections.

API (JSON; errors are RFC 9457 problem details):

* ``GET /api/v1/profiles`` -- the built-in limit profiles;
* ``GET /api/v1/lots`` -- every lot's statistics and the charts across lots;
* ``GET /api/v1/lots/{lot}`` -- one lot (:func:`mpokit.store.lots.lot_report`);
* ``GET /api/v1/suppliers/{supplier}/scorecard`` -- lots, inspections, claimed vs measured;
* ``POST /api/v1/imports`` -- import a station file (token);
* ``POST /api/v1/lots/{lot}/inspections`` -- draw an incoming-inspection sample (token);
* ``POST /api/v1/lots/{lot}/inspections/decision`` -- decide on the re-measured sample
  (token);
* ``POST /api/v1/endface/inspections`` -- inspect an end-face image, import the result and
  keep its overlays (token);
* ``GET /api/v1/assemblies/{serial}/certificate?format=html|pdf`` -- the certificate.

Pages: ``/qc`` (lots, import form), ``/qc/lots/{lot}``, ``/qc/suppliers/{supplier}``,
``/qc/assemblies/{serial}/certificate``, ``/qc/endface/{key}/{fiber}`` (an overlay PNG).
Reads are open on loopback; every write needs the API token (and the CSRF field on forms).
A limit profile is chosen by name from the built-in ones only: a spec file path is never
read from a request.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mpokit.errors import CatalogError, InputError, MpokitError
from mpokit.store.grading import LimitProfile, profiles
from mpokit.store.lots import lot_list, lot_report
from mpokit.web.deps import StoreDep, TokenDep, require_read, templates
from mpokit.web.qa_uploads import staged
from mpokit.web.qc_endface import KEY, inspect_upload, overlay_files
from mpokit.web.qc_svg import control_chart_svg, histogram_svg

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(require_read)])

IMPORT_SUFFIXES = (".csv", ".xlsx", ".json")
#: The certificate is a standalone document with its own inline style and inline SVG/QR.
CERT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "base-uri 'none'; frame-ancestors 'none'; form-action 'none'")

ProfileQ = Annotated[str, Query(description="Limit profile: a built-in name (iec-B-2, "
                                "iec-C-3, iec-B-1, tia-568).", max_length=40)]
Origin = Literal["supplier", "incoming"]
Severity = Literal["normal", "tightened", "reduced"]
ConnectorClass = Literal["sm-pc", "sm-apc", "mm-pc", "mm-apc"]


def _profile(name: str) -> LimitProfile:
    known = profiles()
    if name not in known:
        raise CatalogError("limit profile", name, known)
    return known[name]


class InspectionRequest(BaseModel):
    """Parameters of an ISO 2859-1 incoming inspection (single sampling)."""

    model_config = ConfigDict(extra="forbid")

    level: Literal["S-1", "S-2", "S-3", "S-4", "I", "II", "III"] = "II"
    aql: float = Field(1.0, gt=0, le=1000, description="AQL, percent nonconforming; a "
                       "preferred ISO 2859-1 value (0.010..10).")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Sample seed (recorded).")
    severity: Severity | None = Field(None, description="None follows the switching rules.")


class DecisionRequest(BaseModel):
    """Which limits judge the re-measured sample."""

    model_config = ConfigDict(extra="forbid")

    profile: str = Field("iec-B-2", max_length=40)


# ----------------------------------------------------------------------------- API


@router.get("/api/v1/profiles", tags=["qc"])
def api_profiles() -> list[dict[str, Any]]:
    """The built-in limit profiles: name, IL and RL limits, status and source."""
    return [{"name": p.name, "description": p.description, "il_max_db": p.il_max_db,
             "rl_min_db": p.rl_min_db, "status": p.status, "source": p.source}
            for p in profiles().values()]


@router.get("/api/v1/lots", tags=["qc"])
def api_lots(store: StoreDep, profile: ProfileQ = "iec-B-2",
             matings: Annotated[int, Query(ge=100, le=200_000)] = 20_000) -> dict[str, Any]:
    """Every lot: assemblies, yield, mean, 97th percentile, Cpk and random-mating grade; the
    X-bar and EWMA charts across lots (None with a reason below 2 lots)."""
    return lot_list(store, _profile(profile), matings=matings)


@router.get("/api/v1/lots/{lot}", tags=["qc"])
def api_lot(lot: str, request: Request, store: StoreDep,
            profile: ProfileQ = "iec-B-2") -> dict[str, Any]:
    """One lot: yield, verdict counts, per-parameter values, the X-bar, R and EWMA charts
    over its assemblies, their grades, end-face inspections (with overlay image URLs) and the lot's
    incoming inspections."""
    return _with_overlays(request, _lot_or_404(store, lot, _profile(profile)))


def _endface_root(request: Request) -> Path:
    return Path(request.app.state.settings.resolved_data_dir) / "endface"


def _with_overlays(request: Request, report: dict[str, Any]) -> dict[str, Any]:
    from mpokit.web.qc_endface import overlay_key

    root = _endface_root(request)
    for e in report["endface"]:
        key = overlay_key(e["serial"], e["end"], e["image"])
        e["overlays"] = [{"fiber": f, "url": f"/qc/endface/{key}/{f}"}
                         for f in overlay_files(root, e["serial"], e["end"], e["image"])]
    return report


@router.get("/api/v1/suppliers/{supplier}/scorecard", tags=["qc"])
def api_scorecard(supplier: str, store: StoreDep,
                  profile: ProfileQ = "iec-B-2") -> dict[str, Any]:
    """A supplier's lots (claimed yield, inspection verdict), accepted / rejected / pending
    inspections, claimed vs re-measured IL and the severity the next inspection uses."""
    return _scorecard(store, supplier, _profile(profile))


def _scorecard(store: Any, supplier: str, prof: LimitProfile) -> dict[str, Any]:
    from mpokit.store.inspection import scorecard

    try:
        return scorecard(store, supplier, prof)
    except InputError as exc:
        if exc.field == "supplier":
            raise HTTPException(404, str(exc)) from None
        raise


def _lot_or_404(store: Any, lot: str, prof: LimitProfile) -> dict[str, Any]:
    try:
        return lot_report(store, lot, prof)
    except InputError as exc:
        if exc.field == "lot":
            raise HTTPException(404, str(exc)) from None
        raise


def _import(store: Any, name: str, data: bytes, origin: str, lot: str | None,
            supplier: str | None, end: str) -> dict[str, Any]:
    from mpokit.store import import_file

    with staged([(name, data)], IMPORT_SUFFIXES) as (path,):
        r = import_file(store, path, origin=origin,  # type: ignore[arg-type]
                        lot=lot or None, supplier=supplier or None, end=end)
    return r.to_dict() | {"file": path.name}


@router.post("/api/v1/imports", tags=["qc"], status_code=201)
def api_import(store: StoreDep, _token: TokenDep,
               file: Annotated[UploadFile, File(description="Station export (.csv, .xlsx) or "
                                                "'qc geometry --json' file.")],
               origin: Annotated[Origin, Form()] = "supplier",
               lot: Annotated[str, Form(max_length=100)] = "",
               supplier: Annotated[str, Form(max_length=100)] = "",
               end: Annotated[str, Form(min_length=1, max_length=20)] = "A") -> dict[str, Any]:
    """Import one station file in one transaction; a bad row rejects the whole file and the
    store is unchanged. The same bytes imported again are skipped (``skipped: true``)."""
    return _import(store, file.filename or "", file.file.read(), origin, lot, supplier, end)


@router.post("/api/v1/lots/{lot}/inspections", tags=["qc"], status_code=201)
def api_start_inspection(lot: str, body: InspectionRequest, store: StoreDep,
                         _token: TokenDep) -> dict[str, Any]:
    """Choose the ISO 2859-1 plan, draw the sample with the seed and record the inspection
    (pending). Re-measure the sample and import it with ``origin=incoming``."""
    from mpokit.store.inspection import start_inspection

    return start_inspection(store, lot, level=body.level, aql=body.aql, seed=body.seed,
                            severity=body.severity).to_dict()


@router.post("/api/v1/lots/{lot}/inspections/decision", tags=["qc"])
def api_decide(lot: str, body: DecisionRequest, store: StoreDep,
               _token: TokenDep) -> dict[str, Any]:
    """Grade the re-measured sample of the lot's latest inspection: ``accept``, ``reject``
    or ``unmeasurable`` with the serials still missing (then nothing is recorded)."""
    from mpokit.store.inspection import decide_inspection

    return decide_inspection(store, lot, _profile(body.profile)).to_dict()


@router.post("/api/v1/endface/inspections", tags=["qc"], status_code=201)
def api_endface(request: Request, store: StoreDep, _token: TokenDep,
                file: Annotated[UploadFile, File(description="End-face image (.png, .jpg, "
                                                 ".tif); SERIAL_END.png names the end.")],
                connector_class: Annotated[ConnectorClass, Form()] = "sm-pc",
                serial: Annotated[str, Form(max_length=100)] = "",
                end: Annotated[str, Form(max_length=20)] = "",
                pixel_um: Annotated[float | None, Form(gt=0, le=100)] = None,
                origin: Annotated[Origin, Form()] = "supplier",
                lot: Annotated[str, Form(max_length=100)] = "",
                supplier: Annotated[str, Form(max_length=100)] = "") -> dict[str, Any]:
    """Inspect an end-face image (IEC 61300-3-35 zones), import the verdicts into the store
    and keep one overlay image per fiber (zones and flaws drawn) for the lot page."""
    return inspect_upload(store, _endface_root(request), file.filename or "", file.file.read(),
                          connector_class=connector_class, serial=serial, end=end,
                          pixel_um=pixel_um, origin=origin, lot=lot or None,
                          supplier=supplier or None)


@router.get("/qc/endface/{key}/{fiber}", include_in_schema=False)
def overlay_png(key: str, fiber: int, request: Request) -> Response:
    """One fiber's overlay image."""
    path = _endface_root(request) / key / f"fiber-{fiber}.png"
    if not KEY.match(key) or not path.is_file():
        raise HTTPException(404, "no such overlay image")
    return FileResponse(path, media_type="image/png")


@router.get("/api/v1/assemblies/{serial}/certificate", tags=["qc"],
            responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
def api_certificate(serial: str, store: StoreDep, profile: ProfileQ = "iec-B-2",
                    format: Literal["html", "pdf"] = "html") -> Response:
    """The assembly's test certificate: IL/RL table, grade, geometry, end faces, QR code.
    ``format=pdf`` downloads it as PDF (WeasyPrint)."""
    return _certificate(store, serial, _profile(profile), format)


def _certificate(store: Any, serial: str, prof: LimitProfile, fmt: str) -> Response:
    from mpokit.store.certificate import certificate_html, write_certificate

    try:
        if fmt == "html":
            return HTMLResponse(certificate_html(store, serial, prof),
                                headers={"Content-Security-Policy": CERT_CSP})
        with tempfile.TemporaryDirectory(prefix="mpokit-cert-") as tmp:
            out = Path(tmp) / "certificate.pdf"
            write_certificate(store, serial, prof, out)
            data = out.read_bytes()
    except InputError as exc:
        if exc.field == "SERIAL":
            raise HTTPException(404, str(exc)) from None
        raise
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in serial)[:80]
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{safe}.pdf"'})


# ----------------------------------------------------------------------------- pages


def _charts(report: dict[str, Any]) -> dict[str, Any]:
    hists = [{"key": k, "label": d["label"], "svg": histogram_svg(
        d["values"], title=d["label"], unit=d["unit"], limit=d["limit"],
        limit_label=d["limit_label"])} for k, d in report["distributions"].items()]
    chart = rchart = ewma = None
    if report["chart"] is not None:
        chart = control_chart_svg(report["chart"], title="X-bar chart of per-fiber worst IL "
                                  "per assembly", unit="dB")
        ewma = control_chart_svg(report["ewma_chart"], title="EWMA chart (lambda 0.2, L 3) "
                                 "of the same means", unit="dB")
    if report["r_chart"] is not None:
        rchart = control_chart_svg(report["r_chart"], title="R chart: range of per-fiber "
                                   "worst IL per assembly", unit="dB")
    return {"histograms": hists, "chart_svg": chart, "r_svg": rchart, "ewma_svg": ewma}


@router.get("/qc", response_class=HTMLResponse, include_in_schema=False)
def page_lots(request: Request, store: StoreDep, profile: ProfileQ = "iec-B-2") -> Response:
    """The lot list with yield and the charts across lots, and the import form."""
    data = lot_list(store, _profile(profile))
    charts = []
    if data["charts"]:
        charts = [control_chart_svg(data["charts"]["xbar"], title="X-bar chart of lot means "
                                    "(per-fiber worst IL)", unit="dB"),
                  control_chart_svg(data["charts"]["ewma"], title="EWMA chart of lot means "
                                    "(lambda 0.2, L 3)", unit="dB")]
    return templates.TemplateResponse(request, "qc_lots.html", {
        "title": "QC lots", "data": data, "charts": charts, "profile": profile,
        "profiles": list(profiles())})


@router.get("/qc/suppliers/{supplier}", response_class=HTMLResponse, include_in_schema=False)
def page_supplier(supplier: str, request: Request, store: StoreDep,
                  profile: ProfileQ = "iec-B-2") -> Response:
    """A supplier's scorecard."""
    return templates.TemplateResponse(request, "qc_supplier.html", {
        "title": f"Supplier {supplier}", "s": _scorecard(store, supplier, _profile(profile)),
        "profile": profile})


@router.get("/qc/lots/{lot}", response_class=HTMLResponse, include_in_schema=False)
def page_lot(lot: str, request: Request, store: StoreDep,
             profile: ProfileQ = "iec-B-2") -> Response:
    """One lot's page."""
    return _lot_page(request, store, lot, profile)


def _lot_page(request: Request, store: Any, lot: str, profile: str, *,
              error: MpokitError | None = None, result: dict[str, Any] | None = None,
              status_code: int = 200) -> Response:
    report = _with_overlays(request, _lot_or_404(store, lot, _profile(profile)))
    return templates.TemplateResponse(request, "qc_lot.html", {
        "title": f"Lot {lot}", "r": report, **_charts(report), "profile": profile,
        "profiles": list(profiles()), "error": error, "result": result},
        status_code=status_code)


@router.post("/qc/import", include_in_schema=False)
def form_import(request: Request, store: StoreDep, _token: TokenDep,
                file: Annotated[UploadFile, File()],
                origin: Annotated[Origin, Form()] = "supplier",
                lot: Annotated[str, Form(max_length=100)] = "",
                supplier: Annotated[str, Form(max_length=100)] = "") -> Response:
    """Import from the lot list's form; on to the lot's page."""
    try:
        _import(store, file.filename or "", file.file.read(), origin, lot, supplier, "A")
    except MpokitError as exc:
        data = lot_list(store, _profile("iec-B-2"))
        return templates.TemplateResponse(request, "qc_lots.html", {
            "title": "QC lots", "data": data, "charts": [], "profile": "iec-B-2",
            "profiles": list(profiles()), "error": exc}, status_code=422)
    target = f"/qc/lots/{_q(lot)}" if lot else "/qc"
    return RedirectResponse(target, status_code=303)


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


@router.post("/qc/lots/{lot}/inspect", include_in_schema=False)
def form_inspect(lot: str, request: Request, store: StoreDep, _token: TokenDep,
                 level: Annotated[str, Form()] = "II",
                 aql: Annotated[float, Form()] = 1.0,
                 seed: Annotated[int, Form(ge=0)] = 0,
                 severity: Annotated[str, Form()] = "") -> Response:
    """Start an incoming inspection from the lot page; back to it (the sample is listed)."""
    from mpokit.store.inspection import start_inspection

    try:
        start_inspection(store, lot, level=level, aql=aql, seed=seed,
                         severity=(severity or None))  # type: ignore[arg-type]
    except MpokitError as exc:
        return _lot_page(request, store, lot, "iec-B-2", error=exc, status_code=422)
    return RedirectResponse(f"/qc/lots/{_q(lot)}#inspections", status_code=303)


@router.post("/qc/lots/{lot}/decide", include_in_schema=False)
def form_decide(lot: str, request: Request, store: StoreDep, _token: TokenDep,
                profile: Annotated[str, Form(max_length=40)] = "iec-B-2") -> Response:
    """Decide the lot's latest inspection from the lot page."""
    from mpokit.store.inspection import decide_inspection

    try:
        res = decide_inspection(store, lot, _profile(profile))
    except MpokitError as exc:
        return _lot_page(request, store, lot, "iec-B-2", error=exc, status_code=422)
    return _lot_page(request, store, lot, profile, result=res.to_dict())


@router.post("/qc/lots/{lot}/endface", include_in_schema=False)
def form_endface(lot: str, request: Request, store: StoreDep, _token: TokenDep,
                 file: Annotated[UploadFile, File()],
                 connector_class: Annotated[str, Form()] = "sm-pc",
                 serial: Annotated[str, Form(max_length=100)] = "",
                 end: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Inspect an image from the lot page; back to its end-face section."""
    try:
        inspect_upload(store, _endface_root(request), file.filename or "", file.file.read(),
                       connector_class=connector_class, serial=serial, end=end, lot=lot)
    except MpokitError as exc:
        return _lot_page(request, store, lot, "iec-B-2", error=exc, status_code=422)
    return RedirectResponse(f"/qc/lots/{_q(lot)}#endface", status_code=303)


@router.get("/qc/assemblies/{serial}/certificate", include_in_schema=False)
def page_certificate(serial: str, store: StoreDep, profile: ProfileQ = "iec-B-2") -> Response:
    """The certificate as a printable page."""
    return _certificate(store, serial, _profile(profile), "html")

