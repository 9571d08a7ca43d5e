"""``mpokit accept``, ``mpokit accept-limits`` and ``mpokit cord``: field acceptance.

    mpokit accept PLAN_DIR RESULTS... [--json] [--report DIR] [--store URL]
                  [--as-built FILE] [--layout FILE] [--tolerance-db X] [--all]
    mpokit accept-limits PLAN_DIR [-o FILE.csv] [--wavelength NM ...]
    mpokit cord RACK PORT [--store URL] [--json]

Exit codes: 0 every channel passes (``cord``: the cord was found), 2 any finding (``cord``:
no cord recorded there), 1 bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from mpokit.cli._app import EXIT_FAILED, EXIT_OK, app, fail_input
from mpokit.cli._options import JsonOption, err_console, out_console, output_format
from mpokit.errors import InputError, MpokitError

__all__: list[str] = []

RESULT_SUFFIXES = (".csv", ".json")
SOR_SUFFIXES = (".sor",)
StoreOption = Annotated[str | None, typer.Option(
    "--store", "--db", metavar="URL", help="Also import the results, traces and as-built "
    "records into this store (sqlite:///FILE.db, postgresql://USER@HOST/DB, or a file path).")]


def _inputs(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    tables: list[Path] = []
    sors: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file())
            tables += [f for f in found if f.suffix.lower() in RESULT_SUFFIXES]
            sors += [f for f in found if f.suffix.lower() in SOR_SUFFIXES]
        elif p.suffix.lower() in SOR_SUFFIXES:
            sors.append(p)
        elif p.suffix.lower() in RESULT_SUFFIXES:
            tables.append(p)
        elif not p.exists():
            raise InputError("no such file or folder", file=str(p),
                             fix="give results files (.csv, .json), .sor traces or folders")
        else:
            raise InputError(f"unknown kind of results file {p.suffix!r}", file=str(p),
                             fix="results are .csv or .json (docs/accept.md), traces .sor")
    return tables, sors


@app.command("accept")
def accept(
    plan: Annotated[Path, typer.Argument(metavar="PLAN_DIR", help="The folder 'mpokit plan' "
                                         "wrote (or a channel file).")],
    results: Annotated[list[Path], typer.Argument(
        metavar="RESULTS", help="Tester results (.csv, .json in the generic layout), OTDR "
        "traces (.sor), or folders holding them.")],
    json_out: JsonOption = False,
    report: Annotated[Path | None, typer.Option("--report", metavar="DIR", help="Write "
                                                "report.html and acceptance.json here.")] = None,
    store: StoreOption = None,
    as_built: Annotated[Path | None, typer.Option(
        "--as-built", metavar="FILE", help="CSV cable_label,serial: the serial installed as "
        "each cut-sheet cable (stored with --store).")] = None,
    layout: Annotated[Path | None, typer.Option(
        "--layout", metavar="FILE", help="Column mapping (YAML) of a tester export that is "
        "not in the generic layout (docs/accept.md).")] = None,
    tolerance_db: Annotated[float, typer.Option(
        "--tolerance-db", min=0.0, help="Measurement uncertainty added to designed "
        "losses.")] = 0.0,
    all_: Annotated[bool, typer.Option("--all", help="List every finding, not the first "
                                       "100.")] = False,
) -> None:
    """Reconcile field test results and OTDR traces with the plan, channel by channel.

    Exit 0 when every designed channel passes, 2 on any finding (polarity, budget, swap,
    untested, unexpected, OTDR event), 1 on bad input.
    """
    from mpokit.accept import (
        concat_results,
        parse_results_text,
        read_plan,
        read_results,
        read_sor,
        reconcile,
        write_json,
        write_report,
    )

    try:
        tables, sors = _inputs(results)
        designs = read_plan(plan)
        from mpokit.accept.layout import read_layout

        lay = read_layout(layout) if layout is not None else None
        parts = [read_results(f, lay) for f in tables]
        rows = concat_results(parts) if parts else parse_results_text(
            "label,fiber,wavelength_nm,loss_db,far_fiber\n", file="<none>")
        traces = [read_sor(f) for f in sors]
        res = reconcile(designs, rows, traces, tolerance_db=tolerance_db)
        if store is not None:
            from mpokit.accept.records import store_as_built, store_results, store_traces
            from mpokit.store import open_store

            with open_store(store) as st:
                done = store_results(st, rows, res) if parts else []
                done += store_traces(st, traces, res)
                if as_built is not None:
                    done.append(store_as_built(st, as_built, plan))
            for d in done:
                what = "already in the store" if d.skipped else f"{d.rows} rows stored"
                err_console().print(escape(f"{d.file}: {what}"), highlight=False)
        elif as_built is not None:
            raise InputError("--as-built needs --store", field="--as-built",
                             fix="add --store URL")
        if report is not None:
            write_report(res, report, plan=str(plan), files=tuple(map(str, tables)),
                         traces=len(traces))
    except MpokitError as exc:
        raise fail_input(exc) from None
    if json_out:
        write_json(sys.stdout, res)
        sys.stdout.flush()
    else:
        _print_human(res, all_)
    raise typer.Exit(EXIT_OK if res.ok else EXIT_FAILED)


def _print_human(res: object, all_: bool) -> None:
    import numpy as np

    from mpokit.accept import STATUSES, AcceptResult

    assert isinstance(res, AcceptResult)
    console = out_console()
    for shown, c in enumerate(sorted(res.findings, key=lambda i: (int(res.status[i]), i))):
        if shown >= 100 and not all_:
            console.print(f"... {len(res.findings) - shown} more channels with findings "
                          "(--all lists them, --json has every detail)", highlight=False)
            break
        name = res.plan.channels.names[c] or f"channel {c + 1}"
        console.print(f"[bold]{escape(name)}[/]: {STATUSES[int(res.status[c])]}",
                      highlight=False)
        for f in res.findings[c][:6]:
            console.print(f"  {escape(f.message)}", highlight=False)
            if "measured_map" in f.details:
                console.print(f"    measured {escape(f.details['measured_map'])}\n"
                              f"    designed {escape(f.details['designed_map'])}",
                              highlight=False)
    untested = np.flatnonzero(res.status == STATUSES.index("not_tested"))
    for c in untested[:100 if not all_ else None].tolist():
        name = res.plan.channels.names[c] or f"channel {c + 1}"
        console.print(f"[bold]{escape(name)}[/]: not_tested, no results for this channel",
                      highlight=False)
    for lab, sug in res.unexpected[:100 if not all_ else None]:
        hint = f" (did you mean {', '.join(sug)}?)" if sug else ""
        console.print(f"[bold]{escape(lab)}[/]: unexpected, no designed channel has this "
                      f"label{escape(hint)}", highlight=False)
    for n in res.notes:
        console.print(f"note: {escape(n)}", highlight=False)
    counts = res.counts()
    console.print("\n" + ", ".join(f"{v} {k}" for k, v in counts.items() if v or k == "pass"),
                  highlight=False)


@app.command("accept-limits")
def accept_limits(
    plan: Annotated[Path, typer.Argument(metavar="PLAN_DIR", help="The folder 'mpokit plan' "
                                         "wrote (or a channel file).")],
    out: Annotated[Path | None, typer.Option("-o", "--out", metavar="FILE.csv",
                                             help="Write here (default: stdout).")] = None,
    wavelength: Annotated[list[float] | None, typer.Option(
        "--wavelength", metavar="NM", help="Test wavelength; repeatable (default: each "
        "channel's application wavelength).")] = None,
) -> None:
    """Tester limits per channel and wavelength: loss limit, designed length, expected map."""
    import pyarrow.csv as pacsv

    from mpokit._files import atomic_write
    from mpokit.accept import limits_table, read_plan

    try:
        output_format(out, ("csv",))
        table = limits_table(read_plan(plan), wavelength or [])
        if out is None:
            sink = sys.stdout.buffer
            pacsv.write_csv(table, sink)
            sink.flush()
        else:
            atomic_write(out, lambda tmp: pacsv.write_csv(table, str(tmp)))
            typer.echo(f"wrote {table.num_rows} limit row(s) to {out}", err=True)
    except MpokitError as exc:
        raise fail_input(exc) from None
    raise typer.Exit(EXIT_OK)


@app.command("cord")
def cord(
    rack: Annotated[str, typer.Argument(help="Rack name as in the cut sheet (1B09).")],
    port: Annotated[str, typer.Argument(help="Device port (17) or panel port (PP05-17).")],
    store: Annotated[str | None, typer.Option(
        "--store", "--db", metavar="URL", help="The store to read (sqlite:///FILE.db, "
        "postgresql://USER@HOST/DB, or a file path). Default: $MPOKIT_DB or the user's data "
        "folder.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Which cord is plugged at RACK PORT: serial, lot, factory certificate, field tests."""
    import json

    from mpokit.store import open_store
    from mpokit.store.field import cord_at

    try:
        with open_store(store) as st:
            found = cord_at(st, rack, port)
    except MpokitError as exc:
        raise fail_input(exc) from None
    if json_out:
        typer.echo(json.dumps([c.to_dict() for c in found], indent=2))
    else:
        console = out_console()
        if not found:
            console.print(escape(f"no installed cord recorded at rack {rack} port {port} "
                                 "(import the as-built list with 'mpokit accept ... "
                                 "--as-built FILE --store URL')"), highlight=False)
        for c in found:
            console.print(escape(f"{c.cable_label}: serial {c.serial}, lot {c.lot or '?'}, "
                                 f"supplier {c.supplier or '?'}"), highlight=False)
            console.print(escape(f"  factory IL/RL rows: {c.factory_measurements}; "
                                 f"certificate: {c.certificate}"), highlight=False)
            for t in c.field_tests:
                console.print(escape(f"  field {t['kind']}: {t['label']} -> {t['status']} "
                                     f"({t['file']})"), highlight=False)
    raise typer.Exit(EXIT_OK if found else EXIT_FAILED)
