"""The ``mpokit`` command line: a thin adapter over the library.

Each stage adds its commands in its own module (``check``, ``qc`` ...), imported at
the bottom of this file. Every command makes one library call and formats the result.

Exit codes (documented in the README):

* 0 every check passed
* 1 usage or input error (the message names the file, line and field)
* 2 a check failed
"""

from __future__ import annotations

import sys

import typer

from mpokit.errors import MpokitError

__all__ = ["EXIT_FAILED", "EXIT_INPUT", "EXIT_OK", "app", "main"]

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_FAILED = 2

app = typer.Typer(
    name="mpokit",
    help="MPO fiber plants: plan, verify polarity/mating/loss, QC end faces, accept.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail_input(exc: MpokitError) -> typer.Exit:
    """Print an input error on stderr and return the exit to raise (code 1)."""
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(EXIT_INPUT)


def main() -> None:
    """Console entry point: run the app, turning stray MpokitErrors into exit code 1."""
    try:
        app(standalone_mode=True)
    except MpokitError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INPUT)


# Command modules register themselves on ``app`` when imported.
from mpokit.cli import check as _check  # noqa: E402,F401
from mpokit.cli import demo as _demo  # noqa: E402,F401
from mpokit.cli import loss as _loss  # noqa: E402,F401
from mpokit.cli import plan as _plan  # noqa: E402,F401
from mpokit.cli import qc as _qc  # noqa: E402,F401
