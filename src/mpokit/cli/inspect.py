"""``mpokit qc inspect``: end-face inspection from microscope images (thin adapter).

    mpokit qc inspect FILE_OR_DIR... --class sm-pc|sm-apc|mm-pc|mm-apc
                      [--ferrule round|mt] [--pixel-um UM] [--fibers N] [--rules FILE]
                      [--json] [--report DIR] [--summary FILE.csv] [--jobs N]
                      [--engine local|dask] [--scheduler ADDR]
                      [--store URL [--serial S] [--end E] [--origin O] [--lot L]
                       [--supplier S]]

``--store`` imports the results into the QC store (beside geometry and IL/RL; they appear
on the assembly's certificate). Each image belongs to an assembly's end: ``--serial`` and
``--end``, or the image's name ``SERIAL_END.png``. Importing the same results again adds
nothing.

Exit codes: 0 every fiber passes, 2 a fiber fails or cannot be judged (unmeasurable),
1 an unreadable input or a usage error.

The store's ISO 2859-1 incoming-inspection decision on a lot is ``qc lot-decision LOT``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mpokit.cli._app import EXIT_FAILED, EXIT_INPUT, EXIT_OK, fail_input
from mpokit.cli._options import output_format
from mpokit.cli.qc import qc_app
from mpokit.errors import InputError, MpokitError

if TYPE_CHECKING:
    from mpokit.qc.inspect.batch import Outcome

__all__ = ["inspect"]

@qc_app.command("inspect")
def inspect(
    paths: list[Path] = typer.Argument(..., metavar="IMAGE_OR_DIR", help="Images (PNG, JPEG, "
                                       "TIFF; 8 or 16 bit) or folders searched recursively "
                                       "for them."),
    connector_class: str | None = typer.Option(None, "--class", help="Acceptance table: "
                                               "sm-pc, sm-apc, mm-pc, mm-apc (or a class "
                                               "of --rules). Required for images."),
    ferrule: str | None = typer.Option(None, "--ferrule", help="round or mt (default: mt "
                                       "when several fibers are in view, else round)."),
    pixel_um: float | None = typer.Option(None, "--pixel-um", help="Pixel size in um "
                                          "(overrides the file's metadata)."),
    fibers: int | None = typer.Option(None, "--fibers", min=1, help="Fibers expected per "
                                      "image; another count makes the image unmeasurable."),
    rules: Path | None = typer.Option(None, "--rules", help="Own acceptance tables (YAML, "
                                      "schema of standards/data/inspection.yaml)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON {ok, results} on stdout."),
    report: Path | None = typer.Option(None, "--report", metavar="DIR",
                                       help="Write overlays per fiber, "
                                       "an HTML and a JSON report per image here."),
    summary: Path | None = typer.Option(None, "--summary", metavar="FILE.csv",
                                        help="Write a CSV, one row per "
                                        "fiber."),
    jobs: int | None = typer.Option(None, "--jobs", "-j", min=1, metavar="N",
                                    help="Worker processes "
                                    "(default: all cores)."),
    engine: str = typer.Option("local", "--engine", help="Where batch work runs: local "
                               "(process pool) or dask."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address "
                                         "(with --engine dask); a LocalCluster when omitted."),
    store: str | None = typer.Option(None, "--store", "--db", metavar="URL",
                                     help="Import the results into this store "
                                     "(sqlite:///FILE.db, postgresql://USER@HOST/DB, or a "
                                     "file path)."),
    serial: str | None = typer.Option(None, "--serial", help="Assembly serial of every image "
                                      "(default: from the name SERIAL_END.png)."),
    end: str | None = typer.Option(None, "--end", help="Ferrule end of every image (default: "
                                   "from the name SERIAL_END.png)."),
    origin: str = typer.Option("supplier", "--origin", help="supplier or incoming (with "
                               "--store)."),
    lot: str | None = typer.Option(None, "--lot", help="Lot of the assemblies (with --store)."),
    supplier: str | None = typer.Option(None, "--supplier", help="Supplier (with --store)."),
) -> None:
    """Inspect end-face images: zones, scratches, defects, verdict and action per fiber.

    Finds each fiber, draws its IEC 61300-3-35 zones, grades scratches and defects against
    the acceptance table and says clean and re-inspect, replace, or unmeasurable.
    """
    from mpokit._files import atomic_write_text
    from mpokit.qc.inspect.batch import InspectFailure, records_csv, run_inspections
    from mpokit.qc.inspect.image import discover_images
    from mpokit.qc.inspect.render import text_report
    from mpokit.qc.inspect.rules import get_rules

    try:
        output_format(summary, ("csv",), "--summary")
        if connector_class is None:
            raise InputError("missing --class", field="--class",
                             fix="give the connector class: sm-pc, sm-apc, mm-pc or mm-apc")
        if ferrule not in (None, "round", "mt"):
            raise InputError(f"unknown ferrule {ferrule!r}", field="--ferrule",
                             fix="use round or mt")
        table = get_rules(rules)
        table.get(connector_class)
        files = discover_images(list(paths))
        if store is None and (serial or end or lot or supplier):
            raise InputError("--serial, --end, --lot and --supplier need --store",
                             field="--store", fix="give --store URL to import the results")
        if origin not in ("supplier", "incoming"):
            raise InputError(f"unknown origin {origin!r}", field="--origin",
                             fix="use supplier or incoming")
        owners = _owners(files, serial, end) if store else []
    except MpokitError as exc:
        raise fail_input(exc) from None
    if not files:
        typer.echo(f"error: no images found in {' '.join(str(p) for p in paths)} (looked for "
                   ".png .jpg .jpeg .tif .tiff)", err=True)
        raise typer.Exit(EXIT_INPUT)
    from mpokit._engines import get_engine

    try:
        with get_engine(engine, scheduler=scheduler, jobs=jobs) as eng:
            outcomes = run_inspections(
                files, connector_class, ferrule=ferrule,  # type: ignore[arg-type]
                pixel_um=pixel_um, fibers=fibers, rules_file=str(rules) if rules else None,
                report_dir=str(report) if report else None, engine=eng)
    except MpokitError as exc:
        raise fail_input(exc) from None
    if store is not None:
        _import(store, owners, outcomes, origin, lot, supplier)
    if summary is not None:
        try:
            atomic_write_text(summary, records_csv(outcomes))
        except MpokitError as exc:
            raise fail_input(exc) from None
    if as_json:
        typer.echo(json.dumps({"ok": all(o.ok for o in outcomes),
                               "results": [o.to_dict() for o in outcomes]}, indent=2))
    else:
        for o in outcomes:
            if isinstance(o, InspectFailure):
                typer.echo(f"ERROR {o.message}")
            else:
                typer.echo(text_report(o))
    if any(isinstance(o, InspectFailure) for o in outcomes):
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_OK if all(o.ok for o in outcomes) else EXIT_FAILED)


def _owners(files: list[Path], serial: str | None, end: str | None) -> list[tuple[str, str]]:
    """The (serial, end) of every image: the options, else the name ``SERIAL_END.ext``."""
    from mpokit.store.endface import serial_end_from_name

    out = []
    for f in files:
        named = serial_end_from_name(str(f))
        s = serial or (named[0] if named else None)
        e = end or (named[1] if named else None)
        if not s or not e:
            raise InputError("no assembly serial and end for this image", file=str(f),
                             fix="name it SERIAL_END.png (e.g. MPO-0042_A.png) or give "
                             "--serial and --end")
        out.append((s, e))
    return out


def _import(url: str, owners: list[tuple[str, str]], outcomes: Sequence[Outcome],
            origin: str, lot: str | None, supplier: str | None) -> None:
    """Import the inspected images (unreadable files have nothing to import)."""
    from mpokit.qc.inspect.batch import InspectFailure
    from mpokit.store import open_store
    from mpokit.store.endface import import_inspections

    items = [(s, e, o.to_dict()) for (s, e), o in zip(owners, outcomes, strict=True)
             if not isinstance(o, InspectFailure)]
    if not items:
        typer.echo("store: nothing to import (no image could be read)", err=True)
        return
    try:
        with open_store(url) as st:
            r = import_inspections(st, items, name=f"qc-inspect:{len(items)} images",
                                   origin=origin, lot=lot, supplier=supplier)  # type: ignore[arg-type]
    except MpokitError as exc:
        raise fail_input(exc) from None
    typer.echo("store: " + ("these results were already imported, skipped" if r.skipped
                            else f"{r.rows} image(s) imported"), err=True)
