"""``mpokit plan SPEC.yaml -o OUTDIR``: design, cable, verify and write a cluster plan.

Exit 0 when every channel passes, 2 when any finding of severity error, 1 on bad input.
The output folder must be new, empty or an earlier mpokit output (``--force`` writes beside
other files, never over them); see ``docs/limits.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from mpokit._files import check_output_dir
from mpokit.cli._app import EXIT_FAILED, EXIT_OK, app, fail_input
from mpokit.errors import DesignError, InputError, MpokitError

__all__ = ["plan"]

STAGES = ("fabric", "layout", "cabling", "verify", "campus", "cut sheet", "bom", "channels",
          "report")


@app.command()
def plan(
    spec_file: Annotated[Path, typer.Argument(help="Cluster spec (YAML).")],
    out: Annotated[Path, typer.Option("-o", "--out", metavar="DIR",
                                      help="Output folder.")] = Path("plan-out"),
    json_out: Annotated[bool, typer.Option("--json", help="Print summary.json on stdout.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Write into a folder holding files mpokit did not write (they are kept; "
        "only files mpokit wrote are replaced).")] = False,
    no_channels: Annotated[
        bool, typer.Option("--no-channels",
                           help="Skip channels.yaml and tester_limits.csv (giant plans).")
    ] = False,
) -> None:
    """Plan a cluster fabric: cut sheet, BOM, channels.yaml, summary.json, report.html."""
    from mpokit.plan import load_spec, make_plan, write_plan

    console = Console(stderr=True)
    try:
        check_output_dir(out, force=force)  # refuse before the work, again before the swap
        spec = load_spec(spec_file)
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      console=console, transient=True, disable=json_out) as bar:
            task = bar.add_task("planning", total=len(STAGES))

            def step(name: str) -> None:
                bar.update(task, description=name, completed=STAGES.index(name))

            p = make_plan(spec, progress=step)
            dest = write_plan(p, out, channels=not no_channels, progress=step, force=force)
            bar.update(task, completed=len(STAGES))
    except DesignError as exc:  # the spec is readable but describes no buildable fabric
        raise fail_input(InputError(str(exc), file=str(spec_file),
                                    fix="see docs/planner.md (fabric formulas)")) from None
    except MpokitError as exc:
        raise fail_input(exc) from None
    from mpokit.plan.outputs import skipped_outputs

    for note in skipped_outputs():  # an optional extra is not installed
        console.print(f"note: {note}", highlight=False, markup=False)
    s = p.summary
    for note in s["notes"]:  # devices sharing rack units: said here, not only in the report
        if note.startswith("rack space"):
            console.print(f"note: {note}", highlight=False, markup=False)
    if json_out:
        typer.echo(json.dumps(s, indent=2))
    else:
        from mpokit.cli._options import out_console

        console = out_console()  # the summary is the result: stdout
        sw = s["switches"]
        ln = s["links"]
        console.print(
            f"[bold]{escape(str(s['cluster']))}[/]: {s['tiers']} tiers"
            f"{f' x {pl} planes' if (pl := s.get('planes', 1)) > 1 else ''}, leaf {sw['leaf']}, "
            f"spine {sw['spine']}"
            f", core {sw['core']}; links node-leaf {ln['node_leaf']}, leaf-spine "
            f"{ln['leaf_spine']}, spine-core {ln['spine_core']}", highlight=False)
        verdict = "[green]all channels pass[/]" if p.ok else f"[red]{s['errors']} failing[/]"
        console.print(f"{s['channels_checked']}/{s['channels']} channels checked: {verdict}")
        console.print(f"report: {escape(str(dest / 'report.html'))}", highlight=False)
    if not p.ok:  # the failures themselves, on the console (stderr), not only a count
        from mpokit.plan.report import failure_lines

        for line in failure_lines(p):
            console.print(line, highlight=False, markup=False)
    raise typer.Exit(EXIT_OK if p.ok else EXIT_FAILED)
