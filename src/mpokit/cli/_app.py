"""The ``mpokit`` application object, exit codes, signal handling and the entry point.

Command modules import these from here and register on ``app``; :mod:`mpokit.cli`
imports the command modules, so nothing imports back up into the package.

Exit codes (documented in the README):

* 0 every check passed
* 1 usage or input error (the message names the file, line and field)
* 2 a check failed

Ctrl-C, SIGTERM and SIGHUP stop a command with exit 1 and leave no partial output.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from typing import Any

import typer

from mpokit.errors import MpokitError

__all__ = ["EXIT_FAILED", "EXIT_INPUT", "EXIT_OK", "app", "fail_input", "main"]

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


class Terminated(KeyboardInterrupt):
    """SIGTERM (or SIGHUP) arrived: unwind like Ctrl-C so temporary outputs are removed."""


_signalled: list[str] = []


def _on_signal(signum: int, _frame: object) -> None:
    _signalled.append(signal.Signals(signum).name)
    raise Terminated(_signalled[-1])


def _interrupted(how: str) -> None:
    typer.echo(f"interrupted ({how}): stopped; no partial output was left", err=True)
    sys.exit(EXIT_INPUT)


def _install_signal_handlers() -> None:
    """SIGTERM and SIGHUP unwind through ``finally`` blocks as Ctrl-C does."""
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            with contextlib.suppress(ValueError, OSError):  # not the main thread: default
                signal.signal(sig, _on_signal)


def main() -> None:
    """Console entry point with the documented exit codes.

    Click reports usage mistakes (a missing argument, an unknown option or command) with
    exit code 2; mpokit keeps 2 for "a check failed", so they leave with 1 here.
    """
    cx = _click_exceptions()
    _install_signal_handlers()
    try:
        rv = app(standalone_mode=False)
    except cx.ClickException as exc:  # usage mistakes, "no arguments: show the help"
        exc.show()
        sys.exit(EXIT_INPUT)
    except (getattr(cx, "Abort", KeyboardInterrupt), KeyboardInterrupt) as exc:
        # click turns KeyboardInterrupt (and so Terminated) into Abort, keeping the cause
        cause = exc if isinstance(exc, Terminated) else exc.__cause__
        _interrupted(str(cause) if isinstance(cause, Terminated) else "Ctrl-C")
    except RecursionError:  # a structure nested past what the parsers handle
        typer.echo("error: the input is nested too deeply to read (see docs/limits.md)",
                   err=True)
        sys.exit(EXIT_INPUT)
    except getattr(cx, "Exit", typer.Exit) as exc:
        code = getattr(exc, "exit_code", EXIT_INPUT)
        if _signalled or code == 130:
            _interrupted(_signalled[-1] if _signalled else "Ctrl-C")
        sys.exit(code)
    except MpokitError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    except OSError as exc:  # a path the user gave cannot be read or written
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        typer.echo(f"error: {where}{exc.strerror or exc}", err=True)
        sys.exit(EXIT_INPUT)
    if _signalled or rv == 130:  # typer reports an interrupt as exit code 130
        _interrupted(_signalled[-1] if _signalled else "Ctrl-C")
    sys.exit(rv if isinstance(rv, int) else EXIT_OK)
