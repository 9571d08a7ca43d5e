"""``mpokit check`` and ``mpokit catalog``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape

from mpokit.cli._app import EXIT_FAILED, EXIT_OK, app, fail_input
from mpokit.cli._options import (
    CatalogOption,
    FilesArgument,
    GradesOption,
    JsonOption,
    channel_files,
    load_extras,
    out_console,
    progress,
)
from mpokit.errors import DesignError, InputError, MpokitError
from mpokit.verify.output import lane_count

if TYPE_CHECKING:
    from mpokit.verify import SetResult

__all__ = ["catalog", "check", "lane_count", "print_human", "run_check"]


def run_check(files: list[Path]) -> list[tuple[str, SetResult]]:
    """Read and check every channel of ``files``, each distinct design once.

    Parameters
    ----------
    files
        Channel files (YAML or JSON).

    Returns
    -------
    list[tuple[str, SetResult]]
        ``(file, result)`` per file; expand per channel with :mod:`mpokit.verify.output`.
    """
    from mpokit.connectivity.io import read_channel_set
    from mpokit.verify import check_set

    out: list[tuple[str, SetResult]] = []
    for f in files:
        channels = read_channel_set(f)
        try:
            res = check_set(channels)
        except DesignError as exc:
            from mpokit._yaml import read_yaml

            lines = read_yaml(f)[1]
            loc = exc.loc
            if loc[:1] == ("channels",) and ("channels",) not in lines.by_path:
                loc = loc[2:]  # a file holding one channel, not a list
            msg = str(exc).removeprefix("channels[0]: ") if loc != exc.loc else str(exc)
            raise InputError(msg, file=str(f), line=lines.line_of(loc) if loc else None) from None
        out.append((str(f), res))
    return out


def print_human(console: Console, results: list[tuple[str, SetResult]], *,
                all_: bool = True) -> None:
    """One line per channel and its findings (see :func:`mpokit.verify.print_human`).

    Parameters
    ----------
    console
        Where to print (stdout for results).
    results
        ``(file, result)`` pairs of :func:`run_check`.
    all_
        False: passing channels without findings are counted, not listed.
    """
    from mpokit.verify import print_human as show

    show(console, results, all_=all_)


@app.command()
def check(
    files: FilesArgument,
    json_out: JsonOption = False,
    all_: Annotated[bool, typer.Option("--all", help="List passing channels even when there "
                                       "are more than 100.")] = False,
    catalog: CatalogOption = None,
    grades: GradesOption = None,
) -> None:
    """Check polarity, mating (and loss) of every lane of every channel.

    Exit 0 when every channel passes, 2 when any check fails, 1 on unreadable input.
    """
    try:
        load_extras(catalog, grades)
        paths = channel_files(files)
        results: list[tuple[str, SetResult]] = []
        with progress("checking", total=len(paths)) as step:
            for f in paths:
                step(0, description=f"checking {f}")
                results += run_check([f])
                step()
    except MpokitError as exc:
        raise fail_input(exc) from None
    n_ok = sum(int(np.count_nonzero(res.ok)) for _, res in results)
    n = sum(len(res) for _, res in results)
    ok = n_ok == n
    if json_out:
        from mpokit.verify import write_json

        write_json(sys.stdout, results)
        sys.stdout.flush()
    else:
        console = out_console()
        print_human(console, results, all_=all_ or n <= 100)
        console.print(f"\n{n_ok}/{n} channels pass")
    raise typer.Exit(EXIT_OK if ok else EXIT_FAILED)


@app.command()
def trace(
    files: FilesArgument,
    name: Annotated[str | None, typer.Option("--channel", metavar="NAME", help="Only the "
                                              "channel of this name.")] = None,
    json_out: JsonOption = False,
    catalog: CatalogOption = None,
    grades: GradesOption = None,
) -> None:
    """Follow every Tx lane face by face: its position after each plug, cable, adapter, cassette."""
    from mpokit.connectivity.io import read_channel_set
    from mpokit.connectivity.model import compile_channel
    from mpokit.connectivity.trace import format_trace
    from mpokit.connectivity.trace import trace as trace_channel

    out: list[dict[str, Any]] = []
    seen: set[str] = set()  # channel names, for "did you mean" when --channel matches none
    try:
        load_extras(catalog, grades)
        for f in channel_files(files):
            cs = read_channel_set(f)
            # each distinct design compiled and traced once (lane positions do not
            # depend on the name); every channel is its design's trace under its name
            done: dict[int, tuple[Any, Any, list[dict[str, Any]]]] = {}
            for i, d in enumerate(cs.design_of.tolist()):
                if d not in done:
                    try:
                        ch = compile_channel(cs.designs[d])
                    except DesignError:  # again as the channel, which the message names
                        compile_channel(cs.spec(i))
                        raise
                    directions = trace_channel(ch)
                    done[d] = ch, directions, [t.to_dict() for t in directions]
                ch, directions, dicts = done[d]
                ch_name = cs.names[i] or ch.name  # no (or an empty) name: A to B
                if name is not None and ch_name != name:
                    if len(seen) < _SUGGEST_AMONG:
                        seen.add(ch_name)
                    continue
                out.append({"name": ch_name, "file": str(f), "directions": dicts})
                if not json_out:
                    typer.echo(f"{ch_name}  ({ch.a.transceiver.name} -> {ch.b.transceiver.name})")
                    for t in directions:
                        typer.echo(f"\n{t.direction}\n{format_trace(t)}")
                    typer.echo("")
    except MpokitError as exc:
        raise fail_input(exc) from None
    if name is not None and not out:
        from mpokit.errors import suggest

        close = suggest(name, seen)
        raise fail_input(InputError(
            f"no channel named {name!r}",
            fix=f"did you mean {' or '.join(repr(c) for c in close)}?" if close
            else "check --channel against the names in the files"))
    if json_out:
        typer.echo(json.dumps(out, indent=2))
    raise typer.Exit(EXIT_OK)


#: ``trace --channel``: names kept for suggestions (a plan has hundreds of thousands).
_SUGGEST_AMONG = 20_000


@app.command()
def catalog(
    kind: Annotated[str, typer.Argument(
        help="One of: connectors, transceivers, cassettes, breakouts, polishes.")],
    json_out: JsonOption = False,
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
    console = out_console()
    for r in records:
        console.print(f"[bold]{escape(r.name)}[/]  [dim]({r.status})[/] {escape(str(r.source))}",
                      highlight=False)
    raise typer.Exit(EXIT_OK)
