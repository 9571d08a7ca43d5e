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
from typing import Any

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


def _click_exceptions() -> Any:
    """The exceptions module of the click that typer runs on (newer typers vendor it)."""
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - older typer on the public click
        from click import exceptions  # type: ignore[no-redef]
    return exceptions


def main() -> None:
    """Console entry point with the documented exit codes.

    Click reports usage mistakes (a missing argument, an unknown option or command) with
    exit code 2; mpokit keeps 2 for "a check failed", so they leave with 1 here.
    """
    cx = _click_exceptions()
    try:
        rv = app(standalone_mode=False)
    except cx.ClickException as exc:  # usage mistakes, "no arguments: show the help"
        exc.show()
        sys.exit(EXIT_INPUT)
    except (getattr(cx, "Abort", KeyboardInterrupt), KeyboardInterrupt):
        typer.echo("aborted", err=True)
        sys.exit(EXIT_INPUT)
    except getattr(cx, "Exit", typer.Exit) as exc:
        sys.exit(getattr(exc, "exit_code", EXIT_INPUT))
    except MpokitError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    except OSError as exc:  # a path the user gave cannot be read or written
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        typer.echo(f"error: {where}{exc.strerror or exc}", err=True)
        sys.exit(EXIT_INPUT)
    sys.exit(rv if isinstance(rv, int) else EXIT_OK)


# Command modules register themselves on ``app`` when imported.
from mpokit.cli import check as _check  # noqa: E402,F401
from mpokit.cli import demo as _demo  # noqa: E402,F401
from mpokit.cli import inspect as _inspect  # noqa: E402,F401
from mpokit.cli import loss as _loss  # noqa: E402,F401
from mpokit.cli import plan as _plan  # noqa: E402,F401
from mpokit.cli import qc as _qc  # noqa: E402,F401
from mpokit.cli import store as _store  # noqa: E402,F401
