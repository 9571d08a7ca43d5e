"""``mpokit routes check SPEC.yaml``: the campus layer of a cluster spec, without writing.

Plans the cluster (nothing is written), then prints each route's construction, cables,
splices and worst cold/hot margins, and every route and hall finding with the segment
(file:line:field) that causes it. Exit 0 when every route has a legal construction and
every channel passes its cold and hot budget, 2 otherwise, 1 on bad input (or a spec
without a ``site:`` section).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from mpokit.cli._app import EXIT_FAILED, EXIT_OK, app, fail_input
from mpokit.errors import DesignError, InputError, MpokitError

__all__ = ["routes_check"]

routes_app = typer.Typer(help="Routes between buildings: constructions, splices, cold/hot "
                         "budgets.", no_args_is_help=True)
app.add_typer(routes_app, name="routes")


@routes_app.command("check")
def routes_check(
    spec_file: Annotated[Path, typer.Argument(help="Cluster spec (YAML) with a site: section.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the campus summary as "
                                           "JSON on stdout.")] = False,
) -> None:
    """Check the routes of a cluster spec's site: section (nothing is written)."""
    from mpokit.cli._options import out_console
    from mpokit.plan import load_spec, make_plan

    try:
        spec = load_spec(spec_file)
        if spec.site is None:
            raise InputError("the spec has no 'site:' section", file=str(spec_file),
                             fix="describe buildings and routes (see examples/campus/)")
        p = make_plan(spec)
    except DesignError as exc:
        raise fail_input(InputError(str(exc), file=str(spec_file))) from None
    except MpokitError as exc:
        raise fail_input(exc) from None
    campus = p.campus
    assert campus is not None
    summary = campus.summary()
    if json_out:
        typer.echo(json.dumps(summary, indent=2))
    else:
        console = out_console()
        for r in summary["routes"]:
            margins = f"cold {r['worst_cold_margin_db']} dB, hot {r['worst_hot_margin_db']} dB"
            console.print(
                f"{escape(r['route'])} ({r['fiber']}): {r['length_m']} m, "
                f"{r['splices_per_fiber']} splices per fiber, worst margins {margins}",
                highlight=False)
            for sec in r["sections"]:
                console.print(
                    f"  {escape(', '.join(sec['segments']))}: {sec['cables']} x "
                    f"{escape(str(sec['construction']))} ({sec['construction_status']}), "
                    f"{sec['reel_pieces']} piece(s) per cable", highlight=False)
        for name in summary["unused_routes"]:
            console.print(f"{escape(name)}: no link crosses it (not checked)", highlight=False)
        for name, h in summary["halls"].items():
            console.print(f"{escape(name)} halls ({h['environment']}): "
                          f"{escape(str(h['construction']))}", highlight=False)
        for f in campus.findings:
            console.print(str(f), highlight=False, markup=False)
        for code, n in summary["channel_findings"].items():
            console.print(f"{n} channel(s): {code}", highlight=False)
        verdict = "all routes and channels pass" if campus.ok else "FAILING"
        console.print(verdict, highlight=False)
    raise typer.Exit(EXIT_OK if campus.ok else EXIT_FAILED)


@routes_app.command("catalog")
def routes_catalog(
    kind: Annotated[str, typer.Argument(help="One of: environments, constructions, "
                                        "enclosures, fire_ratings, fill_limits.")],
    catalog: Annotated[Path | None, typer.Option(
        "--catalog", metavar="FILE", help="A user file (the spec's site.catalog) on top of the "
        "built-in records.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """List the environment catalogue: each record with its source and status."""
    from mpokit.cli._options import out_console
    from mpokit.errors import CatalogError
    from mpokit.standards.catalog import Catalog
    from mpokit.standards.environments import environment_catalog

    try:
        cat = environment_catalog(catalog)
    except MpokitError as exc:
        raise fail_input(exc) from None
    kinds: dict[str, Catalog[Any]] = {
        "environments": cat.environments, "constructions": cat.constructions,
        "enclosures": cat.enclosures, "fire_ratings": cat.fire_ratings,
        "fill_limits": cat.fill_limits}
    if kind not in kinds:
        raise fail_input(CatalogError("catalogue", kind, list(kinds)))
    records = list(kinds[kind])
    if json_out:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in records], indent=2))
        raise typer.Exit(EXIT_OK)
    console = out_console()
    for r in records:
        console.print(f"[bold]{escape(r.name)}[/]  [dim]({r.status})[/] {escape(r.source)}",
                      highlight=False)
    raise typer.Exit(EXIT_OK)
