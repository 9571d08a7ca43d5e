"""``mpokit push PLAN_DIR --to nautobot|netbox URL``: create the plan in the operator's DCIM.

    mpokit push PLAN_DIR --to nautobot|netbox URL [--token-env VAR] [--site NAME]
                [--dry-run] [--json]

Idempotent: objects already on the server are kept (a second push creates nothing);
objects whose planned fields differ are reported as conflicts and left as they are.
The token is read from the environment variable ``--token-env`` (default
``NAUTOBOT_TOKEN`` / ``NETBOX_TOKEN``), never from the command line.

Exit codes: 0 pushed (or dry run done) without conflicts, 2 conflicts found,
1 bad input or a refused request (the message names the object; what was created
before it is listed, and re-running finishes the job).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from mpokit.cli._app import EXIT_FAILED, EXIT_INPUT, EXIT_OK, app, fail_input, print_error
from mpokit.errors import InputError, MpokitError

__all__ = ["push_cmd"]


@app.command("push")
def push_cmd(
    plan_dir: Annotated[Path, typer.Argument(help="An output folder of `mpokit plan`.")],
    to: Annotated[tuple[str, str], typer.Option(
        "--to", metavar="TOOL URL", help="nautobot or netbox, and the server's base URL.")],
    token_env: Annotated[str | None, typer.Option(
        "--token-env", help="Environment variable holding the API token (default "
        "NAUTOBOT_TOKEN or NETBOX_TOKEN).")] = None,
    site: Annotated[str | None, typer.Option(
        "--site", help="Site / location name (default: the plan's cluster name).")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Only read the server; report what would be created.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON on "
                                          "stdout.")] = False,
) -> None:
    """Push the plan into Nautobot or NetBox (idempotent; --dry-run to preview)."""
    from mpokit.integrations import load_plant
    from mpokit.integrations.push import PushError, push

    tool, url = to
    try:
        if tool not in ("nautobot", "netbox"):
            raise InputError(f"unknown tool {tool!r}", field="--to",
                             fix="use --to nautobot URL or --to netbox URL")
        plant = load_plant(plan_dir, site=site)  # the local input first: no token needed
        for note in plant.notes:
            typer.echo(f"note: {note}", err=True)
        var = token_env or f"{tool.upper()}_TOKEN"
        token = os.environ.get(var, "")
        if not token:
            raise InputError(f"no API token in the environment variable {var}",
                             field="--token-env",
                             fix=f"export {var}=<token> (or name another with --token-env)")
        if not url.startswith(("http://", "https://")):
            raise InputError(f"URL {url!r} is not http(s)", field="--to",
                             fix="give the server's base URL, e.g. https://nautobot.example")
        if tool == "nautobot":
            from mpokit.integrations.nautobot import HttpApi, NautobotDialect

            api, dialect = HttpApi(url, token), NautobotDialect()
        else:
            from mpokit.integrations.netbox import NetboxDialect, PynetboxApi

            nb_api = PynetboxApi(url, token)
            api, dialect = nb_api, NetboxDialect(nb_api.version)  # type: ignore[assignment]
        report = push(plant, api, dialect, dry_run=dry_run,
                      progress=lambda s: typer.echo(f"{tool}: {s}", err=True))
    except PushError as exc:
        print_error(exc)
        done = exc.report.lines()
        typer.echo("created before the failure (re-run to finish):" if done else
                   "nothing was created", err=True)
        for line in done:
            typer.echo(f"  {line}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    except MpokitError as exc:
        raise fail_input(exc) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        for line in report.lines():
            typer.echo(line)
    raise typer.Exit(EXIT_FAILED if report.conflicts else EXIT_OK)
