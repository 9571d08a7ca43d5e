"""``mpokit loss``, ``mpokit reach`` and ``mpokit limits``: loss budgets from the command line.

Each command makes one library call (:mod:`mpokit.loss`) and formats the result.
Exit codes: 0 pass, 1 unreadable input, 2 a budget fails.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mpokit._limits import check_limit
from mpokit.cli._app import EXIT_FAILED, EXIT_OK, app, fail_input
from mpokit.cli._options import (
    CatalogOption,
    FilesArgument,
    GradesOption,
    JsonOption,
    channel_files,
    err_console,
    load_extras,
    out_console,
    output_format,
    progress,
)
from mpokit.errors import DesignError, InputError, MpokitError
from mpokit.standards.provenance import provenance_tag

if TYPE_CHECKING:
    from mpokit.loss import SetBudgets

__all__ = ["limits", "loss", "reach"]


def _channel_sets(files: list[Path], catalog: list[Path] | None,
                  grades: list[Path] | None) -> list[tuple[Path, SetBudgets]]:
    """Read every file (folders expanded) and budget each distinct design once."""
    from mpokit.connectivity.io import read_channel_set
    from mpokit.connectivity.model import compile_channel
    from mpokit.loss import budget_set

    load_extras(catalog, grades)
    out = []
    paths = channel_files(files)
    with progress("reading", total=len(paths)) as step:
        for f in paths:
            step(0, description=f"reading {f}")
            cs = read_channel_set(f)
            compiled = []
            for d, spec in enumerate(cs.designs):
                try:
                    compiled.append(compile_channel(spec))
                except DesignError as exc:
                    raise InputError(_named(exc, cs, d), file=str(f)) from None
            out.append((f, budget_set(cs, compiled)))
            step()
    return out


def _named(exc: DesignError, cs: Any, d: int) -> str:
    """The error of design ``d`` as its first channel, under its own name, reports it."""
    from mpokit.connectivity.model import compile_channel

    try:
        compile_channel(cs.spec(int(cs.first_of()[d])))
    except DesignError as named:
        return str(named)
    return str(exc)  # pragma: no cover - the same design fails the same way


def _monte_carlo(sets: list[tuple[Path, SetBudgets]], trials: int,
                 seed: int) -> list[dict[str, Any]]:
    """The ``statistical`` record of every channel: each distinct design simulated once.

    One run over the designs of every file gives what one run over every channel gives.
    """
    from mpokit.loss import monte_carlo

    designs = [b for _, sb in sets for b in sb.designs]
    per_design = [r.to_dict() for r in monte_carlo(designs, trials, seed)]
    out, offset = [], 0
    for _, sb in sets:
        out += [per_design[offset + d] for d in sb.channels.design_of.tolist()]
        offset += len(sb.designs)
    return out


_status = provenance_tag


def _print_budget(console: Console, d: dict[str, Any], mc: dict[str, Any] | None) -> None:
    ok = not any(f["severity"] == "error" for f in d["findings"])
    verdict = "[green]PASS[/]" if ok else "[red]FAIL[/]"
    console.print(f"{verdict} [bold]{escape(str(d['name']))}[/]  "
                  f"{d['pmd'] or '?'} over {d['fiber'] or '?'} at {d['wavelength_nm']:g} nm",
                  highlight=False)
    t = Table(show_edge=False, pad_edge=False)
    for col, just in (("at", "left"), ("part", "left"), ("basis", "left"),
                      ("worst dB", "right"), ("nominal dB", "right")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for p in d["breakdown"]:
        t.add_row(escape(str(p["at"])), escape(str(p["what"])),
                  escape(str(p["basis"]) + _status(p["status"])),
                  f"{p['loss_db']:.3f}", f"{p['nominal_db']:.3f}")
    t.add_row("", "[bold]total[/]", f"{d['connections']} connections, {d['splices']} splices",
              f"[bold]{d['total_db']:.3f}[/]", f"{d['nominal_db']:.3f}")
    console.print(t)
    if d["limit_db"] is not None:
        console.print(
            f"  limit {d['limit_db']:g} dB{_status(d['limit_status'])}, margin "
            f"{d['margin_db']:+.3f} dB (nominal {d['nominal_margin_db']:+.3f} dB); length "
            f"{d['length_m']:g} m of {d['reach_m']:g} m{_status(d['reach_status'])}",
            highlight=False,
        )
    if mc is not None:
        console.print(f"  p_pass {mc['p_pass']:.4f} ± {mc['p_pass_stderr']:.4f} "
                      f"({mc['trials']} trials; worst lane "
                      f"{min(mc['p_pass_lanes'], default=float('nan')):.4f})", highlight=False)
    for f in d["findings"]:
        mark = "[red]x[/]" if f["severity"] == "error" else "[yellow]![/]"
        where = f" {escape(str(f['at']))}" if f["at"] else ""
        console.print(f"  {mark} [bold]{f['code']}[/]{where}: {escape(str(f['message']))}",
                      highlight=False)
        if f.get("fix"):
            console.print(f"      [cyan]fix:[/] {escape(str(f['fix']))}", highlight=False)


@app.command()
def loss(
    files: FilesArgument,
    statistical: Annotated[bool, typer.Option(
        "--statistical", help="Add p_pass from a Monte Carlo over graded parts.")] = False,
    trials: Annotated[int, typer.Option(min=100, help="Monte Carlo trials.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Monte Carlo seed.")] = 0,
    json_out: JsonOption = False,
    catalog: CatalogOption = None,
    grades: GradesOption = None,
) -> None:
    """Loss budget of every channel: breakdown by element, limit, margin, length and reach."""
    try:
        check_limit("trials", trials, what="Monte Carlo trials", field="--trials")
        sets = _channel_sets(files, catalog, grades)
        mcs = None
        if statistical:
            with progress(f"Monte Carlo, {trials} trials", total=None):
                mcs = _monte_carlo(sets, trials, seed)
    except MpokitError as exc:
        raise fail_input(exc) from None
    budgets = [b for _, sb in sets for b in sb.budgets()]
    out = []
    for i, b in enumerate(budgets):
        d = {"name": b.name, **b.to_dict(), "findings": [f.to_dict() for f in b.findings]}
        if mcs is not None:
            d["statistical"] = mcs[i]
        out.append(d)
    ok = all(b.ok for b in budgets)
    if json_out:
        typer.echo(json.dumps({"ok": ok, "channels": out}, indent=2))
    else:
        console = out_console()
        for d in out:
            _print_budget(console, d, d.get("statistical"))
        console.print(f"\n{sum(b.ok for b in budgets)}/{len(budgets)} channels within budget")
    raise typer.Exit(EXIT_OK if ok else EXIT_FAILED)


@app.command()
def reach(
    pmd: Annotated[str, typer.Option("--pmd", help="Application, e.g. 400GBASE-SR8.")],
    fiber: Annotated[str, typer.Option("--fiber", help="Fiber type: OM3, OM4, OM5, OS2, OS1a.")],
    connections: Annotated[int, typer.Option(min=0, help="Mated connector pairs.")] = 2,
    grade: Annotated[str | None, typer.Option(help="Connection grade (default: TIA).")] = None,
    splices: Annotated[int, typer.Option(min=0, help="Splices.")] = 0,
    case: Annotated[str, typer.Option(help="worst or nominal per-connection loss.")] = "worst",
    table_to: Annotated[int, typer.Option(
        "--table-to", min=0, help="Tabulate 0..N connections.")] = 8,
    grades: GradesOption = None,
    json_out: JsonOption = False,
) -> None:
    """Longest supported channel of an application with so many connections of a grade.

    Exit 0 when the requested count is supportable, 2 when it is not.
    """
    from mpokit.loss import reach_table, supportable_length

    if case not in ("worst", "nominal"):
        raise fail_input(InputError(f"case must be worst or nominal, not {case!r}",
                                    field="--case"))
    try:
        check_limit("reach_connections", connections, what="connections",
                    field="--connections")
        check_limit("reach_connections", table_to, what="table rows", field="--table-to")
        load_extras(None, grades)
        r = supportable_length(pmd, fiber, connections, grade, splices=splices,
                               case=case)  # type: ignore[arg-type]
        rows = reach_table(pmd, fiber, grade, connections=range(max(table_to, connections) + 1),
                           splices=splices, case=case)  # type: ignore[arg-type]
    except MpokitError as exc:
        raise fail_input(exc) from None
    ok = r.limited_by != "infeasible"
    if json_out:
        typer.echo(json.dumps({"ok": ok, "result": r.to_dict(),
                               "table": [x.to_dict() for x in rows]}, indent=2))
    else:
        console = out_console()
        lim = f"{r.max_il_db:g} dB{_status(r.limit_status)}, reach {r.reach_m:g} m" \
              f"{_status(r.reach_status)}"
        if ok:
            console.print(f"{r.pmd} over {r.fiber} with {connections} x grade {r.grade} "
                          f"({r.per_connection_db:g} dB {case}) and {splices} splices: "
                          f"[bold]{r.length_m:g} m[/] (limited by {r.limited_by}; {lim})",
                          highlight=False)
        else:
            console.print(f"{r.pmd} over {r.fiber}: {connections} x grade {r.grade} "
                          f"= {r.connection_db:.2f} dB already exceeds {lim}", highlight=False)
            if case == "worst":
                nominal = supportable_length(pmd, fiber, connections, grade, splices=splices,
                                             case="nominal")
                if nominal.limited_by != "infeasible":
                    console.print(
                        f"with the grade's mean loss ({nominal.per_connection_db:g} dB each) it "
                        f"reaches {nominal.length_m:g} m (--case nominal); "
                        "`mpokit loss --statistical` gives the probability a built channel passes",
                        highlight=False)
        t = Table(title=f"{r.pmd} over {r.fiber}, grade {r.grade} ({case})")
        for col in ("connections", "connection dB", "max length m", "limited by"):
            t.add_column(col, justify="right")
        for x in rows:
            t.add_row(str(x.connections), f"{x.connection_db:.2f}",
                      f"{x.length_m:g}" if x.limited_by != "infeasible" else "-", x.limited_by)
        console.print(t)
    raise typer.Exit(EXIT_OK if ok else EXIT_FAILED)


@app.command()
def limits(
    files: FilesArgument,
    out: Annotated[Path, typer.Option("-o", "--out", metavar="FILE",
                                      help="File to write: FILE.csv or FILE.json.")],
    fmt: Annotated[str | None, typer.Option(
        "--format", metavar="csv|json", help="csv or json (default: from the suffix).")] = None,
    catalog: CatalogOption = None,
    grades: GradesOption = None,
) -> None:
    """Export per-lane tester limits (loss allowed, designed loss, length, polarity map)."""
    from mpokit.loss import tester_limits_set, write_tester_records

    if fmt not in (None, "csv", "json"):
        raise fail_input(InputError(f"format must be csv or json, not {fmt!r}", field="--format"))
    try:
        fmt = fmt or output_format(out, ("csv", "json"))
        sets = _channel_sets(files, catalog, grades)
        with progress(f"writing {out}", total=None):
            records = [r for _, sb in sets for r in tester_limits_set(sb)]
            write_tester_records(out, records, fmt)  # type: ignore[arg-type]
    except MpokitError as exc:
        raise fail_input(exc) from None
    err_console().print(f"wrote tester limits for {len(records)} channel(s) to {out}",
                        highlight=False, markup=False)
    raise typer.Exit(EXIT_OK)
