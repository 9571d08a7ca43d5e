"""``mpokit check`` and ``mpokit catalog``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from mpokit.cli import EXIT_FAILED, EXIT_OK, app, fail_input
from mpokit.errors import DesignError, InputError, MpokitError
from mpokit.standards.provenance import provenance_tag

__all__ = ["catalog", "check", "print_human", "run_check"]


CatalogOption = Annotated[
    list[Path] | None,
    typer.Option("--catalog", help="Extra catalogue file (transceivers, cassettes, breakouts, "
                 "connectors); repeatable."),
]


def load_catalogs(paths: list[Path] | None) -> None:
    """Extend the built-in catalogues with the user's files."""
    from mpokit.standards import load_user_catalog

    for p in paths or []:
        load_user_catalog(str(p))


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
            from mpokit._yaml import read_yaml

            lines = read_yaml(f)[1]
            loc = exc.loc
            if loc[:1] == ("channels",) and ("channels",) not in lines.by_path:
                loc = loc[2:]  # a file holding one channel, not a list
            msg = str(exc).removeprefix("channels[0]: ") if loc != exc.loc else str(exc)
            raise InputError(msg, file=str(f), line=lines.line_of(loc) if loc else None) from None
        for r in checked:
            d = r.to_dict()
            d["file"] = str(f)
            out.append(d)
            results.append(r)
    return out, results


def print_human(console: Console, channels: list[dict[str, Any]], *, all_: bool = True) -> None:
    """One line per channel and its findings; with ``all_=False`` passing channels with no
    findings are counted, not listed."""
    quiet = 0
    for ch in channels:
        if not all_ and ch["ok"] and not ch["findings"]:
            quiet += 1
            continue
        verdict = "[green]PASS[/]" if ch["ok"] else "[red]FAIL[/]"
        lanes = [ln for ln in ch["lanes"] if ln["status"] != "elsewhere"]
        good = sum(ln["status"] in ("ok", "lane_order") for ln in lanes)
        loss = ch.get("loss")
        loss_txt = ""
        if isinstance(loss, dict) and loss.get("total_db") is not None:
            loss_txt = f"  IL {loss['total_db']:.2f} dB"
            if loss.get("limit_db") is not None:
                loss_txt += f" of {loss['limit_db']:.2f} dB" + provenance_tag(
                    loss.get("limit_status"))
        console.print(f"{verdict} {escape(str(ch['name']))}  ({good}/{len(lanes)} lanes)"
                      f"{loss_txt}  [dim]{escape(str(ch['file']))}[/]")
        for f in ch["findings"]:
            mark = "[red]x[/]" if f["severity"] == "error" else "[yellow]![/]"
            where = f" {escape(str(f['at']))}" if f["at"] else ""
            lanes_txt = f" lanes {','.join(map(str, f['lanes']))}" if f["lanes"] else ""
            console.print(f"  {mark} [bold]{f['code']}[/]{where}{lanes_txt}: "
                          f"{escape(str(f['message']))}", highlight=False)
            if f.get("fix"):
                console.print(f"      [cyan]fix:[/] {escape(str(f['fix']))}", highlight=False)
    if quiet:
        console.print(f"[green]{quiet} passing channels without findings[/] not listed "
                      "(--all lists them)", highlight=False)


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Channel files (YAML or JSON).")],
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="List passing channels even when there "
                                       "are more than 100.")] = False,
    catalog: CatalogOption = None,
) -> None:
    """Check polarity, mating (and loss) of every lane of every channel.

    Exit 0 when every channel passes, 2 when any check fails, 1 on unreadable input.
    """
    try:
        load_catalogs(catalog)
        channels, _ = run_check(files)
    except MpokitError as exc:
        raise fail_input(exc) from None
    ok = all(c["ok"] for c in channels)
    if json_out:
        typer.echo(json.dumps({"ok": ok, "channels": channels}, indent=2))
    else:
        console = Console(soft_wrap=True)
        print_human(console, channels, all_=all_ or len(channels) <= 100)
        n_ok = sum(c["ok"] for c in channels)
        console.print(f"\n{n_ok}/{len(channels)} channels pass")
    raise typer.Exit(EXIT_OK if ok else EXIT_FAILED)


@app.command()
def trace(
    files: Annotated[list[Path], typer.Argument(help="Channel files (YAML or JSON).")],
    name: Annotated[str | None, typer.Option("--channel", help="Only the channel of this "
                                              "name.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
    catalog: CatalogOption = None,
) -> None:
    """Follow every Tx lane face by face: its position after each plug, cable and adapter."""
    from mpokit.connectivity.io import read_channels
    from mpokit.connectivity.model import compile_channel
    from mpokit.connectivity.trace import format_trace
    from mpokit.connectivity.trace import trace as trace_channel

    out: list[dict[str, Any]] = []
    try:
        load_catalogs(catalog)
        for f in files:
            for spec in read_channels(f):
                ch = compile_channel(spec)
                if name is not None and ch.name != name:
                    continue
                directions = trace_channel(ch)
                out.append({"name": ch.name, "file": str(f),
                            "directions": [t.to_dict() for t in directions]})
                if not json_out:
                    typer.echo(f"{ch.name}  ({ch.a.transceiver.name} -> {ch.b.transceiver.name})")
                    for t in directions:
                        typer.echo(f"\n{t.direction}\n{format_trace(t)}")
                    typer.echo("")
    except MpokitError as exc:
        raise fail_input(exc) from None
    if name is not None and not out:
        raise fail_input(InputError(f"no channel named {name!r}", fix="check --channel"))
    if json_out:
        typer.echo(json.dumps(out, indent=2))
    raise typer.Exit(EXIT_OK)


@app.command()
def catalog(
    kind: Annotated[str, typer.Argument(
        help="One of: connectors, transceivers, cassettes, breakouts, polishes.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """List a built-in catalogue with each record's source and status."""
    from mpokit.errors import CatalogError
    from mpokit.standards.user import CATALOGUES

    if kind not in CATALOGUES:
        raise fail_input(CatalogError("catalogue", kind, CATALOGUES))
    records = list(CATALOGUES[kind]())
    if json_out:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in records], indent=2))
        raise typer.Exit(EXIT_OK)
    console = Console(soft_wrap=True)
    for r in records:
        console.print(f"[bold]{escape(r.name)}[/]  [dim]({r.status})[/] {escape(str(r.source))}",
                      highlight=False)
    raise typer.Exit(EXIT_OK)
