"""``mpokit export FORMAT PLAN_DIR --out DIR``: the plan as other tools' import files.

    mpokit export netbox|nautobot|ufm|ibdiagnet|ptm PLAN_DIR --out DIR
                  [--site NAME] [--system-type ROLE=TYPE]... [--force]

``netbox`` and ``nautobot`` write bulk-import CSVs (NetBox's device types as its YAML
import), ``ufm`` / ``ibdiagnet`` an IBDM topology file, ``ptm`` Cumulus PTM's
``topology.dot``. Formats and sources: docs/integrations.md.

Exit codes: 0 written, 1 a plan folder that cannot be read or a plan the format cannot
hold (the message says why and what to do instead).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mpokit.cli._app import EXIT_OK, app, fail_input
from mpokit.errors import InputError, MpokitError

__all__ = ["export"]

FORMATS = ("netbox", "nautobot", "ufm", "ibdiagnet", "ptm")


def _system_types(pairs: list[str]) -> dict[str, str]:
    out = {}
    for p in pairs:
        role, sep, typ = p.partition("=")
        if not sep or not role or not typ:
            raise InputError(f"--system-type {p!r} is not ROLE=TYPE", field="--system-type",
                             fix="e.g. --system-type leaf=MQM9700")
        out[role] = typ
    return out


@app.command()
def export(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT",
                                       help="netbox, nautobot, ufm, ibdiagnet or ptm.")],
    plan_dir: Annotated[Path, typer.Argument(help="An output folder of `mpokit plan`.")],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Folder to write.")],
    site: Annotated[str | None, typer.Option(
        "--site", help="Site / location name (default: the plan's cluster name).")] = None,
    system_type: Annotated[list[str] | None, typer.Option(
        "--system-type", help="IBDM system type per role, e.g. leaf=MQM9700 (ufm, "
        "ibdiagnet); repeat per role.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Write into a folder holding files mpokit did not write (they are "
        "kept).")] = False,
) -> None:
    """Write the plan as NetBox / Nautobot import files or fabric-manager topology files."""
    from mpokit.integrations import load_plant

    try:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}", field="FORMAT",
                             fix=f"use one of {', '.join(FORMATS)}")
        plant = load_plant(plan_dir, site=site)
        if fmt == "netbox":
            from mpokit.integrations.netbox import write_netbox

            write_netbox(plant, out, force=force)
        elif fmt == "nautobot":
            from mpokit.integrations.nautobot import write_nautobot

            write_nautobot(plant, out, force=force)
        else:
            from mpokit.integrations.fabric import FabricNames, write_fabric

            names = FabricNames(system_types={"node": "HCA",
                                              **_system_types(system_type or [])})
            write_fabric(plant, out, fmt, names, force=force)
    except MpokitError as exc:
        raise fail_input(exc) from None
    for note in plant.notes:
        typer.echo(f"note: {note}", err=True)
    typer.echo(f"{fmt}: {len(plant.devices)} devices, {len(plant.cables)} cable records "
               f"-> {out}")
    raise typer.Exit(EXIT_OK)
