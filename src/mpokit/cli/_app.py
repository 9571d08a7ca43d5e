"""The ``mpokit`` application object, exit codes, signal handling and the entry point.

Command modules import these from here and register on ``app``; :mod:`mpokit.cli`
imports the command modules, so nothing imports back up into the package.

Exit codes (documented in the README):

* 0 every check passed
* 1 usage or input error (the message names the file, line and field)
* 2 a check failed

Results go to stdout, diagnostics (errors, warnings) and progress to stderr.
Ctrl-C, SIGTERM and SIGHUP stop a command with exit 1 and leave no partial output.
"""

from __future__ import annotations

import contextlib
import inspect
import re
import signal
import sys
from typing import Annotated, Any

import typer

from mpokit.errors import InputError, InputErrors, MpokitError

__all__ = ["EXIT_FAILED", "EXIT_INPUT", "EXIT_OK", "app", "fail_input", "main", "print_error"]

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_FAILED = 2

app = typer.Typer(
    name="mpokit",
    help="MPO fiber plants: plan, verify polarity/mating/loss, QC connectors, accept in the field.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from mpokit import __version__

        typer.echo(f"mpokit {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """MPO fiber plants: plan, verify polarity/mating/loss, QC connectors, accept in the field."""


#: Top-level keys that give away a file of the other kind, what it is and what reads it.
_OTHER_KINDS = ((frozenset({"cluster", "fabric"}), "a cluster spec", "mpokit plan SPEC -o OUT"),
                (frozenset({"a", "b", "path"}), "a channel file", "mpokit check FILE"))


def _kind_hint(exc: MpokitError) -> str | None:
    """``hint: F looks like a cluster spec ...`` when a file was given to the wrong command.

    A cluster spec given to ``check`` (or a channel file to ``plan``) fails on its top-level
    keys; the keys it was refused for say which kind of file it is.
    """
    if not isinstance(exc, InputError):
        return None
    unknown: dict[str, set[str]] = {}
    for e in exc.all_errors():
        if e.file and e.field and e.message.startswith("unknown key"):
            unknown.setdefault(e.file, set()).add(e.field)
    for file, fields in unknown.items():
        for keys, kind, reader in _OTHER_KINDS:
            if keys <= fields:
                return f"hint: {file} looks like {kind}; {reader} reads those"
    return None


def print_error(exc: MpokitError) -> None:
    """Print an error on stderr, one ``error:`` line per input error it carries.

    Parameters
    ----------
    exc
        The error; an :class:`~mpokit.errors.InputErrors` prints every error it holds.
    """
    lines = str(exc).splitlines() or [type(exc).__name__]
    if not isinstance(exc, InputErrors):
        lines = [" ".join(ln.strip() for ln in lines)]
    for ln in lines:
        typer.echo(f"error: {ln}" if not ln.startswith("(") else f"       {ln}", err=True)
    hint = _kind_hint(exc)
    if hint:
        typer.echo(hint, err=True)


def fail_input(exc: MpokitError) -> typer.Exit:
    """Print an input error on stderr and return the exit to raise (code 1).

    Parameters
    ----------
    exc
        The error to report (see :func:`print_error`).

    Returns
    -------
    typer.Exit
        The exit with code 1, for ``raise fail_input(exc) from None``.
    """
    print_error(exc)
    return typer.Exit(EXIT_INPUT)


def _one_line_paragraphs(text: str | None) -> str | None:
    """``text`` with each paragraph on one line: a docstring's hard wraps do not show in help.

    Typer keeps single line breaks of a docstring in ``--help`` (and in a group's command
    list), so a docstring wrapped at the source width would show its wrap points. Paragraphs
    (blank-line separated) and click's ``\\b`` verbatim blocks are kept as they are.
    """
    if not text:
        return text
    paras = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(p if p.startswith("\b") else " ".join(p.split()) for p in paras)


#: Metavars of options declared without one, by option name, so the type column of ``--help``
#: reads ``N`` or ``KIND`` and never the Python type typer falls back to (``<str>``,
#: ``<int range>``). tests/cli/test_help.py fails on an option missing here and in its code.
_METAVARS = {
    "--aql": "PERCENT", "--by": "lot|station", "--case": "worst|nominal", "--class": "CLASS",
    "--connections": "N", "--count": "N", "--data-dir": "DIR", "--end": "END",
    "--engine": "local|dask", "--fiber": "TYPE", "--fibers": "N", "--fixture-angle-deg": "DEG",
    "--ferrule": "mt|round", "--grade": "GRADE", "--host": "HOST", "--kind": "mt|round",
    "--level": "LEVEL", "--lot": "LOT", "--mapping": "FILE", "--matings": "N",
    "--max-pixels": "N", "--max-plan-nodes": "N", "--max-upload-mb": "MB", "--noise-nm": "NM",
    "--origin": "supplier|incoming", "--pixel-um": "UM", "--pmd": "PMD", "--port": "PORT",
    "--profile": "NAME", "--quality": "good|marginal|bad", "--rules": "FILE",
    "--scheduler": "ADDRESS", "--seed": "N", "--serial": "SERIAL", "--severity": "SEVERITY",
    "--site": "SITE", "--splices": "N", "--supplier": "NAME", "--system-type": "TYPE",
    "--table-to": "N", "--token-env": "VAR", "--tolerance-db": "DB", "--trials": "N",
}


def _tidy_help(command: Any) -> Any:
    """Make ``--help`` read the same on every command, recursively.

    * boolean flags are shown as flags (typer prints a ``<bool>`` value otherwise);
    * docstring paragraphs are reflowed, so no hard line break of the source shows;
    * arguments are named in upper case (``PLAN_DIR``, ``SPEC_FILE``), as in the docs, and
      that name is their type column too (typer would add ``<list[Path]>``);
    * options take their metavar from ``_METAVARS`` when the code gives none.
    """
    params = list(getattr(command, "params", []))
    if hasattr(command, "get_help_option") and hasattr(command, "context_class"):
        params.append(command.get_help_option(command.context_class(command)))
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
        kind = getattr(param, "param_type_name", "")
        if kind == "argument":
            if param.metavar is None:
                param.metavar = (param.name or "").upper()
            # the name column already shows the metavar; typer has no switch for this column
            param.display_type_rich = lambda ctx: None
        elif kind == "option" and param.metavar is None and param.opts:
            param.metavar = _METAVARS.get(max(param.opts, key=len))
    command.help = _one_line_paragraphs(command.help)
    command.short_help = _one_line_paragraphs(command.short_help)
    for sub in getattr(command, "commands", {}).values():
        _tidy_help(sub)
    return command


def command() -> Any:
    """The click command ``main`` runs: the typer app with its help tidied.

    Returns
    -------
    click.Command
        The root command group (tests walk it to check every ``--help``).
    """
    return _tidy_help(typer.main.get_command(app))


def _click_exceptions() -> Any:
    """The exceptions module of the click that typer runs on (newer typers vendor it)."""
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - older typer on the public click
        from click import exceptions  # type: ignore[no-redef]
    return exceptions


#: Import names whose distribution is named otherwise (the rest: ``_`` read as ``-``).
_DISTRIBUTIONS = {"skimage": "scikit-image", "PIL": "pillow", "multipart": "python-multipart",
                  "yaml": "pyyaml", "distributed": "dask"}


def missing_extra(module: str) -> str:
    """What to install for ``module``, an optional dependency that is missing.

    Parameters
    ----------
    module
        The name of the module that could not be imported.

    Returns
    -------
    str
        One sentence naming the package and the extras of mpokit that bring it.

    Examples
    --------
    >>> missing_extra("sqlalchemy.orm")  # doctest: +ELLIPSIS
    "this command needs sqlalchemy, which is not installed: pip install 'mpokit[EXTRA]' ..."
    """
    from importlib.metadata import PackageNotFoundError, requires

    top = module.split(".")[0]
    dist = _DISTRIBUTIONS.get(top, top).lower().replace("_", "-")
    try:
        reqs = requires("mpokit") or []
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        reqs = []
    extras = sorted({m.group(1) for r in reqs
                     if re.split(r"[\[<>=!~;\s]", r, maxsplit=1)[0].lower() == dist
                     and (m := re.search(r"extra\s*==\s*['\"]([\w-]+)['\"]", r))
                     and m.group(1) not in ("all", "dev", "docs")})
    how = (f"pip install 'mpokit[EXTRA]' with EXTRA one of {', '.join(extras)} (or "
           "'mpokit[all]')" if extras else f"pip install {dist}")
    return f"this command needs {dist}, which is not installed: {how}"


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
        rv = command()(standalone_mode=False)
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
        print_error(exc)
        sys.exit(EXIT_INPUT)
    except ModuleNotFoundError as exc:  # an optional extra is not installed
        if (exc.name or "mpokit").split(".")[0] == "mpokit":
            raise
        typer.echo(f"error: {missing_extra(exc.name or '')}", err=True)
        sys.exit(EXIT_INPUT)
    except OSError as exc:  # a path the user gave cannot be read or written
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        typer.echo(f"error: {where}{exc.strerror or exc}", err=True)
        sys.exit(EXIT_INPUT)
    if _signalled or rv == 130:  # typer reports an interrupt as exit code 130
        _interrupted(_signalled[-1] if _signalled else "Ctrl-C")
    sys.exit(rv if isinstance(rv, int) else EXIT_OK)
