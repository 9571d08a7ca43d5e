"""``mpokit demo``: the quick-start job on the bundled examples.

Checks the example channels (the polarity methods, then the classic mistakes with their
fixes), plans the example cluster, and measures two simulated ferrules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from mpokit._files import check_output_dir, output_dir
from mpokit.cli._app import EXIT_OK, app, fail_input
from mpokit.cli.check import print_human, run_check
from mpokit.errors import InputError, MpokitError

__all__ = ["demo"]


@app.command()
def demo(
    examples: Annotated[Path, typer.Option(
        metavar="DIR", help="The examples folder (examples/ of the mpokit repository).")
    ] = Path("examples"),
    out: Annotated[Path, typer.Option(
        "-o", "--out", metavar="DIR", help="Output folder: the plan and the QC reports.")
    ] = Path("demo-out"),
    force: Annotated[bool, typer.Option(
        "--force", help="Write into a folder holding files mpokit did not write (they are "
        "kept).")] = False,
) -> None:
    """Run the quick-start job: check the example channels, plan the example cluster, run QC.

    Says where the results are (the plan, its report and two QC reports).
    """
    console = Console(soft_wrap=True)
    try:
        if not examples.is_dir():  # else nothing would be checked or planned, silently
            raise InputError("examples folder not found", file=str(examples),
                             fix="run from the mpokit repository root or give --examples DIR")
        check_output_dir(out, force=force)  # refuse a folder before any work is done
    except MpokitError as exc:
        raise fail_input(exc) from None
    groups = [("Channels built by the TIA-568.3 polarity methods", examples / "channels"),
              ("Classic mistakes, each with the fix mpokit finds", examples / "mistakes")]
    for title, folder in groups:
        files = sorted(folder.glob("*.yaml"))
        if not files:
            continue
        console.rule(title)
        try:
            results = run_check(files)
        except MpokitError as exc:
            raise fail_input(exc) from None
        print_human(console, results)
    spec_file = examples / "cluster" / "superpod-4su.yaml"
    try:
        if spec_file.exists():
            _demo_plan(console, spec_file, out, force)
        else:
            with output_dir(out, force=force) as tmp:
                _demo_qc(console, tmp / "qc", out / "qc")
    except MpokitError as exc:
        raise fail_input(exc) from None
    raise typer.Exit(EXIT_OK)


def _demo_plan(console: Console, spec_file: Path, out: Path, force: bool) -> None:
    """Plan the example cluster; the QC reports go into the same output folder."""
    from mpokit.cli._options import err_console
    from mpokit.plan import load_spec, make_plan, write_plan

    console.rule(f"Planning the example cluster ({spec_file})")
    with err_console().status("planning: fabric, layout, cabling, verify, outputs"):
        p = make_plan(load_spec(spec_file))
    s = p.summary
    sw, ln = s["switches"], s["links"]
    console.print(
        f"{escape(str(s['cluster']))}: leaf {sw['leaf']}, spine {sw['spine']}, core "
        f"{sw['core']}; links node-leaf {ln['node_leaf']}, leaf-spine {ln['leaf_spine']}, "
        f"spine-core {ln['spine_core']}; {s['channels_checked']} channels checked, "
        + ("[green]all pass[/]" if p.ok else f"[red]{s['errors']} failing[/]"),
        highlight=False,
    )
    console.print(f"transceivers: {escape(str(s['transceivers']))}", highlight=False)
    dest = write_plan(p, out, force=force,
                      extra=lambda tmp: _demo_qc(console, tmp / "qc", out / "qc"))
    console.print(f"report: {escape(str(dest / 'report.html'))}  (cut sheet, BOM, "
                  "channels.yaml, summary.json beside it)", highlight=False)


def _demo_qc(console: Console, folder: Path, shown: Path) -> None:
    """Simulate two ferrule scans with known geometry, measure them, write their reports.

    ``folder`` is where the files are written (inside the output being built), ``shown``
    where they will be once the output is in place.
    """
    import numpy as np

    from mpokit.qc import (
        MtGeometry,
        MtTruth,
        RoundGeometry,
        RoundTruth,
        analyze_scan,
        simulate_mt,
        simulate_round,
        write_scan,
    )
    from mpokit.qc.report import write_report

    console.rule("End-face geometry of simulated ferrules (connector QC)")
    folder.mkdir(parents=True, exist_ok=True)
    scans = [
        ("mt12-pc.npz", *simulate_mt(fibers=12, seed=11, angle_x_deg=0.05, angle_y_deg=-0.08,
                                     mean_height_nm=2000.0, height_spread_nm=60.0,
                                     serial="DEMO-MT12")),
        ("lc-apc.npz", *simulate_round(seed=5, fixture_angle_deg=8.0, radius_mm=12.0,
                                       apex_offset_um=20.0, fiber_height_nm=-30.0,
                                       serial="DEMO-LC-APC")),
    ]
    for name, scan, truth in scans:
        write_scan(scan, folder / name)
        result = analyze_scan(scan, file=str(shown / name))
        report = write_report(result, scan, folder / (Path(name).stem + ".html"))
        verdict = "[green]PASS[/]" if result.ok else "[red]FAIL[/]"
        params = ", ".join(f"{k}={v:.4g}" for k, v in result.parameters().items()
                           if v is not None)
        console.print(f"{verdict} {result.serial} ({result.kind}, profile {result.profile}): "
                      f"{params}", highlight=False)
        g = result.geometry
        if isinstance(truth, MtTruth) and isinstance(g, MtGeometry):
            err = float(np.max(np.abs(np.asarray(g.height_nm) - truth.height_nm)))
            console.print(f"      against the simulated truth: fiber heights within {err:.1f} nm",
                          highlight=False)
        elif isinstance(truth, RoundTruth) and isinstance(g, RoundGeometry):
            console.print(f"      against the simulated truth: radius {truth.radius_mm:.3f} mm, "
                          f"apex offset {truth.apex_offset_um:.2f} um, fiber height "
                          f"{truth.fiber_height_nm:.1f} nm", highlight=False)
        console.print(f"      report: {escape(str(shown / report.name))}", highlight=False)


