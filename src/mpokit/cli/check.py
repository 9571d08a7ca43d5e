"""``mpokit check`` and ``mpokit demo``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from mpokit.cli import EXIT_FAILED, EXIT_OK, app, fail_input
from mpokit.errors import DesignError, InputError, MpokitError

__all__ = ["check", "demo", "run_check"]


def run_check(files: list[Path]) -> tuple[list[dict[str, Any]], list[Any]]:
    """Read and check every channel of ``files``; returns JSON dicts and results."""
    from mpokit.connectivity.io import read_channels
    from mpokit.connectivity.verify import check_channels

    out: list[dict[str, Any]] = []
    results: list[Any] = []
    for f in files:
        specs = read_channels(f)
        try:
            checked = check_channels(specs)
        except DesignError as exc:
            raise InputError(str(exc), file=str(f)) from None
        for r in checked:
            d = r.to_dict()
            d["file"] = str(f)
            out.append(d)
            results.append(r)
    return out, results


def _print_human(console: Console, channels: list[dict[str, Any]]) -> None:
    for ch in channels:
        verdict = "[green]PASS[/]" if ch["ok"] else "[red]FAIL[/]"
        lanes = [ln for ln in ch["lanes"] if ln["status"] != "elsewhere"]
        good = sum(ln["status"] in ("ok", "lane_order") for ln in lanes)
        loss = ch.get("loss")
        loss_txt = ""
        if isinstance(loss, dict) and loss.get("total_db") is not None:
            loss_txt = f"  IL {loss['total_db']:.2f} dB"
            if loss.get("limit_db") is not None:
                st = loss.get("limit_status")
                tag = f" ({st})" if st not in (None, "verified", "derived", "explicit") else ""
                loss_txt += f" of {loss['limit_db']:.2f} dB{tag}"
        console.print(f"{verdict} {ch['name']}  ({good}/{len(lanes)} lanes){loss_txt}"
                      f"  [dim]{ch['file']}[/]")
        for f in ch["findings"]:
            mark = "[red]x[/]" if f["severity"] == "error" else "[yellow]![/]"
            where = f" {f['at']}" if f["at"] else ""
            lanes_txt = f" lanes {','.join(map(str, f['lanes']))}" if f["lanes"] else ""
            console.print(f"  {mark} [bold]{f['code']}[/]{where}{lanes_txt}: {f['message']}",
                          highlight=False)
            if f.get("fix"):
                console.print(f"      [cyan]fix:[/] {f['fix']}", highlight=False)


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Channel files (YAML or JSON).")],
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """Check polarity, mating (and loss) of every lane of every channel.

    Exit 0 when every channel passes, 2 when any check fails, 1 on unreadable input.
    """
    try:
        channels, _ = run_check(files)
    except MpokitError as exc:
        raise fail_input(exc) from None
    ok = all(c["ok"] for c in channels)
    if json_out:
        typer.echo(json.dumps({"ok": ok, "channels": channels}, indent=2))
    else:
        console = Console(soft_wrap=True)
        _print_human(console, channels)
        n_ok = sum(c["ok"] for c in channels)
        console.print(f"\n{n_ok}/{len(channels)} channels pass")
    raise typer.Exit(EXIT_OK if ok else EXIT_FAILED)


@app.command()
def demo(
    examples: Annotated[Path, typer.Option(help="The examples folder.")] = Path("examples"),
    out: Annotated[Path, typer.Option("-o", "--out", help="Where the plan goes.")] = Path(
        "demo-out"
    ),
) -> None:
    """Run the main job on the bundled examples and say where the results are."""
    console = Console(soft_wrap=True)
    groups = [("Channels built by the TIA-568.3 polarity methods", examples / "channels"),
              ("Classic mistakes, each with the fix mpokit finds", examples / "mistakes")]
    for title, folder in groups:
        files = sorted(folder.glob("*.yaml"))
        if not files:
            continue
        console.rule(title)
        try:
            channels, _ = run_check(files)
        except MpokitError as exc:
            raise fail_input(exc) from None
        _print_human(console, channels)
    spec_file = examples / "cluster" / "superpod-4su.yaml"
    if spec_file.exists():
        from mpokit.plan import load_spec, make_plan, write_plan

        console.rule(f"Planning the example cluster ({spec_file})")
        try:
            with console.status("planning: fabric, layout, cabling, verify, outputs"):
                p = make_plan(load_spec(spec_file))
                dest = write_plan(p, out)
        except MpokitError as exc:
            raise fail_input(exc) from None
        s = p.summary
        sw, ln = s["switches"], s["links"]
        console.print(
            f"[bold]{s['cluster']}[/]: leaf {sw['leaf']}, spine {sw['spine']}, core {sw['core']};"
            f" links node-leaf {ln['node_leaf']}, leaf-spine {ln['leaf_spine']}, spine-core "
            f"{ln['spine_core']}; {s['channels_checked']} channels checked, "
            + ("[green]all pass[/]" if p.ok else f"[red]{s['errors']} failing[/]"),
            highlight=False,
        )
        console.print(f"transceivers: {s['transceivers']}", highlight=False)
        console.print(f"report: [bold]{dest / 'report.html'}[/]  (cut sheet, BOM, channels.yaml,"
                      f" summary.json beside it)", highlight=False)
    _demo_qc(console, out / "qc")


def _demo_qc(console: Console, folder: Path) -> None:
    """Simulate two ferrule scans with known geometry, measure them, write their reports."""
    from mpokit.qc import analyze_scan, simulate_mt, simulate_round, write_scan
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
        result = analyze_scan(scan, file=str(folder / name))
        report = write_report(result, scan, folder / (Path(name).stem + ".html"))
        verdict = "[green]PASS[/]" if result.ok else "[red]FAIL[/]"
        params = ", ".join(f"{k}={v:.4g}" for k, v in result.parameters().items()
                           if v is not None)
        console.print(f"{verdict} {result.serial} ({result.kind}, profile {result.profile}): "
                      f"{params}", highlight=False)
        console.print(f"      report: {report}", highlight=False)
    raise typer.Exit(EXIT_OK)


_CATALOGUES = ("connectors", "transceivers", "cassettes", "breakouts", "polishes")


@app.command()
def catalog(
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(_CATALOGUES)}.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """List a built-in catalogue with each record's source and status."""
    import mpokit.standards as std
    from mpokit.errors import CatalogError

    if kind not in _CATALOGUES:
        raise fail_input(CatalogError("catalogue", kind, _CATALOGUES))
    records = list(getattr(std, kind)())
    if json_out:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in records], indent=2))
        raise typer.Exit(EXIT_OK)
    console = Console(soft_wrap=True)
    for r in records:
        console.print(f"[bold]{r.name}[/]  [dim]({r.status})[/] {r.source}", highlight=False)
    raise typer.Exit(EXIT_OK)
